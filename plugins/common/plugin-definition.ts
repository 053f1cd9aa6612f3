import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import type { PingResponse__Output } from '../../proto/gen/gatehouse/v1/PingResponse.ts';
import type { PluginConfig, SchemaHelpers } from './load-plugin-config.ts';
import type { PluginMetrics } from './plugin-metrics.ts';
import type { PluginDataStore } from './plugin-data-store.ts';
import type { RequestPluginData } from './request-plugin-data.ts';
import type { RetryOptions } from './with-retry.ts';

/** What the runtime hands a plugin. */
export interface PluginContext<C> {
  readonly config: PluginConfig<C>;
  readonly log: Logger;
  /** The current server client (it changes when the identity is renewed: call this each time). */
  readonly client: () => GatehouseClient;
  /** The server's Ping answer at connect time (cluster name, version, features). */
  readonly pong: PingResponse__Output;
  readonly metrics: PluginMetrics;
  /** Requests' plugin data, for work outside `onRequest` (webhooks): effects go through it too. */
  readonly data: PluginDataStore;
  /** Retry options for external calls, with metrics and the stop signal wired in; spread into withRetry. */
  readonly retry: (service: string) => RetryOptions;
  /** Aborted when the plugin stops. */
  readonly signal: AbortSignal;
  readonly now: () => number;
}

/** An HTTP answer from a webhook route. */
export interface RouteResponse {
  readonly status: number;
  readonly body?: string | Record<string, unknown>;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A route a plugin adds to the runtime's HTTP server (e.g. a Jira or GitLab webhook). */
export interface WebhookRoute {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  handle(request: IncomingMessage, body: Buffer): Promise<RouteResponse>;
}

/** A plugin's request handling. Every method must be idempotent: it may run again for the same state. */
export interface PluginHandler {
  /**
   * Brings what the plugin made outside (messages, incidents, issues) in line with the request's
   * current state. Every side effect goes through `data.effect()` (the protocol in
   * request-plugin-data.ts) so it happens exactly once; pass `data.signal` to service calls (it
   * aborts at the event deadline). Throwing CasConflict re-runs it with fresh plugin data,
   * EffectBusy looks again when the claim can be taken over, PermanentError is logged and
   * dropped; any other error re-queues the request with backoff.
   */
  onRequest(request: AccessRequest__Output, data: RequestPluginData): Promise<void>;
  /** The request was deleted (its plugin data is gone with it); `signal` aborts at the event deadline. */
  onDeleted?(requestId: string, signal: AbortSignal): Promise<void>;
  /** Extra HTTP routes (webhooks); served when `[http]` is configured. */
  readonly routes?: readonly WebhookRoute[];
  /** Called once on shutdown, after in-flight work drained. */
  stop?(): Promise<void>;
}

/** Everything the runtime needs to run one plugin; see plugins/slack/slack-plugin.ts. */
export interface PluginDefinition<C> {
  /** `slack`: the plugin-data key, the `gatehouse-<name>` command and the log field. */
  readonly name: string;
  readonly version: string;
  /** A strict schema of the plugin's own top-level TOML sections. */
  readonly pluginSchema: (helpers: SchemaHelpers) => z.ZodType<C>;
  /**
   * The preset roles the plugin's identity needs with this config (e.g. `access-plugin`, plus
   * `access-plugin-reviewer` to approve as itself); `check` fails without them.
   */
  presets(config: C): readonly string[];
  /** The commented sample `plugin.toml` that `configure` prints. */
  readonly sampleConfig: string;
  /**
   * Tests the external service's credentials (e.g. Slack `auth.test`); run by `check` and at
   * start. Returns a one-line description of what was reached.
   * @throws PluginError `service` naming what is wrong.
   */
  check(ctx: PluginContext<C>): Promise<string>;
  createHandler(ctx: PluginContext<C>): PluginHandler | Promise<PluginHandler>;
}
