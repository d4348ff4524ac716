// One submission of an event on an item, safe over a bad network (issue 14: "retry after a
// dropped connection without a second submission"):
//   - each file is uploaded once (POST /api/v1/items/{id}/evidence, with progress); a file that
//     was uploaded is not sent again on a retry;
//   - the event (POST /api/v1/items/{id}/events/{event}) carries If-Match with the item's version
//     as it was when the person decided, and an Idempotency-Key made once for this submission:
//     a retry after the connection dropped gets the first answer back and changes nothing twice,
//     and a submission on an item that moved on meanwhile gets 412, not a blind overwrite.
import { reactive } from 'vue';
import { api, newIdempotencyKey } from '@/api/client';

export interface PendingFile {
  file: File;
  status: 'waiting' | 'uploading' | 'done' | 'failed';
  progress: number; // 0..100
  sha256?: string;
}

export interface EventBody {
  reason?: string;
  fields?: Record<string, string>;
}

// What a submission with evidence files keeps across its retries: the files (each uploaded once
// to the item's evidence), the Idempotency-Key made at the first try and the version the person
// decided on. An item's event (Submission) and a task's progress report (tasks.ts) are sent so.
export class EvidenceSubmission {
  readonly files: PendingFile[] = reactive([]);
  private key = '';
  private version: string | number | null = null;

  constructor(readonly itemId: string) {}

  add(files: Iterable<File>): void {
    for (const f of files) this.files.push({ file: f, status: 'waiting', progress: 0 });
  }

  remove(index: number): void {
    if (this.files[index]?.status !== 'uploading') this.files.splice(index, 1);
  }

  get started(): boolean {
    return this.key !== '';
  }

  // After a 412 the person decides again on the item as it is now: a new submission.
  forget(): void {
    this.key = '';
    this.version = null;
  }

  // One try: uploads what is not uploaded yet, then `post` with the key and the version of the
  // first try and the files' "sha256:<hex>". Throws ApiError; calling it again is the retry.
  protected async attempt<T>(
    version: string | number,
    post: (evidence: string[], headers: { ifMatch: string | number; idempotencyKey: string }) => Promise<T>,
  ): Promise<T> {
    if (!this.key) {
      this.key = newIdempotencyKey();
      this.version = version;
    }
    const base = `/api/v1/items/${encodeURIComponent(this.itemId)}`;
    for (const p of this.files) {
      if (p.status === 'done') continue;
      p.status = 'uploading';
      p.progress = 0;
      const form = new FormData();
      form.append('file', p.file, p.file.name);
      try {
        const r = await api.upload<{ files: { sha256: string }[] }>(`${base}/evidence`, form, {
          onProgress: (f) => (p.progress = Math.round(f * 100)),
        });
        p.sha256 = r.files[0].sha256;
        p.status = 'done';
        p.progress = 100;
      } catch (e) {
        p.status = 'failed';
        throw e;
      }
    }
    const evidence = this.files.map((p) => `sha256:${p.sha256}`);
    const done = await post(evidence, { ifMatch: this.version ?? version, idempotencyKey: this.key });
    this.forget();
    return done;
  }
}

// An event on an item (POST /api/v1/items/{id}/events/{event}).
export class Submission extends EvidenceSubmission {
  constructor(
    itemId: string,
    readonly event: string,
  ) {
    super(itemId);
  }

  // Uploads what is not uploaded yet, then sends the event. Throws ApiError; calling it again
  // after a failure is the retry.
  send<T>(version: string | number, body: EventBody): Promise<T> {
    return this.attempt(version, (evidence, headers) => {
      const payload: Record<string, unknown> = {};
      if (body.reason) payload.reason = body.reason;
      if (body.fields && Object.keys(body.fields).length) payload.fields = body.fields;
      if (evidence.length) payload.evidence = evidence;
      return api.post<T>(`/api/v1/items/${encodeURIComponent(this.itemId)}/events/${encodeURIComponent(this.event)}`, payload, headers);
    });
  }
}

// The size of a file as a person reads it: 812 B, 24 KB, 1.5 MB.
export function fileSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
