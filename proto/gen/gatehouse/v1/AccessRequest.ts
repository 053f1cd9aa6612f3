// Original file: proto/gatehouse/v1/gatehouse.proto

import type { RequestState as _gatehouse_v1_RequestState, RequestState__Output as _gatehouse_v1_RequestState__Output } from '../../gatehouse/v1/RequestState';
import type { Threshold as _gatehouse_v1_Threshold, Threshold__Output as _gatehouse_v1_Threshold__Output } from '../../gatehouse/v1/Threshold';
import type { Review as _gatehouse_v1_Review, Review__Output as _gatehouse_v1_Review__Output } from '../../gatehouse/v1/Review';
import type { StringList as _gatehouse_v1_StringList, StringList__Output as _gatehouse_v1_StringList__Output } from '../../gatehouse/v1/StringList';
import type { Long } from '@grpc/proto-loader';

export interface AccessRequest {
  'id'?: (string);
  'user'?: (string);
  'roles'?: (string)[];
  'state'?: (_gatehouse_v1_RequestState);
  'reason'?: (string);
  'resolveReason'?: (string);
  'resolvedBy'?: (string);
  'createdMs'?: (number | string | Long);
  'pendingExpiresMs'?: (number | string | Long);
  'accessExpiresMs'?: (number | string | Long);
  'thresholds'?: (_gatehouse_v1_Threshold)[];
  'reviews'?: (_gatehouse_v1_Review)[];
  'suggestedReviewers'?: (string)[];
  'annotations'?: ({[key: string]: _gatehouse_v1_StringList});
  'revision'?: (number | string | Long);
  'updatedMs'?: (number | string | Long);
}

export interface AccessRequest__Output {
  'id': (string);
  'user': (string);
  'roles': (string)[];
  'state': (_gatehouse_v1_RequestState__Output);
  'reason': (string);
  'resolveReason': (string);
  'resolvedBy': (string);
  'createdMs': (number);
  'pendingExpiresMs': (number);
  'accessExpiresMs': (number);
  'thresholds': (_gatehouse_v1_Threshold__Output)[];
  'reviews': (_gatehouse_v1_Review__Output)[];
  'suggestedReviewers': (string)[];
  'annotations': ({[key: string]: _gatehouse_v1_StringList__Output});
  'revision': (number);
  'updatedMs': (number);
}
