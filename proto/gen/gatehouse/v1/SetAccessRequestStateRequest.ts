// Original file: proto/gatehouse/v1/gatehouse.proto

import type { RequestState as _gatehouse_v1_RequestState, RequestState__Output as _gatehouse_v1_RequestState__Output } from '../../gatehouse/v1/RequestState';

export interface SetAccessRequestStateRequest {
  'requestId'?: (string);
  'state'?: (_gatehouse_v1_RequestState);
  'reason'?: (string);
}

export interface SetAccessRequestStateRequest__Output {
  'requestId': (string);
  'state': (_gatehouse_v1_RequestState__Output);
  'reason': (string);
}
