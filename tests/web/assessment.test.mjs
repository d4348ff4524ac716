// The assessment in the headquarters' console (issue 14 over issue 15.5): for Xinshao's April,
// an inspector (xs-0004) enters marks with an inspection paper as evidence, and the ranking
// changes as the server ranks it, the townships not marked yet set apart; a bonus and the
// one-vote veto with its reason are entered and shown on the ranking. A township head reads the
// ranking of his township only and gets no form. After April (a second server, its clock on May
// 3), the page opens on April, every mark is in, and the county leader publishes the ranking.
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
  // The 13 townships with no mark yet are not ranked above them with a provisional 100.0: they
  // come after, without a rank or a score, marked as not yet assessed.
  const rows = await page.locator('.ranking-row').evaluateAll((l) =>
    l.map((e) => ({ unit: e.getAttribute('data-unit'), rank: e.getAttribute('data-rank'), apart: e.classList.contains('ranking-unassessed'), text: e.innerText })),
  );
  assert.deepEqual(rows.slice(0, 2).map((r) => [r.unit, r.rank, r.apart]), [['niangxi', '1', false], ['yantang', '2', false]]);
  assert.equal(rows.length, 15);
  for (const r of rows.slice(2)) {
    assert.ok(r.apart && r.rank === null, `${r.unit} is set apart: ${JSON.stringify(r)}`);
    assert.match(r.text, /未完成评分/);
    assert.doesNotMatch(r.text, /100\.0/);
  }
  assert.match(await page.locator('.assess-unassessed-hint').innerText(), /13 个单位尚未录入任何评分/);
  // The periods begun are offered to choose from; April is open.
  const periods = await page.locator('#assess-period option').evaluateAll((l) => l.map((o) => [o.value, o.textContent.trim()]));
  assert.deepEqual(periods.map((p) => p[0]), ['2017-01', '2017-02', '2017-03', '2017-04']);
  assert.match(periods[3][1], /进行中/);
  assert.match(periods[2][1], /已结束，待发布/);
  assert.equal(await page.inputValue('#assess-period'), '2017-04');

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

test('after the period the page opens on it, and the county leader publishes the ranking', async () => {
  const may = await startServer({ from: '2017-05-03T10:00:00+08:00' });
  try {
    may.rectify(['campaign', 'start', 'xinshao-2017', '--at', '2017-04-21']);
    const inspector = await openPage(browser, may, { lang: 'zh-CN' });
    await signIn(inspector.page, may, 'xs-0004');
    // No period in the address: the newest that ended and is not published, April.
    await inspector.page.goto(may.origin + '/console/assessment?campaign=xinshao-2017');
    await inspector.page.locator('.ranking-row').first().waitFor();
    assert.equal(await inspector.page.inputValue('#assess-period'), '2017-04');
    // Nobody is marked yet: the provisional ranking from deductions stands (no unit is set apart),
    // and the marks still missing are listed under it.
    assert.equal(await inspector.page.locator('.ranking-row').count(), 15);
    assert.equal(await inspector.page.locator('.ranking-unassessed').count(), 0);
    assert.equal(await inspector.page.locator('.assess-missing').count(), 1);
    // Every township marked on every criterion through the API, as the page's own requests go.
    const entered = await inspector.page.evaluate(async () => {
      const { csrf_token: csrf } = await (await fetch('/api/v1/session')).json();
      const base = '/api/v1/assessments/xinshao-2017/2017-04';
      const sheet = await (await fetch(base)).json();
      let n = 0;
      for (const line of sheet.ranking) {
        for (const c of sheet.definition.criteria) {
          const r = await fetch(`${base}/marks`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf, 'Idempotency-Key': crypto.randomUUID().replace(/-/g, '') },
            body: JSON.stringify({ unit: line.unit, criterion: c.id, mark: line.unit === 'niangxi' ? 90 : 80, note: '月度督查' }),
          });
          if (r.status !== 201) throw new Error(`${line.unit} ${c.id}: ${r.status} ${await r.text()}`);
          n++;
        }
      }
      return n;
    });
    assert.equal(entered, 90);
    await inspector.done();

    const { page, done } = await openPage(browser, may, { lang: 'zh-CN' });
    await signIn(page, may, 'xs-0002');
    await page.goto(may.origin + '/console/assessment?campaign=xinshao-2017&period=2017-04');
    await page.locator('.ranking-row').first().waitFor();
    assert.equal(await page.locator('.ranking-unassessed').count(), 0);
    assert.equal(await page.locator('.assess-missing').count(), 0);
    await page.click('.publish-send');
    await page.locator('.el-message--success').waitFor();
    await page.locator('.assess-status').getByText(/已由 胡明敏 于 .* 发布/).waitFor();
    // Published: the ranking stands (酿溪镇 first with 90), the forms are gone, the period says so.
    assert.equal(await page.locator('.ranking-row').first().getAttribute('data-unit'), 'niangxi');
    assert.equal(await page.locator('.ranking-row').first().getAttribute('data-rank'), '1');
    assert.equal(await page.locator('.publish-send, .mark-send').count(), 0);
    await page.locator('#assess-period option[value="2017-04"]').getByText(/已发布/).waitFor({ state: 'attached' });
    await checkPage(page, 'console-assessment-published', { lang: 'zh-CN', phone: false });
    const periods = await page.evaluate(async () => (await fetch('/api/v1/assessments/xinshao-2017')).json());
    assert.deepEqual(
      periods.periods.filter((p) => p.published).map((p) => [p.period, p.published_by]),
      [['2017-04', 'xs-0002']],
    );
    await done();
  } finally {
    await may.stop();
  }
});
