// Original file: proto/gatehouse/v1/gatehouse.proto

import type { Long } from '@grpc/proto-loader';

export interface CreateAccessRequestRequest {
  'user'?: (string);
  'roles'?: (string)[];
  'reason'?: (string);
  'suggestedReviewers'?: (string)[];
  'maxDurationMs'?: (number | string | Long);
  'pendingTtlMs'?: (number | string | Long);
  'dryRun'?: (boolean);
}

export interface CreateAccessRequestRequest__Output {
  'user': (string);
  'roles': (string)[];
  'reason': (string);
  'suggestedReviewers': (string)[];
  'maxDurationMs': (number);
  'pendingTtlMs': (number);
  'dryRun': (boolean);
}
