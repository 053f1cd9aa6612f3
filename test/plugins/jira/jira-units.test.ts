import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adfToText, doc, paragraph } from '../../../plugins/jira/jira-adf.ts';
import type { JiraComment } from '../../../plugins/jira/jira-api.ts';
import { extractReason, findReason } from '../../../plugins/jira/jira-reason.ts';
import { verifySignature } from '../../../plugins/jira/jira-webhook.ts';
import { CHANGE, ISSUE, RESOLUTION, REVIEWS } from '../../../plugins/jira/jira-plugin-data.ts';

const comment = (id: string, accountId: string, at: number, text: string): JiraComment => ({ id, author: { accountId, emailAddress: undefined, displayName: accountId }, at, body: doc(paragraph(text)) });

describe('reasons from comments', () => {
  it('reads inline and multi-line reasons like the reference', () => {
    expect(extractReason("hi! i'm going to approve this request.\nReason:\n\nfoo\nbar\nbaz")).toBe('foo\nbar\nbaz');
    expect(extractReason('ok\n  resolution :  fine by me  ')).toBe('fine by me');
    expect(extractReason('no reason here')).toBeUndefined();
    expect(extractReason('Reason:')).toBeUndefined();
  });

  it('prefers the comment made with the transition, then the newest reason: comment by the same person', () => {
    const comments = [
      comment('5', 'other', 5000, 'reason: test'),
      comment('4', 'bob', 4000, 'reason: foo bar baz'),
      comment('3', 'bob', 3000, 'reason: bar baz'),
      comment('1', 'other', 1000, 'comment 1'),
    ];
    expect(findReason(comments, 'bob', 9000)).toBe('foo bar baz');
    expect(findReason([comment('9', 'bob', 9000, 'plain words'), ...comments], 'bob', 9000)).toBe('plain words');
    expect(findReason(comments, 'nobody', 9000)).toBe('');
  });

  it('flattens ADF with hard breaks, lists and mentions', () => {
    const body = { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'a' }, { type: 'hardBreak' }, { type: 'mention', attrs: { text: '@bob' } }] }, { type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'x' }] }] }] }] };
    expect(adfToText(body)).toBe('a\n@bob\nx');
    expect(adfToText(null)).toBe('');
    expect(adfToText({ type: 'doc', content: 'nope' })).toBe('');
  });
});

describe('webhook signature', () => {
  it('accepts exactly sha256=<hex HMAC of the raw body>', () => {
    const body = Buffer.from('{"a":1}');
    const good = `sha256=${createHmac('sha256', 's3').update(body).digest('hex')}`;
    expect(verifySignature(good, body, 's3')).toBe(true);
    expect(verifySignature(good.toUpperCase().replace('SHA256=', 'sha256='), body, 's3')).toBe(true);
    expect(verifySignature(good, Buffer.from('{"a":2}'), 's3')).toBe(false);
    expect(verifySignature(good, body, 's4')).toBe(false);
    expect(verifySignature(undefined, body, 's3')).toBe(false);
    expect(verifySignature('sha256=', body, 's3')).toBe(false);
    expect(verifySignature(good.slice(0, -2), body, 's3')).toBe(false);
  });
});

describe('plugin data written by the previous version', () => {
  it('reads back through the typed keys', () => {
    expect(ISSUE.codec.decode('{"id":"10001","key":"ACC-1"}')).toEqual({ id: '10001', key: 'ACC-1' });
    expect(ISSUE.codec.decode('skip:never created')).toEqual({ skipped: 'never created' });
    expect(REVIEWS.codec.decode('2')).toBe(2);
    expect(RESOLUTION.codec.decode('done:EXPIRED')).toEqual({ tag: 'done', rest: 'EXPIRED' });
    expect(CHANGE.codec.decode('10042')).toBe('10042');
    expect(ISSUE.codec.encode({ id: '10001', key: 'ACC-1' })).toBe('{"id":"10001","key":"ACC-1"}');
    expect(RESOLUTION.codec.encode({ tag: 'done', rest: 'DENIED' })).toBe('done:DENIED');
  });

  it('refuses text that is not a value of its key, saying why', () => {
    expect(() => ISSUE.codec.decode('{"id":"10001"}')).toThrow(/key/);
    expect(() => ISSUE.codec.decode('ACC-1')).toThrow('not JSON');
    expect(() => REVIEWS.codec.decode('two')).toThrow('not a count');
    expect(() => RESOLUTION.codec.decode('done:PENDING')).toThrow(/done/);
    expect(() => CHANGE.codec.decode('10042 and more')).toThrow('not a changelog history id');
  });
});
