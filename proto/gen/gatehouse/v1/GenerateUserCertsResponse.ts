// Original file: proto/gatehouse/v1/gatehouse.proto

import type { Long } from '@grpc/proto-loader';

export interface GenerateUserCertsResponse {
  'certPem'?: (string);
  'caPems'?: (string)[];
  'expiresMs'?: (number | string | Long);
  'roles'?: (string)[];
}

export interface GenerateUserCertsResponse__Output {
  'certPem': (string);
  'caPems': (string)[];
  'expiresMs': (number);
  'roles': (string)[];
}
