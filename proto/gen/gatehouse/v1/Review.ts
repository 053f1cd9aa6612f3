// Original file: proto/gatehouse/v1/gatehouse.proto

import type { RequestState as _gatehouse_v1_RequestState, RequestState__Output as _gatehouse_v1_RequestState__Output } from '../../gatehouse/v1/RequestState';
import type { Long } from '@grpc/proto-loader';

export interface Review {
  'author'?: (string);
  'proposedState'?: (_gatehouse_v1_RequestState);
  'reason'?: (string);
  'createdMs'?: (number | string | Long);
  'submittedBy'?: (string);
}

export interface Review__Output {
  'author': (string);
  'proposedState': (_gatehouse_v1_RequestState__Output);
  'reason': (string);
  'createdMs': (number);
  'submittedBy': (string);
}
