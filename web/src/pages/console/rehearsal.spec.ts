// The rehearsal's weeks as a chart and a table (rehearsal.ts).
import { describe, expect, it } from 'vitest';
import { busyWeeks, weeksChart, type RehearsalWeek } from './rehearsal';

const week = (w: string, r = 0, e = 0, c = 0, reg = 0): RehearsalWeek => ({
  week: w,
  reminders: r,
  escalations: e,
  closings: c,
  registered: reg,
  notifications: r + e,
});

describe('weeksChart', () => {
  it('has a bar series per count, one value per week, in order', () => {
    const weeks = [week('2017-03-06', 2, 1, 0), week('2017-03-13', 0, 0, 3)];
    const o = weeksChart(weeks, (s) => s.toUpperCase(), (m) => m.slice(5));
    expect(o.xAxis.data).toEqual(['03-06', '03-13']);
    expect(o.legend.data).toEqual(['REMINDERS', 'ESCALATIONS', 'CLOSINGS']);
    expect(o.series.map((s) => s.data)).toEqual([
      [2, 0],
      [1, 0],
      [0, 3],
    ]);
    expect(o.series.every((s) => s.type === 'bar')).toBe(true);
  });
});

describe('busyWeeks', () => {
  it('keeps the weeks where something happened', () => {
    const weeks = [week('2017-03-06'), week('2017-03-13', 0, 0, 0, 4), week('2017-03-20', 1)];
    expect(busyWeeks(weeks).map((w) => w.week)).toEqual(['2017-03-13', '2017-03-20']);
  });
});
