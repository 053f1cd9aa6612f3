// Original file: proto/gatehouse/v1/gatehouse.proto


export interface RedeemInviteRequest {
  'token'?: (string);
  'csrPem'?: (string);
}

export interface RedeemInviteRequest__Output {
  'token': (string);
  'csrPem': (string);
}
