import { subscribe } from 'node:diagnostics_channel';

/**
 * Works around a use-after-close in Node 24's HTTP/2 code that kills the process with SIGSEGV.
 *
 * When a peer closes a connection gracefully (GOAWAY with NO_ERROR, which is what a grpc-js
 * client sends when it closes its channel), Node puts the session into "graceful close" and its
 * native side later calls the handle's `ongracefulclosecomplete`. Node 24.21 can make that call
 * from inside `Http2Session::OnStreamAfterWrite`, while it is still finishing a socket write.
 * The JS side then destroys the session synchronously, the native session is freed, and the
 * rest of `OnStreamAfterWrite` calls `nghttp2_session_want_read(NULL)`. A server whose watchers
 * disconnect under load hit this within seconds to a minute (`npm run stress:disconnects`).
 *
 * The guard wraps each session's `ongracefulclosecomplete` so it runs on the next turn of the
 * event loop instead, after the native write has finished. Node's own handler re-checks that
 * the session is closed and idle before destroying it, so deferring it changes nothing else.
 * The hook is `node:diagnostics_channel`'s stream-created channel, so every session that
 * carries a stream is guarded before its first write. On a Node whose sessions have no such
 * callback, the guard does nothing.
 */
const guarded = new WeakSet<object>();

interface NativeSessionHandle {
  ongracefulclosecomplete?: unknown;
}

/** The native handle behind a Node HTTP/2 session (an internal field), if this Node has one. */
export function nativeHandle(session: object): NativeSessionHandle | undefined {
  const key = Object.getOwnPropertySymbols(session).find((s) => s.description === 'kHandle');
  const handle: unknown = key ? (session as Record<symbol, unknown>)[key] : undefined;
  return typeof handle === 'object' && handle !== null ? (handle as NativeSessionHandle) : undefined;
}

/** Defers one session's graceful-close notification to the next event-loop turn (idempotent). */
export function deferGracefulCloseComplete(session: object): void {
  if (guarded.has(session)) return;
  // Marked even when there is nothing to wrap, so later streams skip the lookup.
  guarded.add(session);
  const handle = nativeHandle(session);
  const notify = handle?.ongracefulclosecomplete;
  if (!handle || typeof notify !== 'function') return;
  handle.ongracefulclosecomplete = function deferred(this: unknown, ...args: unknown[]): void {
    setImmediate(() => notify.apply(this, args));
  };
}

let installed = false;

/** Guards every HTTP/2 session of this process, server and client side. Idempotent. */
export function installGracefulCloseGuard(): void {
  if (installed) return;
  installed = true;
  const onStream = (message: unknown): void => {
    const session = (message as { stream?: { session?: unknown } }).stream?.session;
    if (typeof session === 'object' && session !== null) deferGracefulCloseComplete(session);
  };
  subscribe('http2.server.stream.created', onStream);
  subscribe('http2.client.stream.created', onStream);
}
