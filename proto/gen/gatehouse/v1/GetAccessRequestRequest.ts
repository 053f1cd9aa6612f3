// Original file: proto/gatehouse/v1/gatehouse.proto


export interface GetAccessRequestRequest {
  'id'?: (string);
}

export interface GetAccessRequestRequest__Output {
  'id': (string);
}
