// Original file: proto/gatehouse/v1/gatehouse.proto

import type { Long } from '@grpc/proto-loader';

export interface AuditEvent {
  'id'?: (number | string | Long);
  'timeMs'?: (number | string | Long);
  'type'?: (string);
  'actor'?: (string);
  'requestId'?: (string);
  'detailsJson'?: (string);
}

export interface AuditEvent__Output {
  'id': (number);
  'timeMs': (number);
  'type': (string);
  'actor': (string);
  'requestId': (string);
  'detailsJson': (string);
}
