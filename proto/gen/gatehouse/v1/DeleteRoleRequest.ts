// Original file: proto/gatehouse/v1/gatehouse.proto


export interface DeleteRoleRequest {
  'name'?: (string);
}

export interface DeleteRoleRequest__Output {
  'name': (string);
}
