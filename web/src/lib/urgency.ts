// How urgent an item is, from what the API says of its deadline: the colour of its badge and
// border on the workbench, and the order of the list (what is due first comes first).
//
//   overdue  past its deadline                         red
//   urgent   2 working days or fewer left              amber
//   soon     5 working days or fewer left              yellow
//   ok       more than 5 working days left             green
//   none     no running deadline (none, or paused)     grey
import type { ItemSummary } from '@/api/types';

export type Urgency = 'overdue' | 'urgent' | 'soon' | 'ok' | 'none';

export const URGENT_DAYS = 2;
export const SOON_DAYS = 5;

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function urgencyOf(item: Pick<ItemSummary, 'due' | 'overdue'> & Record<string, unknown>): Urgency {
  if (!item.due) return 'none';
  if (item.overdue) return 'overdue';
  if (item.clock === 'paused') return 'none';
  const left = num(item.working_days_left);
  if (left === null) return 'none';
  if (left <= URGENT_DAYS) return 'urgent';
  if (left <= SOON_DAYS) return 'soon';
  return 'ok';
}

// Working days from now to the deadline: negative when overdue (by the working days overdue),
// null without a deadline.
export function workingDaysLeft(item: Record<string, unknown>): number | null {
  if (!item.due) return null;
  if (item.overdue) {
    const over = num(item.working_days_overdue);
    return over === null ? 0 : -over;
  }
  return num(item.working_days_left);
}

const RANK: Record<Urgency, number> = { overdue: 0, urgent: 1, soon: 2, ok: 3, none: 4 };

// What is due first comes first: the most overdue, then the fewest working days left, then the
// earliest due date; items without a deadline last; ties by id, so the order is stable.
export function byDueFirst<T extends ItemSummary>(a: T, b: T): number {
  const ua = urgencyOf(a);
  const ub = urgencyOf(b);
  if (ua === 'none' || ub === 'none') {
    if (ua !== ub) return RANK[ua] - RANK[ub];
  }
  const da = workingDaysLeft(a);
  const db = workingDaysLeft(b);
  if (da !== null && db !== null && da !== db) return da - db;
  const ta = String(a.due_at ?? a.due ?? '');
  const tb = String(b.due_at ?? b.due ?? '');
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
