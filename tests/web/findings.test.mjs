// The finding loop in a real browser (issue 14 with issue 15.1), on the server's clock a week after
// Xinshao's first-quarter inspection round (2017-04-07..14):
// - an inspector of headquarters records two findings of the round on the console's findings page;
//   a verifier confirms one (the page then links to the item it opened and shows its state) and
//   dismisses the other with a reason; the item's page says where it was found; the unit's cadre
//   narrows the workbench to the items found on unannounced visits;
// - the public report loop: a villager reports from a village's QR URL on a phone and gets a
//   ticket; the registrar registers the report on its page; the inspector finds it among the
//   public's reports on the findings page and confirms it for the village, naming the village's
//   cadre responsible; the item opens there and the cadre sees it on their own "mine" list; the
//   villager's ticket shows the rectification's progress and due day, not a bare "in the ledger";
// - a second report that the check does not confirm is dismissed from the findings page with a
//   reason, and its reporter's ticket says so and why, in the reporter's language.
// Screenshots of the findings page and an item's origin in both languages, desktop and phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, checkPage, signIn, VARIANTS } from './harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer({ args: ['--public-report-limit', '100'] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function openFindings(page) {
  await page.goto(server.origin + '/console/findings');
  await page.selectOption('#findings-campaign', 'xinshao-2017');
  await page.locator('#findings-round option[value="q1_inspection"]').waitFor({ state: 'attached' });
  await page.locator('.findings-list .page-loading').first().waitFor({ state: 'detached' });
}

async function record(page, { unit, title, location, way, limit }) {
  await page.selectOption('#finding-unit', unit);
  await page.fill('#finding-title', title);
  await page.fill('#finding-location', location);
  await page.selectOption('#finding-found-by', way ?? ''); // the form keeps the last way chosen
  if (limit) await page.fill('#finding-time-limit', limit);
  const before = await page.locator('.finding-row').count();
  await page.click('.finding-record');
  await page.locator('.record-done').waitFor();
  await page.locator('.finding-row').nth(before).waitFor();
}

test('an inspector records findings; a verifier confirms one and dismisses one; the item says where it was found', async () => {
  const a = await openPage(browser, server, { lang: 'zh-CN' });
  await signIn(a.page, server, 'xs-0004');
  await openFindings(a.page);
  assert.match(await a.page.locator('.findings-list').innerText(), /本轮还没有记录发现的问题/);

  // A problem without a unit is refused on the page, and nothing is recorded.
  await a.page.fill('#finding-title', '没有选择单位');
  await a.page.click('.finding-record');
  assert.match(await a.page.locator('.record-failure').innerText(), /请选择单位/);
  assert.equal(await a.page.locator('.finding-row').count(), 0);

  await record(a.page, {
    unit: 'niangxi-team-1',
    title: '长塘村贫困户信息不一致',
    location: '长塘村',
    way: 'unannounced_visit',
    limit: '10wd',
  });
  await record(a.page, { unit: 'yantang-team-1', title: '严塘镇公示栏未更新', location: '严塘村' });
  const rows = a.page.locator('.finding-row');
  assert.equal(await rows.count(), 2);
  const first = await rows.nth(0).innerText();
  assert.match(first, /长塘村贫困户信息不一致/);
  assert.match(first, /暗访/);
  assert.match(first, /待确认/);
  assert.match(first, /时限 10wd/);
  assert.match(await rows.nth(1).innerText(), /督查检查/); // the round's own way
  // The inspector records; confirming is the verifier's: the engine's refusal is shown on the row.
  await rows.nth(0).locator('.finding-confirm').click();
  await rows.nth(0).locator('.finding-failure').waitFor();
  assert.equal(await rows.nth(0).getAttribute('data-state'), 'draft');
  await checkPage(a.page, 'console-findings-drafts', { lang: 'zh-CN', phone: false });
  await a.done();

  const v = await openPage(browser, server, { lang: 'en' });
  await signIn(v.page, server, 'xs-0007');
  await openFindings(v.page);
  const vrows = v.page.locator('.finding-row');
  await vrows.nth(1).waitFor();
  const confirmed = v.page.locator('.finding-row', { hasText: '长塘村贫困户信息不一致' });
  await confirmed.locator('.finding-confirm').click();
  await confirmed.locator('.finding-item').waitFor();
  assert.equal(await confirmed.getAttribute('data-state'), 'confirmed');
  const itemId = (await confirmed.locator('.finding-item').innerText()).trim();
  assert.match(itemId, /^P-xinshao-2017-q1_inspection-\d+$/);
  assert.match(await confirmed.innerText(), /Confirmed/);
  assert.ok((await confirmed.locator('.finding-item-state').innerText()).trim().length > 2);
  assert.match(await confirmed.innerText(), /due \d/);

  const dismissed = v.page.locator('.finding-row', { hasText: '严塘镇公示栏未更新' });
  await dismissed.locator('.finding-dismiss').click();
  await dismissed.locator('.dismiss-send').click(); // no reason yet
  assert.match(await dismissed.locator('.finding-failure').innerText(), /Say why/);
  await dismissed.locator('.dismiss-reason').fill('公示栏已于4月12日更新，照片为旧照');
  await dismissed.locator('.dismiss-send').click();
  await v.page.locator('.finding-row[data-state="dismissed"]').waitFor();
  assert.match(await dismissed.innerText(), /Dismissed/);
  assert.equal(await dismissed.locator('.finding-confirm').count(), 0);
  assert.equal(await dismissed.locator('.finding-failure').count(), 0);
  assert.match(await v.page.locator('.findings-unit').first().innerText(), /1 confirmed/);
  await v.page.evaluate(() => window.scrollTo(0, 0));
  await checkPage(v.page, 'console-findings-decided', { lang: 'en', phone: false });

  // The item the finding opened says where it was found.
  await confirmed.locator('.finding-item').click();
  await v.page.waitForURL((u) => u.pathname === `/items/${itemId}`);
  const origin = v.page.locator('.item-origin');
  await origin.waitFor();
  assert.match(await origin.locator('.origin-found-by').innerText(), /Unannounced visit/);
  assert.equal((await origin.locator('.origin-round').innerText()).trim(), '第一季度督查考核');
  assert.match(await origin.locator('.origin-source').innerText(), /^F-xinshao-2017-q1_inspection-\d+/);
  assert.equal((await origin.locator('.origin-recorded-by').innerText()).trim(), '邓涛华 (xs-0004)');
  assert.match(await origin.locator('.origin-found-at').innerText(), /2017/);
  await checkPage(v.page, 'item-origin', { lang: 'en', phone: false });
  // ... and the finding's own page names the item it opened.
  await origin.locator('.origin-source a').click();
  await v.page.locator('.origin-opened').waitFor();
  assert.equal((await v.page.locator('.origin-opened').innerText()).trim(), itemId);
  await v.done();

  // The village's cadre narrows the unit's items to those found on unannounced visits.
  const c = await openPage(browser, server, { lang: 'zh-CN', phone: true });
  await signIn(c.page, server, 'xs-0014');
  await c.page.goto(server.origin + '/work');
  await c.page.click('.tab-units');
  await c.page.locator(`.item-card[data-item="T-A1"]`).waitFor();
  assert.equal(await c.page.locator(`.item-card[data-item="${itemId}"]`).count(), 1);
  await c.page.selectOption('#workbench-found-by', 'unannounced_visit');
  await c.page.locator(`.item-card[data-item="T-A1"]`).waitFor({ state: 'detached' });
  await c.page.locator(`.item-card[data-item="${itemId}"]`).waitFor(); // the list loaded again
  assert.equal(await c.page.locator('.item-card').count(), 1);
  assert.match(await c.page.locator(`.item-card[data-item="${itemId}"]`).innerText(), /暗访/);
  await checkPage(c.page, 'workbench-found-by', { lang: 'zh-CN', phone: true });
  await c.page.selectOption('#workbench-found-by', 'public_report');
  await c.page.getByText('您的单位目前没有待办事项').waitFor();
  assert.equal(await c.page.locator('.item-card').count(), 0);
  await c.done();
});

test("the public's report: a villager reports, headquarters confirms, the item opens at the village, the ticket follows it", async () => {
  // The villager, on a phone, from the village's QR code.
  const p = await openPage(browser, server, { lang: 'zh-CN', phone: true });
  await p.page.goto(server.origin + '/report?unit=niangxi-team-1');
  await p.page.locator('.report-unit').waitFor();
  await p.page.fill('#report-text', '村里的扶贫资金公示栏三个月没有更新');
  await p.page.click('.report-submit');
  const ticket = (await p.page.locator('.report-ticket').innerText()).trim();
  const secret = (await p.page.locator('.report-secret').innerText()).trim();
  await p.done();

  // The registrar sees it among the public's reports and registers it on its page.
  const r = await openPage(browser, server, { lang: 'en' });
  await signIn(r.page, server, 'xs-0009');
  await r.page.goto(server.origin + '/console/findings');
  const row = r.page.locator('.report-row', { hasText: '扶贫资金公示栏' });
  await row.waitFor();
  assert.match(await row.innerText(), /registered by the registrar/);
  const reportId = await row.getAttribute('data-item');
  await row.locator('a').first().click();
  await r.page.waitForURL((u) => u.pathname === `/items/${reportId}`);
  await r.page.click('.action-register');
  await r.page.click('.send-event');
  await r.page.locator('.action-register').waitFor({ state: 'detached' });
  await r.done();

  // The inspector checks it and confirms it for the village the report names.
  const h = await openPage(browser, server, { lang: 'zh-CN' });
  await signIn(h.page, server, 'xs-0004');
  await openFindings(h.page);
  const clue = h.page.locator('.report-row', { hasText: '扶贫资金公示栏' });
  await clue.locator('.clue-start').click();
  // The unit the report names is chosen already.
  assert.equal(await h.page.locator('#clue-unit').inputValue(), 'niangxi-team-1');
  await h.page.click('.clue-confirm'); // without what the check found
  assert.match(await h.page.locator('.clue-failure').innerText(), /核查情况/);
  await h.page.fill('#clue-evidence', '4月24日实地核查：公示栏内容停留在1月份');
  // The person responsible is offered from the village's people, and must be named.
  await h.page.locator('#clue-responsible option[value="xs-0014"]').waitFor({ state: 'attached' });
  await h.page.click('.clue-confirm');
  assert.match(await h.page.locator('.clue-failure').innerText(), /责任人/);
  await h.page.evaluate(() => window.scrollTo(0, 0));
  await checkPage(h.page, 'console-findings-confirm-form', { lang: 'zh-CN', phone: false });
  await h.page.selectOption('#clue-responsible', 'xs-0014');
  await h.page.click('.clue-confirm');
  await h.page.locator('.clue-done').waitFor();
  const itemId = (await h.page.locator('.clue-item').innerText()).trim();
  assert.ok(itemId.startsWith(reportId), `${itemId} is the report's item`);
  // It leaves the reports awaiting their check once the list is read again.
  await h.page.locator('.report-row', { hasText: '扶贫资金公示栏' }).waitFor({ state: 'detached' });
  const opened = h.page.locator('.opened-row', { hasText: itemId });
  await opened.waitFor();
  assert.match(await opened.innerText(), /酿溪镇第1驻村工作队/);
  await h.page.evaluate(() => window.scrollTo(0, 0));
  await checkPage(h.page, 'console-findings-report', { lang: 'zh-CN', phone: false });
  await h.done();

  // The item is at the village and names its cadre: they see it on their own list ("mine"),
  // found by the public.
  const c = await openPage(browser, server, { lang: 'en', phone: true });
  await signIn(c.page, server, 'xs-0014');
  await c.page.goto(server.origin + '/work');
  await c.page.click('.tab-mine');
  assert.equal(await c.page.locator('.tab-mine').getAttribute('aria-pressed'), 'true');
  const card = c.page.locator(`.item-card[data-item="${itemId}"]`);
  await card.waitFor();
  assert.match(await card.innerText(), /扶贫资金公示栏/);
  assert.match(await card.innerText(), /Public's report/);
  await card.click();
  await c.page.locator('.item-origin').waitFor();
  assert.match(await c.page.locator('.origin-found-by').innerText(), /Public's report/);
  assert.equal((await c.page.locator('.origin-source').innerText()).trim(), reportId);
  await c.done();

  // The villager's ticket follows the rectification: its stage and due day, not "in the ledger".
  const t = await openPage(browser, server, { lang: 'zh-CN', phone: true });
  await t.page.goto(server.origin + '/ticket');
  await t.page.fill('#ticket-code', ticket);
  await t.page.fill('#ticket-secret', secret);
  await t.page.click('.ticket-submit');
  await t.page.locator('.ticket-result').waitFor();
  const progress = await t.page.locator('.ticket-rectification').innerText();
  assert.match(progress, /正在整改|等待交办/);
  assert.match(progress, /整改期限：2017/);
  assert.match(await t.page.locator('.ticket-status').innerText(), /正在整改|等待交办/);
  assert.match(await t.page.locator('.ticket-steps').innerText(), /立为问题|交办整改/);
  assert.doesNotMatch(await t.page.locator('.ticket-result').innerText(), /已立为问题督促整改/);
  await checkPage(t.page, 'ticket-rectification', { lang: 'zh-CN', phone: true });
  await t.done();
});

test('the findings page and an item found by inspection, in both languages on desktop and phone', async () => {
  for (const v of VARIANTS) {
    const { page, done } = await openPage(browser, server, v);
    await signIn(page, server, 'xs-0007');
    await openFindings(page);
    await page.locator('.finding-row').first().waitFor();
    await checkPage(page, 'console-findings', v);
    await page.locator('.finding-item').first().click();
    await page.locator('.item-origin').waitFor();
    await checkPage(page, 'item-origin', v);
    await done();
  }
});

test("a public report that the check does not confirm is dismissed with a reason the reporter reads", async () => {
  const p = await openPage(browser, server, { lang: 'en', phone: true });
  await p.page.goto(server.origin + '/report?unit=yantang-team-1');
  await p.page.locator('.report-unit').waitFor();
  await p.page.fill('#report-text', 'The village road repair money was never spent');
  await p.page.click('.report-submit');
  const ticket = (await p.page.locator('.report-ticket').innerText()).trim();
  const secret = (await p.page.locator('.report-secret').innerText()).trim();
  await p.done();

  const r = await openPage(browser, server, { lang: 'zh-CN' });
  await signIn(r.page, server, 'xs-0009');
  await r.page.goto(server.origin + '/console/findings');
  const row = r.page.locator('.report-row', { hasText: 'road repair money' });
  await row.waitFor();
  const reportId = await row.getAttribute('data-item');
  await row.locator('a').first().click();
  await r.page.waitForURL((u) => u.pathname === `/items/${reportId}`);
  await r.page.click('.action-register');
  await r.page.click('.send-event');
  await r.page.locator('.action-register').waitFor({ state: 'detached' });
  await r.done();

  // The inspector dismisses it: a reason is required, and the page says the reporter reads it.
  const h = await openPage(browser, server, { lang: 'en' });
  await signIn(h.page, server, 'xs-0004');
  await h.page.goto(server.origin + '/console/findings');
  const clue = h.page.locator('.report-row', { hasText: 'road repair money' });
  await clue.locator('.report-dismiss').click();
  assert.match(await h.page.locator('#report-reason-hint').innerText(), /reporter reads this reason/);
  await h.page.click('.report-dismiss-send');
  assert.match(await h.page.locator('.report-failure').innerText(), /Say why/);
  await h.page.evaluate(() => window.scrollTo(0, 0));
  await checkPage(h.page, 'console-findings-dismiss-report', { lang: 'en', phone: false });
  await h.page.fill('#report-reason', '经实地核查，该村道路维修资金已于3月拨付并完工，有验收记录。');
  await h.page.click('.report-dismiss-send');
  await h.page.locator('.report-dismissed').waitFor();
  await h.page.locator('.report-row', { hasText: 'road repair money' }).waitFor({ state: 'detached' });
  await h.done();

  // The reporter's ticket, in each language: dismissed, and why.
  for (const lang of ['en', 'zh-CN']) {
    const t = await openPage(browser, server, { lang, phone: true });
    await t.page.goto(server.origin + '/ticket');
    await t.page.fill('#ticket-code', ticket);
    await t.page.fill('#ticket-secret', secret);
    await t.page.click('.ticket-submit');
    await t.page.locator('.ticket-dismissed').waitFor();
    const text = await t.page.locator('.ticket-dismissed').innerText();
    assert.match(text, lang === 'en' ? /could not be confirmed; it was dismissed on/ : /未能查实，已于.*了结/);
    assert.match(text, /道路维修资金已于3月拨付并完工/);
    assert.equal(await t.page.locator('.ticket-rectification').count(), 0);
    await checkPage(t.page, 'ticket-dismissed', { lang, phone: true });
    await t.done();
  }
});
