// Original file: proto/gatehouse/v1/gatehouse.proto

import type { RequestState as _gatehouse_v1_RequestState, RequestState__Output as _gatehouse_v1_RequestState__Output } from '../../gatehouse/v1/RequestState';
import type { Long } from '@grpc/proto-loader';

export interface WatchEventsRequest {
  'since'?: (number | string | Long);
  'kinds'?: (string)[];
  'states'?: (_gatehouse_v1_RequestState)[];
  'user'?: (string);
  '_since'?: "since";
}

export interface WatchEventsRequest__Output {
  'since'?: (number);
  'kinds': (string)[];
  'states': (_gatehouse_v1_RequestState__Output)[];
  'user': (string);
  '_since'?: "since";
}
