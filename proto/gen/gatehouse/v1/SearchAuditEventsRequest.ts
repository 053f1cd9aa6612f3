// Original file: proto/gatehouse/v1/gatehouse.proto

import type { Long } from '@grpc/proto-loader';

export interface SearchAuditEventsRequest {
  'type'?: (string);
  'requestId'?: (string);
  'actor'?: (string);
  'sinceMs'?: (number | string | Long);
  'untilMs'?: (number | string | Long);
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface SearchAuditEventsRequest__Output {
  'type': (string);
  'requestId': (string);
  'actor': (string);
  'sinceMs': (number);
  'untilMs': (number);
  'pageSize': (number);
  'pageToken': (string);
}
