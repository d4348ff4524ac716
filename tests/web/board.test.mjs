// The leaders' board (web/src/pages/board/) in Chromium against a real `rectify serve`: the page
// in both languages on a desktop and a phone (screenshots, axe), the figures the API counts, a
// verifier's acceptance lowering the overdue count live through the event stream, and a
// drill-down from the county to a village and on to its items.
//
// The fixture is the harness's three items (registered 2017-04-21 with 15 working days, due at
// the end of 2017-05-15); the board is opened as of 2017-05-19 10:00 (?as_of=), when all three
// are overdue, so nothing depends on the server's clock running.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, checkPage, signIn, VARIANTS } from './harness.mjs';

const AS_OF = '2017-05-19T10:00:00+08:00';
const BOARD = `/board?as_of=${encodeURIComponent(AS_OF)}`;

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function openBoard(page, path = BOARD) {
  await page.goto(server.origin + path);
  await page.waitForSelector('.total-overdue');
  // ECharts (a chunk of its own) has drawn the three charts.
  await page.waitForFunction(() => document.querySelectorAll('.board-chart canvas').length === 3);
}

// Sends an event on an item as `person`, through the API with a token (what another person's
// browser would do).
async function act(person, item, event, body) {
  const token = server.rectify(['token', 'create', person, '--scope', 'write']).split('\n')[0];
  const h = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const now = await fetch(`${server.origin}/api/v1/items/${item}`, { headers: h });
  assert.equal(now.status, 200);
  const r = await fetch(`${server.origin}/api/v1/items/${item}/events/${event}`, {
    method: 'POST',
    headers: { ...h, 'If-Match': now.headers.get('etag') },
    body: JSON.stringify(body),
  });
  assert.equal(r.status, 200, await r.text());
}

for (const v of VARIANTS) {
  test(`the board as the county leader (${v.lang}, ${v.phone ? 'phone' : 'desktop'})`, async () => {
    const { page, done } = await openPage(browser, server, v);
    await signIn(page, server, 'xs-0002');
    await openBoard(page);
    assert.equal(await page.locator('.total-items').innerText(), '3');
    assert.equal(await page.locator('.total-overdue').innerText(), '3');
    assert.equal(await page.locator('.total-closed').innerText(), '0');
    const rows = await page.locator('.board-drill').allInnerTexts();
    assert.ok(rows.some((r) => r.includes('酿溪镇')), rows.join(', '));
    await checkPage(page, 'board', v);
    await done();
  });
}

test('a verifier accepts an item and the overdue count drops live', async () => {
  const { page, done } = await openPage(browser, server, { lang: 'zh-CN' });
  await signIn(page, server, 'xs-0002');
  await openBoard(page);
  assert.equal(await page.locator('.total-overdue').innerText(), '3');
  await page.waitForSelector('.board-live.on');
  await act('xs-0014', 'T-A1', 'submit', { evidence: ['整改照片.jpg'] });
  await act('xs-0007', 'T-A1', 'accept', {});
  // No reload: the stream's events bring the new figures.
  // (Polled from here: a page-side predicate would be evaluated as a string, which the CSP forbids.)
  const deadline = Date.now() + 10000;
  while ((await page.locator('.total-overdue').innerText()) !== '2') {
    assert.ok(Date.now() < deadline, 'the overdue count did not drop within 10 s');
    await page.waitForTimeout(100);
  }
  assert.equal(await page.locator('.total-closed').innerText(), '1');
  await done();
});

test('a leader drills down from the county to a village and its items', async () => {
  const { page, done } = await openPage(browser, server, { lang: 'en' });
  await signIn(page, server, 'xs-0002');
  await openBoard(page);
  await page.click('.board-drill[data-unit="yantang"]');
  await page.waitForURL((u) => u.searchParams.get('unit') === 'yantang');
  await page.waitForSelector('.board-drill[data-unit="yantang-team-1"]');
  assert.equal(await page.locator('.total-items').innerText(), '1');
  await page.click('.board-drill[data-unit="yantang-team-1"]');
  await page.waitForSelector('.board-items a');
  const items = await page.locator('.board-items a').allInnerTexts();
  assert.deepEqual(items.map((t) => t.split(' ')[0]), ['T-B1']);
  // And back up to the county.
  await page.click('.board-up');
  await page.waitForSelector('.board-drill[data-unit="niangxi"]');
  await done();
});

test("a village cadre's board is their village, and another township is refused", async () => {
  const { page, done } = await openPage(browser, server, { lang: 'zh-CN' });
  await signIn(page, server, 'xs-0014');
  await openBoard(page);
  assert.equal(await page.locator('.total-items').innerText(), '1');
  await page.goto(server.origin + BOARD + '&unit=yantang');
  await page.waitForSelector('.page-forbidden');
  await done();
});
