import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CallerIdentity } from '../api/authenticate.ts';

/** A one-time sign-in link is good for this long after `gatehouse web login` made it. */
export const LOGIN_LINK_TTL_MS = 60_000;

/** One signed-in browser. */
export interface WebSession {
  /** The identity the session acts as: the signing-in certificate's user, base roles only. */
  identity: CallerIdentity;
  /** Sent in every form; a state change without it is refused. */
  csrfToken: string;
  createdMs: number;
  lastSeenMs: number;
  /** The certificate that signed in expires then, and so does the session. */
  endsMs: number;
}

export interface WebSessionsOptions {
  now: () => number;
  /** A session ends after this long without a request. */
  idleMs: number;
  /** Most live sessions and pending links; the oldest go first. @default 10000 */
  maxEntries?: number;
}

/**
 * Sign-in links and sessions, in this server's memory. Only hashes of the secrets are kept, so
 * a heap dump gives no usable cookie. A link works once, for 60 seconds; a session ends after
 * `idleMs` without a request, when the certificate it came from expires, on sign-out, or when
 * its user is deleted (`endUser`). A restart signs everyone out (they run `gatehouse web
 * login` again); with several PostgreSQL replicas, a browser must stay on the replica that
 * signed it in (sticky sessions at the load balancer).
 */
export class WebSessions {
  readonly #now: () => number;
  readonly #idleMs: number;
  readonly #max: number;
  readonly #links = new Map<string, { identity: CallerIdentity; expiresMs: number }>();
  readonly #sessions = new Map<string, WebSession>();

  constructor(options: WebSessionsOptions) {
    this.#now = options.now;
    this.#idleMs = options.idleMs;
    this.#max = options.maxEntries ?? 10_000;
  }

  /** A new one-time sign-in token for `identity` (its access requests dropped). */
  createLoginLink(identity: CallerIdentity): { token: string; expiresMs: number } {
    const token = randomBytes(32).toString('base64url');
    const expiresMs = this.#now() + LOGIN_LINK_TTL_MS;
    bounded(this.#links, this.#max).set(hash(token), { identity: { ...identity, accessRequestIds: [] }, expiresMs });
    return { token, expiresMs };
  }

  /** Whether a link is still good, without using it (the confirmation page). */
  peekLoginLink(token: string): { identity: CallerIdentity; expiresMs: number } | undefined {
    const link = this.#links.get(hash(token));
    return link && link.expiresMs > this.#now() ? link : undefined;
  }

  /** Uses a link up: the identity it was made for, or undefined if unknown, used or expired. */
  consumeLoginLink(token: string): CallerIdentity | undefined {
    const key = hash(token);
    const link = this.#links.get(key);
    this.#links.delete(key);
    return link && link.expiresMs > this.#now() ? link.identity : undefined;
  }

  /** Starts a session; returns the cookie value (the only copy of the secret). */
  create(identity: CallerIdentity): { id: string; session: WebSession } {
    const id = randomBytes(32).toString('base64url');
    const t = this.#now();
    const session: WebSession = { identity, csrfToken: randomBytes(24).toString('base64url'), createdMs: t, lastSeenMs: t, endsMs: identity.expiresMs };
    bounded(this.#sessions, this.#max).set(hash(id), session);
    return { id, session };
  }

  /**
   * The live session of a cookie value, or undefined (ending it if idle or past its
   * certificate). `touch` (default true) counts this as activity; live-update streams do not.
   */
  get(id: string, touch = true): WebSession | undefined {
    const key = hash(id);
    const session = this.#sessions.get(key);
    if (!session) return undefined;
    const t = this.#now();
    if (t - session.lastSeenMs >= this.#idleMs || t >= session.endsMs) {
      this.#sessions.delete(key);
      return undefined;
    }
    if (touch) session.lastSeenMs = t;
    return session;
  }

  /** Signs a cookie value out. */
  end(id: string): void {
    this.#sessions.delete(hash(id));
  }

  /** Ends every session and unused link of a user (deleted, or created anew). */
  endUser(name: string): void {
    for (const [key, session] of this.#sessions) if (session.identity.user === name) this.#sessions.delete(key);
    for (const [key, link] of this.#links) if (link.identity.user === name) this.#links.delete(key);
  }

  /** Drops expired links and sessions (called now and then). */
  prune(): void {
    const t = this.#now();
    for (const [key, link] of this.#links) if (link.expiresMs <= t) this.#links.delete(key);
    for (const [key, s] of this.#sessions) if (t - s.lastSeenMs >= this.#idleMs || t >= s.endsMs) this.#sessions.delete(key);
  }
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfMatches(session: WebSession, submitted: string | null | undefined): boolean {
  if (!submitted) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}

function hash(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Makes room for one more entry by dropping the oldest (Map keeps insertion order). */
function bounded<V>(map: Map<string, V>, max: number): Map<string, V> {
  while (map.size >= max) {
    const oldest = map.keys().next();
    if (oldest.done) break;
    map.delete(oldest.value);
  }
  return map;
}
