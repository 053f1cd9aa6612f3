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
    // The store checks the merged entry's size inside its transaction (plugin-data-change.ts).
    const data = await deps.store.updatePluginData(requestId, plugin, set, expect);
    return { data };
  }

  return {
    GetPluginData: unary(rt, 'GetPluginData', get),
    UpdatePluginData: unary(rt, 'UpdatePluginData', update),
  };
}
