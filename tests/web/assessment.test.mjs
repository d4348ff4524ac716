// The assessment in the headquarters' console (issue 14 over issue 15.5): for Xinshao's April,
// an inspector (xs-0004) enters marks with an inspection paper as evidence, and the ranking
// changes as the server ranks it; a bonus and the one-vote veto with its reason are entered and
// shown on the ranking. A township head reads the ranking of his township only and gets no form.
// Screenshots in both languages, desktop and phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, checkPage, signIn, VARIANTS } from './harness.mjs';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2a8f3b80000000049454e44ae426082',
  'hex',
);

let server;
let browser;
before(async () => {
  server = await startServer();
  server.rectify(['campaign', 'start', 'xinshao-2017', '--at', '2017-04-21']);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function openApril(page) {
  await page.goto(server.origin + '/console/assessment?campaign=xinshao-2017&period=2017-04');
  await page.locator('.ranking-row').first().waitFor();
}
const rankOf = async (page, unit) => Number(await page.locator(`.ranking-row[data-unit="${unit}"]`).getAttribute('data-rank'));

async function enterMark(page, unit, criterion, mark, files = []) {
  await page.selectOption('#mark-unit', unit);
  await page.selectOption('#mark-criterion', criterion);
  await page.fill('#mark-value', String(mark));
  await page.fill('#mark-note', '抽查');
  if (files.length) await page.setInputFiles('.mark-files', files);
  await page.click('.mark-send');
  await page.locator('.el-message--success').last().waitFor();
  await page.locator(`.ranking-row[data-unit="${unit}"] .ranking-criterion-${criterion}`).getByText(new RegExp(`^${mark}`)).waitFor();
}

test('an inspector enters marks and the ranking changes; a bonus and a veto show on it', async () => {
  const { page, done } = await openPage(browser, server, { lang: 'zh-CN' });
  await signIn(page, server, 'xs-0004');
  await openApril(page);
  await page.locator('.assess-marks').waitFor();

  // A mark out of range is refused on the page.
  await page.selectOption('#mark-unit', 'niangxi');
  await page.selectOption('#mark-criterion', 'fund_use');
  await page.fill('#mark-value', '120');
  await page.click('.mark-send');
  assert.match(await page.locator('.mark-failure').innerText(), /0 到 100/);

  await enterMark(page, 'yantang', 'fund_use', 60);
  await enterMark(page, 'niangxi', 'fund_use', 50, [{ name: '抽查表.png', mimeType: 'image/png', buffer: PNG }]);
  const before = [await rankOf(page, 'yantang'), await rankOf(page, 'niangxi')];
  assert.ok(before[0] < before[1], `yantang (60) is above niangxi (50): ${before}`);
  // niangxi's policy mark lifts it above yantang.
  await enterMark(page, 'niangxi', 'policy_implementation', 90);
  const after = [await rankOf(page, 'yantang'), await rankOf(page, 'niangxi')];
  assert.ok(after[1] < after[0], `niangxi is now above yantang: ${after}`);

  // The evidence is kept with the entry.
  const sheet = await page.evaluate(async () => (await fetch('/api/v1/assessments/xinshao-2017/2017-04')).json());
  const entry = sheet.history.find((h) => h.unit === 'niangxi' && h.criterion === 'fund_use');
  assert.ok(entry?.evidence?.length === 1, JSON.stringify(entry));

  await page.selectOption('#bonus-unit', 'yantang');
  await page.fill('#bonus-points', '2');
  await page.fill('#bonus-note', '产业扶贫经验在全市推介');
  await page.click('.bonus-send');
  await page.locator('.el-message--success').last().waitFor();

  await page.selectOption('#veto-unit', 'niangxi');
  await page.selectOption('#veto-criterion', 'false_withdrawal');
  await page.click('.veto-send'); // no reason
  assert.match(await page.locator('.veto-failure').innerText(), /写明理由/);
  await page.fill('#veto-reason', '虚报脱贫户3户');
  await page.click('.veto-send');
  const vetoed = page.locator('.ranking-row[data-unit="niangxi"] .ranking-vetoes');
  await vetoed.getByText(/虚报脱贫户3户/).waitFor();
  // A vetoed unit is ranked after every unit that passed.
  assert.ok((await rankOf(page, 'niangxi')) > (await rankOf(page, 'yantang')));
  // Publishing is the leader's, not the inspector's.
  assert.equal(await page.locator('.publish-send').count(), 0);
  await done();

  for (const v of VARIANTS) {
    const o = await openPage(browser, server, v);
    await signIn(o.page, server, 'xs-0004');
    await openApril(o.page);
    await o.page.locator('.assess-marks').waitFor();
    await checkPage(o.page, 'console-assessment', v);
    await o.done();
  }
});

test('a township head reads his line of the ranking and gets no form', async () => {
  const { page, done } = await openPage(browser, server, { lang: 'en', phone: true });
  await signIn(page, server, 'xs-0012');
  await openApril(page);
  const units = await page.locator('.ranking-row').evaluateAll((l) => l.map((e) => e.getAttribute('data-unit')));
  assert.deepEqual(units, ['niangxi']);
  await page.locator('.assess-readonly').waitFor();
  assert.equal(await page.locator('.mark-send, .bonus-send, .veto-send, .publish-send').count(), 0);
  await checkPage(page, 'console-assessment-read-only', { lang: 'en', phone: true });
  await done();
});
