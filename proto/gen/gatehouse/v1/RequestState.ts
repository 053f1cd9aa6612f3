// Original file: proto/gatehouse/v1/gatehouse.proto

export const RequestState = {
  STATE_UNSPECIFIED: 'STATE_UNSPECIFIED',
  PENDING: 'PENDING',
  APPROVED: 'APPROVED',
  DENIED: 'DENIED',
  EXPIRED: 'EXPIRED',
  REVOKED: 'REVOKED',
} as const;

export type RequestState =
  | 'STATE_UNSPECIFIED'
  | 0
  | 'PENDING'
  | 1
  | 'APPROVED'
  | 2
  | 'DENIED'
  | 3
  | 'EXPIRED'
  | 4
  | 'REVOKED'
  | 5

export type RequestState__Output = typeof RequestState[keyof typeof RequestState]
