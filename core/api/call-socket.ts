import { TLSSocket } from 'node:tls';

/**
 * The TLS connection a grpc-js server call arrived on, or undefined when grpc-js is not laid out
 * as in the version this reads (callers then use the public `getAuthContext()`).
 *
 * Why reach inside: grpc-js's `getAuthContext()` calls `getPeerCertificate()` on every call,
 * which builds the whole certificate as JS objects and hashes it three times, about a tenth of
 * the server's CPU under load. The certificate cannot change on an HTTP/2 connection, so the
 * authenticator reads it once per connection, keyed by this socket.
 */
export function callSocket(call: object): TLSSocket | undefined {
  // grpc-js 1.14: call.call is the transport call (call.call.nextCall when interceptors are set).
  type Transport = { stream?: { session?: { socket?: unknown } }; nextCall?: Transport };
  let transport = (call as { call?: Transport }).call;
  while (transport?.nextCall) transport = transport.nextCall;
  const socket = transport?.stream?.session?.socket;
  return socket instanceof TLSSocket ? socket : undefined;
}
