// Original file: proto/gatehouse/v1/gatehouse.proto

import type { RequestState as _gatehouse_v1_RequestState, RequestState__Output as _gatehouse_v1_RequestState__Output } from '../../gatehouse/v1/RequestState';
import type { Long } from '@grpc/proto-loader';

export interface ListAccessRequestsRequest {
  'states'?: (_gatehouse_v1_RequestState)[];
  'users'?: (string)[];
  'ids'?: (string)[];
  'pageSize'?: (number);
  'pageToken'?: (string);
  'createdSinceMs'?: (number | string | Long);
}

export interface ListAccessRequestsRequest__Output {
  'states': (_gatehouse_v1_RequestState__Output)[];
  'users': (string)[];
  'ids': (string)[];
  'pageSize': (number);
  'pageToken': (string);
  'createdSinceMs': (number);
}
