// Original file: proto/gatehouse/v1/gatehouse.proto

import type { Role as _gatehouse_v1_Role, Role__Output as _gatehouse_v1_Role__Output } from '../../gatehouse/v1/Role';

export interface ApplyRolesResponse {
  'roles'?: (_gatehouse_v1_Role)[];
}

export interface ApplyRolesResponse__Output {
  'roles': (_gatehouse_v1_Role__Output)[];
}
