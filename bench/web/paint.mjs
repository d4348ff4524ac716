// The board's first meaningful paint and the first route's size (bench/web/run.sh).
//
//   node bench/web/paint.mjs ORIGIN WEB_DIR
//
// Signs the county leader in once (the session cookie is reused), then loads /board
// WEB_BENCH_RUNS (5) times in a fresh page each, with the browser's cache cleared, and reports
// per run: largest-contentful-paint (the Performance API), the moment the totals show, and the
// moment the three charts are drawn, from navigation start. The first route's JavaScript is the
// entry script of index.html and the modules it preloads, compressed with gzip -9.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const [origin, web] = process.argv.slice(2);
const runs = Number(process.env.WEB_BENCH_RUNS || 5);
const root = fileURLToPath(new URL('../..', import.meta.url));
const { chromium } = createRequire(join(root, 'web', 'package.json'))('playwright-core');

const html = readFileSync(join(web, 'index.html'), 'utf8');
const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
let raw = 0;
let gz = 0;
for (const s of new Set(scripts)) {
  const b = readFileSync(join(web, s));
  raw += b.length;
  gz += gzipSync(b, { level: 9 }).length;
}

const browser = await chromium.launch({
  executablePath: process.env.RECTIFY_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
const signIn = await context.request.post(`${origin}/api/v1/session`, {
  data: { person: 'xs-0002', password: '整改台账密码-2017' },
});
if (!signIn.ok()) throw new Error(`sign in failed: ${signIn.status()} ${await signIn.text()}`);

const results = [];
for (let i = 0; i < runs; i++) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  await page.addInitScript(() => {
    window.__lcp = 0;
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__lcp = e.startTime;
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  });
  await page.goto(`${origin}/board`);
  await page.waitForSelector('.total-overdue', { timeout: 60000 });
  const totals = await page.evaluate(() => performance.now());
  await page.waitForFunction(() => document.querySelectorAll('.board-chart canvas').length === 3, null, {
    timeout: 60000,
  });
  const charts = await page.evaluate(() => performance.now());
  const lcp = await page.evaluate(() => window.__lcp);
  const overdue = await page.locator('.total-overdue').innerText();
  results.push({ lcp, totals, charts, overdue });
  await page.close();
}
await browser.close();

const median = (k) => {
  const v = results.map((r) => r[k]).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
};
const ms = (x) => `${Math.round(x)} ms`;
console.log(`board over ${results[0].overdue} overdue items, ${runs} cold loads (median):`);
console.log(`  largest-contentful-paint  ${ms(median('lcp'))}`);
console.log(`  totals shown              ${ms(median('totals'))}`);
console.log(`  charts drawn              ${ms(median('charts'))}  (budget 1500 ms: ${median('charts') <= 1500 ? 'met' : 'MISSED'})`);
console.log(`  runs: ${results.map((r) => `${Math.round(r.lcp)}/${Math.round(r.totals)}/${Math.round(r.charts)}`).join(', ')} (lcp/totals/charts ms)`);
console.log(`first route's JavaScript: ${(raw / 1024).toFixed(0)} KB, ${(gz / 1024).toFixed(1)} KB gzip -9 (budget 350 KB: ${gz <= 350 * 1024 ? 'met' : 'MISSED'})`);
