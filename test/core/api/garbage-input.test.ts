import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { loadGatehouseProto } from '../../../proto/load-proto.ts';
import { openRawChannel, type RawChannel } from '../../support/raw-grpc.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

/** Sends raw bytes to a method, bypassing the client's encoder; null when it answered OK. */
async function rawCall(raw: RawChannel, method: string, payload: Buffer, stream: boolean): Promise<{ code: grpc.status; details: string } | null> {
  const answer = stream ? await raw.serverStream(method, payload, { firstOnly: true }) : await raw.unary(method, payload);
  return answer.code === grpc.status.OK ? null : answer;
}

describe('garbage input never crashes the server', () => {
  let t: TestServer;
  let raw: RawChannel;
  beforeAll(async () => {
    t = await startTestServer();
    raw = openRawChannel(t, 'AccessService');
  });
  afterAll(async () => {
    raw.close();
    await t.close();
  });

  const methods = Object.entries(loadGatehouseProto().gatehouse.v1.AccessService.service).map(([name, def]) => ({
    name,
    stream: def.responseStream,
  }));

  it('covers every RPC of the service', () => {
    expect(methods.length).toBeGreaterThanOrEqual(20);
  });

  for (const payload of [
    // Field 15 is in no request message, so the decoder must skip it, and cannot.
    { label: 'invalid wire type', bytes: Buffer.from([0x7f, 0x01]) },
    { label: 'length past end', bytes: Buffer.from([0x7a, 0x64, 0x41]) },
    { label: 'truncated varint', bytes: Buffer.from([0x78, 0xff, 0xff]) },
  ]) {
    it(`answers INVALID_ARGUMENT to undecodable bytes (${payload.label}) on every RPC`, async () => {
      for (const m of methods) {
        const err = await rawCall(raw, m.name, payload.bytes, m.stream);
        expect(err?.code, `${m.name}: ${err?.details}`).toBe(grpc.status.INVALID_ARGUMENT);
      }
    });
  }

  it('answers INVALID_ARGUMENT (never INTERNAL) to random bytes on every RPC', async () => {
    for (let round = 0; round < 5; round++) {
      for (const m of methods) {
        const err = await rawCall(raw, m.name, randomBytes(64), m.stream);
        // protobufjs is lenient: random bytes sometimes decode into a valid-but-meaningless
        // message; then the field checks answer. Never INTERNAL or UNKNOWN, never a crash.
        if (err) expect([grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND, grpc.status.PERMISSION_DENIED, grpc.status.FAILED_PRECONDITION, grpc.status.OUT_OF_RANGE, grpc.status.ALREADY_EXISTS], `${m.name}: ${err.details}`).toContain(err.code);
      }
    }
    expect((await t.admin.ping()).user).toBe('admin');
  });

  it('names the field at fault for missing, oversized and malformed fields', async () => {
    await expect(t.admin.getAccessRequest('')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/^id: /) });
    await expect(t.admin.getAccessRequest('not-a-uuid')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/invalid access request id/) });
    await expect(t.admin.createAccessRequest({ user: 'admin', roles: ['x'], reason: 'r'.repeat(5000) })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/reason/) });
    await expect(t.admin.createAccessRequest({ roles: Array.from({ length: 100 }, (_, i) => `r${i}`) })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/roles/) });
    await expect(t.admin.createAccessRequest({ roles: ['bad name!'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/roles\[0\]/) });
    await expect(t.admin.submitAccessReview({ requestId: '018f0000-0000-7000-8000-000000000000', proposedState: 'PENDING' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/proposed_state/) });
    await expect(t.admin.updatePluginData({ requestId: '018f0000-0000-7000-8000-000000000000', plugin: '', set: { a: 'b' } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/plugin/) });
    await expect(t.admin.applyRoles('kind: role\nversion: v4\nmetadata: {name: x}\nspec: {allow: {bogus: 1}}', 'evil.yaml')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: expect.stringMatching(/evil\.yaml.*bogus/),
    });
    await expect(t.admin.applyRoles(': : :\n- [', 'malformed.yaml')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/malformed\.yaml/) });
    await expect(t.admin.generateUserCerts({ csrPem: 'garbage' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/csr_pem/) });
    await expect(t.admin.listAccessRequests({ pageSize: 100000 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/page_size/) });
    await expect(t.admin.listAccessRequests({ createdSinceMs: -5 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/created_since_ms/) });
    await expect(t.admin.upsertUser({ user: { name: 'x', roles: ['no-such-role'] } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/unknown role "no-such-role"/) });
  });
});
