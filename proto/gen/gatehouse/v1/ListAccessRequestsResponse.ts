// Original file: proto/gatehouse/v1/gatehouse.proto

import type { AccessRequest as _gatehouse_v1_AccessRequest, AccessRequest__Output as _gatehouse_v1_AccessRequest__Output } from '../../gatehouse/v1/AccessRequest';

export interface ListAccessRequestsResponse {
  'requests'?: (_gatehouse_v1_AccessRequest)[];
  'nextPageToken'?: (string);
}

export interface ListAccessRequestsResponse__Output {
  'requests': (_gatehouse_v1_AccessRequest__Output)[];
  'nextPageToken': (string);
}
