// The public's report in a real browser, with no account: a villager opens the URL of a unit's
// QR code on a phone, reports a problem with a photo and no contact, gets a ticket code and a
// secret, and follows the report with them; headquarters then sees the report as an item at the
// intake unit, named after the village. A filled honeypot (as a bot fills every field) is answered
// like a report and stores nothing. Screenshots of both pages in both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, checkPage, VARIANTS, PASSWORD } from './harness.mjs';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2a8f3b80000000049454e44ae426082',
  'hex',
);

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

async function itemsAtIntake() {
  const login = await fetch(server.origin + '/api/v1/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ person: 'xs-0003', password: PASSWORD }),
  });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const r = await fetch(server.origin + '/api/v1/items?unit=xinshao-fpo', { headers: { cookie } });
  return (await r.json()).items;
}

test('a villager reports from the QR code URL and follows the ticket', async () => {
  const { page, done } = await openPage(browser, server, { lang: 'zh-CN', phone: true });
  await page.goto(server.origin + '/report?unit=niangxi-team-1');
  await page.locator('.report-unit').waitFor();
  await page.fill('#report-text', '村部门前的危房还没有拆除，下雨天很危险');
  await page.setInputFiles('.report-file-input', { name: '危房.png', mimeType: 'image/png', buffer: PNG });
  await page.click('.report-submit');
  const ticket = (await page.locator('.report-ticket').innerText()).trim();
  const secret = (await page.locator('.report-secret').innerText()).trim();
  assert.match(ticket, /^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  assert.ok(secret.length > 20);
  await checkPage(page, 'report-done', { lang: 'zh-CN', phone: true });

  // Following it right away (the code in the URL, the secret kept in this tab only).
  await page.click('.follow-link');
  await page.locator('.ticket-result').waitFor();
  assert.match(await page.locator('.ticket-status').innerText(), /已收到/);
  assert.doesNotMatch(page.url(), new RegExp(secret.slice(0, 10)));
  await done();

  // From another phone, typing both in English.
  const other = await openPage(browser, server, { lang: 'en', phone: true });
  await other.page.goto(server.origin + '/ticket');
  await other.page.fill('#ticket-code', ticket.toLowerCase());
  await other.page.fill('#ticket-secret', 'not the secret');
  await other.page.click('.ticket-submit');
  await other.page.locator('.form-error').waitFor();
  await other.page.fill('#ticket-secret', secret);
  await other.page.click('.ticket-submit');
  await other.page.locator('.ticket-result').waitFor();
  assert.match(await other.page.locator('.ticket-status').innerText(), /received/);
  await checkPage(other.page, 'ticket', { lang: 'en', phone: true });
  await other.done();

  // Headquarters sees it at the intake unit, named after the village, with the photo.
  const items = await itemsAtIntake();
  const mine = items.filter((i) => i.title.includes('村部门前的危房'));
  assert.equal(mine.length, 1);
  assert.match(mine[0].title, /^【.+】村部门前/);
});

test('a bot that fills the honeypot is answered like a person and stores nothing', async () => {
  const before = (await itemsAtIntake()).length;
  const { page, done } = await openPage(browser, server, { lang: 'zh-CN', phone: false });
  await page.goto(server.origin + '/report');
  await page.fill('#report-text', '点击领取奖品');
  // A bot fills every field it finds, the hidden one too.
  await page.evaluate(() => {
    const el = document.querySelector('#report-website');
    el.value = 'http://spam.example';
    el.dispatchEvent(new Event('input'));
  });
  await page.click('.report-submit');
  await page.locator('.report-ticket').waitFor();
  await done();
  assert.equal((await itemsAtIntake()).length, before);
});

test('the report and ticket pages in both languages, on phone and desktop', async () => {
  for (const v of VARIANTS) {
    const { page, done } = await openPage(browser, server, v);
    await page.goto(server.origin + '/report?unit=niangxi-team-1');
    await page.locator('.report-unit').waitFor();
    await checkPage(page, 'report', v);
    await page.goto(server.origin + '/ticket');
    await page.locator('.ticket-submit').waitFor();
    await checkPage(page, 'ticket-form', v);
    await done();
  }
});
