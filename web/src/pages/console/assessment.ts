// A campaign's assessment for a period in the console (GET /api/v1/assessments/{campaign}/{period}):
// the ranking as the server orders it (ties broken as the definition says), what this caller may
// do (`may`: marks, bonus, veto, publish, by the roles the assessment names), what the sheet is
// made of (`definition`: criteria, bonus maximum, the vetoes taken by hand), and the bodies of the
// writes (POST .../marks, .../bonus, .../vetoes, .../publish; evidence files uploaded first to
// .../evidence and named "sha256:<hex>").
import { api } from '@/api/client';

export interface RankingLine {
  rank: number | null; // null: not ranked (no mark entered yet in an open period)
  assessed?: boolean; // false: no mark entered yet; the line is set apart after the ranked ones
  unit: string;
  name: string;
  kind?: string;
  score: string;
  marks: string;
  bonus: string;
  deducted: string;
  overdue_items?: number;
  escalations?: number;
  criteria: Record<string, string>;
  vetoes?: string[];
  veto_reasons?: Record<string, string>;
  not_assessed?: string[];
}

export interface AssessmentDefinition {
  criteria: { id: string; title: string; weight: string; max: string }[];
  bonus_max: string;
  vetoes: { id: string; title: string; manual: boolean }[];
}

export interface Assessment {
  campaign: string;
  assessment: string;
  title: string;
  period: string;
  from: string;
  to: string;
  published: boolean;
  published_by?: string;
  published_by_name?: string;
  published_at?: string;
  missing: string[];
  ranking: RankingLine[];
  history: { event: string; unit: string; criterion?: string; value?: string; by: string; at: string; note: string; evidence?: string[] }[];
  may?: { marks: boolean; bonus: boolean; veto: boolean; publish: boolean };
  definition?: AssessmentDefinition;
}

// A period of the campaign's assessments that has begun (GET /api/v1/assessments/{campaign}).
export interface PeriodLine {
  assessment: string;
  title: string;
  kind: string;
  period: string;
  from: string;
  to: string;
  ended: boolean;
  published: boolean;
  published_by?: string;
}

export async function loadPeriods(campaign: string): Promise<PeriodLine[]> {
  return (await api.get<{ periods: PeriodLine[] }>(`/api/v1/assessments/${encodeURIComponent(campaign)}`)).periods;
}

// The period a page opens on when none is asked for: the newest that has ended and is not
// published yet (the one that needs its marks finished and publishing), else the newest begun.
export function defaultPeriod(periods: PeriodLine[]): string {
  const waiting = periods.filter((p) => p.ended && !p.published);
  const pick = waiting.length ? waiting[waiting.length - 1] : periods[periods.length - 1];
  return pick?.period ?? '';
}

// What a period is, in a word: open (marks are entered), ended (it may be published), published.
export function periodStatus(p: Pick<PeriodLine, 'ended' | 'published'>): 'open' | 'ended' | 'published' {
  return p.published ? 'published' : p.ended ? 'ended' : 'open';
}

// Whether a line is ranked: the server sets apart the units with no mark entered yet.
export function isRanked(line: Pick<RankingLine, 'assessed' | 'rank'>): boolean {
  return line.assessed !== false && line.rank !== null;
}

export function base(campaign: string, period: string): string {
  return `/api/v1/assessments/${encodeURIComponent(campaign)}/${encodeURIComponent(period)}`;
}

export function loadAssessment(campaign: string, period: string): Promise<Assessment> {
  return api.get<Assessment>(base(campaign, period));
}

// Periods as the assessment writes them: 2017-05, 2017-Q2, 2017, or a week's Monday 2017-05-08.
export function isPeriod(p: string): boolean {
  return /^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-\d{2}-\d{2})?$/.test(p.trim());
}

// Whether anyone may write anything here (else the forms are not shown at all).
export function mayWrite(a: Assessment | null): boolean {
  const m = a?.may;
  return !!m && (m.marks || m.bonus || m.veto || m.publish);
}

// A number typed in a form: finite and within [0, max], else null.
export function score(v: unknown, max: number): number | null {
  const s = String(v ?? '').trim();
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 && n <= max ? n : null;
}

export function markBody(f: { unit: string; criterion: string; mark: number; note: string; reason: string }, evidence: string[]) {
  const body: Record<string, unknown> = { unit: f.unit, criterion: f.criterion, mark: f.mark, note: f.note.trim() };
  if (f.reason.trim()) body.reason = f.reason.trim();
  if (evidence.length) body.evidence = evidence;
  return body;
}

// The evidence files of an entry, uploaded once each; answers their "sha256:<hex>".
export async function uploadEvidence(campaign: string, period: string, files: File[]): Promise<string[]> {
  if (!files.length) return [];
  const form = new FormData();
  for (const f of files) form.append('file', f, f.name);
  const r = await api.upload<{ files?: { evidence: string }[]; evidence?: { evidence: string } }>(`${base(campaign, period)}/evidence`, form);
  return (r.files ?? (r.evidence ? [r.evidence] : [])).map((f) => f.evidence);
}
