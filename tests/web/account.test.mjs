// Signing in and my account in a real browser: a wrong password shows the message and lets
// nobody in; a cadre signs in, changes the password (the old one stops working, the page stays
// signed in), makes an API token (shown once, then listed, then revoked) and a calendar feed link.
// Screenshots of both pages in both languages, on a phone and a desktop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, checkPage, signIn, VARIANTS, PASSWORD } from './harness.mjs';

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

test('a wrong password shows the message and signs nobody in', async () => {
  for (const lang of ['zh-CN', 'en']) {
    const { page, done } = await openPage(browser, server, { lang, phone: true });
    await page.goto(server.origin + '/signin');
    await page.fill('#signin-person', 'xs-0014');
    await page.fill('#signin-password', 'not the password');
    await page.click('.signin-submit');
    const alert = page.locator('.signin-error');
    await alert.waitFor();
    const text = await alert.innerText();
    assert.match(text, lang === 'en' ? /person id or the password is wrong/ : /人员编号或密码错误/);
    assert.equal(new URL(page.url()).pathname, '/signin');
    await checkPage(page, 'signin-failed', { lang, phone: true, allowError: true });
    const me = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
    assert.equal(me, 401);
    await done();
  }
});

test('my account in both languages, on phone and desktop', async () => {
  for (const v of VARIANTS) {
    const { page, done } = await openPage(browser, server, v);
    await signIn(page, server, 'xs-0012');
    await page.goto(server.origin + '/account');
    await page.waitForSelector('.account-tokens');
    await page.waitForSelector('.account-tokens .page-empty, .account-tokens .token-table');
    await checkPage(page, 'account', v);
    await done();
  }
});

test('a cadre changes the password, makes and revokes a token, and makes a feed link', async () => {
  const { page, context, done } = await openPage(browser, server, { lang: 'en', phone: true });
  await signIn(page, server, 'xs-0014');
  await page.goto(server.origin + '/account');
  const newPassword = 'a-new-and-longer-password-2018';

  // The two new passwords differ: said on the page, nothing sent.
  await page.fill('#pw-current', PASSWORD);
  await page.fill('#pw-new', newPassword);
  await page.fill('#pw-repeat', newPassword + 'x');
  await page.click('.pw-submit');
  await page.locator('.account-password .form-error').waitFor();
  // A wrong current password: the server's answer, in the page's words.
  await page.fill('#pw-current', 'not my password');
  await page.fill('#pw-repeat', newPassword);
  await page.click('.pw-submit');
  await page.locator('.account-password .form-error').filter({ hasText: 'current_password' }).waitFor();
  // The real change.
  await page.fill('#pw-current', PASSWORD);
  await page.click('.pw-submit');
  await page.locator('.el-message--success').waitFor();
  await page.locator('.account-password .form-error').waitFor({ state: 'detached' });
  assert.equal(await page.inputValue('#pw-current'), '');
  // Still signed in (a new session), and only the new password works.
  assert.equal(await page.evaluate(async () => (await fetch('/api/v1/session')).status), 200);
  const login = (password) =>
    page.evaluate(
      async ([p]) =>
        (await fetch('/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ person: 'xs-0014', password: p }) })).status,
      [password],
    );
  assert.equal(await login(PASSWORD), 401);
  assert.equal(await login(newPassword), 200);
  await page.reload();

  // A token: shown once, then in the list; revoked, it leaves the list.
  await page.fill('#token-label', 'county platform');
  await page.click('.token-create');
  const secret = (await page.locator('.token-secret').innerText()).trim();
  assert.match(secret, /^rtk_/);
  await page.locator('.token-table').getByText('county platform').waitFor();
  const bearer = await page.evaluate(
    async ([tok]) => (await fetch('/api/v1/items', { credentials: 'omit', headers: { Authorization: 'Bearer ' + tok } })).status,
    [secret],
  );
  assert.equal(bearer, 200);
  await checkPage(page, 'account-token', { lang: 'en', phone: true });
  await page.click('.token-table .el-button--danger');
  await page.locator('.el-message-box .el-button--primary').click();
  await page.locator('.account-tokens .page-empty').waitFor();
  const after = await page.evaluate(
    async ([tok]) => (await fetch('/api/v1/items', { credentials: 'omit', headers: { Authorization: 'Bearer ' + tok } })).status,
    [secret],
  );
  assert.equal(after, 401);

  // A calendar feed link that a calendar app reads with the URL alone.
  await page.click('.feed-create');
  const url = (await page.locator('.feed-url').innerText()).trim();
  assert.ok(url.startsWith(server.origin + '/api/v1/feeds/'), url);
  const ics = await fetch(url);
  assert.equal(ics.status, 200);
  assert.match(await ics.text(), /BEGIN:VCALENDAR/);
  void context;
  await done();
});
