// Original file: proto/gatehouse/v1/gatehouse.proto

import type { User as _gatehouse_v1_User, User__Output as _gatehouse_v1_User__Output } from '../../gatehouse/v1/User';
import type { Long } from '@grpc/proto-loader';

export interface UpsertUserResponse {
  'user'?: (_gatehouse_v1_User | null);
  'inviteToken'?: (string);
  'inviteExpiresMs'?: (number | string | Long);
}

export interface UpsertUserResponse__Output {
  'user': (_gatehouse_v1_User__Output | null);
  'inviteToken': (string);
  'inviteExpiresMs': (number);
}
