// My tasks on the workbench (tasks.ts): the next deadline of a task, the order of the cards, the
// percent the form takes, and a progress report's If-Match and Idempotency-Key across a retry.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ItemSummary } from '@/api/types';
import { milestoneState, nextDeadline, parsePercent, taskCards, TaskReportSubmission, type Task } from './tasks';

function task(id: string, over: Partial<Task> = {}): Task {
  return {
    id,
    inventory: 'xinshao-tasks',
    campaign: '',
    title: `任务 ${id}`,
    unit: 'niangxi',
    responsible: 'xs-0012',
    state: 'reporting',
    percent: '',
    period: '2017-05',
    report: { due: '2017-05-31', overdue: false },
    escalation_level: 0,
    version: 1,
    milestones: [],
    reports: [],
    ...over,
  };
}
function summary(id: string, over: Partial<ItemSummary>): ItemSummary {
  return { id, title: id, unit: 'niangxi', state: 'open', version: 1, ...over };
}

describe('nextDeadline', () => {
  it('is the earliest open milestone, with the working days the item index has for it', () => {
    const t = task('XS-1', {
      milestones: [
        { id: 'XS-1-late', title: '验收', state: 'open', due: '2017-07-31', overdue: false, escalation_level: 0 },
        { id: 'XS-1-done', title: '完成', state: 'open', due: '2017-06-30', overdue: false, escalation_level: 0 },
        { id: 'XS-1-old', title: '启动', state: 'done', due: '2017-05-01', overdue: false, escalation_level: 0 },
      ],
    });
    const index = new Map([['XS-1-done', summary('XS-1-done', { due: '2017-06-30', working_days_left: 12 })]]);
    const next = nextDeadline(t, index);
    expect(next).toMatchObject({ id: 'XS-1-done', kind: 'milestone', title: '完成', due: '2017-06-30', working_days_left: 12 });
  });

  it("is the running period's report when no milestone is open, and nothing for a task that is done", () => {
    const index = new Map([['XS-2', summary('XS-2', { due: '2017-05-31', overdue: true, working_days_overdue: 3 })]]);
    expect(nextDeadline(task('XS-2'), index)).toMatchObject({ kind: 'report', title: '2017-05', overdue: true, working_days_overdue: 3 });
    expect(nextDeadline(task('XS-3', { state: 'done' }), index)).toMatchObject({ kind: 'none', due: null });
  });
});

describe('taskCards', () => {
  it('orders what is due first on top, overdue before urgent, and leaves out done tasks unless asked', () => {
    const tasks = [task('A'), task('B'), task('C'), task('D', { state: 'done' })];
    const index = new Map([
      ['A', summary('A', { due: '2017-06-30', working_days_left: 20 })],
      ['B', summary('B', { due: '2017-05-26', working_days_left: 1 })],
      ['C', summary('C', { due: '2017-05-20', overdue: true, working_days_overdue: 2 })],
    ]);
    expect(taskCards(tasks, index).map((c) => c.task.id)).toEqual(['C', 'B', 'A']);
    expect(taskCards(tasks, index, true).map((c) => c.task.id)).toEqual(['C', 'B', 'A', 'D']);
  });
});

describe('parsePercent', () => {
  it('takes whole numbers from 0 to 100 only', () => {
    expect(parsePercent(40)).toBe(40);
    expect(parsePercent('100')).toBe(100);
    expect(parsePercent(0)).toBe(0);
    for (const bad of [-1, 101, 40.5, '', undefined, 'forty']) expect(parsePercent(bad)).toBeNull();
  });
});

describe('TaskReportSubmission', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends If-Match with the version read and one Idempotency-Key across a retry', async () => {
    const sent: { url: string; headers: Record<string, string>; body: string }[] = [];
    let fail = true;
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      sent.push({ url, headers: init.headers as Record<string, string>, body: String(init.body) });
      if (fail) {
        fail = false;
        throw new TypeError('Failed to fetch');
      }
      return new Response(JSON.stringify(task('XS-1', { version: 2 })), { status: 200, headers: { 'Content-Type': 'application/json' } });
    });
    const s = new TaskReportSubmission('XS-1');
    await expect(s.send(1, { percent: 40, text: '入户核查 120 户' })).rejects.toMatchObject({ code: 'network' });
    // The retry, after the page read the task again at another version: still the first decision.
    const after = await s.send(5, { percent: 40, text: '入户核查 120 户' });
    expect(after.version).toBe(2);
    expect(sent.map((x) => x.url)).toEqual(['/api/v1/tasks/XS-1/report', '/api/v1/tasks/XS-1/report']);
    expect(sent[0].headers['If-Match']).toBe('"1"');
    expect(sent[1].headers['If-Match']).toBe('"1"');
    expect(sent[0].headers['Idempotency-Key']).toMatch(/^[0-9a-f]{32}$/);
    expect(sent[1].headers['Idempotency-Key']).toBe(sent[0].headers['Idempotency-Key']);
    expect(JSON.parse(sent[0].body)).toEqual({ percent: 40, text: '入户核查 120 户' });
  });

  it('starts a new submission after forget (a 412: the person decides again)', async () => {
    const keys: string[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      const h = init.headers as Record<string, string>;
      keys.push(`${h['If-Match']} ${h['Idempotency-Key']}`);
      return new Response(JSON.stringify({ error: { code: 'precondition_failed', message: 'changed' } }), {
        status: 412,
        headers: { 'Content-Type': 'application/json' },
      });
    });
    const s = new TaskReportSubmission('XS-1');
    await expect(s.send(1, { percent: 10, text: 'x' })).rejects.toMatchObject({ status: 412 });
    s.forget();
    await expect(s.send(2, { percent: 10, text: 'x' })).rejects.toMatchObject({ status: 412 });
    expect(keys[0].startsWith('"1" ')).toBe(true);
    expect(keys[1].startsWith('"2" ')).toBe(true);
    expect(keys[0].split(' ')[1]).not.toBe(keys[1].split(' ')[1]);
  });
});

describe('milestoneState', () => {
  const words: Record<string, string> = { 'task.milestoneState.open': '未完成' };
  const t = (k: string) => words[k];
  const te = (k: string) => k in words;
  it("is the page's word for the state, else the workflow's title, else the state's name", () => {
    expect(milestoneState({ state: 'open', state_title: 'ignored' }, t, te)).toBe('未完成');
    expect(milestoneState({ state: 'checked', state_title: '已核验' }, t, te)).toBe('已核验');
    expect(milestoneState({ state: 'checked' }, t, te)).toBe('checked');
  });
});
