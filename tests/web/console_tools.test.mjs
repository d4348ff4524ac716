// The headquarters' console's tools (web/src/pages/console/) in Chromium against a real
// `rectify serve`: rehearsing a campaign with the sample ledger (the weeks as a chart, the totals
// as `rectify simulate` counts them) and with an edited file that has an error; the ledger import
// refused for a bad row, then the fixed file checked, imported and shown; a definition read as a
// diagram, edited, its error marked at its line, then registered; a dead letter retried; and the
// tools refused to an officer who is not an administrator. Screenshots in both languages on a
// desktop and a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, openPage, checkPage, signIn, VARIANTS, ROOT } from './harness.mjs';

const SAMPLE = join(ROOT, 'workflows/ledgers/xinshao-2017-sample.csv');
const files = mkdtempSync(join(tmpdir(), 'rectify-console-'));
const file = (name, text) => {
  const path = join(files, name);
  writeFileSync(path, text);
  return path;
};

let server;
let browser;
before(async () => {
  // Four weeks after the harness's items were registered: their reminders are in the outbox.
  server = await startServer({ from: '2017-05-19T10:00:00+08:00' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const tag = (v) => `${v.lang}, ${v.phone ? 'phone' : 'desktop'}`;

for (const v of VARIANTS) {
  test(`a rehearsal of Xinshao 2017 with the sample ledger (${tag(v)})`, async () => {
    const { page, done } = await openPage(browser, server, v);
    await signIn(page, server, 'xs-0003');
    await page.goto(server.origin + '/console/rehearse');
    await page.waitForSelector('#rehearse-campaign option', { state: 'attached' });
    await page.selectOption('#rehearse-campaign', 'xinshao-2017');
    await page.setInputFiles('#rehearse-ledger', SAMPLE);
    await page.fill('#rehearse-until', '2017-06-30');
    await page.click('.rehearse-run');
    await page.waitForSelector('.rehearse-result', { timeout: 120000 });
    // The chart is drawn (a canvas), the weeks are listed, and the figures are those of a run.
    await page.waitForSelector('.console-chart canvas');
    // A hover shows the week's figures (drawn on the canvas: no inline style for the CSP to refuse).
    await page.hover('.console-chart canvas');
    const total = async (k) => Number(await page.locator(`.total-${k} strong`).innerText());
    // The ledger's 96 problems, and the items the campaign's checkpoints opened.
    assert.ok((await total('registeredN')) >= 96);
    assert.ok((await total('reminders')) > 0);
    assert.ok((await total('escalations')) > 0);
    assert.ok((await total('closings')) > 0);
    assert.ok((await page.locator('.rehearse-weeks tbody tr').count()) > 5);
    await checkPage(page, 'console-rehearse', v);
    await done();
  });
}

test('a rehearsal of an edited campaign file with an error names the line and runs nothing', async () => {
  const { page, done } = await openPage(browser, server, { lang: 'en' });
  await signIn(page, server, 'xs-0003');
  await page.goto(server.origin + '/console/rehearse');
  await page.waitForSelector('#rehearse-campaign option', { state: 'attached' });
  const edited = readFileSync(join(ROOT, 'workflows/campaigns/xinshao-2017.yaml'), 'utf8')
    .replace('version: 2', 'version: 3')
    .replace('to: 2017-03-31', 'to: 2017-13-31');
  await page.check('input[value="file"]');
  await page.setInputFiles('#rehearse-definition', file('xinshao-2017.yaml', edited));
  await page.click('.rehearse-run');
  await page.waitForSelector('.rehearse-failure li');
  assert.match(await page.locator('.rehearse-failure li').first().innerText(), /upload\.yaml line \d+, column \d+/);
  assert.equal(await page.locator('.rehearse-result').count(), 0);
  await checkPage(page, 'console-rehearse-error', { lang: 'en' });
  await done();
});

const HEADER = 'id,title,unit,responsible,registered_at,time_limit\n';
const GOOD = HEADER + 'L-1,酿溪镇档案不全,niangxi,xs-0012,2017-04-21,15wd\nL-2,长塘村饮水工程未完工,niangxi-team-1,xs-0014,2017-04-21,10wd\n';
const BAD = GOOD.replace('10wd', '10 days');

for (const v of VARIANTS) {
  test(`the ledger import refuses a bad row before anything is imported (${tag(v)})`, async () => {
    const { page, context, done } = await openPage(browser, server, v);
    await signIn(page, server, 'xs-0003');
    await page.goto(server.origin + '/console/ledger');
    await page.setInputFiles('#ledger-file', file('ledger-bad.csv', BAD));
    await page.click('.ledger-check');
    await page.waitForSelector('.ledger-verdict');
    // Every row is shown; the bad one with its problem at its cell, and no import offered.
    assert.equal(await page.locator('.ledger-rows tbody tr').count(), 2);
    assert.equal(await page.locator('.ledger-rows tbody tr.ledger-bad').count(), 1);
    assert.equal(await page.locator('.ledger-bad-cell').count(), 1);
    assert.match(await page.locator('.ledger-problem').innerText(), /time_limit/);
    assert.equal(await page.locator('.ledger-import').count(), 0);
    assert.equal((await context.request.get(server.origin + '/api/v1/items/L-1')).status(), 404);
    await checkPage(page, 'console-ledger', v);
    await done();
  });
}

test('headquarters fixes the ledger, checks it, imports it and sees what was imported', async () => {
  const { page, context, done } = await openPage(browser, server, { lang: 'zh-CN' });
  await signIn(page, server, 'xs-0003');
  await page.goto(server.origin + '/console/ledger');
  await page.setInputFiles('#ledger-file', file('ledger-bad.csv', BAD));
  await page.click('.ledger-check');
  await page.waitForSelector('.ledger-bad');
  await page.setInputFiles('#ledger-file', file('ledger.csv', GOOD));
  await page.click('.ledger-check');
  await page.waitForSelector('.ledger-import');
  assert.equal(await page.locator('.ledger-rows tbody tr.ledger-bad').count(), 0);
  await page.click('.ledger-import');
  await page.waitForSelector('.ledger-imported');
  assert.deepEqual(await page.locator('.ledger-imported a').allInnerTexts(), ['L-1', 'L-2']);
  for (const id of ['L-1', 'L-2']) {
    assert.equal((await context.request.get(server.origin + '/api/v1/items/' + id)).status(), 200);
  }
  await checkPage(page, 'console-ledger-imported', { lang: 'zh-CN' });
  await page.click('.ledger-imported a >> text=L-2');
  await page.waitForURL(/\/items\/L-2$/);
  await done();
});

for (const v of VARIANTS) {
  test(`a definition read as a diagram, its error marked at its line, then registered (${tag(v)})`, async () => {
    const { page, done } = await openPage(browser, server, v);
    await signIn(page, server, 'xs-0003');
    await page.goto(server.origin + '/console/definitions');
    await page.waitForSelector('.definitions-list tbody tr');
    const row = page.locator('.definitions-list tbody tr', { hasText: 'rectification-item' }).filter({ hasText: 'workflow' });
    await row.locator('.definition-open').click();
    await page.waitForSelector('.definitions-graph .node');
    const source = await page.inputValue('#definition-text');
    assert.match(source, /kind: workflow/);
    // A transition to a state that does not exist: the error is at its line.
    const lines = source.split('\n');
    const at = lines.findIndex((l) => /\bsubmit: \{ to: verifying/.test(l));
    assert.ok(at > 0, 'the workflow has its submit transition');
    lines[at] = lines[at].replace('to: verifying', 'to: nowhere');
    await page.fill('#definition-text', lines.join('\n'));
    await page.click('.definition-validate');
    await page.waitForSelector('.definition-diagnostics li');
    assert.equal(await page.locator('.definition-line.mark-error').first().innerText(), String(at + 1));
    assert.ok(await page.locator('.definition-register').isDisabled());
    await checkPage(page, `console-definitions`, v);
    await done();
  });
}

test('an edited definition validated and registered says when it takes effect', async () => {
  const { page, context, done } = await openPage(browser, server, { lang: 'en' });
  await signIn(page, server, 'xs-0003');
  await page.goto(server.origin + '/console/definitions');
  const row = page.locator('.definitions-list tbody tr', { hasText: 'rectification-item' }).filter({ hasText: 'workflow' });
  await row.locator('.definition-open').click();
  await page.waitForSelector('.definitions-graph .node');
  const source = await page.inputValue('#definition-text');
  const version = Number(/^version: (\d+)/m.exec(source)[1]);
  await page.fill('#definition-text', source.replace(/^version: \d+/m, `version: ${version + 1}`).replace(/^title: (.*)$/m, 'title: $1 (v' + (version + 1) + ')'));
  await page.click('.definition-validate');
  await page.waitForSelector('.definition-verdict.console-ok-text');
  await page.click('.definition-register');
  await page.waitForSelector('.definition-verdict >> text=next start');
  const list = await (await context.request.get(server.origin + '/api/v1/definitions?kind=workflow')).json();
  const wf = list.definitions.find((d) => d.name === 'rectification-item');
  assert.ok(wf.versions.some((x) => x.version === version + 1));
  assert.equal(wf.in_use, version); // in force at the next start only
  await checkPage(page, 'console-definitions-registered', { lang: 'en' });
  await done();
});

test('a dead letter is retried from the console', async () => {
  const { page, context, done } = await openPage(browser, server, { lang: 'zh-CN' });
  await signIn(page, server, 'xs-0003');
  await page.goto(server.origin + '/console/dead-letters');
  await page.waitForSelector('.page-empty');
  await checkPage(page, 'console-dead-letters-empty', { lang: 'zh-CN' });
  // A dispatcher whose channels route only e-mail: the letters to phones go dead.
  let years = '';
  for (let y = 2016; y <= 2040; y++) years += `${years ? ', ' : ''}${y}: {}`;
  const channels = file(
    'channels.yaml',
    'kind: calendar\nname: round-the-clock\ntimezone: Asia/Shanghai\nworkweek: [mon, tue, wed, thu, fri, sat, sun]\n' +
      `working_hours: "00:00-24:00"\nyears: { ${years} }\n---\n` +
      'kind: channels\nname: web-test\ncalendar: round-the-clock\nchannels:\n  log: { kind: log }\nroutes: { email: log }\n',
  );
  for (let i = 0; i < 100 && !/T-A1/.test(server.rectify(['outbox', 'list'])); i++) await page.waitForTimeout(200);
  server.rectify(['dispatch', '--once', '--channels', channels]);
  await page.reload();
  await page.waitForSelector('.dead-letters tbody tr');
  const first = page.locator('.dead-letters tbody tr').first();
  const id = await first.getAttribute('data-id');
  await checkPage(page, 'console-dead-letters', { lang: 'zh-CN' });
  await first.locator('.dead-retry').click();
  await first.locator('.dead-retried').waitFor();
  const pending = await (await context.request.get(server.origin + '/api/v1/deliveries?state=pending')).json();
  assert.ok(pending.deliveries.some((d) => String(d.id) === id), 'the letter is pending again');
  await done();
});

for (const v of [VARIANTS[0], VARIANTS[3]]) {
  test(`the console's tools are refused to an officer who is not an administrator (${tag(v)})`, async () => {
    const { page, done } = await openPage(browser, server, v);
    await signIn(page, server, 'xs-0004');
    for (const path of ['/console/rehearse', '/console/definitions']) {
      await page.goto(server.origin + path);
      await page.waitForSelector('.page-forbidden');
    }
    await checkPage(page, 'console-definitions-refused', v);
    await done();
  });
}
