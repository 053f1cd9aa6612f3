// Original file: proto/gatehouse/v1/gatehouse.proto

import type { Long } from '@grpc/proto-loader';

export interface GenerateUserCertsRequest {
  'csrPem'?: (string);
  'user'?: (string);
  'ttlMs'?: (number | string | Long);
  'accessRequestIds'?: (string)[];
}

export interface GenerateUserCertsRequest__Output {
  'csrPem': (string);
  'user': (string);
  'ttlMs': (number);
  'accessRequestIds': (string)[];
}
