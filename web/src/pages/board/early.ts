// The board's first request started when the route is entered (routes.ts, beforeEnter), before
// the page's own chunk is fetched and mounted: the figures (seconds of counting on a large county)
// are being counted while the browser loads the page's code and ECharts, instead of after.
// The page takes the answer once, for the same filters; any later load asks again.
import { api } from '@/api/client';

export type BoardQuery = { campaign: string; unit: string; as_of: string };

let early: { key: string; answer: Promise<unknown> } | null = null;

export function startBoard(q: BoardQuery): void {
  const answer = api.get<unknown>('/api/v1/board', { query: q });
  answer.catch(() => undefined); // the page asks again and shows the error itself
  early = { key: JSON.stringify(q), answer };
}

// The early answer for `q`, once; null when none was started for these filters.
export function takeBoard<T>(q: BoardQuery): Promise<T> | null {
  const e = early;
  early = null;
  return e && e.key === JSON.stringify(q) ? (e.answer as Promise<T>) : null;
}

export function queryOf(query: Record<string, unknown>): BoardQuery {
  const s = (k: string) => (typeof query[k] === 'string' ? (query[k] as string) : '');
  return { campaign: s('campaign'), unit: s('unit'), as_of: s('as_of') };
}
