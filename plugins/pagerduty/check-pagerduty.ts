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

/** `check`'s calls give up quickly: an unreachable service is reported, and `start` tries again. */
const QUICK = { retry: { retries: 1, maxElapsedMs: 5000 } } as const;

/**
 * Checks what the plugin needs from PagerDuty: the API key is accepted, `user_email` is a
 * PagerDuty user (PagerDuty refuses incident writes `From` anyone else), and every service the
 * roles' request annotations name exists. Returns a one-line summary.
 * @throws PluginError `service` when PagerDuty refuses (a rejected key, a missing user or
 *   service, any other 4xx), `unreachable` when it did not answer (or answered 429 or 5xx).
 */
export async function checkPagerDuty(o: CheckPagerDutyOptions): Promise<string> {
  const { config, api } = o;
  await asking(api, 'read /abilities', () => api.abilities(QUICK));
  const bot = await asking(api, `look up pagerduty.user_email ${config.userEmail}`, () => api.findUserByEmail(config.userEmail, QUICK));
  if (bot === undefined) {
    throw new PluginError('service', `pagerduty.user_email ${config.userEmail} is not a PagerDuty user; PagerDuty refuses incident writes "From" it`);
  }

  const named = await servicesNamedByRoles(o);
  const missing: string[] = [];
  for (const [name, roles] of named) {
    if ((await asking(api, `look up service "${name}"`, () => api.findServiceByName(name, QUICK))) === undefined) missing.push(`"${name}" (role ${[...roles].join(', ')})`);
  }
  if (missing.length > 0) {
    const text = `PagerDuty has no service named ${missing.join(', ')}`;
    if (o.strictServices) throw new PluginError('service', text);
    o.log.warn({ missing }, `${text}; requests naming it get no incident and no auto-approval`);
  }
  const found = named.size - missing.length;
  return `API key accepted at ${api.endpoint}; writes as ${bot.name} (${bot.email}); ${found} of ${named.size} service(s) named by roles found${missing.length > 0 ? `, missing ${missing.join(', ')}` : ''}`;
}

/**
 * Runs one PagerDuty call of the check, turning its failure into the PluginError the runtime
 * acts on: `unreachable` is waited for at start, `service` stops the plugin.
 */
async function asking<T>(api: PagerDutyApi, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof PagerDutyError && (err.status === 401 || err.status === 403)) {
      throw new PluginError('service', `PagerDuty at ${api.endpoint} rejected pagerduty.api_key (HTTP ${err.status}); check the API key`, { cause: err });
    }
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof PagerDutyError && err.retryable) throw new PluginError('unreachable', `cannot reach PagerDuty at ${api.endpoint} to ${what}: ${message}`, { cause: err });
    if (err instanceof PagerDutyError) throw new PluginError('service', `PagerDuty at ${api.endpoint} refused to ${what}: ${message}`, { cause: err });
    // An answer that is not PagerDuty's (a wrong api_endpoint): waiting will not fix it.
    throw new PluginError('service', `PagerDuty at ${api.endpoint} gave an unexpected answer to ${what}: ${message}`, { cause: err });
  }
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
