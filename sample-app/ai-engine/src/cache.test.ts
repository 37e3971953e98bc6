import { describe, expect, it } from 'vitest';
import { LruCache } from './cache.js';

describe('LruCache', () => {
  it('evicts the least recently used entry when full', () => {
    const cache = new LruCache<number>(2, 1000);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
    expect(cache.size).toBe(2);
  });

  it('expires entries after the TTL', () => {
    let now = 0;
    const cache = new LruCache<string>(10, 100, () => now);
    cache.set('k', 'v');
    now = 99;
    expect(cache.get('k')).toBe('v');
    now = 100;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('overwrites a key in place and refreshes its TTL', () => {
    let now = 0;
    const cache = new LruCache<string>(10, 100, () => now);
    cache.set('k', 'old');
    now = 90;
    cache.set('k', 'new');
    now = 150;
    expect(cache.get('k')).toBe('new');
  });

  it.each([
    [0, 1000],
    [10, 0],
  ])('stores nothing with maxEntries %i / ttl %i', (max, ttl) => {
    const cache = new LruCache<number>(max, ttl);
    cache.set('a', 1);
    expect(cache.get('a')).toBeUndefined();
  });
});
