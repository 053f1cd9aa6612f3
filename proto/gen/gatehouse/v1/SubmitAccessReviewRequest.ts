// Original file: proto/gatehouse/v1/gatehouse.proto

import type { RequestState as _gatehouse_v1_RequestState, RequestState__Output as _gatehouse_v1_RequestState__Output } from '../../gatehouse/v1/RequestState';

export interface SubmitAccessReviewRequest {
  'requestId'?: (string);
  'proposedState'?: (_gatehouse_v1_RequestState);
  'reason'?: (string);
  'author'?: (string);
}

export interface SubmitAccessReviewRequest__Output {
  'requestId': (string);
  'proposedState': (_gatehouse_v1_RequestState__Output);
  'reason': (string);
  'author': (string);
}
