// Tasks of a task inventory on the workbench (issue 15.6: Jinkouhe's 119 projects, Xinshao's
// monthly responsibility breakdown): GET /api/v1/tasks gives each task with its milestones and
// its progress reports; the working days left come from the item index, where a task and each
// of its milestones are items (GET /api/v1/items, `workflow` task and task-milestone). A task's
// card shows its next deadline: the earliest open milestone, else the running period's report.
//
// A progress report (POST /api/v1/tasks/{id}/report) is sent as an item's event is (submission.ts):
// each evidence file uploaded once to the task's item, then the report with If-Match (the task's
// version as read: 412 when it moved on) and an Idempotency-Key kept across retries.
import { api } from '@/api/client';
import type { ItemSummary } from '@/api/types';
import { byDueFirst } from '@/lib/urgency';
import { DONE_STATES } from './items';
import { EvidenceSubmission } from './submission';

export interface TaskMilestone {
  id: string;
  title: string;
  state: string;
  state_title?: string; // the workflow's title of the state (Chinese, as the definitions write it)
  due: string | null;
  overdue: boolean;
  escalation_level: number;
  href?: string;
}

export interface TaskReport {
  period: string;
  percent: string;
  text: string;
  by: string;
  by_name?: string;
  at: string;
  late: boolean;
}

export interface Task {
  id: string;
  inventory: string;
  campaign: string;
  title: string;
  unit: string;
  unit_name?: string;
  responsible: string;
  responsible_name?: string;
  state: string;
  state_title?: string;
  percent: string;
  period: string; // the period whose report is due next
  report: { due: string | null; overdue: boolean };
  escalation_level: number;
  version: number;
  milestones: TaskMilestone[];
  reports: TaskReport[];
  href?: string;
}

// The deadline a task's card shows, in the shape the urgency badge reads (lib/urgency.ts).
export interface NextDeadline {
  id: string; // the milestone's item id, or the task's for its report
  kind: 'milestone' | 'report' | 'none';
  title: string; // the milestone's title, or the period of the report
  due: string | null;
  overdue: boolean;
  working_days_left?: number | null;
  working_days_overdue?: number | null;
  clock?: unknown;
  due_at?: unknown;
}

// A milestone's state in the page's language: the words of the task-milestone workflow's states
// (task.milestoneState in messages.ts), else the workflow's own title, else the state's name.
export function milestoneState(
  m: Pick<TaskMilestone, 'state' | 'state_title'>,
  t: (key: string) => string,
  te: (key: string) => boolean,
): string {
  const key = `task.milestoneState.${m.state}`;
  return te(key) ? t(key) : m.state_title || m.state;
}

export function isDone(task: Pick<Task, 'state'>): boolean {
  return DONE_STATES.has(task.state);
}

// The next deadline of a task: its earliest open milestone, else the report of the running
// period, with the working days left that the item index has for that milestone or task.
export function nextDeadline(task: Task, index: Map<string, ItemSummary>): NextDeadline {
  const open = task.milestones
    .filter((m) => m.due && !DONE_STATES.has(m.state))
    .sort((a, b) => (a.due! < b.due! ? -1 : a.due! > b.due! ? 1 : a.id < b.id ? -1 : 1));
  const pick = (id: string, kind: NextDeadline['kind'], title: string, due: string | null, overdue: boolean) => {
    const it = index.get(id);
    return {
      id,
      kind,
      title,
      due,
      overdue: it?.overdue ?? overdue,
      working_days_left: (it?.working_days_left as number | null | undefined) ?? null,
      working_days_overdue: (it?.working_days_overdue as number | null | undefined) ?? null,
      clock: it?.clock,
      due_at: it?.due_at,
    };
  };
  if (isDone(task)) return { id: task.id, kind: 'none', title: '', due: null, overdue: false };
  if (open.length) {
    const m = open[0];
    return pick(m.id, 'milestone', m.title, m.due, m.overdue);
  }
  if (task.report?.due) return pick(task.id, 'report', task.period, task.report.due, task.report.overdue);
  return { id: task.id, kind: 'none', title: '', due: null, overdue: false };
}

export interface TaskCard {
  task: Task;
  next: NextDeadline;
}

// My tasks, what is due first on top (the order of the items: lib/urgency.ts), done ones left
// out unless asked for.
export function taskCards(tasks: Task[], index: Map<string, ItemSummary>, showDone = false): TaskCard[] {
  const cards = tasks
    .filter((t) => showDone || !isDone(t))
    .map((task) => ({ task, next: nextDeadline(task, index) }));
  const key = (c: TaskCard) => ({ ...c.next, id: c.task.id, title: c.task.title, unit: c.task.unit, state: c.task.state, version: c.task.version });
  return cards.sort((a, b) => byDueFirst(key(a) as unknown as ItemSummary, key(b) as unknown as ItemSummary));
}

// The tasks a person is responsible for, with the item index of their tasks and milestones.
export async function loadMyTasks(
  person: string,
  items: (q: Record<string, string>) => Promise<{ items: ItemSummary[] }>,
): Promise<{ tasks: Task[]; index: Map<string, ItemSummary> }> {
  const [all, mine] = await Promise.all([
    api.get<{ tasks: Task[] }>('/api/v1/tasks'),
    items({ responsible: person }),
  ]);
  const index = new Map(mine.items.map((i) => [i.id, i] as [string, ItemSummary]));
  return { tasks: all.tasks.filter((t) => t.responsible === person), index };
}

// The workflows of tasks and their milestones: listed as tasks, not among the items.
export const TASK_WORKFLOWS = new Set(['task', 'task-milestone']);

export interface ReportBody {
  percent: number;
  text: string;
}

// One progress report, safe over a bad network, sent as an item's event is (submission.ts): the
// files uploaded once to the task's item, the report with If-Match and one Idempotency-Key.
export class TaskReportSubmission extends EvidenceSubmission {
  constructor(readonly taskId: string) {
    super(taskId);
  }

  // Uploads what is not uploaded yet (to the task's item), then sends the report. Throws
  // ApiError; calling it again after a failure is the retry, with the same key and version.
  send(version: number, body: ReportBody): Promise<Task> {
    return this.attempt(version, (evidence, headers) => {
      const payload: Record<string, unknown> = { percent: body.percent, text: body.text };
      if (evidence.length) payload.evidence = evidence;
      return api.post<Task>(`/api/v1/tasks/${encodeURIComponent(this.taskId)}/report`, payload, headers);
    });
  }
}

// A percent as the form takes it: a whole number from 0 to 100, else null.
export function parsePercent(v: unknown): number | null {
  const n = typeof v === 'number' ? v : Number(String(v ?? '').trim());
  if (String(v ?? '').trim() === '' || !Number.isInteger(n) || n < 0 || n > 100) return null;
  return n;
}
