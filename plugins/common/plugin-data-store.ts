import type { Logger } from 'pino';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { RequestPluginData, type EffectScope } from './request-plugin-data.ts';

export interface PluginDataStoreOptions {
  client: () => GatehouseClient;
  /** The plugin-data namespace (the plugin's name). */
  plugin: string;
  /** Identifies this process in claims. */
  owner: string;
  /** After this long another process's claim is taken to be abandoned (see request-plugin-data.ts). */
  takeoverMs: number;
  log: Logger;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Where a plugin's handlers get a request's plugin data: one per process, so every view shares
 * the process's identity in claims, the takeover window and the set of effects running here.
 */
export class PluginDataStore {
  readonly #scope: EffectScope;

  constructor(options: PluginDataStoreOptions) {
    this.#scope = {
      client: options.client,
      plugin: options.plugin,
      owner: options.owner,
      takeoverMs: options.takeoverMs,
      now: options.now ?? Date.now,
      running: new Set(),
      log: options.log.child({ component: 'effects' }),
    };
  }

  get owner(): string {
    return this.#scope.owner;
  }

  /** Reads the request's plugin data from the server. */
  async read(requestId: string, signal: AbortSignal): Promise<RequestPluginData> {
    const res = await this.#scope.client().getPluginData(requestId, this.#scope.plugin);
    return this.open(requestId, res.entries[this.#scope.plugin]?.data ?? {}, signal);
  }

  /** A view over values the caller has just read (e.g. in parallel with other reads). */
  open(requestId: string, values: Readonly<Record<string, string>>, signal: AbortSignal): RequestPluginData {
    return new RequestPluginData(this.#scope, requestId, values, signal);
  }
}
