import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { AppError } from '../domain/app-error.ts';
import type { AuthenticatedCall, Caller } from './authenticate.ts';
import { GRPC_STATUS_BY_CODE } from './to-grpc-status.ts';

/** Marks a request message that could not be decoded (see `tolerantDefinition`). */
export const MALFORMED = Symbol('malformed');

interface MalformedMessage {
  [MALFORMED]: string;
}

function malformedReason(message: unknown): string | undefined {
  if (typeof message === 'object' && message !== null && MALFORMED in message) {
    return String((message as MalformedMessage)[MALFORMED]);
  }
  return undefined;
}

/**
 * Copies a service definition so that undecodable request bytes become a marker object
 * instead of grpc-js's generic INTERNAL status; the handler then answers INVALID_ARGUMENT
 * with the decoder's reason.
 */
export function tolerantDefinition<T extends grpc.ServiceDefinition>(definition: T): T {
  const copy: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(definition)) {
    const decode = method.requestDeserialize;
    copy[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return decode(bytes);
        } catch (err) {
          const marker: MalformedMessage = { [MALFORMED]: err instanceof Error ? err.message : String(err) };
          return marker;
        }
      },
    };
  }
  return copy as grpc.ServiceDefinition as T;
}

export interface RpcRuntime {
  authenticate: (call: AuthenticatedCall) => Promise<Caller>;
  log: Logger;
  /** Called once per finished RPC (metrics). */
  observe?: (method: string, code: string, seconds: number) => void;
}

/** Converts anything thrown into a gRPC status object; the cause is logged, never sent. */
export function toStatus(err: unknown): { code: grpc.status; details: string; appError: AppError } {
  const appError = AppError.from(err);
  return { code: GRPC_STATUS_BY_CODE[appError.code], details: appError.message, appError };
}

function peerOf(call: { getPeer(): string }): string {
  try {
    return call.getPeer();
  } catch {
    return 'unknown';
  }
}

/**
 * Wraps a handler: rejects malformed messages, authenticates the caller, maps errors to
 * status codes and logs one line per RPC (method, code, duration, peer, user).
 */
export function unary<Req, Res>(
  rt: RpcRuntime,
  method: string,
  handle: (request: Req, caller: Caller) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const started = performance.now();
    let user = '';
    const run = async (): Promise<Res> => {
      const bad = malformedReason(call.request);
      if (bad !== undefined) throw new AppError('invalid_argument', `malformed ${method} request: ${bad}`);
      const caller = await rt.authenticate(call);
      user = caller.name;
      return handle(call.request, caller);
    };
    run().then(
      (response) => {
        callback(null, response);
        finish(rt, method, 'OK', started, peerOf(call), user);
      },
      (err: unknown) => {
        const st = toStatus(err);
        callback({ code: st.code, details: st.details });
        finish(rt, method, grpc.status[st.code], started, peerOf(call), user, st.appError);
      },
    );
  };
}

/** Like `unary` but without a client certificate (the enrollment listener). */
export function anonymousUnary<Req, Res>(rt: RpcRuntime, method: string, handle: (request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const started = performance.now();
    const run = async (): Promise<Res> => {
      const bad = malformedReason(call.request);
      if (bad !== undefined) throw new AppError('invalid_argument', `malformed ${method} request: ${bad}`);
      return handle(call.request);
    };
    run().then(
      (response) => {
        callback(null, response);
        finish(rt, method, 'OK', started, peerOf(call), '');
      },
      (err: unknown) => {
        const st = toStatus(err);
        callback({ code: st.code, details: st.details });
        finish(rt, method, grpc.status[st.code], started, peerOf(call), '', st.appError);
      },
    );
  };
}

export function finish(rt: RpcRuntime, method: string, code: string, started: number, peer: string, user: string, err?: AppError): void {
  const seconds = (performance.now() - started) / 1000;
  rt.observe?.(method, code, seconds);
  const line = { method, code, ms: Math.round(seconds * 1000 * 100) / 100, peer, user };
  if (err?.code === 'internal') rt.log.error({ ...line, err: err.cause ?? err }, 'rpc failed');
  else if (err) rt.log.info({ ...line, reason: err.message }, 'rpc');
  else rt.log.info(line, 'rpc');
}
