// The headquarters' console (web/src/pages/console/) in Chromium against a real `rectify serve`
// (with --public-url, so the posters can be drawn): in both languages on a desktop and a phone
// (screenshots, axe); the campaign's four phases on its year, the posters' downloads, and a
// workflow read as its states and transitions for an administrator, refused to headquarters'
// officer who is not one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, checkPage, signIn, VARIANTS } from './harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer({ args: ['--public-url', 'https://rectify.xinshao.gov.cn'] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const v of VARIANTS) {
  test(`the console as an administrator (${v.lang}, ${v.phone ? 'phone' : 'desktop'})`, async () => {
    const { page, done } = await openPage(browser, server, v);
    await signIn(page, server, 'xs-0003');
    await page.goto(server.origin + '/console');
    await page.waitForSelector('.console-phase');
    assert.equal(await page.locator('.console-campaign').first().locator('.console-phase').count(), 4);
    await page.waitForSelector('.console-graph .node');
    const nodes = await page.locator('.console-graph > .node > strong').allInnerTexts();
    assert.deepEqual(nodes, ['registered', 'rectifying', 'verifying', 'closed']);
    await checkPage(page, 'console', v);
    await done();
  });
}

test("a poster downloads as the unit's PNG and PDF", async () => {
  const { page, context, done } = await openPage(browser, server, { lang: 'zh-CN' });
  await signIn(page, server, 'xs-0004');
  await page.goto(server.origin + '/console');
  await page.waitForSelector('#console-poster-unit option', { state: 'attached' });
  await page.selectOption('#console-poster-unit', 'niangxi');
  for (const [format, type] of [['png', 'image/png'], ['pdf', 'application/pdf']]) {
    const href = await page.locator('.console-poster', { hasText: format.toUpperCase() }).getAttribute('href');
    assert.equal(href, `/api/v1/units/niangxi/poster.${format}`);
    const r = await context.request.get(server.origin + href);
    assert.equal(r.status(), 200);
    assert.equal(r.headers()['content-type'], type);
  }
  // The definitions are for administrators: the section says so, the rest of the page works.
  await page.waitForSelector('.page-forbidden');
  await done();
});
