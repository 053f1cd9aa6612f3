/**
 * Email plugin benchmark: request created -> message accepted by the SMTP server (p50/p99 over
 * 200 requests, one at a time), with the plugin process run as the image runs it (the bundle of
 * docker/image/bundle.ts with PLUGIN_NODE_FLAGS) against the fake SMTP server of test/fakes
 * (STARTTLS on a test CA, AUTH). Beside it, in the same run and against the same server:
 * - a bare nodemailer send of a message of the same size over a pool of the same options, from
 *   sendMail() to the server's acceptance (the target compares with this);
 * - created -> accepted through a bare watch + send loop (bench/bare-email-loop.ts, bundled and
 *   started the same way): the floor of any plugin, without the runtime's plugin-data reads
 *   and claims.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { bundleComponent, bundleEntry, PLUGIN_NODE_FLAGS } from '../docker/image/bundle.ts';
import { createFakeSmtp, SMTP_PASSWORD, SMTP_USER } from '../test/fakes/fake-smtp.ts';
import { writeEmailPluginConfig } from '../test/support/email-plugin-config.ts';
import { type PluginProcess, startPluginProcess } from '../test/support/plugin-process.ts';
import { SEED_ROLES_YAML, startTestServer } from '../test/support/test-server.ts';
import { percentile } from './stats.ts';

const REQUESTS = 200;
const WARMUP = 20;
const TO = 'reviewers@example.com';
const BARE_TO = 'bare-loop@example.com';

type Alice = Awaited<ReturnType<Awaited<ReturnType<typeof startTestServer>>['userClient']>>;

/** Created -> accepted latency (ms, sorted) of whichever process emails PENDING requests to `to`; also the last message's size. */
async function latencies(alice: Alice, smtp: ReturnType<typeof createFakeSmtp>, to: string): Promise<{ sorted: number[]; size: number }> {
  const measured: number[] = [];
  let size = 0;
  // The first requests pay for JIT compilation; measure steady state.
  for (let i = -WARMUP; i < REQUESTS; i++) {
    const t0 = performance.now();
    const request = await alice.createAccessRequest({ roles: ['prodaccess'], reason: `bench ${to} ${i}` });
    const mail = await smtp.waitFor(() => smtp.messages().find((m) => m.envelope.to.includes(to) && m.subject.includes(request.id)), 10_000, `the email of ${request.id} to ${to}`);
    if (i >= 0) measured.push(performance.now() - t0);
    size = mail.raw.length;
  }
  return { sorted: measured.sort((a, b) => a - b), size };
}

export async function runEmailBench(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-email-bench-'));
  const { main } = await bundleComponent('email', path.join(dir, 'bundle'));
  const bareMain = path.join(dir, 'bundle', 'bare-email-loop.mjs');
  await bundleEntry(path.join(import.meta.dirname, 'bare-email-loop.ts'), bareMain);
  const server = await startTestServer();
  const smtp = createFakeSmtp();
  await smtp.start();
  const caFile = path.join(dir, 'smtp-ca.pem');
  writeFileSync(caFile, smtp.caPem);
  let plugin: PluginProcess | undefined;
  let loop: PluginProcess | undefined;
  try {
    await server.admin.applyRoles(SEED_ROLES_YAML);
    const alice = await server.userClient('alice', ['sres']);
    const config = writeEmailPluginConfig({
      dir,
      addr: server.addr,
      identity: await server.identityFile('email-plugin', ['access-plugin']),
      smtp: { port: smtp.port, caFile, username: SMTP_USER, password: SMTP_PASSWORD, starttls: 'mandatory' },
      recipients: [TO],
      // info, not debug: the hot path should not pay for debug logs.
      severity: 'info',
    });
    plugin = startPluginProcess({ main, nodeArgs: PLUGIN_NODE_FLAGS, args: ['start', '-c', config] });
    await plugin.waitForLog((l) => l.msg === 'plugin is ready', 30_000, 'plugin (bundle) is ready');

    const { sorted: measured, size } = await latencies(alice, smtp, TO);
    await plugin.stop();
    plugin = undefined;

    const identity = await server.identityFile('bare-loop', ['access-plugin']);
    loop = startPluginProcess({ main: bareMain, nodeArgs: PLUGIN_NODE_FLAGS, args: [server.addr, identity, String(smtp.port), caFile, SMTP_USER, SMTP_PASSWORD, BARE_TO] });
    await loop.waitForLog((l) => l.msg === 'watching', 30_000, 'bare loop is watching');
    const { sorted: floor } = await latencies(alice, smtp, BARE_TO);
    await loop.stop();
    loop = undefined;

    // Bare nodemailer, same server, same transport options (pooled, STARTTLS, AUTH), a body of the same size.
    const transport = nodemailer.createTransport({ pool: true, host: '127.0.0.1', port: smtp.port, requireTLS: true, tls: { ca: [smtp.caPem] }, auth: { user: SMTP_USER, pass: SMTP_PASSWORD } });
    const body = 'x'.repeat(Math.max(0, size - 600)).replace(/(.{76})/g, '$1\n');
    const bare: number[] = [];
    for (let i = -WARMUP; i < REQUESTS; i++) {
      const t0 = performance.now();
      await transport.sendMail({ from: 'noreply@gatehouse.test', to: TO, subject: `bare ${i}`, text: body, html: `<p>${body}</p>` });
      if (i >= 0) bare.push(performance.now() - t0);
    }
    transport.close();

    bare.sort((a, b) => a - b);
    const round = (n: number): number => Math.round(n * 100) / 100;
    const figures = {
      email_requests: REQUESTS,
      email_warmup_requests: WARMUP,
      email_message_bytes: size,
      email_latency_p50_ms: round(percentile(measured, 50)),
      email_latency_p99_ms: round(percentile(measured, 99)),
      email_latency_max_ms: round(measured.at(-1) ?? Number.NaN),
      bare_send_p50_ms: round(percentile(bare, 50)),
      bare_send_p99_ms: round(percentile(bare, 99)),
      email_p99_ratio: round(percentile(measured, 99) / percentile(bare, 99)),
      bare_loop_p50_ms: round(percentile(floor, 50)),
      bare_loop_p99_ms: round(percentile(floor, 99)),
    };
    console.log(
      `email: created -> accepted by the SMTP server over ${REQUESTS} requests: p50 ${figures.email_latency_p50_ms} ms, p99 ${figures.email_latency_p99_ms} ms (target p99 <= 100 ms and <= 2x the bare send) | bare nodemailer send (pooled, STARTTLS, AUTH, ${size} bytes) p50 ${figures.bare_send_p50_ms} ms, p99 ${figures.bare_send_p99_ms} ms | p99 ratio ${figures.email_p99_ratio}x | bare watch+send loop, created -> accepted: p50 ${figures.bare_loop_p50_ms} ms, p99 ${figures.bare_loop_p99_ms} ms`,
    );
    return figures;
  } finally {
    await plugin?.stop();
    await loop?.stop();
    await smtp.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  console.log(await runEmailBench());
}
