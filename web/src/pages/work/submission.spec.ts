// A submission over a bad network (submission.ts): files uploaded once, the event retried with
// the same Idempotency-Key and If-Match, a new key after a 412.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const upload = vi.fn();
const post = vi.fn();
vi.mock('@/api/client', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/api/client')>();
  return { ...real, api: { ...real.api, upload: (...a: unknown[]) => upload(...a), post: (...a: unknown[]) => post(...a) } };
});

const { Submission, fileSize } = await import('./submission');
const { ApiError } = await import('@/api/client');

const file = (name: string) => new File(['x'], name, { type: 'image/png' });

beforeEach(() => {
  upload.mockReset();
  post.mockReset();
});

describe('Submission', () => {
  it('uploads each file once and retries the event with the same key and version', async () => {
    upload.mockImplementation(async (_path: string, form: FormData) => ({
      files: [{ sha256: 'h-' + (form.get('file') as File).name }],
    }));
    post.mockRejectedValueOnce(new ApiError(0, 'network', 'dropped')).mockResolvedValueOnce({ state: 'verifying' });
    const s = new Submission('T-A1', 'submit');
    s.add([file('a.png'), file('b.png')]);
    await expect(s.send(3, { reason: 'done' })).rejects.toBeInstanceOf(ApiError);
    expect(s.files.map((f) => f.status)).toEqual(['done', 'done']);
    // The retry, after the item was reloaded at version 4 meanwhile: still version 3, same key.
    await expect(s.send(4, { reason: 'done' })).resolves.toEqual({ state: 'verifying' });
    expect(upload).toHaveBeenCalledTimes(2);
    expect(post).toHaveBeenCalledTimes(2);
    const [first, second] = post.mock.calls;
    expect(first[0]).toBe('/api/v1/items/T-A1/events/submit');
    expect(first[1]).toEqual({ reason: 'done', evidence: ['sha256:h-a.png', 'sha256:h-b.png'] });
    expect(second[2].idempotencyKey).toBe(first[2].idempotencyKey);
    expect(second[2].ifMatch).toBe(3);
  });

  it('retries a failed upload, and makes a new key after forget()', async () => {
    upload.mockRejectedValueOnce(new ApiError(0, 'network', 'dropped')).mockResolvedValue({ files: [{ sha256: 'h' }] });
    post.mockResolvedValue({});
    const s = new Submission('T 1', 'extend');
    s.add([file('a.png')]);
    await expect(s.send(1, {})).rejects.toBeInstanceOf(ApiError);
    expect(s.files[0].status).toBe('failed');
    await s.send(1, { reason: 'r' });
    expect(post.mock.calls[0][0]).toBe('/api/v1/items/T%201/events/extend');
    const key1 = post.mock.calls[0][2].idempotencyKey;
    s.forget();
    await s.send(2, { reason: 'r' });
    expect(post.mock.calls[1][2].idempotencyKey).not.toBe(key1);
    expect(post.mock.calls[1][2].ifMatch).toBe(2);
  });
});

describe('fileSize', () => {
  it('is bytes, kilobytes or megabytes as a person reads them', () => {
    expect(fileSize(812)).toBe('812 B');
    expect(fileSize(24 * 1024)).toBe('24 KB');
    expect(fileSize(1.5 * 1024 * 1024)).toBe('1.5 MB');
  });
});
