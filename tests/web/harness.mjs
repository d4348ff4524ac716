// The browser test harness of Rectify's web pages (docs/web.md): a real `rectify serve` with the
// built pages, on SQLite or on the throw-away PostgreSQL cluster, and Debian's Chromium driven by
// playwright-core. Every page test uses it:
//
//   import { test, before, after } from 'node:test';
//   import { startServer, launchBrowser, openPage, checkPage, signIn } from './harness.mjs';
//   let server, browser;
//   before(async () => { server = await startServer(); browser = await launchBrowser(); });
//   after(async () => { await browser?.close(); await server?.stop(); });
//   test('sign in', async () => {
//     const { page, done } = await openPage(browser, server, { phone: true, lang: 'en' });
//     await signIn(page, 'xs-0012');
//     await checkPage(page, 'workbench', { phone: true, lang: 'en' });   // screenshot, axe, ...
//     await done();                                                     // no request left
//   });
//
// The server is the real binary (RECTIFY_BIN, else build/rectify) serving the real build
// (RECTIFY_WEB, else build/web), with the Xinshao org, three items (as tests/http/api_env.h)
// and an account for each kind of caller, all with PASSWORD. The backend is RECTIFY_BACKEND
// (sqlite | postgresql); PostgreSQL uses the cluster whose URL is in RECTIFY_TEST_PG_URL_FILE
// (the ctest fixture), a fresh database per server.
import { spawn, spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '../..');
// playwright-core and axe-core are the web front end's dev dependencies.
const requireWeb = createRequire(join(ROOT, 'web', 'package.json'));
const { chromium } = requireWeb('playwright-core');
const AXE_SOURCE = readFileSync(requireWeb.resolve('axe-core/axe.min.js'), 'utf8');

export const PASSWORD = '整改台账密码-2017';
export const BACKEND = process.env.RECTIFY_BACKEND || 'sqlite';
const BIN = process.env.RECTIFY_BIN || join(ROOT, 'build', 'rectify');
export const WEB = process.env.RECTIFY_WEB || join(ROOT, 'build', 'web');
export const SCREENS = process.env.RECTIFY_SCREENS || join(ROOT, 'docs', 'screens');
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

const LEDGER =
  'id,title,unit,responsible,registered_at,time_limit\n' +
  'T-A1,长塘村危房改造档案不全,niangxi-team-1,xs-0014,2017-04-21,15wd\n' +
  'T-A2,酿溪镇扶贫资金拨付滞后,niangxi,xs-0012,2017-04-21,15wd\n' +
  'T-B1,严塘镇低保公示不全,yantang-team-1,xs-0025,2017-04-21,15wd\n';
const PEOPLE = ['xs-0012', 'xs-0014', 'xs-0025', 'xs-0002', 'xs-0004', 'xs-0011', 'xs-0009', 'xs-0007', 'xs-0008'];
const ADMINS = ['xs-0003'];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

async function freshDatabase(dir) {
  if (BACKEND === 'sqlite') return { url: `sqlite:${join(dir, "rectify.db")}`, drop: () => {} };
  assert.equal(BACKEND, 'postgresql', `RECTIFY_BACKEND is sqlite or postgresql, not ${BACKEND}`);
  const file = process.env.RECTIFY_TEST_PG_URL_FILE;
  assert.ok(file && existsSync(file), 'no PostgreSQL test cluster: RECTIFY_TEST_PG_URL_FILE names no file (run through ctest, whose pg_cluster fixture starts it)');
  const admin = readFileSync(file, 'utf8').trim();
  const name = `web_${process.pid}_${Date.now() % 1e8}`;
  run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', admin, '-c', `CREATE DATABASE ${name}`]);
  const url = admin.slice(0, admin.lastIndexOf('/') + 1) + name;
  return {
    url,
    drop: () => spawnSync('psql', ['-X', '-q', '-d', admin, '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]),
  };
}

// Starts `rectify serve` with the pages. `args` go on its command line.
export async function startServer({ args = [] } = {}) {
  assert.ok(existsSync(BIN), `no rectify binary at ${BIN}: build it (make build)`);
  assert.ok(existsSync(join(WEB, 'index.html')), `no built pages in ${WEB}: run scripts/build_web.sh build (make build does)`);
  const dir = mkdtempSync(join(tmpdir(), 'rectify-web-'));
  const db = await freshDatabase(dir);
  const env = { ...process.env, RECTIFY_DB: '', RECTIFY_HOME: ROOT };
  const rectify = (a, input) =>
    run(BIN, ['--db', db.url, ...a], { env, cwd: dir, input, timeout: 120000 });
  rectify(['migrate']);
  writeFileSync(join(dir, 'ledger.csv'), LEDGER);
  rectify(['ledger', 'import', join(dir, 'ledger.csv'), '--as', 'xs-0009', '--at', '2017-04-21T09:00:00+08:00']);
  for (const p of PEOPLE) rectify(['user', 'add', p, '--password-stdin'], PASSWORD + '\n');
  for (const p of ADMINS) rectify(['user', 'add', p, '--admin', '--password-stdin'], PASSWORD + '\n');
  const child = spawn(
    BIN,
    [
      '--db', db.url, 'serve', '--listen', '127.0.0.1:0', '--speed', '1',
      '--from', '2017-04-21T10:00:00+08:00', '--web', WEB,
      '--public-unit', 'xinshao-fpo', '--public-registrar', 'xs-0009', ...args,
    ],
    { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const port = await new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`rectify serve did not start:\n${output}`)), 30000);
    const onData = (chunk) => {
      output += chunk;
      const m = /listening on https?:\/\/[^\s]+:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => (output += c));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rectify serve exited (${code}):\n${output}`));
    });
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    dbUrl: db.url,
    rectify,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
      db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Debian's Chromium, headless, with nothing of its own reaching out. Playwright gives every launch
// a fresh user-data-dir of its own (a temporary folder it removes on close).
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.RECTIFY_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return browser;
}

// A fresh browser context (its own cookies) on a phone or a desktop, in a language, in which
// every request not to the server fails and is remembered; CSP violations and page errors are
// remembered too. `done()` asserts that none happened and closes the context.
export async function openPage(browser, server, { phone = false, lang = 'zh-CN' } = {}) {
  const context = await browser.newContext({
    viewport: phone ? PHONE : DESKTOP,
    deviceScaleFactor: 1,
    isMobile: phone,
    hasTouch: phone,
    locale: lang,
    timezoneId: 'Asia/Shanghai',
  });
  const outside = [];
  const problems = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(server.origin + '/') || url.startsWith('data:') || url.startsWith('blob:')) {
      return route.continue();
    }
    outside.push(url);
    return route.abort('blockedbyclient');
  });
  // The page's language is the one chosen: set before any script runs.
  await context.addInitScript((l) => {
    try {
      if (!localStorage.getItem('rectify.lang')) localStorage.setItem('rectify.lang', l);
    } catch {}
  }, lang);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
  });
  page.setDefaultTimeout(15000);
  return {
    page,
    context,
    outside,
    problems,
    async done() {
      await context.close();
      assert.deepEqual(outside, [], `requests left the server: ${outside.join(', ')}`);
      assert.deepEqual(problems, [], problems.join('\n'));
    },
  };
}

// The checks every page gets: the main area is there and not empty, no error box shows (unless
// `allowError`), axe-core finds no serious or critical violation, and a screenshot goes to
// docs/screens/<name>-<lang>-<desktop|phone>.png.
export async function checkPage(page, name, { phone = false, lang = 'zh-CN', allowError = false } = {}) {
  await page.waitForSelector('#main');
  await page.waitForFunction(() => !document.querySelector('#main .page-loading'), null, { timeout: 15000 });
  const mainText = (await page.locator('#main').innerText()).trim();
  assert.ok(mainText.length > 0, `${name}: the main area is empty`);
  if (!allowError) {
    const errors = await page.locator('.page-error, .el-alert--error').count();
    const text = errors ? await page.locator('.page-error, .el-alert--error').first().innerText() : '';
    assert.equal(errors, 0, `${name}: the page shows an error box: ${text}`);
  }
  // The CSP forbids inline scripts, also for tests: axe's source is evaluated through the
  // debugging protocol instead of a <script> tag.
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
  });
  assert.deepEqual(result, [], `${name} (${lang}, ${phone ? 'phone' : 'desktop'}): accessibility violations:\n${result.join('\n')}`);
  mkdirSync(SCREENS, { recursive: true });
  // Let transitions settle so the picture is what a person sees.
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SCREENS, `${name}-${lang}-${phone ? 'phone' : 'desktop'}.png`), fullPage: !phone });
}

// Signs in through the sign-in page and waits for the first page after it.
export async function signIn(page, server, person, password = PASSWORD) {
  await page.goto(server.origin + '/signin');
  await page.fill('#signin-person', person);
  await page.fill('#signin-password', password);
  await page.click('.signin-submit');
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}

// Every combination of language and screen, for the screenshots.
export const VARIANTS = [
  { lang: 'zh-CN', phone: false },
  { lang: 'zh-CN', phone: true },
  { lang: 'en', phone: false },
  { lang: 'en', phone: true },
];

// A plain HTTP request to the server (no browser), for the serving rules. The path is sent as
// written (fetch would resolve `..` and `%2e%2e` before sending).
export function fetchRaw(server, path, { method = 'GET', headers = {} } = {}) {
  return new Promise((resolveAnswer, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolveAnswer({
          status: res.statusCode,
          headers: { get: (n) => res.headers[n.toLowerCase()] ?? null },
          text: async () => body.toString('utf8'),
          arrayBuffer: async () => body,
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
