// Original file: proto/gatehouse/v1/gatehouse.proto


export interface GetUserRequest {
  'name'?: (string);
}

export interface GetUserRequest__Output {
  'name': (string);
}
