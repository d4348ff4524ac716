// How `rectify serve` serves the built pages (adapters/http/static_files.h), seen from outside:
// caching rules, the history-mode fallback, content types, path tricks refused, the security
// headers on pages; and that the first page works in a real browser under the CSP with nothing
// loaded from elsewhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startServer, launchBrowser, openPage, checkPage, fetchRaw, VARIANTS, WEB } from './harness.mjs';

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

test('index.html: no-cache, the CSP without unsafe-inline, an ETag and 304', async () => {
  const r = await fetchRaw(server, '/');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  const html = await r.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'an inline script in index.html');
  const tag = r.headers.get('etag');
  assert.ok(tag);
  const again = await fetchRaw(server, '/', { headers: { 'If-None-Match': tag } });
  assert.equal(again.status, 304);
});

test('hashed assets are immutable for a year, with their content types', async () => {
  const html = await (await fetchRaw(server, '/')).text();
  const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)[1];
  const css = /href="(\/assets\/[^"]+\.css)"/.exec(html)[1];
  for (const [path, type] of [[js, /^text\/javascript/], [css, /^text\/css/]]) {
    const r = await fetchRaw(server, path);
    assert.equal(r.status, 200, path);
    assert.match(r.headers.get('content-type'), type);
    assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  }
  const icon = await fetchRaw(server, '/favicon.svg');
  assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
  assert.equal(icon.headers.get('cache-control'), 'no-cache');
});

test("the first route's JavaScript is under 350 KB compressed; ECharts is not in it", async () => {
  const html = await (await fetchRaw(server, '/')).text();
  const first = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  let total = 0;
  for (const path of first) {
    const body = Buffer.from(await (await fetchRaw(server, path)).arrayBuffer());
    total += gzipSync(body, { level: 9 }).length;
    assert.doesNotMatch(body.toString('utf8'), /echarts\.apache\.org|ECharts is not Loaded/i, `${path} holds ECharts`);
  }
  assert.ok(total < 350 * 1024, `the first route's JavaScript is ${total} bytes compressed`);
});

test('a page path falls back to index.html; files, the API and tricks do not', async () => {
  const page = await fetchRaw(server, '/items/T-A1');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.equal((await fetchRaw(server, '/assets/nothing-1234.js')).status, 404);
  const api = await fetchRaw(server, '/api/v1/nothing');
  assert.equal(api.status, 404);
  assert.match(api.headers.get('content-type'), /json/);
  assert.equal((await fetchRaw(server, '/healthz')).status, 200);
  assert.equal((await fetchRaw(server, '/%2e%2e/%2e%2e/etc/passwd')).status, 400);
  assert.equal((await fetchRaw(server, '/assets/..%2f..%2fCMakeCache.txt')).status, 400);
  assert.equal((await fetchRaw(server, '/', { method: 'POST' })).status, 405);
});

test('the sign-in page works in Chromium under the CSP, in both languages, on phone and desktop', async () => {
  for (const v of VARIANTS) {
    const { page, done } = await openPage(browser, server, v);
    await page.goto(server.origin + '/signin');
    await page.waitForSelector('.signin-submit');
    const title = await page.locator('h1').innerText();
    assert.equal(title, v.lang === 'en' ? 'Sign in' : '登录');
    await checkPage(page, 'signin', v);
    await done();
  }
});

test('a page that needs an account sends to sign-in and back', async () => {
  const { page, done } = await openPage(browser, server, { lang: 'en' });
  await page.goto(server.origin + '/account');
  await page.waitForURL(/\/signin\?next=/);
  await done();
});

// The build output has no file that refers to another host (fonts, CDNs).
test('the build refers to no other host', () => {
  const dir = WEB;
  const walk = (d) => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  for (const f of walk(dir).filter((f) => /\.(html|css)$/.test(f))) {
    const text = readFileSync(f, 'utf8');
    assert.doesNotMatch(text, /url\(\s*['"]?https?:\/\//, `${f} loads from another host`);
    assert.doesNotMatch(text, /<(?:script|link)[^>]+(?:src|href)="https?:\/\//, `${f} loads from another host`);
  }
});
