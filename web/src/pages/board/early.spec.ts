// The board's early first request (early.ts): taken once, for the same filters only.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queryOf, startBoard, takeBoard } from './early';

afterEach(() => vi.restoreAllMocks());

describe('the early board request', () => {
  it('is taken once for the same filters, and not for others', async () => {
    const fetch = vi.fn(async () => new Response('{"totals":{"items":3}}', { headers: { 'Content-Type': 'application/json' } }));
    vi.stubGlobal('fetch', fetch);
    const q = queryOf({ campaign: 'xinshao-2017', unit: 'niangxi' });
    startBoard(q);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(takeBoard({ ...q, unit: 'yantang' })).toBeNull();
    startBoard(q);
    const answer = takeBoard(q);
    expect(answer).not.toBeNull();
    expect(await answer).toEqual({ totals: { items: 3 } });
    expect(takeBoard(q)).toBeNull();
  });
  it('reads the filters from the route query', () => {
    expect(queryOf({ unit: 'niangxi', items: 'x', as_of: ['a'] })).toEqual({ campaign: '', unit: 'niangxi', as_of: '' });
  });
});
