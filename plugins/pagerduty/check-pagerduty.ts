import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import { PluginError } from '../common/plugin-error.ts';
import { PagerDutyError, type PagerDutyApi } from './pagerduty-api.ts';
import type { PagerDutyConfig } from './pagerduty-config.ts';

export interface CheckPagerDutyOptions {
  config: PagerDutyConfig;
  api: PagerDutyApi;
  client: () => GatehouseClient;
  log: Logger;
  /** Missing services are an error (the `check` command) rather than a warning (at start). */
  strictServices: boolean;
}

const roleAnnotations = z.looseObject({
  spec: z.looseObject({
    allow: z.looseObject({ request: z.looseObject({ annotations: z.record(z.string(), z.array(z.string())).optional() }).optional() }).optional(),
  }).optional(),
});

/**
 * Checks what the plugin needs from PagerDuty: the API key is accepted, `user_email` is a
 * PagerDuty user (PagerDuty refuses incident writes `From` anyone else), and every service the
 * roles' request annotations name exists. Returns a one-line summary.
 * @throws PluginError `service` naming what is wrong.
 */
export async function checkPagerDuty(o: CheckPagerDutyOptions): Promise<string> {
  const { config, api } = o;
  const quick = { retries: 1, maxElapsedMs: 5000 };
  try {
    await api.abilities({ retry: quick });
  } catch (err) {
    if (err instanceof PagerDutyError && (err.status === 401 || err.status === 403)) {
      throw new PluginError('service', `PagerDuty at ${api.endpoint} rejected pagerduty.api_key (HTTP ${err.status}); check the API key`, { cause: err });
    }
    throw new PluginError('unreachable', `cannot reach PagerDuty at ${api.endpoint}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const bot = await api.findUserByEmail(config.userEmail);
  if (bot === undefined) {
    throw new PluginError('service', `pagerduty.user_email ${config.userEmail} is not a PagerDuty user; PagerDuty refuses incident writes "From" it`);
  }

  const named = await servicesNamedByRoles(o);
  const missing: string[] = [];
  for (const [name, roles] of named) {
    if ((await api.findServiceByName(name)) === undefined) missing.push(`"${name}" (role ${[...roles].join(', ')})`);
  }
  if (missing.length > 0) {
    const text = `PagerDuty has no service named ${missing.join(', ')}`;
    if (o.strictServices) throw new PluginError('service', text);
    o.log.warn({ missing }, `${text}; requests naming it get no incident and no auto-approval`);
  }
  const found = named.size - missing.length;
  return `API key accepted at ${api.endpoint}; writes as ${bot.name} (${bot.email}); ${found} of ${named.size} service(s) named by roles found${missing.length > 0 ? `, missing ${missing.join(', ')}` : ''}`;
}

/** Service name -> roles naming it, from every role's `allow.request.annotations`. */
async function servicesNamedByRoles(o: CheckPagerDutyOptions): Promise<Map<string, Set<string>>> {
  const keys = [o.config.annotations.notifyService, o.config.annotations.services];
  const named = new Map<string, Set<string>>();
  let roles;
  try {
    roles = await o.client().listRoles();
  } catch (err) {
    if (!GatehouseError.is(err, 'PERMISSION_DENIED')) throw err;
    o.log.warn({ err: err.details }, 'cannot list roles to check the services they name (the plugin needs role list/read)');
    return named;
  }
  for (const role of roles) {
    let parsed;
    try {
      parsed = roleAnnotations.safeParse(parseYaml(role.yaml));
    } catch {
      continue;
    }
    if (!parsed.success) continue;
    const annotations = parsed.data.spec?.allow?.request?.annotations ?? {};
    for (const key of keys) {
      for (const value of annotations[key] ?? []) {
        // Trait templates ({{internal.team}}) are only known per requester.
        if (value.trim() === '' || value.includes('{{')) continue;
        named.set(value.trim(), (named.get(value.trim()) ?? new Set()).add(role.name));
      }
    }
  }
  return named;
}
