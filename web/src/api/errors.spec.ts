// Errors as sentences in the page's language (errors.ts).
import { describe, expect, it } from 'vitest';
import { ApiError } from './client';
import { errorKey, errorMessage, retryable } from './errors';

const t = (key: string, named?: Record<string, unknown>) => `${key}${named?.seconds ? ':' + named.seconds : ''}`;

describe('errorKey', () => {
  it('uses the server code when known', () => {
    expect(errorKey(new ApiError(409, 'failed_precondition', 'x'))).toBe('failed_precondition');
    expect(errorKey(new ApiError(412, 'precondition_failed', 'x'))).toBe('precondition_failed');
  });
  it('falls back on the status', () => {
    expect(errorKey(new ApiError(0, 'whatever', 'x'))).toBe('network');
    expect(errorKey(new ApiError(404, 'odd', 'x'))).toBe('not_found');
    expect(errorKey(new ApiError(428, 'odd', 'x'))).toBe('precondition_required');
    expect(errorKey(new ApiError(502, 'odd', 'x'))).toBe('internal');
    expect(errorKey(new Error('plain'))).toBe('unknown');
  });
});

describe('errorMessage', () => {
  it('keeps the server text of a bad request: in English as is, in Chinese after the sentence', () => {
    const e = new ApiError(400, 'bad_request', 'title: missing');
    expect(errorMessage(e, t, 'en')).toBe('title: missing');
    expect(errorMessage(e, t, 'zh-CN')).toBe('errors.bad_request（title: missing）');
  });
  it('says how long to wait after too many attempts', () => {
    expect(errorMessage(new ApiError(429, 'too_many_attempts', 'wait', 31), t, 'en')).toBe('errors.too_many_attempts:31');
  });
  it('never shows the server text of an authentication failure', () => {
    expect(errorMessage(new ApiError(401, 'unauthenticated', 'the person id or the password is wrong'), t, 'zh-CN')).toBe(
      'errors.unauthenticated',
    );
  });
});

describe('retryable', () => {
  it('is true for a dropped connection and an unavailable server only', () => {
    expect(retryable(new ApiError(0, 'network', ''))).toBe(true);
    expect(retryable(new ApiError(503, 'unavailable', ''))).toBe(true);
    expect(retryable(new ApiError(412, 'precondition_failed', ''))).toBe(false);
  });
});
