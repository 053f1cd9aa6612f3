// Original file: proto/gatehouse/v1/gatehouse.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AccessRequest as _gatehouse_v1_AccessRequest, AccessRequest__Output as _gatehouse_v1_AccessRequest__Output } from '../../gatehouse/v1/AccessRequest';
import type { ApplyRolesRequest as _gatehouse_v1_ApplyRolesRequest, ApplyRolesRequest__Output as _gatehouse_v1_ApplyRolesRequest__Output } from '../../gatehouse/v1/ApplyRolesRequest';
import type { ApplyRolesResponse as _gatehouse_v1_ApplyRolesResponse, ApplyRolesResponse__Output as _gatehouse_v1_ApplyRolesResponse__Output } from '../../gatehouse/v1/ApplyRolesResponse';
import type { CreateAccessRequestRequest as _gatehouse_v1_CreateAccessRequestRequest, CreateAccessRequestRequest__Output as _gatehouse_v1_CreateAccessRequestRequest__Output } from '../../gatehouse/v1/CreateAccessRequestRequest';
import type { DeleteAccessRequestRequest as _gatehouse_v1_DeleteAccessRequestRequest, DeleteAccessRequestRequest__Output as _gatehouse_v1_DeleteAccessRequestRequest__Output } from '../../gatehouse/v1/DeleteAccessRequestRequest';
import type { DeleteAccessRequestResponse as _gatehouse_v1_DeleteAccessRequestResponse, DeleteAccessRequestResponse__Output as _gatehouse_v1_DeleteAccessRequestResponse__Output } from '../../gatehouse/v1/DeleteAccessRequestResponse';
import type { DeleteRoleRequest as _gatehouse_v1_DeleteRoleRequest, DeleteRoleRequest__Output as _gatehouse_v1_DeleteRoleRequest__Output } from '../../gatehouse/v1/DeleteRoleRequest';
import type { DeleteRoleResponse as _gatehouse_v1_DeleteRoleResponse, DeleteRoleResponse__Output as _gatehouse_v1_DeleteRoleResponse__Output } from '../../gatehouse/v1/DeleteRoleResponse';
import type { DeleteUserRequest as _gatehouse_v1_DeleteUserRequest, DeleteUserRequest__Output as _gatehouse_v1_DeleteUserRequest__Output } from '../../gatehouse/v1/DeleteUserRequest';
import type { DeleteUserResponse as _gatehouse_v1_DeleteUserResponse, DeleteUserResponse__Output as _gatehouse_v1_DeleteUserResponse__Output } from '../../gatehouse/v1/DeleteUserResponse';
import type { Event as _gatehouse_v1_Event, Event__Output as _gatehouse_v1_Event__Output } from '../../gatehouse/v1/Event';
import type { GenerateUserCertsRequest as _gatehouse_v1_GenerateUserCertsRequest, GenerateUserCertsRequest__Output as _gatehouse_v1_GenerateUserCertsRequest__Output } from '../../gatehouse/v1/GenerateUserCertsRequest';
import type { GenerateUserCertsResponse as _gatehouse_v1_GenerateUserCertsResponse, GenerateUserCertsResponse__Output as _gatehouse_v1_GenerateUserCertsResponse__Output } from '../../gatehouse/v1/GenerateUserCertsResponse';
import type { GetAccessRequestRequest as _gatehouse_v1_GetAccessRequestRequest, GetAccessRequestRequest__Output as _gatehouse_v1_GetAccessRequestRequest__Output } from '../../gatehouse/v1/GetAccessRequestRequest';
import type { GetPluginDataRequest as _gatehouse_v1_GetPluginDataRequest, GetPluginDataRequest__Output as _gatehouse_v1_GetPluginDataRequest__Output } from '../../gatehouse/v1/GetPluginDataRequest';
import type { GetPluginDataResponse as _gatehouse_v1_GetPluginDataResponse, GetPluginDataResponse__Output as _gatehouse_v1_GetPluginDataResponse__Output } from '../../gatehouse/v1/GetPluginDataResponse';
import type { GetRoleRequest as _gatehouse_v1_GetRoleRequest, GetRoleRequest__Output as _gatehouse_v1_GetRoleRequest__Output } from '../../gatehouse/v1/GetRoleRequest';
import type { GetUserRequest as _gatehouse_v1_GetUserRequest, GetUserRequest__Output as _gatehouse_v1_GetUserRequest__Output } from '../../gatehouse/v1/GetUserRequest';
import type { ListAccessRequestsRequest as _gatehouse_v1_ListAccessRequestsRequest, ListAccessRequestsRequest__Output as _gatehouse_v1_ListAccessRequestsRequest__Output } from '../../gatehouse/v1/ListAccessRequestsRequest';
import type { ListAccessRequestsResponse as _gatehouse_v1_ListAccessRequestsResponse, ListAccessRequestsResponse__Output as _gatehouse_v1_ListAccessRequestsResponse__Output } from '../../gatehouse/v1/ListAccessRequestsResponse';
import type { ListRolesRequest as _gatehouse_v1_ListRolesRequest, ListRolesRequest__Output as _gatehouse_v1_ListRolesRequest__Output } from '../../gatehouse/v1/ListRolesRequest';
import type { ListRolesResponse as _gatehouse_v1_ListRolesResponse, ListRolesResponse__Output as _gatehouse_v1_ListRolesResponse__Output } from '../../gatehouse/v1/ListRolesResponse';
import type { ListUsersRequest as _gatehouse_v1_ListUsersRequest, ListUsersRequest__Output as _gatehouse_v1_ListUsersRequest__Output } from '../../gatehouse/v1/ListUsersRequest';
import type { ListUsersResponse as _gatehouse_v1_ListUsersResponse, ListUsersResponse__Output as _gatehouse_v1_ListUsersResponse__Output } from '../../gatehouse/v1/ListUsersResponse';
import type { PingRequest as _gatehouse_v1_PingRequest, PingRequest__Output as _gatehouse_v1_PingRequest__Output } from '../../gatehouse/v1/PingRequest';
import type { PingResponse as _gatehouse_v1_PingResponse, PingResponse__Output as _gatehouse_v1_PingResponse__Output } from '../../gatehouse/v1/PingResponse';
import type { Role as _gatehouse_v1_Role, Role__Output as _gatehouse_v1_Role__Output } from '../../gatehouse/v1/Role';
import type { SearchAuditEventsRequest as _gatehouse_v1_SearchAuditEventsRequest, SearchAuditEventsRequest__Output as _gatehouse_v1_SearchAuditEventsRequest__Output } from '../../gatehouse/v1/SearchAuditEventsRequest';
import type { SearchAuditEventsResponse as _gatehouse_v1_SearchAuditEventsResponse, SearchAuditEventsResponse__Output as _gatehouse_v1_SearchAuditEventsResponse__Output } from '../../gatehouse/v1/SearchAuditEventsResponse';
import type { SetAccessRequestStateRequest as _gatehouse_v1_SetAccessRequestStateRequest, SetAccessRequestStateRequest__Output as _gatehouse_v1_SetAccessRequestStateRequest__Output } from '../../gatehouse/v1/SetAccessRequestStateRequest';
import type { SubmitAccessReviewRequest as _gatehouse_v1_SubmitAccessReviewRequest, SubmitAccessReviewRequest__Output as _gatehouse_v1_SubmitAccessReviewRequest__Output } from '../../gatehouse/v1/SubmitAccessReviewRequest';
import type { UpdatePluginDataRequest as _gatehouse_v1_UpdatePluginDataRequest, UpdatePluginDataRequest__Output as _gatehouse_v1_UpdatePluginDataRequest__Output } from '../../gatehouse/v1/UpdatePluginDataRequest';
import type { UpdatePluginDataResponse as _gatehouse_v1_UpdatePluginDataResponse, UpdatePluginDataResponse__Output as _gatehouse_v1_UpdatePluginDataResponse__Output } from '../../gatehouse/v1/UpdatePluginDataResponse';
import type { UpsertUserRequest as _gatehouse_v1_UpsertUserRequest, UpsertUserRequest__Output as _gatehouse_v1_UpsertUserRequest__Output } from '../../gatehouse/v1/UpsertUserRequest';
import type { UpsertUserResponse as _gatehouse_v1_UpsertUserResponse, UpsertUserResponse__Output as _gatehouse_v1_UpsertUserResponse__Output } from '../../gatehouse/v1/UpsertUserResponse';
import type { User as _gatehouse_v1_User, User__Output as _gatehouse_v1_User__Output } from '../../gatehouse/v1/User';
import type { WatchEventsRequest as _gatehouse_v1_WatchEventsRequest, WatchEventsRequest__Output as _gatehouse_v1_WatchEventsRequest__Output } from '../../gatehouse/v1/WatchEventsRequest';

export interface AccessServiceClient extends grpc.Client {
  ApplyRoles(argument: _gatehouse_v1_ApplyRolesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ApplyRolesResponse__Output>): grpc.ClientUnaryCall;
  ApplyRoles(argument: _gatehouse_v1_ApplyRolesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_ApplyRolesResponse__Output>): grpc.ClientUnaryCall;
  ApplyRoles(argument: _gatehouse_v1_ApplyRolesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ApplyRolesResponse__Output>): grpc.ClientUnaryCall;
  ApplyRoles(argument: _gatehouse_v1_ApplyRolesRequest, callback: grpc.requestCallback<_gatehouse_v1_ApplyRolesResponse__Output>): grpc.ClientUnaryCall;
  applyRoles(argument: _gatehouse_v1_ApplyRolesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ApplyRolesResponse__Output>): grpc.ClientUnaryCall;
  applyRoles(argument: _gatehouse_v1_ApplyRolesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_ApplyRolesResponse__Output>): grpc.ClientUnaryCall;
  applyRoles(argument: _gatehouse_v1_ApplyRolesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ApplyRolesResponse__Output>): grpc.ClientUnaryCall;
  applyRoles(argument: _gatehouse_v1_ApplyRolesRequest, callback: grpc.requestCallback<_gatehouse_v1_ApplyRolesResponse__Output>): grpc.ClientUnaryCall;
  
  CreateAccessRequest(argument: _gatehouse_v1_CreateAccessRequestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  CreateAccessRequest(argument: _gatehouse_v1_CreateAccessRequestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  CreateAccessRequest(argument: _gatehouse_v1_CreateAccessRequestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  CreateAccessRequest(argument: _gatehouse_v1_CreateAccessRequestRequest, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  createAccessRequest(argument: _gatehouse_v1_CreateAccessRequestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  createAccessRequest(argument: _gatehouse_v1_CreateAccessRequestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  createAccessRequest(argument: _gatehouse_v1_CreateAccessRequestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  createAccessRequest(argument: _gatehouse_v1_CreateAccessRequestRequest, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  
  DeleteAccessRequest(argument: _gatehouse_v1_DeleteAccessRequestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_DeleteAccessRequestResponse__Output>): grpc.ClientUnaryCall;
  DeleteAccessRequest(argument: _gatehouse_v1_DeleteAccessRequestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_DeleteAccessRequestResponse__Output>): grpc.ClientUnaryCall;
  DeleteAccessRequest(argument: _gatehouse_v1_DeleteAccessRequestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_DeleteAccessRequestResponse__Output>): grpc.ClientUnaryCall;
  DeleteAccessRequest(argument: _gatehouse_v1_DeleteAccessRequestRequest, callback: grpc.requestCallback<_gatehouse_v1_DeleteAccessRequestResponse__Output>): grpc.ClientUnaryCall;
  deleteAccessRequest(argument: _gatehouse_v1_DeleteAccessRequestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_DeleteAccessRequestResponse__Output>): grpc.ClientUnaryCall;
  deleteAccessRequest(argument: _gatehouse_v1_DeleteAccessRequestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_DeleteAccessRequestResponse__Output>): grpc.ClientUnaryCall;
  deleteAccessRequest(argument: _gatehouse_v1_DeleteAccessRequestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_DeleteAccessRequestResponse__Output>): grpc.ClientUnaryCall;
  deleteAccessRequest(argument: _gatehouse_v1_DeleteAccessRequestRequest, callback: grpc.requestCallback<_gatehouse_v1_DeleteAccessRequestResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteRole(argument: _gatehouse_v1_DeleteRoleRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_DeleteRoleResponse__Output>): grpc.ClientUnaryCall;
  DeleteRole(argument: _gatehouse_v1_DeleteRoleRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_DeleteRoleResponse__Output>): grpc.ClientUnaryCall;
  DeleteRole(argument: _gatehouse_v1_DeleteRoleRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_DeleteRoleResponse__Output>): grpc.ClientUnaryCall;
  DeleteRole(argument: _gatehouse_v1_DeleteRoleRequest, callback: grpc.requestCallback<_gatehouse_v1_DeleteRoleResponse__Output>): grpc.ClientUnaryCall;
  deleteRole(argument: _gatehouse_v1_DeleteRoleRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_DeleteRoleResponse__Output>): grpc.ClientUnaryCall;
  deleteRole(argument: _gatehouse_v1_DeleteRoleRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_DeleteRoleResponse__Output>): grpc.ClientUnaryCall;
  deleteRole(argument: _gatehouse_v1_DeleteRoleRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_DeleteRoleResponse__Output>): grpc.ClientUnaryCall;
  deleteRole(argument: _gatehouse_v1_DeleteRoleRequest, callback: grpc.requestCallback<_gatehouse_v1_DeleteRoleResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteUser(argument: _gatehouse_v1_DeleteUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_DeleteUserResponse__Output>): grpc.ClientUnaryCall;
  DeleteUser(argument: _gatehouse_v1_DeleteUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_DeleteUserResponse__Output>): grpc.ClientUnaryCall;
  DeleteUser(argument: _gatehouse_v1_DeleteUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_DeleteUserResponse__Output>): grpc.ClientUnaryCall;
  DeleteUser(argument: _gatehouse_v1_DeleteUserRequest, callback: grpc.requestCallback<_gatehouse_v1_DeleteUserResponse__Output>): grpc.ClientUnaryCall;
  deleteUser(argument: _gatehouse_v1_DeleteUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_DeleteUserResponse__Output>): grpc.ClientUnaryCall;
  deleteUser(argument: _gatehouse_v1_DeleteUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_DeleteUserResponse__Output>): grpc.ClientUnaryCall;
  deleteUser(argument: _gatehouse_v1_DeleteUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_DeleteUserResponse__Output>): grpc.ClientUnaryCall;
  deleteUser(argument: _gatehouse_v1_DeleteUserRequest, callback: grpc.requestCallback<_gatehouse_v1_DeleteUserResponse__Output>): grpc.ClientUnaryCall;
  
  GenerateUserCerts(argument: _gatehouse_v1_GenerateUserCertsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  GenerateUserCerts(argument: _gatehouse_v1_GenerateUserCertsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  GenerateUserCerts(argument: _gatehouse_v1_GenerateUserCertsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  GenerateUserCerts(argument: _gatehouse_v1_GenerateUserCertsRequest, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  generateUserCerts(argument: _gatehouse_v1_GenerateUserCertsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  generateUserCerts(argument: _gatehouse_v1_GenerateUserCertsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  generateUserCerts(argument: _gatehouse_v1_GenerateUserCertsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  generateUserCerts(argument: _gatehouse_v1_GenerateUserCertsRequest, callback: grpc.requestCallback<_gatehouse_v1_GenerateUserCertsResponse__Output>): grpc.ClientUnaryCall;
  
  GetAccessRequest(argument: _gatehouse_v1_GetAccessRequestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  GetAccessRequest(argument: _gatehouse_v1_GetAccessRequestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  GetAccessRequest(argument: _gatehouse_v1_GetAccessRequestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  GetAccessRequest(argument: _gatehouse_v1_GetAccessRequestRequest, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  getAccessRequest(argument: _gatehouse_v1_GetAccessRequestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  getAccessRequest(argument: _gatehouse_v1_GetAccessRequestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  getAccessRequest(argument: _gatehouse_v1_GetAccessRequestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  getAccessRequest(argument: _gatehouse_v1_GetAccessRequestRequest, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  
  GetPluginData(argument: _gatehouse_v1_GetPluginDataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GetPluginDataResponse__Output>): grpc.ClientUnaryCall;
  GetPluginData(argument: _gatehouse_v1_GetPluginDataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_GetPluginDataResponse__Output>): grpc.ClientUnaryCall;
  GetPluginData(argument: _gatehouse_v1_GetPluginDataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GetPluginDataResponse__Output>): grpc.ClientUnaryCall;
  GetPluginData(argument: _gatehouse_v1_GetPluginDataRequest, callback: grpc.requestCallback<_gatehouse_v1_GetPluginDataResponse__Output>): grpc.ClientUnaryCall;
  getPluginData(argument: _gatehouse_v1_GetPluginDataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GetPluginDataResponse__Output>): grpc.ClientUnaryCall;
  getPluginData(argument: _gatehouse_v1_GetPluginDataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_GetPluginDataResponse__Output>): grpc.ClientUnaryCall;
  getPluginData(argument: _gatehouse_v1_GetPluginDataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_GetPluginDataResponse__Output>): grpc.ClientUnaryCall;
  getPluginData(argument: _gatehouse_v1_GetPluginDataRequest, callback: grpc.requestCallback<_gatehouse_v1_GetPluginDataResponse__Output>): grpc.ClientUnaryCall;
  
  GetRole(argument: _gatehouse_v1_GetRoleRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_Role__Output>): grpc.ClientUnaryCall;
  GetRole(argument: _gatehouse_v1_GetRoleRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_Role__Output>): grpc.ClientUnaryCall;
  GetRole(argument: _gatehouse_v1_GetRoleRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_Role__Output>): grpc.ClientUnaryCall;
  GetRole(argument: _gatehouse_v1_GetRoleRequest, callback: grpc.requestCallback<_gatehouse_v1_Role__Output>): grpc.ClientUnaryCall;
  getRole(argument: _gatehouse_v1_GetRoleRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_Role__Output>): grpc.ClientUnaryCall;
  getRole(argument: _gatehouse_v1_GetRoleRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_Role__Output>): grpc.ClientUnaryCall;
  getRole(argument: _gatehouse_v1_GetRoleRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_Role__Output>): grpc.ClientUnaryCall;
  getRole(argument: _gatehouse_v1_GetRoleRequest, callback: grpc.requestCallback<_gatehouse_v1_Role__Output>): grpc.ClientUnaryCall;
  
  GetUser(argument: _gatehouse_v1_GetUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_User__Output>): grpc.ClientUnaryCall;
  GetUser(argument: _gatehouse_v1_GetUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_User__Output>): grpc.ClientUnaryCall;
  GetUser(argument: _gatehouse_v1_GetUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_User__Output>): grpc.ClientUnaryCall;
  GetUser(argument: _gatehouse_v1_GetUserRequest, callback: grpc.requestCallback<_gatehouse_v1_User__Output>): grpc.ClientUnaryCall;
  getUser(argument: _gatehouse_v1_GetUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_User__Output>): grpc.ClientUnaryCall;
  getUser(argument: _gatehouse_v1_GetUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_User__Output>): grpc.ClientUnaryCall;
  getUser(argument: _gatehouse_v1_GetUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_User__Output>): grpc.ClientUnaryCall;
  getUser(argument: _gatehouse_v1_GetUserRequest, callback: grpc.requestCallback<_gatehouse_v1_User__Output>): grpc.ClientUnaryCall;
  
  ListAccessRequests(argument: _gatehouse_v1_ListAccessRequestsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ListAccessRequestsResponse__Output>): grpc.ClientUnaryCall;
  ListAccessRequests(argument: _gatehouse_v1_ListAccessRequestsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_ListAccessRequestsResponse__Output>): grpc.ClientUnaryCall;
  ListAccessRequests(argument: _gatehouse_v1_ListAccessRequestsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ListAccessRequestsResponse__Output>): grpc.ClientUnaryCall;
  ListAccessRequests(argument: _gatehouse_v1_ListAccessRequestsRequest, callback: grpc.requestCallback<_gatehouse_v1_ListAccessRequestsResponse__Output>): grpc.ClientUnaryCall;
  listAccessRequests(argument: _gatehouse_v1_ListAccessRequestsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ListAccessRequestsResponse__Output>): grpc.ClientUnaryCall;
  listAccessRequests(argument: _gatehouse_v1_ListAccessRequestsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_ListAccessRequestsResponse__Output>): grpc.ClientUnaryCall;
  listAccessRequests(argument: _gatehouse_v1_ListAccessRequestsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ListAccessRequestsResponse__Output>): grpc.ClientUnaryCall;
  listAccessRequests(argument: _gatehouse_v1_ListAccessRequestsRequest, callback: grpc.requestCallback<_gatehouse_v1_ListAccessRequestsResponse__Output>): grpc.ClientUnaryCall;
  
  ListRoles(argument: _gatehouse_v1_ListRolesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ListRolesResponse__Output>): grpc.ClientUnaryCall;
  ListRoles(argument: _gatehouse_v1_ListRolesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_ListRolesResponse__Output>): grpc.ClientUnaryCall;
  ListRoles(argument: _gatehouse_v1_ListRolesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ListRolesResponse__Output>): grpc.ClientUnaryCall;
  ListRoles(argument: _gatehouse_v1_ListRolesRequest, callback: grpc.requestCallback<_gatehouse_v1_ListRolesResponse__Output>): grpc.ClientUnaryCall;
  listRoles(argument: _gatehouse_v1_ListRolesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ListRolesResponse__Output>): grpc.ClientUnaryCall;
  listRoles(argument: _gatehouse_v1_ListRolesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_ListRolesResponse__Output>): grpc.ClientUnaryCall;
  listRoles(argument: _gatehouse_v1_ListRolesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ListRolesResponse__Output>): grpc.ClientUnaryCall;
  listRoles(argument: _gatehouse_v1_ListRolesRequest, callback: grpc.requestCallback<_gatehouse_v1_ListRolesResponse__Output>): grpc.ClientUnaryCall;
  
  ListUsers(argument: _gatehouse_v1_ListUsersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  ListUsers(argument: _gatehouse_v1_ListUsersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  ListUsers(argument: _gatehouse_v1_ListUsersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  ListUsers(argument: _gatehouse_v1_ListUsersRequest, callback: grpc.requestCallback<_gatehouse_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  listUsers(argument: _gatehouse_v1_ListUsersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  listUsers(argument: _gatehouse_v1_ListUsersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  listUsers(argument: _gatehouse_v1_ListUsersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  listUsers(argument: _gatehouse_v1_ListUsersRequest, callback: grpc.requestCallback<_gatehouse_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  
  Ping(argument: _gatehouse_v1_PingRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  Ping(argument: _gatehouse_v1_PingRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  Ping(argument: _gatehouse_v1_PingRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  Ping(argument: _gatehouse_v1_PingRequest, callback: grpc.requestCallback<_gatehouse_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  ping(argument: _gatehouse_v1_PingRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  ping(argument: _gatehouse_v1_PingRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  ping(argument: _gatehouse_v1_PingRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  ping(argument: _gatehouse_v1_PingRequest, callback: grpc.requestCallback<_gatehouse_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  
  SearchAuditEvents(argument: _gatehouse_v1_SearchAuditEventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_SearchAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  SearchAuditEvents(argument: _gatehouse_v1_SearchAuditEventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_SearchAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  SearchAuditEvents(argument: _gatehouse_v1_SearchAuditEventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_SearchAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  SearchAuditEvents(argument: _gatehouse_v1_SearchAuditEventsRequest, callback: grpc.requestCallback<_gatehouse_v1_SearchAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  searchAuditEvents(argument: _gatehouse_v1_SearchAuditEventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_SearchAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  searchAuditEvents(argument: _gatehouse_v1_SearchAuditEventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_SearchAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  searchAuditEvents(argument: _gatehouse_v1_SearchAuditEventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_SearchAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  searchAuditEvents(argument: _gatehouse_v1_SearchAuditEventsRequest, callback: grpc.requestCallback<_gatehouse_v1_SearchAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  
  SetAccessRequestState(argument: _gatehouse_v1_SetAccessRequestStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  SetAccessRequestState(argument: _gatehouse_v1_SetAccessRequestStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  SetAccessRequestState(argument: _gatehouse_v1_SetAccessRequestStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  SetAccessRequestState(argument: _gatehouse_v1_SetAccessRequestStateRequest, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  setAccessRequestState(argument: _gatehouse_v1_SetAccessRequestStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  setAccessRequestState(argument: _gatehouse_v1_SetAccessRequestStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  setAccessRequestState(argument: _gatehouse_v1_SetAccessRequestStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  setAccessRequestState(argument: _gatehouse_v1_SetAccessRequestStateRequest, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  
  SubmitAccessReview(argument: _gatehouse_v1_SubmitAccessReviewRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  SubmitAccessReview(argument: _gatehouse_v1_SubmitAccessReviewRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  SubmitAccessReview(argument: _gatehouse_v1_SubmitAccessReviewRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  SubmitAccessReview(argument: _gatehouse_v1_SubmitAccessReviewRequest, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  submitAccessReview(argument: _gatehouse_v1_SubmitAccessReviewRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  submitAccessReview(argument: _gatehouse_v1_SubmitAccessReviewRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  submitAccessReview(argument: _gatehouse_v1_SubmitAccessReviewRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  submitAccessReview(argument: _gatehouse_v1_SubmitAccessReviewRequest, callback: grpc.requestCallback<_gatehouse_v1_AccessRequest__Output>): grpc.ClientUnaryCall;
  
  UpdatePluginData(argument: _gatehouse_v1_UpdatePluginDataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_UpdatePluginDataResponse__Output>): grpc.ClientUnaryCall;
  UpdatePluginData(argument: _gatehouse_v1_UpdatePluginDataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_UpdatePluginDataResponse__Output>): grpc.ClientUnaryCall;
  UpdatePluginData(argument: _gatehouse_v1_UpdatePluginDataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_UpdatePluginDataResponse__Output>): grpc.ClientUnaryCall;
  UpdatePluginData(argument: _gatehouse_v1_UpdatePluginDataRequest, callback: grpc.requestCallback<_gatehouse_v1_UpdatePluginDataResponse__Output>): grpc.ClientUnaryCall;
  updatePluginData(argument: _gatehouse_v1_UpdatePluginDataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_UpdatePluginDataResponse__Output>): grpc.ClientUnaryCall;
  updatePluginData(argument: _gatehouse_v1_UpdatePluginDataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_UpdatePluginDataResponse__Output>): grpc.ClientUnaryCall;
  updatePluginData(argument: _gatehouse_v1_UpdatePluginDataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_UpdatePluginDataResponse__Output>): grpc.ClientUnaryCall;
  updatePluginData(argument: _gatehouse_v1_UpdatePluginDataRequest, callback: grpc.requestCallback<_gatehouse_v1_UpdatePluginDataResponse__Output>): grpc.ClientUnaryCall;
  
  UpsertUser(argument: _gatehouse_v1_UpsertUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_UpsertUserResponse__Output>): grpc.ClientUnaryCall;
  UpsertUser(argument: _gatehouse_v1_UpsertUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_UpsertUserResponse__Output>): grpc.ClientUnaryCall;
  UpsertUser(argument: _gatehouse_v1_UpsertUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_UpsertUserResponse__Output>): grpc.ClientUnaryCall;
  UpsertUser(argument: _gatehouse_v1_UpsertUserRequest, callback: grpc.requestCallback<_gatehouse_v1_UpsertUserResponse__Output>): grpc.ClientUnaryCall;
  upsertUser(argument: _gatehouse_v1_UpsertUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_UpsertUserResponse__Output>): grpc.ClientUnaryCall;
  upsertUser(argument: _gatehouse_v1_UpsertUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_gatehouse_v1_UpsertUserResponse__Output>): grpc.ClientUnaryCall;
  upsertUser(argument: _gatehouse_v1_UpsertUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_gatehouse_v1_UpsertUserResponse__Output>): grpc.ClientUnaryCall;
  upsertUser(argument: _gatehouse_v1_UpsertUserRequest, callback: grpc.requestCallback<_gatehouse_v1_UpsertUserResponse__Output>): grpc.ClientUnaryCall;
  
  WatchEvents(argument: _gatehouse_v1_WatchEventsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_gatehouse_v1_Event__Output>;
  WatchEvents(argument: _gatehouse_v1_WatchEventsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_gatehouse_v1_Event__Output>;
  watchEvents(argument: _gatehouse_v1_WatchEventsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_gatehouse_v1_Event__Output>;
  watchEvents(argument: _gatehouse_v1_WatchEventsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_gatehouse_v1_Event__Output>;
  
}

export interface AccessServiceHandlers extends grpc.UntypedServiceImplementation {
  ApplyRoles: grpc.handleUnaryCall<_gatehouse_v1_ApplyRolesRequest__Output, _gatehouse_v1_ApplyRolesResponse>;
  
  CreateAccessRequest: grpc.handleUnaryCall<_gatehouse_v1_CreateAccessRequestRequest__Output, _gatehouse_v1_AccessRequest>;
  
  DeleteAccessRequest: grpc.handleUnaryCall<_gatehouse_v1_DeleteAccessRequestRequest__Output, _gatehouse_v1_DeleteAccessRequestResponse>;
  
  DeleteRole: grpc.handleUnaryCall<_gatehouse_v1_DeleteRoleRequest__Output, _gatehouse_v1_DeleteRoleResponse>;
  
  DeleteUser: grpc.handleUnaryCall<_gatehouse_v1_DeleteUserRequest__Output, _gatehouse_v1_DeleteUserResponse>;
  
  GenerateUserCerts: grpc.handleUnaryCall<_gatehouse_v1_GenerateUserCertsRequest__Output, _gatehouse_v1_GenerateUserCertsResponse>;
  
  GetAccessRequest: grpc.handleUnaryCall<_gatehouse_v1_GetAccessRequestRequest__Output, _gatehouse_v1_AccessRequest>;
  
  GetPluginData: grpc.handleUnaryCall<_gatehouse_v1_GetPluginDataRequest__Output, _gatehouse_v1_GetPluginDataResponse>;
  
  GetRole: grpc.handleUnaryCall<_gatehouse_v1_GetRoleRequest__Output, _gatehouse_v1_Role>;
  
  GetUser: grpc.handleUnaryCall<_gatehouse_v1_GetUserRequest__Output, _gatehouse_v1_User>;
  
  ListAccessRequests: grpc.handleUnaryCall<_gatehouse_v1_ListAccessRequestsRequest__Output, _gatehouse_v1_ListAccessRequestsResponse>;
  
  ListRoles: grpc.handleUnaryCall<_gatehouse_v1_ListRolesRequest__Output, _gatehouse_v1_ListRolesResponse>;
  
  ListUsers: grpc.handleUnaryCall<_gatehouse_v1_ListUsersRequest__Output, _gatehouse_v1_ListUsersResponse>;
  
  Ping: grpc.handleUnaryCall<_gatehouse_v1_PingRequest__Output, _gatehouse_v1_PingResponse>;
  
  SearchAuditEvents: grpc.handleUnaryCall<_gatehouse_v1_SearchAuditEventsRequest__Output, _gatehouse_v1_SearchAuditEventsResponse>;
  
  SetAccessRequestState: grpc.handleUnaryCall<_gatehouse_v1_SetAccessRequestStateRequest__Output, _gatehouse_v1_AccessRequest>;
  
  SubmitAccessReview: grpc.handleUnaryCall<_gatehouse_v1_SubmitAccessReviewRequest__Output, _gatehouse_v1_AccessRequest>;
  
  UpdatePluginData: grpc.handleUnaryCall<_gatehouse_v1_UpdatePluginDataRequest__Output, _gatehouse_v1_UpdatePluginDataResponse>;
  
  UpsertUser: grpc.handleUnaryCall<_gatehouse_v1_UpsertUserRequest__Output, _gatehouse_v1_UpsertUserResponse>;
  
  WatchEvents: grpc.handleServerStreamingCall<_gatehouse_v1_WatchEventsRequest__Output, _gatehouse_v1_Event>;
  
}

export interface AccessServiceDefinition extends grpc.ServiceDefinition {
  ApplyRoles: MethodDefinition<_gatehouse_v1_ApplyRolesRequest, _gatehouse_v1_ApplyRolesResponse, _gatehouse_v1_ApplyRolesRequest__Output, _gatehouse_v1_ApplyRolesResponse__Output>
  CreateAccessRequest: MethodDefinition<_gatehouse_v1_CreateAccessRequestRequest, _gatehouse_v1_AccessRequest, _gatehouse_v1_CreateAccessRequestRequest__Output, _gatehouse_v1_AccessRequest__Output>
  DeleteAccessRequest: MethodDefinition<_gatehouse_v1_DeleteAccessRequestRequest, _gatehouse_v1_DeleteAccessRequestResponse, _gatehouse_v1_DeleteAccessRequestRequest__Output, _gatehouse_v1_DeleteAccessRequestResponse__Output>
  DeleteRole: MethodDefinition<_gatehouse_v1_DeleteRoleRequest, _gatehouse_v1_DeleteRoleResponse, _gatehouse_v1_DeleteRoleRequest__Output, _gatehouse_v1_DeleteRoleResponse__Output>
  DeleteUser: MethodDefinition<_gatehouse_v1_DeleteUserRequest, _gatehouse_v1_DeleteUserResponse, _gatehouse_v1_DeleteUserRequest__Output, _gatehouse_v1_DeleteUserResponse__Output>
  GenerateUserCerts: MethodDefinition<_gatehouse_v1_GenerateUserCertsRequest, _gatehouse_v1_GenerateUserCertsResponse, _gatehouse_v1_GenerateUserCertsRequest__Output, _gatehouse_v1_GenerateUserCertsResponse__Output>
  GetAccessRequest: MethodDefinition<_gatehouse_v1_GetAccessRequestRequest, _gatehouse_v1_AccessRequest, _gatehouse_v1_GetAccessRequestRequest__Output, _gatehouse_v1_AccessRequest__Output>
  GetPluginData: MethodDefinition<_gatehouse_v1_GetPluginDataRequest, _gatehouse_v1_GetPluginDataResponse, _gatehouse_v1_GetPluginDataRequest__Output, _gatehouse_v1_GetPluginDataResponse__Output>
  GetRole: MethodDefinition<_gatehouse_v1_GetRoleRequest, _gatehouse_v1_Role, _gatehouse_v1_GetRoleRequest__Output, _gatehouse_v1_Role__Output>
  GetUser: MethodDefinition<_gatehouse_v1_GetUserRequest, _gatehouse_v1_User, _gatehouse_v1_GetUserRequest__Output, _gatehouse_v1_User__Output>
  ListAccessRequests: MethodDefinition<_gatehouse_v1_ListAccessRequestsRequest, _gatehouse_v1_ListAccessRequestsResponse, _gatehouse_v1_ListAccessRequestsRequest__Output, _gatehouse_v1_ListAccessRequestsResponse__Output>
  ListRoles: MethodDefinition<_gatehouse_v1_ListRolesRequest, _gatehouse_v1_ListRolesResponse, _gatehouse_v1_ListRolesRequest__Output, _gatehouse_v1_ListRolesResponse__Output>
  ListUsers: MethodDefinition<_gatehouse_v1_ListUsersRequest, _gatehouse_v1_ListUsersResponse, _gatehouse_v1_ListUsersRequest__Output, _gatehouse_v1_ListUsersResponse__Output>
  Ping: MethodDefinition<_gatehouse_v1_PingRequest, _gatehouse_v1_PingResponse, _gatehouse_v1_PingRequest__Output, _gatehouse_v1_PingResponse__Output>
  SearchAuditEvents: MethodDefinition<_gatehouse_v1_SearchAuditEventsRequest, _gatehouse_v1_SearchAuditEventsResponse, _gatehouse_v1_SearchAuditEventsRequest__Output, _gatehouse_v1_SearchAuditEventsResponse__Output>
  SetAccessRequestState: MethodDefinition<_gatehouse_v1_SetAccessRequestStateRequest, _gatehouse_v1_AccessRequest, _gatehouse_v1_SetAccessRequestStateRequest__Output, _gatehouse_v1_AccessRequest__Output>
  SubmitAccessReview: MethodDefinition<_gatehouse_v1_SubmitAccessReviewRequest, _gatehouse_v1_AccessRequest, _gatehouse_v1_SubmitAccessReviewRequest__Output, _gatehouse_v1_AccessRequest__Output>
  UpdatePluginData: MethodDefinition<_gatehouse_v1_UpdatePluginDataRequest, _gatehouse_v1_UpdatePluginDataResponse, _gatehouse_v1_UpdatePluginDataRequest__Output, _gatehouse_v1_UpdatePluginDataResponse__Output>
  UpsertUser: MethodDefinition<_gatehouse_v1_UpsertUserRequest, _gatehouse_v1_UpsertUserResponse, _gatehouse_v1_UpsertUserRequest__Output, _gatehouse_v1_UpsertUserResponse__Output>
  WatchEvents: MethodDefinition<_gatehouse_v1_WatchEventsRequest, _gatehouse_v1_Event, _gatehouse_v1_WatchEventsRequest__Output, _gatehouse_v1_Event__Output>
}
