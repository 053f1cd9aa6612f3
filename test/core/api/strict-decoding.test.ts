import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lengthDelimited, tag, varint, varintField } from '../../support/proto-bytes.ts';
import { openRawChannel, type RawChannel } from '../../support/raw-grpc.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';

// Field numbers from proto/gatehouse/v1/gatehouse.proto.
const CREATE = { user: 1, roles: 2, reason: 3, dryRun: 7 };

/** A CreateAccessRequest for alice of role prodaccess, with `extra` appended. */
function createRequest(...extra: Buffer[]): Buffer {
  return Buffer.concat([lengthDelimited(CREATE.user, 'alice'), lengthDelimited(CREATE.roles, 'prodaccess'), ...extra]);
}

const BAD_UTF8 = Buffer.from([0xff, 0xfe, 0x20, 0xc0, 0xaf, 0x20, 0xed, 0xa0, 0x80]);

describe('strict decoding of request bytes', () => {
  let t: TestServer;
  let access: RawChannel;
  let enroll: RawChannel;

  beforeAll(async () => {
    t = await startTestServer();
    await t.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
    await t.admin.upsertUser({ user: { name: 'alice', roles: ['sres'] } });
    access = openRawChannel(t, 'AccessService');
    enroll = openRawChannel(t, 'EnrollService');
  });
  afterAll(async () => {
    access.close();
    enroll.close();
    await t.close();
  });

  async function storedReasons(): Promise<string[]> {
    const page = await t.server.store.listRequests({ pageSize: 1000 });
    return page.items.map((r) => r.reason);
  }

  it('finding 2: refuses a string field that is not UTF-8, naming the field, and stores nothing', async () => {
    const before = (await storedReasons()).length;
    const answer = await access.unary('CreateAccessRequest', createRequest(lengthDelimited(CREATE.reason, BAD_UTF8)));
    expect(answer).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'malformed CreateAccessRequest request: field reason (3): invalid UTF-8' });
    const reasons = await storedReasons();
    expect(reasons).toHaveLength(before);
    expect(reasons.join('')).not.toContain('\uFFFD');
  });

  it('finding 2: refuses each kind of ill-formed UTF-8, and accepts well-formed non-ASCII text', async () => {
    const illFormed = {
      'lone continuation': [0x80],
      'overlong slash': [0xc0, 0xaf],
      'overlong 3-byte': [0xe0, 0x80, 0xaf],
      'UTF-16 surrogate': [0xed, 0xa0, 0x80],
      'above U+10FFFF': [0xf4, 0x90, 0x80, 0x80],
      'truncated sequence': [0x61, 0xe2, 0x82],
      'invalid byte': [0xff],
    };
    for (const [label, bytes] of Object.entries(illFormed)) {
      const reason = Buffer.concat([Buffer.from('why '), Buffer.from(bytes)]);
      const answer = await access.unary('CreateAccessRequest', createRequest(lengthDelimited(CREATE.reason, reason), varintField(CREATE.dryRun, 1)));
      expect(answer, label).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringContaining('field reason (3): invalid UTF-8') });
    }
    const fine = 'café ✓ 😀 '.repeat(20); // long enough for the native check too
    const ok = await access.unary('CreateAccessRequest', createRequest(lengthDelimited(CREATE.reason, fine), varintField(CREATE.dryRun, 1)));
    expect(ok.code, ok.details).toBe(status.OK);
  });

  it('finding 2: checks strings inside nested messages, repeated fields and map entries', async () => {
    // UpsertUserRequest.user (1) -> User.traits (3, map<string, StringList>) -> entry value (2) -> values (1)
    const traitValue = lengthDelimited(2, lengthDelimited(1, BAD_UTF8));
    const user = Buffer.concat([lengthDelimited(1, 'zoe'), lengthDelimited(3, Buffer.concat([lengthDelimited(1, 'team'), traitValue]))]);
    const upsert = await access.unary('UpsertUser', lengthDelimited(1, user));
    expect(upsert).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'malformed UpsertUser request: field user.traits.value.values (1): invalid UTF-8' });
    expect(await t.server.store.getUser('zoe')).toBeUndefined();
    // A map entry without its message value: protobufjs would fail on it with a TypeError.
    const noValue = Buffer.concat([lengthDelimited(1, 'zoe'), lengthDelimited(3, lengthDelimited(1, 'team'))]);
    expect(await access.unary('UpsertUser', lengthDelimited(1, noValue))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'malformed UpsertUser request: field user.traits.value (2): missing (a map entry needs its value)',
    });

    // UpdatePluginDataRequest.set (3, map<string, string>): a bad key.
    const update = Buffer.concat([
      lengthDelimited(1, '018f0000-0000-7000-8000-000000000000'),
      lengthDelimited(2, 'slack'),
      lengthDelimited(3, Buffer.concat([lengthDelimited(1, BAD_UTF8), lengthDelimited(2, 'v')])),
    ]);
    expect(await access.unary('UpdatePluginData', update)).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringContaining('field set.key (1): invalid UTF-8') });

    // A repeated string: the second entry of roles.
    const roles = createRequest(lengthDelimited(CREATE.roles, BAD_UTF8));
    expect(await access.unary('CreateAccessRequest', roles)).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringContaining('field roles (2): invalid UTF-8') });
  });

  it('finding 2: the invite service refuses invalid UTF-8 too', async () => {
    const answer = await enroll.unary('RedeemInvite', Buffer.concat([lengthDelimited(1, BAD_UTF8), lengthDelimited(2, 'csr')]));
    expect(answer).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'malformed RedeemInvite request: field token (1): invalid UTF-8' });
  });

  it('finding 3: refuses a length prefix longer than the bytes that follow', async () => {
    const before = (await storedReasons()).length;
    const lying = await access.unary('CreateAccessRequest', createRequest(lengthDelimited(CREATE.reason, 'hello', 50)));
    expect(lying).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'malformed CreateAccessRequest request: field reason (3): truncated: length 50 but 5 bytes left' });
    const huge = await access.unary('CreateAccessRequest', Buffer.concat([lengthDelimited(CREATE.user, 'alice', 2 ** 30), lengthDelimited(CREATE.roles, 'prodaccess')]));
    expect(huge).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringContaining('field user (1): truncated: length 1073741824') });
    expect(await storedReasons()).toHaveLength(before);
  });

  it('finding 3: refuses wire types 3, 4, 6 and 7, a wire type that does not match the field, and field number 0', async () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      ['wire type 7 on a known field', Buffer.concat([tag(CREATE.reason, 7), varint(5), Buffer.from('hello')]), /field reason \(3\): wire type 7 at byte \d+, expected 2/],
      ['wire type 0 on a string field', varintField(CREATE.reason, 5), /field reason \(3\): wire type 0 \(varint\) at byte \d+, expected 2/],
      ['wire type 6 on an unknown field', Buffer.concat([tag(99, 6), varint(1)]), /field 99 at byte \d+: invalid wire type 6/],
      ['a group', Buffer.concat([tag(99, 3), tag(99, 4)]), /field 99 at byte \d+: groups \(wire type 3\) are not supported/],
      ['field number 0', varintField(0, 1), /field number 0 at byte \d+/],
    ];
    for (const [label, extra, details] of cases) {
      const answer = await access.unary('CreateAccessRequest', createRequest(extra));
      expect(answer.code, label).toBe(status.INVALID_ARGUMENT);
      expect(answer.details, label).toMatch(details);
    }
  });

  it('finding 3: refuses malformed bytes on a streaming call and on the invite service', async () => {
    const watch = await access.serverStream('WatchEvents', varintField(0, 1), { firstOnly: true });
    expect(watch).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'malformed WatchEvents request: field number 0 at byte 0', messages: [] });
    const ca = await enroll.unary('GetClusterCA', Buffer.concat([tag(1, 7), varint(0)]));
    expect(ca).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'malformed GetClusterCA request: field 1 at byte 0: invalid wire type 7' });
    const redeem = await enroll.unary('RedeemInvite', Buffer.concat([lengthDelimited(1, 'tok', 40), lengthDelimited(2, 'csr')]));
    expect(redeem).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/^malformed RedeemInvite request: field token \(1\): truncated/) });
  });

  it('still accepts well-formed unknown fields of every wire type, packed and unpacked repeated numbers', async () => {
    const unknown = Buffer.concat([
      varintField(99, 2 ** 40),
      Buffer.concat([tag(100, 1), Buffer.alloc(8)]),
      lengthDelimited(101, BAD_UTF8), // an unknown field's bytes are not text, whatever they hold
      Buffer.concat([tag(2 ** 29 - 1, 5), Buffer.alloc(4)]),
    ]);
    const created = await access.unary('CreateAccessRequest', createRequest(unknown, varintField(CREATE.dryRun, 1)));
    expect(created.code, created.details).toBe(status.OK);
    // ListAccessRequestsRequest.states (1, repeated enum): PENDING, APPROVED packed, then DENIED unpacked.
    const states = Buffer.concat([lengthDelimited(1, Buffer.from([1, 2])), varintField(1, 3)]);
    const listed = await access.unary('ListAccessRequests', states);
    expect(listed.code, listed.details).toBe(status.OK);
  });

  it('finding 4: a huge watch filter is refused with INVALID_ARGUMENT and a short message', async () => {
    const answer = await access.serverStream('WatchEvents', lengthDelimited(2, 'x'.repeat(100_000)), { firstOnly: true });
    expect(answer.code, answer.details.slice(0, 200)).toBe(status.INVALID_ARGUMENT);
    expect(answer.details).toMatch(/^kinds\[0\]: must be one of access_request, role, user \(got "x{64}…"\)$/);
    expect(answer.trailerBytes).toBeLessThan(4096);
  });

  it('finding 4: errors that quote role input stay short (predicates, patterns, YAML keys)', async () => {
    const long = 'a'.repeat(4000); // predicates may be up to 4096 characters long
    const roles = [
      `kind: role\nversion: v4\nmetadata: {name: r1}\nspec: {allow: {request: {roles: [x], thresholds: [{approve: 1, filter: "${long}"}]}}}\n`,
      `kind: role\nversion: v4\nmetadata: {name: r2}\nspec: {allow: {review_requests: {roles: [x], where: 'regexp.match(request.roles, "^(${long}$")'}}}\n`,
      `kind: role\nversion: v4\nmetadata: {name: r3}\nspec: {allow: {${long}: 1}}\n`,
      `kind: role\nversion: v4\nmetadata: {name: r4}\nspec: {allow: {logins: [*${long}]}}\n`,
    ];
    for (const yaml of roles) {
      const answer = await access.unary('ApplyRoles', lengthDelimited(1, yaml));
      expect(answer.code, answer.details.slice(0, 200)).toBe(status.INVALID_ARGUMENT);
      expect(answer.trailerBytes, answer.details.slice(0, 200)).toBeLessThan(1024);
    }
  });

  it('the server still answers normal calls', async () => {
    expect((await t.admin.ping()).user).toBe('admin');
  });
});
