// Original file: proto/gatehouse/v1/gatehouse.proto


export interface DeleteAccessRequestRequest {
  'id'?: (string);
}

export interface DeleteAccessRequestRequest__Output {
  'id': (string);
}
