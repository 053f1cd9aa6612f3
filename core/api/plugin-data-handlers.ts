import type { AccessServiceHandlers } from '../../proto/gen/gatehouse/v1/AccessService.ts';
import { AppError } from '../domain/app-error.ts';
import type { ApiDeps } from './api-deps.ts';
import type { Caller } from './authenticate.ts';
import { requireAllowed } from './authorize.ts';
import { unary, type RpcRuntime } from './rpc.ts';
import { optionalName, requireName, requireRequestId, requireStringMap } from './validate-field.ts';

type Handlers = Pick<AccessServiceHandlers, 'GetPluginData' | 'UpdatePluginData'>;

const MAX_KEYS = 64;
const MAX_VALUE_BYTES = 4096;
const MAX_ENTRY_BYTES = 64 * 1024;

/**
 * Plugin data: a per-request, per-plugin string map that plugins use as their memory and as
 * the compare-and-swap lock that makes every side effect happen once.
 */
export function createPluginDataHandlers(deps: ApiDeps, rt: RpcRuntime): Handlers {
  async function get(req: Parameters<Handlers['GetPluginData']>[0]['request'], caller: Caller) {
    requireAllowed(caller, 'access_plugin_data', 'read');
    const requestId = requireRequestId('request_id', req.requestId);
    const plugin = optionalName('plugin', req.plugin);
    const all = await deps.store.getPluginData(requestId);
    const entries: Record<string, { data: Record<string, string> }> = {};
    for (const [name, data] of Object.entries(all)) {
      if (!plugin || name === plugin) entries[name] = { data };
    }
    return { entries };
  }

  async function update(req: Parameters<Handlers['UpdatePluginData']>[0]['request'], caller: Caller) {
    requireAllowed(caller, 'access_plugin_data', 'update');
    const requestId = requireRequestId('request_id', req.requestId);
    const plugin = requireName('plugin', req.plugin);
    const set = requireStringMap('set', req.set, MAX_KEYS, MAX_VALUE_BYTES);
    const expect = requireStringMap('expect', req.expect, MAX_KEYS, MAX_VALUE_BYTES);
    if (Object.keys(set).length === 0) throw new AppError('invalid_argument', 'set: at least one key is required');
    // Size guard on the merged entry, checked before writing (a soft limit: two concurrent
    // writers may each pass it once; the CAS in the store still decides who wins).
    const current = (await deps.store.getPluginData(requestId))[plugin] ?? {};
    const merged: Record<string, string> = { ...current, ...set };
    for (const [k, v] of Object.entries(set)) if (v === '') delete merged[k];
    if (Buffer.byteLength(JSON.stringify(merged)) > MAX_ENTRY_BYTES) {
      throw new AppError('resource_exhausted', `plugin data of "${plugin}" would exceed ${MAX_ENTRY_BYTES} bytes`);
    }
    const data = await deps.store.updatePluginData(requestId, plugin, set, expect);
    return { data };
  }

  return {
    GetPluginData: unary(rt, 'GetPluginData', get),
    UpdatePluginData: unary(rt, 'UpdatePluginData', update),
  };
}
