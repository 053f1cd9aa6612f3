import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { encodeValue } from '../../../plugins/common/plugin-data-key.ts';
import { isSlackRefusal, SlackCallInDoubt, slackErrorCode } from '../../../plugins/slack/slack-errors.ts';
import { NOTICE_KEY, recipientKey, recipientKeyNamed } from '../../../plugins/slack/slack-plugin-data.ts';

const KEY = recipientKey('access-requests');

describe('slack plugin data', () => {
  it('reads the texts the earlier versions stored, and writes them back the same', () => {
    const texts = [
      '{"channel":"C0ACCESS1","ts":"1796682797.131000","reviews":0,"shows":"PENDING"}',
      '{"channel":"D00000001","ts":"1796682797.131000","reviews":2,"shows":"APPROVED"}',
      'skip:no Slack user with this email',
    ];
    for (const text of texts) expect(encodeValue(KEY, KEY.codec.decode(text))).toBe(text);
    for (const text of ['sent:APPROVED', 'sent:EXPIRED', 'skip:no email for the requester']) expect(encodeValue(NOTICE_KEY, NOTICE_KEY.codec.decode(text))).toBe(text);
    expect(recipientKeyNamed('r:lead@example.com')?.name).toBe('r:lead@example.com');
    expect(recipientKeyNamed('notice')).toBeUndefined();
  });

  it('refuses hostile or broken values, naming what is wrong', () => {
    expect(() => KEY.codec.decode('{"channel":"C1"}')).toThrow(/ts: .*reviews: .*shows: /);
    expect(() => KEY.codec.decode('{"channel":"C1","ts":"1.2","reviews":-1,"shows":"PENDING"}')).toThrow(/reviews/);
    expect(() => KEY.codec.decode('{"channel":"C1","ts":"now","reviews":0,"shows":"PENDING"}')).toThrow(/expected a Slack ts/);
    expect(() => KEY.codec.decode('{"channel":"C1","ts":"1.2","reviews":0,"shows":"ON FIRE"}')).toThrow(/shows/);
    expect(() => KEY.codec.decode('posted')).toThrow(/not JSON/);
    expect(() => NOTICE_KEY.codec.decode('sent:REVOKED')).toThrow(/sent/);
    expect(() => NOTICE_KEY.codec.decode('done')).toThrow(/expected sent:/);
  });
});

describe('slack errors', () => {
  it('tells a refusal (nothing was done) from a call in doubt', () => {
    const platform = (error: string) => new WebAPIPlatformError({ ok: false, error });
    expect(isSlackRefusal(platform('channel_not_found'))).toBe(true);
    expect(isSlackRefusal(new WebAPIRateLimitedError(3))).toBe(true);
    expect(isSlackRefusal(new WebAPIHTTPError(404, 'Not Found', {}, ''))).toBe(true);
    // Slack says part of the call may have been done before these.
    expect(isSlackRefusal(platform('internal_error'))).toBe(false);
    expect(isSlackRefusal(platform('fatal_error'))).toBe(false);
    expect(isSlackRefusal(new WebAPIHTTPError(502, 'Bad Gateway', {}, ''))).toBe(false);
    expect(isSlackRefusal(new WebAPIRequestError(new Error('socket hang up')))).toBe(false);
    // A post in doubt stays in doubt, whatever its last error was; logs still name that error.
    const inDoubt = new SlackCallInDoubt('chat.postMessage', platform('missing_scope'));
    expect(isSlackRefusal(inDoubt)).toBe(false);
    expect(slackErrorCode(inDoubt)).toBe('missing_scope');
  });
});
