// The cadre's workbench and an item's page in a real browser. A village cadre on a phone sees
// their item with its working days left and the reminders they got, submits a rectification
// with a photo — the connection drops after the server took it, and the retry does not submit
// twice — and the verifier accepts it, after which it leaves the cadre's list. A cadre of another
// township who opens the item's URL is refused. Screenshots of both pages in both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, checkPage, signIn, VARIANTS } from './harness.mjs';

// A tiny valid PNG (the server checks a file's type by its bytes).
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2a8f3b80000000049454e44ae426082',
  'hex',
);

let server;
let browser;
before(async () => {
  // Three weeks after registration: 4 working days left, the 5-day reminders sent.
  server = await startServer({ from: '2017-05-09T10:00:00+08:00' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the workbench and an item page in both languages, on phone and desktop', async () => {
  for (const v of VARIANTS) {
    const { page, done } = await openPage(browser, server, v);
    await signIn(page, server, 'xs-0014');
    assert.equal(new URL(page.url()).pathname, '/work');
    const card = page.locator('.item-card[data-item="T-A1"]');
    await card.waitFor();
    // Working days left on the official calendar, coloured by urgency.
    const badge = card.locator('.urgency-badge');
    assert.match(await badge.innerText(), v.lang === 'en' ? /\d+ working days left/ : /剩 \d+ 个工作日/);
    assert.equal(await badge.getAttribute('data-urgency'), 'soon');
    await page.locator('.note-list .note').first().waitFor();
    await checkPage(page, 'workbench', v);
    await card.click();
    await page.waitForURL(/\/items\/T-A1$/);
    await page.locator('.action-submit').waitFor();
    await checkPage(page, 'item', v);
    await done();
  }
});

test('a cadre on a phone submits evidence, the retry after a dropped connection is not a second submission, and the verifier accepts it', async () => {
  const cadre = await openPage(browser, server, { lang: 'zh-CN', phone: true });
  const { page } = cadre;
  await signIn(page, server, 'xs-0014');
  await page.locator('.item-card[data-item="T-A1"]').click();
  await page.locator('.action-submit').click();
  await page.setInputFiles('.evidence-picker .file-input', { name: '整改后.png', mimeType: 'image/png', buffer: PNG });
  await page.fill('#event-reason', '危房已拆除，档案已补齐');

  // The first send reaches the server, but its answer never reaches the phone.
  let sends = 0;
  await page.route('**/api/v1/items/T-A1/events/submit', async (route) => {
    sends++;
    if (sends === 1) {
      await route.fetch();
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  await page.click('.send-event');
  await page.locator('.action-panel .form-error').waitFor();
  assert.match(await page.locator('.action-panel .form-error').innerText(), /网络/);
  assert.equal(await page.locator('.pending-file').getAttribute('data-status'), 'done');
  assert.match(await page.locator('.send-event').innerText(), /重试/);
  await checkPage(page, 'item-retry', { lang: 'zh-CN', phone: true, allowError: true });
  await page.click('.send-event');
  await page.locator('.el-message--success').waitFor();
  assert.equal(sends, 2);
  await page.locator('.item-state').getByText('验收中').waitFor();

  // One submission in the item's history, with the photo.
  const detail = await page.evaluate(async () => (await fetch('/api/v1/items/T-A1')).json());
  assert.equal(detail.state, 'verifying');
  assert.equal(detail.history.filter((h) => h.event === 'submit').length, 1);
  assert.equal(detail.files.length, 1);
  await cadre.done();

  // The verifier accepts; the item leaves the cadre's list.
  const verifier = await openPage(browser, server, { lang: 'zh-CN', phone: false });
  await signIn(verifier.page, server, 'xs-0007');
  await verifier.page.goto(server.origin + '/items/T-A1');
  await verifier.page.locator('.item-files img.thumb').waitFor();
  await verifier.page.locator('.action-accept').click();
  await verifier.page.click('.send-event');
  await verifier.page.locator('.item-state').getByText('已销号').waitFor();
  await verifier.done();

  const again = await openPage(browser, server, { lang: 'zh-CN', phone: true });
  await signIn(again.page, server, 'xs-0014');
  await again.page.locator('.workbench .page-empty').first().waitFor();
  assert.equal(await again.page.locator('.item-card[data-item="T-A1"]').count(), 0);
  await again.page.locator('.show-done').click();
  await again.page.locator('.item-card[data-item="T-A1"]').waitFor();
  await again.done();
});

test('a township head asks for an extension with its reason', async () => {
  const { page, done } = await openPage(browser, server, { lang: 'en', phone: true });
  await signIn(page, server, 'xs-0012');
  await page.goto(server.origin + '/items/T-A2');
  const dueBefore = (await page.evaluate(async () => (await fetch('/api/v1/items/T-A2')).json())).due;
  await page.locator('.action-extend').click();
  // The reason is required: said on the page, nothing sent.
  await page.click('.send-event');
  await page.locator('.action-panel .form-error').getByText('Give a reason.').waitFor();
  await page.fill('#event-reason', 'The funds arrive from the county next week');
  await page.click('.send-event');
  await page.locator('.el-message--success').waitFor();
  await page.locator('.item-history').getByText('Ask for an extension').waitFor();
  const after = await page.evaluate(async () => (await fetch('/api/v1/items/T-A2')).json());
  assert.ok(after.due > dueBefore, `the deadline moved: ${dueBefore} -> ${after.due}`);
  assert.equal(after.history.filter((h) => h.event === 'extend').length, 1);
  // At most once: the button is gone.
  assert.equal(await page.locator('.action-extend').count(), 0);
  await done();
});

test('a cadre of another township who opens an item URL is refused', async () => {
  const other = await openPage(browser, server, { lang: 'en', phone: true });
  await signIn(other.page, server, 'xs-0025');
  await other.page.goto(server.origin + '/items/T-A2');
  await other.page.locator('.page-notfound').waitFor();
  assert.match(await other.page.locator('#main').innerText(), /outside your units/);
  assert.equal(await other.page.locator('.item-title').count(), 0);
  await checkPage(other.page, 'item-refused', { lang: 'en', phone: true });
  await other.done();
});
