// Original file: proto/gatehouse/v1/gatehouse.proto

import type { AccessRequest as _gatehouse_v1_AccessRequest, AccessRequest__Output as _gatehouse_v1_AccessRequest__Output } from '../../gatehouse/v1/AccessRequest';
import type { Role as _gatehouse_v1_Role, Role__Output as _gatehouse_v1_Role__Output } from '../../gatehouse/v1/Role';
import type { User as _gatehouse_v1_User, User__Output as _gatehouse_v1_User__Output } from '../../gatehouse/v1/User';
import type { Long } from '@grpc/proto-loader';

// Original file: proto/gatehouse/v1/gatehouse.proto

export const _gatehouse_v1_Event_Type = {
  TYPE_UNSPECIFIED: 'TYPE_UNSPECIFIED',
  INIT: 'INIT',
  PUT: 'PUT',
  DELETE: 'DELETE',
  CAUGHT_UP: 'CAUGHT_UP',
} as const;

export type _gatehouse_v1_Event_Type =
  | 'TYPE_UNSPECIFIED'
  | 0
  | 'INIT'
  | 1
  | 'PUT'
  | 2
  | 'DELETE'
  | 3
  | 'CAUGHT_UP'
  | 4

export type _gatehouse_v1_Event_Type__Output = typeof _gatehouse_v1_Event_Type[keyof typeof _gatehouse_v1_Event_Type]

export interface Event {
  'type'?: (_gatehouse_v1_Event_Type);
  'position'?: (number | string | Long);
  'timeMs'?: (number | string | Long);
  'kind'?: (string);
  'name'?: (string);
  'request'?: (_gatehouse_v1_AccessRequest | null);
  'role'?: (_gatehouse_v1_Role | null);
  'user'?: (_gatehouse_v1_User | null);
  'resource'?: "request"|"role"|"user";
}

export interface Event__Output {
  'type': (_gatehouse_v1_Event_Type__Output);
  'position': (number);
  'timeMs': (number);
  'kind': (string);
  'name': (string);
  'request'?: (_gatehouse_v1_AccessRequest__Output | null);
  'role'?: (_gatehouse_v1_Role__Output | null);
  'user'?: (_gatehouse_v1_User__Output | null);
  'resource'?: "request"|"role"|"user";
}
