/**
 * PagerDutyApi against the fake over real HTTP, on what the effect protocol relies on: when a
 * failed write counts as "PagerDuty did nothing" (its claim is released) and when it stays in
 * doubt, and that a signal aborts a call in flight.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../plugins/common/secret.ts';
import { isRefusal, PagerDutyApi } from '../../../plugins/pagerduty/pagerduty-api.ts';
import { createFakePagerDuty, type FakePagerDuty } from '../../fakes/fake-pagerduty.ts';
import { BOT_EMAIL, PD, PD_KEY, pdSeed } from './pagerduty-harness.ts';

let pd: FakePagerDuty;
let api: PagerDutyApi;
let incidentId: string;

beforeAll(async () => {
  pd = createFakePagerDuty(pdSeed());
  await pd.start();
  // Immediate retries: the budgets, not the waits, are under test.
  api = new PagerDutyApi({ apiKey: new Secret(PD_KEY), userEmail: BOT_EMAIL, endpoint: pd.url(), log: pino({ level: 'silent' }), retry: { retries: 1, initialDelayMs: 1, maxDelayMs: 1 } });
  incidentId = pd.addIncident({ title: 'notes', serviceId: PD.notify }).id;
});
afterEach(() => pd.clearFailures());
afterAll(async () => {
  await pd.stop();
});

const notesPath = () => `/incidents/${incidentId}/notes`;
const failure = (call: Promise<unknown>): Promise<unknown> => call.then(() => new Error('expected a failure'), (err: unknown) => err);

describe('PagerDutyApi failures as the effect protocol sees them', () => {
  it('a 4xx on every attempt is a refusal: PagerDuty did nothing', async () => {
    pd.failNext(1, { status: 404 }, { method: 'POST', path: notesPath() });
    const err = await failure(api.addNote(incidentId, 'refused'));
    expect(err).toMatchObject({ status: 404 });
    expect(isRefusal(err)).toBe(true);
  });

  it('a 5xx or a dropped connection is not: the write may have happened', async () => {
    pd.failNext(2, { status: 502 }, { method: 'POST', path: notesPath() });
    expect(isRefusal(await failure(api.addNote(incidentId, 'bad gateway')))).toBe(false);
    pd.failNext(2, { dropConnection: true }, { method: 'POST', path: notesPath() });
    expect(isRefusal(await failure(api.addNote(incidentId, 'dropped')))).toBe(false);
  });

  it('a refusal after an attempt that got no answer stays in doubt', async () => {
    // pdjs re-sends a 429 three times itself: four 429s make the second attempt fail with one.
    pd.failNext(1, { status: 500 }, { method: 'POST', path: notesPath() });
    pd.failNext(4, { status: 429, retryAfterSeconds: 0 }, { method: 'POST', path: notesPath() });
    const err = await failure(api.addNote(incidentId, 'in doubt'));
    expect(err).toMatchObject({ status: 429, earlierAttemptInDoubt: true });
    expect(isRefusal(err)).toBe(false);
  });

  it('a signal aborts a call that hangs, and its retries', async () => {
    pd.failNext(1, { stall: true }, { method: 'POST', path: notesPath() });
    const abort = new AbortController();
    const started = Date.now();
    const call = failure(api.addNote(incidentId, 'hangs', { signal: abort.signal }));
    await pd.waitFor(() => pd.requests().find((r) => r.injected !== undefined && 'stall' in r.injected), 2000, 'the hung call');
    abort.abort();
    expect(String(await call)).toMatch(/aborted/i);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(pd.requests().filter((r) => r.path === notesPath() && r.rawBody.includes('hangs'))).toHaveLength(1);
  });
});
