// Bulletins in the headquarters' console (issue 14 over issue 15.2): an inspector of
// headquarters (xs-0004) issues the campaign's first bulletin on the first quarter's inspection
// round, sees it listed as 2017年第1期 with its scope, date and issuer (by name), opens it (the
// server's document in the page) and has its PDF to download; on a phone each bulletin is a card. A village cadre reads the list but is told
// that issuing is not theirs, with no button to press. Screenshots in both languages, desktop and
// phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, checkPage, signIn, VARIANTS } from './harness.mjs';

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

async function openBulletins(page) {
  await page.goto(server.origin + '/console/bulletins');
  await page.selectOption('#bulletins-campaign', 'xinshao-2017');
  await page.locator('.bulletin-list .page-loading').first().waitFor({ state: 'detached' });
}

test('headquarters issues a bulletin and opens it', async () => {
  const { page, done } = await openPage(browser, server, { lang: 'zh-CN' });
  await signIn(page, server, 'xs-0004');
  await openBulletins(page);
  await page.locator('.bulletin-list .page-empty').waitFor();
  await checkPage(page, 'console-bulletins-empty', { lang: 'zh-CN', phone: false });

  await page.locator('#bulletin-round option[value="q1_inspection"]').waitFor({ state: 'attached' });
  await page.selectOption('#bulletin-round', 'q1_inspection');
  await page.click('.bulletin-issue-send');
  await page.locator('.el-message--success').waitFor();
  const row = page.locator('.bulletin-row[data-key="2017-1"]');
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /2017年第1期/);
  assert.match(text, /新邵县/); // the scope
  // The issuer by name, not by id.
  assert.match(await row.locator('.bulletin-issuer').innerText(), /^邓涛华$/);
  assert.doesNotMatch(text, /xs-0004/);
  assert.match(text, /2017/);
  // Issuing opens it: the document as the server issued it, in the page.
  const opened = page.locator('.bulletin-opened .bulletin-doc');
  await opened.locator('.number').waitFor();
  assert.match(await opened.innerText(), /2017年第1期/);
  assert.match(await opened.innerText(), /第一季度督查考核/);
  const pdf = await page.locator('.bulletin-pdf-opened').getAttribute('href');
  assert.equal(pdf, '/api/v1/campaigns/xinshao-2017/bulletins/2017-1.pdf?lang=zh');
  const answer = await page.evaluate(async (href) => {
    const r = await fetch(href);
    return { status: r.status, type: r.headers.get('Content-Type'), head: new TextDecoder().decode((await r.arrayBuffer()).slice(0, 5)) };
  }, pdf);
  assert.deepEqual(answer, { status: 200, type: 'application/pdf', head: '%PDF-' });
  await done();

  // Opened again from the list, in each language and on each screen.
  for (const v of VARIANTS) {
    const o = await openPage(browser, server, v);
    await signIn(o.page, server, 'xs-0004');
    await openBulletins(o.page);
    // A card per bulletin on a phone (its number first, nothing squeezed), a table's row on a desktop.
    const line = o.page.locator(v.phone ? '.bulletin-card[data-key="2017-1"]' : '.bulletin-row[data-key="2017-1"]');
    await line.waitFor();
    assert.equal(await o.page.locator('table.bulletins').count(), v.phone ? 0 : 1);
    if (v.phone) {
      const number = await line.locator('.bulletin-number').boundingBox();
      const card = await line.boundingBox();
      assert.ok(number.y - card.y < 30 && number.x + number.width <= 390, `the number comes first, in view: ${JSON.stringify({ number, card })}`);
      assert.ok(card.x >= 0 && card.x + card.width <= 390, `the card fits the phone: ${JSON.stringify(card)}`);
      assert.equal(await o.page.evaluate(() => document.documentElement.scrollWidth), 390, 'nothing wider than the phone');
    }
    assert.match(await line.locator('.bulletin-issuer').innerText(), /邓涛华/);
    await line.locator('.bulletin-open').click();
    await o.page.locator('.bulletin-opened .bulletin-doc .number').waitFor();
    assert.match(await line.locator('.bulletin-number').innerText(), v.lang === 'en' ? /2017 No\. 1/ : /2017年第1期/);
    assert.match(await o.page.locator('.bulletin-doc').innerText(), v.lang === 'en' ? /2017 No\. 1/ : /2017年第1期/);
    await checkPage(o.page, 'console-bulletins', v);
    await o.done();
  }
});

test('a village cadre reads the bulletins but may not issue one', async () => {
  const { page, done } = await openPage(browser, server, { lang: 'en', phone: true });
  await signIn(page, server, 'xs-0014');
  await openBulletins(page);
  await page.locator('.bulletin-issue').waitFor();
  await page.locator('.bulletin-forbidden').waitFor();
  assert.match(await page.locator('.bulletin-forbidden').innerText(), /issuing role/);
  assert.equal(await page.locator('.bulletin-issue-send').count(), 0);
  await checkPage(page, 'console-bulletins-no-permission', { lang: 'en', phone: true });
  await done();
});
