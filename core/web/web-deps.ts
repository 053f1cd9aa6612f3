import type { Logger } from 'pino';
import type { AccessRequests } from '../api/access-requests.ts';
import type { Caller, CallerIdentity } from '../api/authenticate.ts';
import type { Role } from '../domain/types.ts';
import type { EventHub } from '../server/event-hub.ts';
import type { WebSessions } from './web-sessions.ts';

/** What the console needs from the server, passed in by the composition root. */
export interface WebDeps {
  /** The authorized operations the gRPC API uses too. */
  requests: AccessRequests;
  hub: EventHub;
  sessions: WebSessions;
  /** The API's own caller resolution: live user, incarnation, roles (core/api/authenticate.ts). */
  resolve: (identity: CallerIdentity) => Promise<Caller>;
  /** Parses a TLS-verified client certificate (the API's identity cache). */
  parseIdentity: (der: Buffer) => CallerIdentity;
  allRoles: () => readonly Role[];
  /** `https://host[:port]` for sign-in links; "" = the Host header the CLI sent. */
  publicUrl: string;
  log: Logger;
  now: () => number;
}
