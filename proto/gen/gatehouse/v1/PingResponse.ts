// Original file: proto/gatehouse/v1/gatehouse.proto

import type { Long } from '@grpc/proto-loader';

export interface PingResponse {
  'clusterName'?: (string);
  'serverVersion'?: (string);
  'features'?: (string)[];
  'user'?: (string);
  'roles'?: (string)[];
  'identityExpiresMs'?: (number | string | Long);
}

export interface PingResponse__Output {
  'clusterName': (string);
  'serverVersion': (string);
  'features': (string)[];
  'user': (string);
  'roles': (string)[];
  'identityExpiresMs': (number);
}
