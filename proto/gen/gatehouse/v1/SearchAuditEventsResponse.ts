// Original file: proto/gatehouse/v1/gatehouse.proto

import type { AuditEvent as _gatehouse_v1_AuditEvent, AuditEvent__Output as _gatehouse_v1_AuditEvent__Output } from '../../gatehouse/v1/AuditEvent';

export interface SearchAuditEventsResponse {
  'events'?: (_gatehouse_v1_AuditEvent)[];
  'nextPageToken'?: (string);
}

export interface SearchAuditEventsResponse__Output {
  'events': (_gatehouse_v1_AuditEvent__Output)[];
  'nextPageToken': (string);
}
