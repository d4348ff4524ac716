// Tasks on the cadre's workbench (issue 14 over issue 15.6): Xinshao's monthly responsibility
// breakdown is imported; 徐文波 (xs-0012, head of 酿溪镇) finds his two tasks beside his items,
// the one whose milestone falls first on top, with its working days left; on a phone he reports
// May's progress with a photo and sees it in the task's history. A report made meanwhile by
// someone else (the command line) makes the page's report a 412, which the page explains in its
// own words, showing the task as it now is. A cadre of another township cannot open the task.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, openPage, checkPage, signIn, VARIANTS, ROOT } from './harness.mjs';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2a8f3b80000000049454e44ae426082',
  'hex',
);

let server;
let browser;
before(async () => {
  server = await startServer({ from: '2017-05-10T10:00:00+08:00' });
  server.rectify([
    'task', 'import', join(ROOT, 'workflows/ledgers/xinshao-tasks-sample.csv'), '--kind', 'xinshao-tasks',
    '--as', 'xs-0009', '--at', '2017-05-02T09:00:00+08:00',
  ]);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('my tasks on the workbench and a task page in both languages, on phone and desktop', async () => {
  for (const v of VARIANTS) {
    const { page, done } = await openPage(browser, server, v);
    await signIn(page, server, 'xs-0012');
    const cards = page.locator('.task-card');
    await cards.first().waitFor();
    // His two tasks (of 12), the one whose milestone is due first (05-26) before the other (07-31).
    assert.deepEqual(await cards.evaluateAll((l) => l.map((e) => e.getAttribute('data-task'))), [
      'XS-ZR-2017-05-02',
      'XS-ZR-2017-05-11',
    ]);
    const first = cards.first();
    assert.match(await first.innerText(), /“回头看”入户核查/);
    const badge = first.locator('.urgency-badge');
    assert.match(await badge.innerText(), v.lang === 'en' ? /\d+ working days left/ : /剩 \d+ 个工作日/);
    assert.notEqual(await badge.getAttribute('data-urgency'), 'none');
    // The tasks are not listed again among the items.
    assert.equal(await page.locator('.item-card[data-item^="XS-ZR"]').count(), 0);
    await checkPage(page, 'workbench-tasks', v);
    await first.click();
    await page.waitForURL(/\/tasks\/XS-ZR-2017-05-02$/);
    await page.locator('.task-report-form').waitFor();
    assert.match(await page.locator('.task-milestones').innerText(), v.lang === 'en' ? /2017/ : /2017/);
    assert.equal(await page.inputValue('#task-period'), '2017-05');
    // Names, not ids: the township and its head, as the item page shows them; the milestone's
    // state in the page's language, not the workflow's "open".
    assert.equal((await page.locator('.task-unit').innerText()).trim(), '酿溪镇');
    assert.equal((await page.locator('.task-responsible').innerText()).trim(), '徐文波');
    const milestoneState = (await page.locator('.milestone .milestone-state').first().innerText()).replace(/[·\s]/g, '');
    assert.equal(milestoneState, v.lang === 'en' ? 'notreachedyet' : '未完成');
    assert.doesNotMatch(await page.locator('.task-milestones').innerText(), /\bopen\b/);
    await checkPage(page, 'task', v);
    await done();
  }
});

test("a township head reports May's progress with a photo on a phone and sees it in the task's history", async () => {
  const { page, done } = await openPage(browser, server, { lang: 'zh-CN', phone: true });
  await signIn(page, server, 'xs-0012');
  await page.goto(server.origin + '/tasks/XS-ZR-2017-05-02');
  await page.locator('.task-report-form').waitFor();
  assert.match(await page.locator('.task-reports').innerText(), /还没有报送过进展/);

  // Nothing is sent without the text.
  await page.fill('#task-percent', '40');
  await page.click('.send-report');
  await page.locator('.task-report-form .form-error').getByText('请写明进展情况。').waitFor();

  await page.fill('#task-text', '已入户核查 120 户，发现信息不一致 3 户');
  await page.setInputFiles('.task-report-form .file-input', { name: '入户核查.png', mimeType: 'image/png', buffer: PNG });
  await page.click('.send-report');
  await page.locator('.el-message--success').waitFor();
  const row = page.locator('.task-report[data-period="2017-05"]');
  await row.waitFor();
  assert.match(await row.innerText(), /40%/);
  assert.match(await row.innerText(), /已入户核查 120 户/);
  // Who reported, by name.
  assert.match(await row.locator('.report-by').innerText(), /^徐文波 · /);
  // The next report is June's.
  assert.match(await page.locator('.task-next-report').innerText(), /2017-06/);
  await checkPage(page, 'task-reported', { lang: 'zh-CN', phone: true });

  const task = await page.evaluate(async () => (await fetch('/api/v1/tasks/XS-ZR-2017-05-02')).json());
  assert.equal(task.reports.length, 1);
  assert.equal(task.reports[0].percent, '40');
  assert.equal(task.reports[0].by, 'xs-0012');
  const item = await page.evaluate(async () => (await fetch('/api/v1/items/XS-ZR-2017-05-02')).json());
  assert.equal(item.files.length, 1, 'the photo is kept with the task');
  await done();
});

test('a report that crossed another is refused with 412 and the page says so in its words', async () => {
  const { page, done } = await openPage(browser, server, { lang: 'en', phone: true });
  await signIn(page, server, 'xs-0012');
  await page.goto(server.origin + '/tasks/XS-ZR-2017-05-11');
  await page.locator('.task-report-form').waitFor();
  // Meanwhile May's report is made from the command line.
  server.rectify([
    'task', 'report', 'XS-ZR-2017-05-11', '--percent', '20', '--text', '已摸底危房 35 户',
    '--as', 'xs-0012', '--at', '2017-05-10T10:05:00+08:00',
  ]);
  await page.fill('#task-percent', '25');
  await page.fill('#task-text', 'Surveyed 35 houses');
  await page.click('.send-report');
  const error = page.locator('.task-page .form-error');
  await error.waitFor();
  assert.match(await error.innerText(), /Someone updated this task while you were writing/);
  // The page shows the task as it is now: the other report, and nothing of ours.
  await page.locator('.task-report[data-period="2017-05"]').waitFor();
  assert.match(await page.locator('.task-reports').innerText(), /已摸底危房 35 户/);
  assert.doesNotMatch(await page.locator('.task-reports').innerText(), /Surveyed 35 houses/);
  await checkPage(page, 'task-conflict', { lang: 'en', phone: true, allowError: true });
  const task = await page.evaluate(async () => (await fetch('/api/v1/tasks/XS-ZR-2017-05-11')).json());
  assert.equal(task.reports.length, 1);
  await done();
});

test("a cadre of another township cannot open the task", async () => {
  const { page, done } = await openPage(browser, server, { lang: 'en', phone: true });
  await signIn(page, server, 'xs-0025');
  await page.locator('.workbench').waitFor();
  await page.locator('.task-list, .workbench .page-empty').first().waitFor();
  assert.equal(await page.locator('.task-card').count(), 0);
  await page.goto(server.origin + '/tasks/XS-ZR-2017-05-02');
  await page.locator('.page-notfound').waitFor();
  assert.match(await page.locator('#main').innerText(), /outside your units/);
  assert.equal(await page.locator('.task-report-form').count(), 0);
  await done();
});
