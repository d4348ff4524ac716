// The API client's headers and error handling (client.ts), against a stubbed fetch.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, etag, setCsrfToken, withQuery } from './client';

function reply(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken('');
});

describe('request', () => {
  it('sends the CSRF token, If-Match and Idempotency-Key on writes only', async () => {
    const calls: RequestInit[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      calls.push(init);
      return reply(200, { ok: true });
    });
    setCsrfToken('tok');
    await api.get('/api/v1/items');
    await api.post('/api/v1/items/T-1/events/submit', { reason: 'x' }, { ifMatch: 3, idempotencyKey: 'k1' });
    const get = calls[0].headers as Record<string, string>;
    const post = calls[1].headers as Record<string, string>;
    expect(get['X-CSRF-Token']).toBeUndefined();
    expect(post['X-CSRF-Token']).toBe('tok');
    expect(post['If-Match']).toBe('"3"');
    expect(post['Idempotency-Key']).toBe('k1');
    expect(calls[1].body).toBe('{"reason":"x"}');
  });

  it('throws ApiError with the server code, message and Retry-After', async () => {
    vi.stubGlobal('fetch', async () =>
      reply(429, { error: { code: 'too_many_attempts', message: 'wait 30 s' } }, { 'Retry-After': '30' }),
    );
    const e = (await api.post('/api/v1/session', {}).catch((x) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(429);
    expect(e.code).toBe('too_many_attempts');
    expect(e.retryAfter).toBe(30);
  });

  it('turns a failed fetch into a network error', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const e = (await api.get('/api/v1/items').catch((x) => x)) as ApiError;
    expect(e.code).toBe('network');
    expect(e.status).toBe(0);
  });

  it('fetches the CSRF token once when a write is refused for lacking it, and retries', async () => {
    let n = 0;
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      n++;
      if (url === '/api/v1/session' && (init.method ?? 'GET') === 'GET') return reply(200, { csrf_token: 'fresh' });
      const h = init.headers as Record<string, string>;
      if (h['X-CSRF-Token'] !== 'fresh') {
        return reply(403, { error: { code: 'forbidden', message: 'a signed-in write needs the X-CSRF-Token header' } });
      }
      return reply(200, { done: true });
    });
    expect(await api.post('/api/v1/feeds', {})).toEqual({ done: true });
    expect(n).toBe(3);
  });
});

describe('helpers', () => {
  it('builds query strings without empty values', () => {
    expect(withQuery('/a', { x: 1, y: '', z: undefined, w: 'a b' })).toBe('/a?x=1&w=a+b');
    expect(withQuery('/a', {})).toBe('/a');
  });
  it('quotes versions for If-Match', () => {
    expect(etag(4)).toBe('"4"');
    expect(etag('"4"')).toBe('"4"');
  });
});
