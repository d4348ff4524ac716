// The typed client of Rectify's HTTP API (/api/v1, adapters/http/api/openapi.json), over fetch.
//
//   const page = await api.get<ItemPage>('/api/v1/items', { query: { overdue: 'true' } });
//   await api.post(`/api/v1/items/${id}/events/submit`, { fields }, {
//     ifMatch: item.version, idempotencyKey: key });
//
// - The session is the HttpOnly cookie the server sets on sign-in; the browser sends it itself.
// - Every write of a signed-in person carries X-CSRF-Token: the csrf_token that sign-in and
//   GET /api/v1/session answer (session_routes.cc). The client keeps it (setCsrfToken) and, when
//   a write is refused for a missing token (after a reload), fetches it once and tries again.
// - If-Match (the item's version, a 412 when the item moved on) and Idempotency-Key (a retry of
//   the same request returns the first answer and changes nothing twice) are options of a call.
// - Errors are thrown as ApiError with the server's code and status; errors.ts turns them into a
//   message in the page's language.
// - Uploads go through XMLHttpRequest, the one browser API that reports upload progress.

export class ApiError extends Error {
  constructor(
    public status: number, // 0: the network failed (no answer)
    public code: string, // the server's error code ("not_found"), or "network"
    message: string, // the server's message (English), for the log and as a last resort
    public retryAfter?: number,
    public body?: unknown, // the answer's JSON (a 422's diagnostics), when it was JSON
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface CallOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  ifMatch?: string | number;
  idempotencyKey?: string;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

let csrfToken = '';

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token ?? '';
}

export function withQuery(path: string, query?: CallOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

// A fresh Idempotency-Key: kept by a page for one logical submission, across its retries.
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// The ETag as If-Match wants it: the server's versions are plain numbers, sent quoted.
export function etag(version: string | number): string {
  const v = String(version);
  return v.startsWith('"') || v.startsWith('W/') ? v : `"${v}"`;
}

function isWrite(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

function headersFor(method: string, opts: CallOptions, json: boolean): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json', ...(opts.headers ?? {}) };
  if (json) h['Content-Type'] = 'application/json';
  if (isWrite(method) && csrfToken) h['X-CSRF-Token'] = csrfToken;
  if (opts.ifMatch !== undefined) h['If-Match'] = etag(opts.ifMatch);
  if (opts.idempotencyKey) h['Idempotency-Key'] = opts.idempotencyKey;
  return h;
}

// An ApiError from a response that is not 2xx.
export async function errorFrom(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = res.statusText || `HTTP ${res.status}`;
  let json: unknown;
  try {
    const body = await res.json();
    json = body;
    if (body && body.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
    }
  } catch {
    // not JSON: keep the status
  }
  const ra = Number(res.headers.get('Retry-After'));
  return new ApiError(res.status, code, message, Number.isFinite(ra) && ra > 0 ? ra : undefined, json);
}

function csrfMissing(e: ApiError): boolean {
  return e.status === 403 && /X-CSRF-Token/i.test(e.message);
}

async function refreshCsrf(): Promise<boolean> {
  const res = await fetch('/api/v1/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!res.ok) return false;
  const me = await res.json();
  setCsrfToken(me.csrf_token);
  return !!me.csrf_token;
}

export async function request<T>(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
  // A form or a Blob (a YAML file: new Blob([text], { type: 'text/yaml' })) goes as it is, with
  // its own Content-Type; anything else as JSON.
  const isForm =
    (typeof FormData !== 'undefined' && body instanceof FormData) || (typeof Blob !== 'undefined' && body instanceof Blob);
  const send = async (): Promise<Response> => {
    try {
      return await fetch(withQuery(path, opts.query), {
        method,
        credentials: 'same-origin',
        headers: headersFor(method, opts, body !== undefined && !isForm),
        body: body === undefined ? undefined : isForm ? (body as FormData | Blob) : JSON.stringify(body),
        signal: opts.signal,
      });
    } catch (e) {
      if ((e as Error)?.name === 'AbortError') throw e;
      throw new ApiError(0, 'network', (e as Error)?.message || 'network error');
    }
  };
  let res = await send();
  if (!res.ok) {
    let err = await errorFrom(res);
    if (isWrite(method) && csrfMissing(err) && (await refreshCsrf())) {
      res = await send();
      if (res.ok) return parse<T>(res);
      err = await errorFrom(res);
    }
    throw err;
  }
  return parse<T>(res);
}

async function parse<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('Content-Type') ?? '';
  if (type.includes('json')) return (await res.json()) as T;
  return (await res.text()) as unknown as T;
}

export interface UploadOptions extends CallOptions {
  onProgress?: (fraction: number) => void; // 0..1 of the bytes sent
}

// A multipart upload with progress. Rejects with ApiError (status 0, "network" when the
// connection dropped: the caller may retry with the same Idempotency-Key).
export function upload<T>(path: string, form: FormData, opts: UploadOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', withQuery(path, opts.query));
    xhr.withCredentials = true;
    for (const [k, v] of Object.entries(headersFor('POST', opts, false))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && opts.onProgress) opts.onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'the connection dropped during the upload'));
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'the upload was cancelled'));
    xhr.onload = () => {
      let body: any = undefined;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as T);
      reject(
        new ApiError(xhr.status, body?.error?.code ?? `http_${xhr.status}`, body?.error?.message ?? xhr.statusText),
      );
    };
    if (opts.signal) opts.signal.addEventListener('abort', () => xhr.abort());
    xhr.send(form);
  });
}

export const api = {
  get: <T>(path: string, opts?: CallOptions) => request<T>('GET', path, undefined, opts),
  post: <T>(path: string, body?: unknown, opts?: CallOptions) => request<T>('POST', path, body ?? {}, opts),
  put: <T>(path: string, body?: unknown, opts?: CallOptions) => request<T>('PUT', path, body ?? {}, opts),
  del: <T>(path: string, opts?: CallOptions) => request<T>('DELETE', path, undefined, opts),
  upload,
};
