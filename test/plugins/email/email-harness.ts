import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import { createFakeSmtp, SMTP_PASSWORD, SMTP_USER, type FakeSmtp, type FakeSmtpOptions, type ReceivedMail } from '../../fakes/fake-smtp.ts';
import { writeEmailPluginConfig, type EmailPluginConfigOptions } from '../../support/email-plugin-config.ts';
import { startPluginProcess, type PluginProcess } from '../../support/plugin-process.ts';
import { SEED_ROLES_YAML, startTestServer, TWO_APPROVALS_ROLE_YAML, type TestServer } from '../../support/test-server.ts';

export const REVIEWERS = 'reviewers@example.com';
export const ALICE_EMAIL = 'alice@example.com';

export interface EmailHarness {
  server: TestServer;
  smtp: FakeSmtp;
  dir: string;
  /** Requester (role sres, one approval), trait email alice@example.com. */
  alice: GatehouseClient;
  /** Requester whose requests need two approvals; no email trait. */
  carol: GatehouseClient;
  /** Reviewers of prodaccess. */
  bob: GatehouseClient;
  dave: GatehouseClient;
  pluginIdentity: string;
  /** The CA of the fake SMTP server, as a file. */
  caFile: string;
  /** Writes a plugin.toml against the fake SMTP server (STARTTLS mandatory, AUTH, the CA file). */
  config(options?: Partial<Omit<EmailPluginConfigOptions, 'dir' | 'smtp'>> & { smtp?: Partial<EmailPluginConfigOptions['smtp']> }): string;
  /** Starts a plugin process and waits until it is ready. */
  startPlugin(configFile?: string): Promise<PluginProcess>;
  /** Accepted messages about a request (its id is in every subject), oldest first; `to` narrows to one envelope recipient. */
  mails(requestId: string, to?: string): ReceivedMail[];
  /** Waits until `count` messages about the request reached `to`, and returns them. */
  waitForMails(requestId: string, to: string, count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/** Starts a real server (seed roles), the fake SMTP server, and the plugin's and users' identities. */
export async function startEmailHarness(options: { smtp?: FakeSmtpOptions } = {}): Promise<EmailHarness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-email-'));
  const server = await startTestServer();
  await server.admin.applyRoles(`${SEED_ROLES_YAML}---\n${TWO_APPROVALS_ROLE_YAML}`);
  const smtp = createFakeSmtp(options.smtp);
  await smtp.start();
  const caFile = path.join(dir, 'smtp-ca.pem');
  writeFileSync(caFile, smtp.caPem);
  const alice = await server.userClient('alice', ['sres'], { traits: { email: [ALICE_EMAIL] } });
  const carol = await server.userClient('carol', ['two-approvals']);
  const bob = await server.userClient('bob', ['access-reviewer']);
  const dave = await server.userClient('dave', ['access-reviewer']);
  const pluginIdentity = await server.identityFile('email-plugin', ['access-plugin']);
  const processes: PluginProcess[] = [];
  let configs = 0;
  const about = (requestId: string, to?: string) => (m: ReceivedMail) => m.subject.includes(requestId) && (to === undefined || m.envelope.to.includes(to));
  const h: EmailHarness = {
    server,
    smtp,
    dir,
    alice,
    carol,
    bob,
    dave,
    pluginIdentity,
    caFile,
    config: (o = {}) =>
      writeEmailPluginConfig({
        dir,
        name: o.name ?? `plugin-${++configs}.toml`,
        addr: o.addr ?? server.addr,
        identity: o.identity ?? pluginIdentity,
        ...(o.recipients ? { recipients: o.recipients } : {}),
        ...(o.roles ? { roles: o.roles } : {}),
        ...(o.sender ? { sender: o.sender } : {}),
        ...(o.extra ? { extra: o.extra } : {}),
        ...(o.section ? { section: o.section } : {}),
        smtp: { port: smtp.port, caFile, username: SMTP_USER, password: SMTP_PASSWORD, starttls: 'mandatory', ...o.smtp },
      }),
    async startPlugin(configFile) {
      const p = startPluginProcess({ main: 'plugins/email/main.ts', args: ['start', '-c', configFile ?? h.config()] });
      processes.push(p);
      await p.waitForLog((l) => l.msg === 'plugin is ready', 20_000, 'plugin is ready');
      return p;
    },
    mails: (requestId, to) => smtp.messages().filter(about(requestId, to)),
    waitForMails: (requestId, to, count, timeoutMs = 10_000) =>
      smtp.waitFor(
        () => {
          const found = smtp.messages().filter(about(requestId, to));
          return found.length >= count ? found : undefined;
        },
        timeoutMs,
        `${count} emails about ${requestId} to ${to}`,
      ),
    async close() {
      await Promise.all(processes.map((p) => p.kill()));
      await smtp.stop();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
