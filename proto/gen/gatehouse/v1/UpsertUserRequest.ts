// Original file: proto/gatehouse/v1/gatehouse.proto

import type { User as _gatehouse_v1_User, User__Output as _gatehouse_v1_User__Output } from '../../gatehouse/v1/User';
import type { Long } from '@grpc/proto-loader';

export interface UpsertUserRequest {
  'user'?: (_gatehouse_v1_User | null);
  'createOnly'?: (boolean);
  'inviteTtlMs'?: (number | string | Long);
}

export interface UpsertUserRequest__Output {
  'user': (_gatehouse_v1_User__Output | null);
  'createOnly': (boolean);
  'inviteTtlMs': (number);
}
