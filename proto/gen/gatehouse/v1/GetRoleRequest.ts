// Original file: proto/gatehouse/v1/gatehouse.proto


export interface GetRoleRequest {
  'name'?: (string);
}

export interface GetRoleRequest__Output {
  'name': (string);
}
