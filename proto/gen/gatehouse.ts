import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AccessRequest as _gatehouse_v1_AccessRequest, AccessRequest__Output as _gatehouse_v1_AccessRequest__Output } from './gatehouse/v1/AccessRequest';
import type { AccessServiceClient as _gatehouse_v1_AccessServiceClient, AccessServiceDefinition as _gatehouse_v1_AccessServiceDefinition } from './gatehouse/v1/AccessService';
import type { ApplyRolesRequest as _gatehouse_v1_ApplyRolesRequest, ApplyRolesRequest__Output as _gatehouse_v1_ApplyRolesRequest__Output } from './gatehouse/v1/ApplyRolesRequest';
import type { ApplyRolesResponse as _gatehouse_v1_ApplyRolesResponse, ApplyRolesResponse__Output as _gatehouse_v1_ApplyRolesResponse__Output } from './gatehouse/v1/ApplyRolesResponse';
import type { AuditEvent as _gatehouse_v1_AuditEvent, AuditEvent__Output as _gatehouse_v1_AuditEvent__Output } from './gatehouse/v1/AuditEvent';
import type { CreateAccessRequestRequest as _gatehouse_v1_CreateAccessRequestRequest, CreateAccessRequestRequest__Output as _gatehouse_v1_CreateAccessRequestRequest__Output } from './gatehouse/v1/CreateAccessRequestRequest';
import type { DeleteAccessRequestRequest as _gatehouse_v1_DeleteAccessRequestRequest, DeleteAccessRequestRequest__Output as _gatehouse_v1_DeleteAccessRequestRequest__Output } from './gatehouse/v1/DeleteAccessRequestRequest';
import type { DeleteAccessRequestResponse as _gatehouse_v1_DeleteAccessRequestResponse, DeleteAccessRequestResponse__Output as _gatehouse_v1_DeleteAccessRequestResponse__Output } from './gatehouse/v1/DeleteAccessRequestResponse';
import type { DeleteRoleRequest as _gatehouse_v1_DeleteRoleRequest, DeleteRoleRequest__Output as _gatehouse_v1_DeleteRoleRequest__Output } from './gatehouse/v1/DeleteRoleRequest';
import type { DeleteRoleResponse as _gatehouse_v1_DeleteRoleResponse, DeleteRoleResponse__Output as _gatehouse_v1_DeleteRoleResponse__Output } from './gatehouse/v1/DeleteRoleResponse';
import type { DeleteUserRequest as _gatehouse_v1_DeleteUserRequest, DeleteUserRequest__Output as _gatehouse_v1_DeleteUserRequest__Output } from './gatehouse/v1/DeleteUserRequest';
import type { DeleteUserResponse as _gatehouse_v1_DeleteUserResponse, DeleteUserResponse__Output as _gatehouse_v1_DeleteUserResponse__Output } from './gatehouse/v1/DeleteUserResponse';
import type { EnrollServiceClient as _gatehouse_v1_EnrollServiceClient, EnrollServiceDefinition as _gatehouse_v1_EnrollServiceDefinition } from './gatehouse/v1/EnrollService';
import type { Event as _gatehouse_v1_Event, Event__Output as _gatehouse_v1_Event__Output } from './gatehouse/v1/Event';
import type { GenerateUserCertsRequest as _gatehouse_v1_GenerateUserCertsRequest, GenerateUserCertsRequest__Output as _gatehouse_v1_GenerateUserCertsRequest__Output } from './gatehouse/v1/GenerateUserCertsRequest';
import type { GenerateUserCertsResponse as _gatehouse_v1_GenerateUserCertsResponse, GenerateUserCertsResponse__Output as _gatehouse_v1_GenerateUserCertsResponse__Output } from './gatehouse/v1/GenerateUserCertsResponse';
import type { GetAccessRequestRequest as _gatehouse_v1_GetAccessRequestRequest, GetAccessRequestRequest__Output as _gatehouse_v1_GetAccessRequestRequest__Output } from './gatehouse/v1/GetAccessRequestRequest';
import type { GetClusterCARequest as _gatehouse_v1_GetClusterCARequest, GetClusterCARequest__Output as _gatehouse_v1_GetClusterCARequest__Output } from './gatehouse/v1/GetClusterCARequest';
import type { GetClusterCAResponse as _gatehouse_v1_GetClusterCAResponse, GetClusterCAResponse__Output as _gatehouse_v1_GetClusterCAResponse__Output } from './gatehouse/v1/GetClusterCAResponse';
import type { GetPluginDataRequest as _gatehouse_v1_GetPluginDataRequest, GetPluginDataRequest__Output as _gatehouse_v1_GetPluginDataRequest__Output } from './gatehouse/v1/GetPluginDataRequest';
import type { GetPluginDataResponse as _gatehouse_v1_GetPluginDataResponse, GetPluginDataResponse__Output as _gatehouse_v1_GetPluginDataResponse__Output } from './gatehouse/v1/GetPluginDataResponse';
import type { GetRoleRequest as _gatehouse_v1_GetRoleRequest, GetRoleRequest__Output as _gatehouse_v1_GetRoleRequest__Output } from './gatehouse/v1/GetRoleRequest';
import type { GetUserRequest as _gatehouse_v1_GetUserRequest, GetUserRequest__Output as _gatehouse_v1_GetUserRequest__Output } from './gatehouse/v1/GetUserRequest';
import type { ListAccessRequestsRequest as _gatehouse_v1_ListAccessRequestsRequest, ListAccessRequestsRequest__Output as _gatehouse_v1_ListAccessRequestsRequest__Output } from './gatehouse/v1/ListAccessRequestsRequest';
import type { ListAccessRequestsResponse as _gatehouse_v1_ListAccessRequestsResponse, ListAccessRequestsResponse__Output as _gatehouse_v1_ListAccessRequestsResponse__Output } from './gatehouse/v1/ListAccessRequestsResponse';
import type { ListRolesRequest as _gatehouse_v1_ListRolesRequest, ListRolesRequest__Output as _gatehouse_v1_ListRolesRequest__Output } from './gatehouse/v1/ListRolesRequest';
import type { ListRolesResponse as _gatehouse_v1_ListRolesResponse, ListRolesResponse__Output as _gatehouse_v1_ListRolesResponse__Output } from './gatehouse/v1/ListRolesResponse';
import type { ListUsersRequest as _gatehouse_v1_ListUsersRequest, ListUsersRequest__Output as _gatehouse_v1_ListUsersRequest__Output } from './gatehouse/v1/ListUsersRequest';
import type { ListUsersResponse as _gatehouse_v1_ListUsersResponse, ListUsersResponse__Output as _gatehouse_v1_ListUsersResponse__Output } from './gatehouse/v1/ListUsersResponse';
import type { PingRequest as _gatehouse_v1_PingRequest, PingRequest__Output as _gatehouse_v1_PingRequest__Output } from './gatehouse/v1/PingRequest';
import type { PingResponse as _gatehouse_v1_PingResponse, PingResponse__Output as _gatehouse_v1_PingResponse__Output } from './gatehouse/v1/PingResponse';
import type { PluginDataEntry as _gatehouse_v1_PluginDataEntry, PluginDataEntry__Output as _gatehouse_v1_PluginDataEntry__Output } from './gatehouse/v1/PluginDataEntry';
import type { RedeemInviteRequest as _gatehouse_v1_RedeemInviteRequest, RedeemInviteRequest__Output as _gatehouse_v1_RedeemInviteRequest__Output } from './gatehouse/v1/RedeemInviteRequest';
import type { Review as _gatehouse_v1_Review, Review__Output as _gatehouse_v1_Review__Output } from './gatehouse/v1/Review';
import type { Role as _gatehouse_v1_Role, Role__Output as _gatehouse_v1_Role__Output } from './gatehouse/v1/Role';
import type { SearchAuditEventsRequest as _gatehouse_v1_SearchAuditEventsRequest, SearchAuditEventsRequest__Output as _gatehouse_v1_SearchAuditEventsRequest__Output } from './gatehouse/v1/SearchAuditEventsRequest';
import type { SearchAuditEventsResponse as _gatehouse_v1_SearchAuditEventsResponse, SearchAuditEventsResponse__Output as _gatehouse_v1_SearchAuditEventsResponse__Output } from './gatehouse/v1/SearchAuditEventsResponse';
import type { SetAccessRequestStateRequest as _gatehouse_v1_SetAccessRequestStateRequest, SetAccessRequestStateRequest__Output as _gatehouse_v1_SetAccessRequestStateRequest__Output } from './gatehouse/v1/SetAccessRequestStateRequest';
import type { StringList as _gatehouse_v1_StringList, StringList__Output as _gatehouse_v1_StringList__Output } from './gatehouse/v1/StringList';
import type { SubmitAccessReviewRequest as _gatehouse_v1_SubmitAccessReviewRequest, SubmitAccessReviewRequest__Output as _gatehouse_v1_SubmitAccessReviewRequest__Output } from './gatehouse/v1/SubmitAccessReviewRequest';
import type { Threshold as _gatehouse_v1_Threshold, Threshold__Output as _gatehouse_v1_Threshold__Output } from './gatehouse/v1/Threshold';
import type { UpdatePluginDataRequest as _gatehouse_v1_UpdatePluginDataRequest, UpdatePluginDataRequest__Output as _gatehouse_v1_UpdatePluginDataRequest__Output } from './gatehouse/v1/UpdatePluginDataRequest';
import type { UpdatePluginDataResponse as _gatehouse_v1_UpdatePluginDataResponse, UpdatePluginDataResponse__Output as _gatehouse_v1_UpdatePluginDataResponse__Output } from './gatehouse/v1/UpdatePluginDataResponse';
import type { UpsertUserRequest as _gatehouse_v1_UpsertUserRequest, UpsertUserRequest__Output as _gatehouse_v1_UpsertUserRequest__Output } from './gatehouse/v1/UpsertUserRequest';
import type { UpsertUserResponse as _gatehouse_v1_UpsertUserResponse, UpsertUserResponse__Output as _gatehouse_v1_UpsertUserResponse__Output } from './gatehouse/v1/UpsertUserResponse';
import type { User as _gatehouse_v1_User, User__Output as _gatehouse_v1_User__Output } from './gatehouse/v1/User';
import type { WatchEventsRequest as _gatehouse_v1_WatchEventsRequest, WatchEventsRequest__Output as _gatehouse_v1_WatchEventsRequest__Output } from './gatehouse/v1/WatchEventsRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  gatehouse: {
    v1: {
      AccessRequest: MessageTypeDefinition<_gatehouse_v1_AccessRequest, _gatehouse_v1_AccessRequest__Output>
      AccessService: SubtypeConstructor<typeof grpc.Client, _gatehouse_v1_AccessServiceClient> & { service: _gatehouse_v1_AccessServiceDefinition }
      ApplyRolesRequest: MessageTypeDefinition<_gatehouse_v1_ApplyRolesRequest, _gatehouse_v1_ApplyRolesRequest__Output>
      ApplyRolesResponse: MessageTypeDefinition<_gatehouse_v1_ApplyRolesResponse, _gatehouse_v1_ApplyRolesResponse__Output>
      AuditEvent: MessageTypeDefinition<_gatehouse_v1_AuditEvent, _gatehouse_v1_AuditEvent__Output>
      CreateAccessRequestRequest: MessageTypeDefinition<_gatehouse_v1_CreateAccessRequestRequest, _gatehouse_v1_CreateAccessRequestRequest__Output>
      DeleteAccessRequestRequest: MessageTypeDefinition<_gatehouse_v1_DeleteAccessRequestRequest, _gatehouse_v1_DeleteAccessRequestRequest__Output>
      DeleteAccessRequestResponse: MessageTypeDefinition<_gatehouse_v1_DeleteAccessRequestResponse, _gatehouse_v1_DeleteAccessRequestResponse__Output>
      DeleteRoleRequest: MessageTypeDefinition<_gatehouse_v1_DeleteRoleRequest, _gatehouse_v1_DeleteRoleRequest__Output>
      DeleteRoleResponse: MessageTypeDefinition<_gatehouse_v1_DeleteRoleResponse, _gatehouse_v1_DeleteRoleResponse__Output>
      DeleteUserRequest: MessageTypeDefinition<_gatehouse_v1_DeleteUserRequest, _gatehouse_v1_DeleteUserRequest__Output>
      DeleteUserResponse: MessageTypeDefinition<_gatehouse_v1_DeleteUserResponse, _gatehouse_v1_DeleteUserResponse__Output>
      EnrollService: SubtypeConstructor<typeof grpc.Client, _gatehouse_v1_EnrollServiceClient> & { service: _gatehouse_v1_EnrollServiceDefinition }
      Event: MessageTypeDefinition<_gatehouse_v1_Event, _gatehouse_v1_Event__Output>
      GenerateUserCertsRequest: MessageTypeDefinition<_gatehouse_v1_GenerateUserCertsRequest, _gatehouse_v1_GenerateUserCertsRequest__Output>
      GenerateUserCertsResponse: MessageTypeDefinition<_gatehouse_v1_GenerateUserCertsResponse, _gatehouse_v1_GenerateUserCertsResponse__Output>
      GetAccessRequestRequest: MessageTypeDefinition<_gatehouse_v1_GetAccessRequestRequest, _gatehouse_v1_GetAccessRequestRequest__Output>
      GetClusterCARequest: MessageTypeDefinition<_gatehouse_v1_GetClusterCARequest, _gatehouse_v1_GetClusterCARequest__Output>
      GetClusterCAResponse: MessageTypeDefinition<_gatehouse_v1_GetClusterCAResponse, _gatehouse_v1_GetClusterCAResponse__Output>
      GetPluginDataRequest: MessageTypeDefinition<_gatehouse_v1_GetPluginDataRequest, _gatehouse_v1_GetPluginDataRequest__Output>
      GetPluginDataResponse: MessageTypeDefinition<_gatehouse_v1_GetPluginDataResponse, _gatehouse_v1_GetPluginDataResponse__Output>
      GetRoleRequest: MessageTypeDefinition<_gatehouse_v1_GetRoleRequest, _gatehouse_v1_GetRoleRequest__Output>
      GetUserRequest: MessageTypeDefinition<_gatehouse_v1_GetUserRequest, _gatehouse_v1_GetUserRequest__Output>
      ListAccessRequestsRequest: MessageTypeDefinition<_gatehouse_v1_ListAccessRequestsRequest, _gatehouse_v1_ListAccessRequestsRequest__Output>
      ListAccessRequestsResponse: MessageTypeDefinition<_gatehouse_v1_ListAccessRequestsResponse, _gatehouse_v1_ListAccessRequestsResponse__Output>
      ListRolesRequest: MessageTypeDefinition<_gatehouse_v1_ListRolesRequest, _gatehouse_v1_ListRolesRequest__Output>
      ListRolesResponse: MessageTypeDefinition<_gatehouse_v1_ListRolesResponse, _gatehouse_v1_ListRolesResponse__Output>
      ListUsersRequest: MessageTypeDefinition<_gatehouse_v1_ListUsersRequest, _gatehouse_v1_ListUsersRequest__Output>
      ListUsersResponse: MessageTypeDefinition<_gatehouse_v1_ListUsersResponse, _gatehouse_v1_ListUsersResponse__Output>
      PingRequest: MessageTypeDefinition<_gatehouse_v1_PingRequest, _gatehouse_v1_PingRequest__Output>
      PingResponse: MessageTypeDefinition<_gatehouse_v1_PingResponse, _gatehouse_v1_PingResponse__Output>
      PluginDataEntry: MessageTypeDefinition<_gatehouse_v1_PluginDataEntry, _gatehouse_v1_PluginDataEntry__Output>
      RedeemInviteRequest: MessageTypeDefinition<_gatehouse_v1_RedeemInviteRequest, _gatehouse_v1_RedeemInviteRequest__Output>
      RequestState: EnumTypeDefinition
      Review: MessageTypeDefinition<_gatehouse_v1_Review, _gatehouse_v1_Review__Output>
      Role: MessageTypeDefinition<_gatehouse_v1_Role, _gatehouse_v1_Role__Output>
      SearchAuditEventsRequest: MessageTypeDefinition<_gatehouse_v1_SearchAuditEventsRequest, _gatehouse_v1_SearchAuditEventsRequest__Output>
      SearchAuditEventsResponse: MessageTypeDefinition<_gatehouse_v1_SearchAuditEventsResponse, _gatehouse_v1_SearchAuditEventsResponse__Output>
      SetAccessRequestStateRequest: MessageTypeDefinition<_gatehouse_v1_SetAccessRequestStateRequest, _gatehouse_v1_SetAccessRequestStateRequest__Output>
      StringList: MessageTypeDefinition<_gatehouse_v1_StringList, _gatehouse_v1_StringList__Output>
      SubmitAccessReviewRequest: MessageTypeDefinition<_gatehouse_v1_SubmitAccessReviewRequest, _gatehouse_v1_SubmitAccessReviewRequest__Output>
      Threshold: MessageTypeDefinition<_gatehouse_v1_Threshold, _gatehouse_v1_Threshold__Output>
      UpdatePluginDataRequest: MessageTypeDefinition<_gatehouse_v1_UpdatePluginDataRequest, _gatehouse_v1_UpdatePluginDataRequest__Output>
      UpdatePluginDataResponse: MessageTypeDefinition<_gatehouse_v1_UpdatePluginDataResponse, _gatehouse_v1_UpdatePluginDataResponse__Output>
      UpsertUserRequest: MessageTypeDefinition<_gatehouse_v1_UpsertUserRequest, _gatehouse_v1_UpsertUserRequest__Output>
      UpsertUserResponse: MessageTypeDefinition<_gatehouse_v1_UpsertUserResponse, _gatehouse_v1_UpsertUserResponse__Output>
      User: MessageTypeDefinition<_gatehouse_v1_User, _gatehouse_v1_User__Output>
      WatchEventsRequest: MessageTypeDefinition<_gatehouse_v1_WatchEventsRequest, _gatehouse_v1_WatchEventsRequest__Output>
    }
  }
}

