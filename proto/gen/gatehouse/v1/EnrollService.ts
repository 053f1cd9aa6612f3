// Original file: proto/gatehouse/v1/gatehouse.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GenerateUserCertsResponse as _gatehouse_v1_GenerateUserCertsResponse, GenerateUserCertsResponse__Output as _gatehouse_v1_GenerateUserCertsResponse__Output } from '../../gatehouse/v1/GenerateUserCertsResponse';
import type { GetClusterCARequest as _gatehouse_v1_GetClusterCARequest, GetClusterCARequest__Output as _gatehouse_v1_GetClusterCARequest__Output } from '../../gatehouse/v1/GetClusterCARequest';
import type { GetClusterCAResponse as _gatehouse_v1_GetClusterCAResponse, GetClusterCAResponse__Output as _gatehouse_v1_GetClusterCAResponse__Output } from '../../gatehouse/v1/GetClusterCAResponse';
import type { RedeemInviteRequest as _gatehouse_v1_RedeemInviteRequest, RedeemInviteRequest__Output as _gatehouse_v1_RedeemInviteRequest__Output } from '../../gatehouse/v1/RedeemInviteRequest';

export interface EnrollServiceClient extends grpc.Client {
  GetClusterCA(argument: _gatehouse_v1_GetClusterCARequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GetClusterCAResponse__Output>): grpc.ClientUnaryCall;
  GetClusterCA(argument: _gatehouse_v1_GetClusterCARequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_GetClusterCAResponse__Output>): grpc.ClientUnaryCall;
  GetClusterCA(argument: _gatehouse_v1_GetClusterCARequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GetClusterCAResponse__Output>): grpc.ClientUnaryCall;
  GetClusterCA(argument: _gatehouse_v1_GetClusterCARequest, callback: grpc.requestCallback<_gatehouse_v1_GetClusterCAResponse__Output>): grpc.ClientUnaryCall;
  getClusterCa(argument: _gatehouse_v1_GetClusterCARequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GetClusterCAResponse__Output>): grpc.ClientUnaryCall;
  getClusterCa(argument: _gatehouse_v1_GetClusterCARequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_GetClusterCAResponse__Output>): grpc.ClientUnaryCall;
  getClusterCa(argument: _gatehouse_v1_GetClusterCARequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GetClusterCAResponse__Output>): grpc.ClientUnaryCall;
  getClusterCa(argument: _gatehouse_v1_GetClusterCARequest, callback: grpc.requestCallback<_gatehouse_v1_GetClusterCAResponse__Output>): grpc.ClientUnaryCall;
  
  RedeemInvite(argument: _gatehouse_v1_RedeemInviteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  RedeemInvite(argument: _gatehouse_v1_RedeemInviteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  RedeemInvite(argument: _gatehouse_v1_RedeemInviteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  RedeemInvite(argument: _gatehouse_v1_RedeemInviteRequest, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  redeemInvite(argument: _gatehouse_v1_RedeemInviteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  redeemInvite(argument: _gatehouse_v1_RedeemInviteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  redeemInvite(argument: _gatehouse_v1_RedeemInviteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  redeemInvite(argument: _gatehouse_v1_RedeemInviteRequest, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface EnrollServiceHandlers extends grpc.UntypedServiceImplementation {
  GetClusterCA: grpc.handleUnaryCall<_gatehouse_v1_GetClusterCARequest__Output, _gatehouse_v1_GetClusterCAResponse>;
  
  RedeemInvite: grpc.handleUnaryCall<_gatehouse_v1_RedeemInviteRequest__Output, _gatehouse_v1_GenerateUserCertsResponse>;
  
}

export interface EnrollServiceDefinition extends grpc.ServiceDefinition {
  GetClusterCA: MethodDefinition<_gatehouse_v1_GetClusterCARequest, _gatehouse_v1_GetClusterCAResponse, _gatehouse_v1_GetClusterCARequest__Output, _gatehouse_v1_GetClusterCAResponse__Output>
  RedeemInvite: MethodDefinition<_gatehouse_v1_RedeemInviteRequest, _gatehouse_v1_GenerateUserCertsResponse, _gatehouse_v1_RedeemInviteRequest__Output, _gatehouse_v1_GenerateUserCertsResponse__Output>
}
