// An API error as a sentence in the page's language. The server's messages are English and
// precise; a person reading Chinese gets a sentence by the error's code, with the server's own
// text kept for a bad_request (it names the field) in English.
import { ApiError } from './client';

type Translate = (key: string, named?: Record<string, unknown>) => string;

const KNOWN = new Set([
  'network',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'failed_precondition',
  'precondition_failed',
  'precondition_required',
  'too_many_attempts',
  'too_many_requests',
  'payload_too_large',
  'unsupported_media_type',
  'bad_request',
  'unavailable',
  'internal',
]);

// The key under errors.* for an error: by its code, else by its HTTP status.
export function errorKey(e: unknown): string {
  if (!(e instanceof ApiError)) return 'unknown';
  if (KNOWN.has(e.code)) return e.code;
  if (e.status === 0) return 'network';
  if (e.status === 401) return 'unauthenticated';
  if (e.status === 403) return 'forbidden';
  if (e.status === 404) return 'not_found';
  if (e.status === 409) return 'conflict';
  if (e.status === 412) return 'precondition_failed';
  if (e.status === 413) return 'payload_too_large';
  if (e.status === 428) return 'precondition_required';
  if (e.status === 429) return 'too_many_requests';
  if (e.status >= 500) return 'internal';
  if (e.status >= 400) return 'bad_request';
  return 'unknown';
}

export function errorMessage(e: unknown, t: Translate, locale: string): string {
  const key = errorKey(e);
  const err = e instanceof ApiError ? e : undefined;
  const base = t(`errors.${key}`, { seconds: err?.retryAfter ?? '' });
  // The server's text says which field and what to do; in English it is the message itself.
  if (err && (key === 'bad_request' || key === 'conflict' || key === 'failed_precondition')) {
    return locale.startsWith('en') ? err.message : `${base}（${err.message}）`;
  }
  return base;
}

// Is it worth trying the same request again (the network or the server's availability)?
export function retryable(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 0 || e.status === 503 || e.status === 502 || e.status === 504);
}
