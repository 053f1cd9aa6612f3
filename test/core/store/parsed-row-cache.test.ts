import { describe, expect, it } from 'vitest';
import { ParsedRowCache } from '../../../core/store/parsed-row-cache.ts';

describe('ParsedRowCache', () => {
  const parseCounting = () => {
    let calls = 0;
    return { parse: (json: string) => () => { calls++; return JSON.parse(json) as { n: number; tags: string[] }; }, calls: () => calls };
  };

  it('hands back the remembered value while the text matches, and parses again once it differs', () => {
    const cache = new ParsedRowCache<{ n: number; tags: string[] }>(10);
    const p = parseCounting();
    const written = { n: 1, tags: ['a'] };
    cache.remember('k', JSON.stringify(written), written);
    expect(cache.read('k', '{"n":1,"tags":["a"]}', p.parse('{"n":1,"tags":["a"]}'))).toBe(written);
    expect(p.calls()).toBe(0);
    // Changed behind the cache's back (another connection, a repair): the new text wins.
    expect(cache.read('k', '{"n":2,"tags":["a"]}', p.parse('{"n":2,"tags":["a"]}'))).toEqual({ n: 2, tags: ['a'] });
    expect(p.calls()).toBe(1);
  });

  it('freezes what it shares, deeply', () => {
    const cache = new ParsedRowCache<{ n: number; tags: string[] }>(10);
    const value = cache.read('k', '{"n":1,"tags":["a"]}', () => ({ n: 1, tags: ['a'] }));
    expect(() => { value.tags.push('b'); }).toThrow(TypeError);
    expect(() => { value.n = 2; }).toThrow(TypeError);
  });

  it('keeps only the most recent entries', () => {
    const cache = new ParsedRowCache<{ n: number; tags: string[] }>(2);
    const p = parseCounting();
    for (const k of ['a', 'b', 'c']) cache.remember(k, '{"n":0,"tags":[]}', { n: 0, tags: [] });
    cache.read('c', '{"n":0,"tags":[]}', p.parse('{"n":0,"tags":[]}'));
    cache.read('b', '{"n":0,"tags":[]}', p.parse('{"n":0,"tags":[]}'));
    expect(p.calls()).toBe(0);
    cache.read('a', '{"n":0,"tags":[]}', p.parse('{"n":0,"tags":[]}'));
    expect(p.calls()).toBe(1);
  });
});
