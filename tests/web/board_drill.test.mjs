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

// Clicks the heat map's cell of the unit `rowName` (a row) at its highest escalation level with
// items (a column); answers that level's label and its count.
async function clickHeatCell(page, rowName) {
  const heat = page.locator('.board-chart').nth(1);
  await heat.locator('canvas').waitFor();
  const at = await page.evaluate(async (rowName) => {
    const url = performance
      .getEntriesByType('resource')
      .map((e) => e.name)
      .find((n) => /\/assets\/echarts-setup[^/]*\.js$/.test(n));
    const echarts = await import(url);
    const chart = echarts.getInstanceByDom(document.querySelectorAll('.board-chart')[1]);
    const o = chart.getOption();
    const y = o.yAxis[0].data.findIndex((n) => n.startsWith(rowName));
    const cells = o.series[0].data.filter((c) => c[1] === y && c[0] > 0 && c[2] > 0);
    if (y < 0 || !cells.length) return { missing: `${rowName} in ${o.yAxis[0].data} x ${o.xAxis[0].data}` };
    const [x, , n] = cells[cells.length - 1];
    const [px, py] = chart.convertToPixel({ seriesIndex: 0 }, [x, y]);
    return { px, py, n, level: o.xAxis[0].data[x] };
  }, rowName);
  assert.ok(!at.missing, at.missing);
  const box = await heat.boundingBox();
  await page.mouse.click(box.x + at.px, box.y + at.py);
  return at;
}

// The three charts drawn (locators: the CSP forbids the string evaluation of waitForFunction's
// polling), and a moment for a redraw after a drill to settle.
async function chartsDrawn(page) {
  await page.locator('.board-chart canvas').nth(2).waitFor();
  await page.waitForTimeout(700);
}

test('a leader drills from the heat map to a village and on to its items and their letters', async () => {
  const { page, done } = await openPage(browser, server, { lang: 'en' });
  await signIn(page, server, 'xs-0002');
  await page.goto(server.origin + '/board');
  await page.waitForSelector('.total-overdue');
  await chartsDrawn(page);
  // The county: Niangxi township's escalated items, at their level.
  const inTownship = await clickHeatCell(page, '酿溪镇');
  assert.ok(inTownship.n > 0);
  await page.waitForURL((u) => u.searchParams.get('unit') === 'niangxi');
  await chartsDrawn(page);
  // The township: its village team's cell opens the team's items.
  const inVillage = await clickHeatCell(page, '酿溪镇第1驻村工作队');
  assert.equal(inVillage.level, inTownship.level);
  await page.waitForURL((u) => u.searchParams.get('items') === 'niangxi-team-1');
  await page.waitForSelector('.board-items tbody tr');
  const rows = await page.locator('.board-items tbody tr').allInnerTexts();
  assert.ok(rows.some((r) => r.startsWith('T-A1')), rows.join('\n'));
  const level = Number((await page.locator('.board-items tbody tr', { hasText: 'T-A1' }).locator('td').nth(3).innerText()).trim());
  // The item's level is the heat map's column that led here.
  assert.equal(`Level ${level}`, inVillage.level);
  await checkPage(page, 'board-drill', { lang: 'en' });
  // The item: its history holds the escalation steps that sent its letters.
  await page.click('.board-items a >> text=T-A1');
  await page.waitForURL(/\/items\/T-A1$/);
  await page.waitForSelector('.item-history');
  const history = await page.locator('.item-history').innerText();
  assert.match(history, /escalat/i);
  await done();
});
