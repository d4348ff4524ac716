// The leaders' board's drill-down from the heat map (web/src/pages/board/), in Chromium against a
// real `rectify serve` whose clock stands at 2017-06-15, when the harness's three items (due at
// the end of 2017-05-15) have been escalated: a county leader clicks a cell of the heat map
// (escalation levels by unit) and gets the township, clicks its village's cell and gets the
// village's items with their escalation level, and opens the item to read its letters' steps.
// The clicks are real mouse clicks on the chart's canvas, at the cell's place as ECharts lays it
// out (its own convertToPixel, through the chart's module the page loaded).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, checkPage, signIn } from './harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer({ from: '2017-06-15T10:00:00+08:00' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

// Clicks the heat map's cell of `unit` (a row) and escalation level `level` (a column).
async function clickHeatCell(page, rowName, level) {
  const heat = page.locator('.board-chart').nth(1);
  await heat.locator('canvas').waitFor();
  const at = await page.evaluate(
    async ({ rowName, level }) => {
      const url = performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .find((n) => /\/assets\/echarts-setup[^/]*\.js$/.test(n));
      const echarts = await import(url);
      const el = document.querySelectorAll('.board-chart')[1];
      const chart = echarts.getInstanceByDom(el);
      const o = chart.getOption();
      const y = o.yAxis[0].data.findIndex((n) => n.startsWith(rowName));
      const x = o.xAxis[0].data.findIndex((n) => n.includes(String(level)));
      if (x < 0 || y < 0) return { missing: `${rowName}/${level} in ${o.yAxis[0].data} x ${o.xAxis[0].data}` };
      const cell = o.series[0].data.find((c) => c[0] === x && c[1] === y);
      const [px, py] = chart.convertToPixel({ seriesIndex: 0 }, [x, y]);
      return { px, py, n: cell ? cell[2] : 0 };
    },
    { rowName, level },
  );
  assert.ok(!at.missing, at.missing);
  const box = await heat.boundingBox();
  await page.mouse.click(box.x + at.px, box.y + at.py);
  return at.n;
}

test('a leader drills from the heat map to a village and on to its items and their letters', async () => {
  const { page, done } = await openPage(browser, server, { lang: 'en' });
  await signIn(page, server, 'xs-0002');
  await page.goto(server.origin + '/board');
  await page.waitForSelector('.total-overdue');
  await page.waitForFunction(() => document.querySelectorAll('.board-chart canvas').length === 3);
  // The county: Niangxi township has items escalated to level 1 or more.
  const inTownship = await clickHeatCell(page, '酿溪镇', 1);
  assert.ok(inTownship > 0, 'Niangxi has items at level 1');
  await page.waitForURL((u) => u.searchParams.get('unit') === 'niangxi');
  await page.waitForFunction(() => document.querySelectorAll('.board-chart canvas').length === 3);
  // The township: its village team's cell opens the team's items.
  const inVillage = await clickHeatCell(page, '酿溪镇第1驻村工作队', 1);
  assert.ok(inVillage > 0, 'the village has items at level 1');
  await page.waitForURL((u) => u.searchParams.get('items') === 'niangxi-team-1');
  await page.waitForSelector('.board-items tbody tr');
  const rows = await page.locator('.board-items tbody tr').allInnerTexts();
  assert.ok(rows.some((r) => r.startsWith('T-A1')), rows.join('\n'));
  const level = Number((await page.locator('.board-items tbody tr', { hasText: 'T-A1' }).locator('td').nth(3).innerText()).trim());
  assert.ok(level >= 1, `T-A1 is at level ${level}`);
  await checkPage(page, 'board-drill', { lang: 'en' });
  // The item: its history holds the escalation steps that sent its letters.
  await page.click('.board-items a >> text=T-A1');
  await page.waitForURL(/\/items\/T-A1$/);
  await page.waitForSelector('.item-history');
  const history = await page.locator('.item-history').innerText();
  assert.match(history, /escalat/i);
  await done();
});
