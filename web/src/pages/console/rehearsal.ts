// What a rehearsal (POST /api/v1/rehearsals) answers, and its weeks as an ECharts option: the
// reminders, escalations and closings of each week as bars on one axis of weeks.
export interface RehearsalWeek {
  week: string; // the week's Monday
  reminders: number;
  escalations: number;
  closings: number;
  registered: number;
  notifications: number;
}
export interface RehearsalTotals extends Omit<RehearsalWeek, 'week'> {
  events: number;
  timers_fired: number;
  scripted_actions: number;
  refused_actions: number;
  errors: number;
}
export interface Rehearsal {
  campaign: { name: string; version: number; title: string; uploaded: boolean };
  from: string;
  until: string;
  seed: number;
  ledger: { file: string; rows: number } | null;
  weeks: RehearsalWeek[];
  totals: RehearsalTotals;
  seconds: number;
}

export const SERIES = ['reminders', 'escalations', 'closings'] as const;
const COLOURS: Record<(typeof SERIES)[number], string> = {
  reminders: '#409eff',
  escalations: '#d03050',
  closings: '#2e7d32',
};

// The chart of the weeks; `label` names a series in the page's language, `week` a week's label.
export function weeksChart(weeks: RehearsalWeek[], label: (s: string) => string, week: (monday: string) => string) {
  return {
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    legend: { data: SERIES.map(label) },
    grid: { left: 8, right: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: weeks.map((w) => week(w.week)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: SERIES.map((s) => ({
      name: label(s),
      type: 'bar',
      stack: s === 'closings' ? 'closed' : 'sent',
      data: weeks.map((w) => w[s]),
      itemStyle: { color: COLOURS[s] },
    })),
  };
}

// The weeks in which something happened, for the table under the chart.
export function busyWeeks(weeks: RehearsalWeek[]): RehearsalWeek[] {
  return weeks.filter((w) => SERIES.some((s) => w[s] > 0) || w.registered > 0);
}
