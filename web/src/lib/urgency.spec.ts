// The workbench's urgency colours, working days left and order (urgency.ts).
import { describe, expect, it } from 'vitest';
import { byDueFirst, urgencyOf, workingDaysLeft } from './urgency';
import type { ItemSummary } from '@/api/types';

const item = (id: string, extra: Record<string, unknown>): ItemSummary =>
  ({ id, title: id, unit: 'u', state: 's', version: 1, ...extra }) as ItemSummary;

describe('urgencyOf', () => {
  it('is none without a deadline or with a paused clock', () => {
    expect(urgencyOf(item('a', { due: null, overdue: false }))).toBe('none');
    expect(urgencyOf(item('a', { due: '2017-05-12', overdue: false, clock: 'paused', working_days_left: 1 }))).toBe('none');
  });
  it('is overdue past the deadline, whatever else', () => {
    expect(urgencyOf(item('a', { due: '2017-05-12', overdue: true, working_days_overdue: 3 }))).toBe('overdue');
  });
  it('goes urgent at 2 working days, soon at 5, ok above', () => {
    const at = (n: number) => urgencyOf(item('a', { due: '2017-05-12', overdue: false, working_days_left: n }));
    expect(at(0)).toBe('urgent');
    expect(at(2)).toBe('urgent');
    expect(at(3)).toBe('soon');
    expect(at(5)).toBe('soon');
    expect(at(6)).toBe('ok');
    expect(at(15)).toBe('ok');
  });
});

describe('workingDaysLeft', () => {
  it('is negative by the working days overdue', () => {
    expect(workingDaysLeft(item('a', { due: '2017-05-12', overdue: true, working_days_overdue: 4 }))).toBe(-4);
    expect(workingDaysLeft(item('a', { due: '2017-05-12', overdue: false, working_days_left: 7 }))).toBe(7);
    expect(workingDaysLeft(item('a', { due: null }))).toBeNull();
  });
});

describe('byDueFirst', () => {
  it('puts the most overdue first, then the fewest days left, and no deadline last', () => {
    const list = [
      item('none', { due: null }),
      item('ok', { due: '2017-05-20', overdue: false, working_days_left: 12 }),
      item('late1', { due: '2017-05-01', overdue: true, working_days_overdue: 1 }),
      item('urgent', { due: '2017-05-10', overdue: false, working_days_left: 1 }),
      item('late5', { due: '2017-04-25', overdue: true, working_days_overdue: 5 }),
    ];
    expect(list.sort(byDueFirst).map((i) => i.id)).toEqual(['late5', 'late1', 'urgent', 'ok', 'none']);
  });
  it('breaks ties by due date, then id', () => {
    const list = [
      item('b', { due: '2017-05-12', overdue: false, working_days_left: 3 }),
      item('a', { due: '2017-05-12', overdue: false, working_days_left: 3 }),
      item('c', { due: '2017-05-11', overdue: false, working_days_left: 3 }),
    ];
    expect(list.sort(byDueFirst).map((i) => i.id)).toEqual(['c', 'a', 'b']);
  });
});
