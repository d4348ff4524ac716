// Typed ledgers on the console's ledger page (issue 14 with issue 15.6): an administrator chooses
// Jinkouhe's acceptance ledger (its columns shown), uploads a CSV saved in GB18030 by an older
// Excel with a bad date, chooses that encoding, and sees the row and cell marked with nothing
// imported; the fixed file is checked and imported. The ledger's own XLSX export, uploaded back,
// names a missing sheet when asked for one and, on its first sheet, every key already in the
// ledger at its row. The problem ledger takes the encoding too. Someone who is not an
// administrator is offered the problem ledger only (typed imports are administrators', as the API
// says).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, launchBrowser, openPage, checkPage, signIn, PASSWORD } from './harness.mjs';

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

// The text in GB18030, as an older Excel saves a CSV (iconv, from Debian's libc-bin).
function gb18030(text) {
  const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
  assert.equal(r.status, 0, `iconv failed: ${r.stderr}`);
  return r.stdout;
}

// The workbook with a notes sheet ("说明") put before its own, as offices send them: Python's
// zipfile adds the sheet's part, its relationship and content type, and names it first.
function withNotesSheet(xlsx) {
  const script = `
import io, re, sys, zipfile
src = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
out = io.BytesIO()
dst = zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED)
notes = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         '<row r="1"><c r="A1" t="inlineStr"><is><t>本台账由金口河区填报</t></is></c></row>'
         '</sheetData></worksheet>')
for item in src.infolist():
    data = src.read(item.filename)
    if item.filename == 'xl/workbook.xml':
        data = re.sub(rb'<sheets>', '<sheets><sheet name="说明" sheetId="99" r:id="rId99"/>'.encode(), data)
    elif item.filename == 'xl/_rels/workbook.xml.rels':
        data = data.replace(b'</Relationships>', b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/notes.xml"/></Relationships>')
    elif item.filename == '[Content_Types].xml':
        data = data.replace(b'</Types>', b'<Override PartName="/xl/worksheets/notes.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    dst.writestr(item, data)
dst.writestr('xl/worksheets/notes.xml', notes)
dst.close()
sys.stdout.buffer.write(out.getvalue())
`;
  const r = spawnSync('python3', ['-c', script], { input: xlsx });
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout;
}

const HEADER = '项目编号,项目名称,实施单位,完工日期,验收日期,验收签字人,验收结论,完成投资,受益户数,绩效评价\n';
const GOOD = 'JKH-2017-001,金口河区茶叶基地产业路,jinhe,2017-05-20,2017-06-02,jkh-05,合格,1250000.00,86,良\n';
const BAD = 'JKH-2017-002,和平乡安全饮水工程,heping,六月,,,,,,\n';
const FIXED = 'JKH-2017-002,和平乡安全饮水工程,heping,2017-06-10,,,,,,\n';

async function api(path, person = 'xs-0003') {
  const login = await fetch(server.origin + '/api/v1/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ person, password: PASSWORD }),
  });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  return fetch(server.origin + path, { headers: { cookie } });
}
async function ledgerRows() {
  const r = await api('/api/v1/ledgers/jinkouhe-acceptance/export?format=json');
  assert.equal(r.status, 200);
  return (await r.json()).rows;
}

async function upload(page, name, buffer, mimeType = 'text/csv') {
  await page.setInputFiles('#ledger-file', { name, mimeType, buffer });
}

test('an administrator imports a typed ledger: a GB18030 CSV with a bad cell, then fixed', async () => {
  const { page, done } = await openPage(browser, server, { lang: 'zh-CN' });
  await signIn(page, server, 'xs-0003');
  await page.goto(server.origin + '/console/ledger');
  await page.locator('#ledger-kind option[value="jinkouhe-acceptance"]').waitFor({ state: 'attached' });
  await page.selectOption('#ledger-kind', 'jinkouhe-acceptance');
  assert.match(await page.locator('.ledger-columns').innerText(), /项目编号、项目名称、实施单位、完工日期/);
  assert.equal(await page.locator('#ledger-campaign').count(), 0); // a typed ledger has no campaign
  await page.selectOption('#ledger-encoding', 'gb18030');
  await upload(page, '验收台账.csv', gb18030(HEADER + GOOD + BAD));
  await page.click('.ledger-check');
  await page.locator('.ledger-verdict').waitFor();
  assert.match(await page.locator('.ledger-verdict').innerText(), /有 1 处错误/);
  // The file is shown as its encoding reads: the Chinese cells, the bad one outlined at row 3.
  const bad = page.locator('.ledger-bad-cell');
  assert.equal(await bad.count(), 1);
  assert.equal((await bad.innerText()).trim(), '六月');
  assert.match(await page.locator('.ledger-rows').innerText(), /金口河区茶叶基地产业路/);
  assert.match(await page.locator('.ledger-problem-list').innerText(), /第 3 行.*completed_on.*六月/s);
  assert.equal(await page.locator('.ledger-import').count(), 0);
  assert.equal((await ledgerRows()).length, 0, 'nothing is imported on any error');
  await checkPage(page, 'console-ledger-typed', { lang: 'zh-CN', phone: false });

  await upload(page, '验收台账.csv', gb18030(HEADER + GOOD + FIXED));
  await page.click('.ledger-check');
  await page.locator('.ledger-import').waitFor();
  assert.match(await page.locator('.ledger-verdict').innerText(), /2 行全部通过检查/);
  assert.equal((await ledgerRows()).length, 0, 'the check imports nothing');
  await page.click('.ledger-import');
  await page.locator('.ledger-imported').waitFor();
  assert.match(await page.locator('.ledger-imported').innerText(), /已导入 2 行/);
  assert.match(await page.locator('.ledger-export').getAttribute('href'), /\/api\/v1\/ledgers\/jinkouhe-acceptance\/export\?format=xlsx/);
  const rows = await ledgerRows();
  assert.equal(rows.length, 2);
  assert.equal(rows[0][1], '金口河区茶叶基地产业路');
  assert.equal(rows[1][3], '2017-06-10');
  await checkPage(page, 'console-ledger-typed-imported', { lang: 'zh-CN', phone: false });
  await done();
});

test("a workbook's sheets are offered as a list; the chosen one's rows are checked by row and column", async () => {
  const exported = Buffer.from(await (await api('/api/v1/ledgers/jinkouhe-acceptance/export?format=xlsx')).arrayBuffer());
  assert.equal(exported.subarray(0, 2).toString(), 'PK');
  const xlsx = withNotesSheet(exported);
  const { page, done } = await openPage(browser, server, { lang: 'en', phone: true });
  await signIn(page, server, 'xs-0003');
  await page.goto(server.origin + '/console/ledger');
  await page.locator('#ledger-kind option[value="jinkouhe-acceptance"]').waitFor({ state: 'attached' });
  await page.selectOption('#ledger-kind', 'jinkouhe-acceptance');
  assert.equal(await page.locator('#ledger-sheet').count(), 0); // a CSV has no sheets
  await upload(page, 'acceptance.xlsx', xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  // The server read the workbook's sheets: the notes first, then the ledger's own.
  await page.locator('#ledger-sheet option:nth-child(2)').waitFor({ state: 'attached' });
  const offered = await page.locator('#ledger-sheet option').allInnerTexts();
  assert.equal(offered.length, 2, offered.join(' | '));
  assert.match(offered[0], /说明 \(the first sheet\)/);
  const ledgerSheet = await page.locator('#ledger-sheet option').nth(1).getAttribute('value');
  assert.notEqual(ledgerSheet, '');
  await checkPage(page, 'console-ledger-sheets', { lang: 'en', phone: true });

  // The first sheet (the notes) is no ledger: its header is refused, nothing to import.
  await page.click('.ledger-check');
  await page.locator('.ledger-failure, .ledger-verdict').first().waitFor();
  assert.equal(await page.locator('.ledger-import').count(), 0);

  await page.selectOption('#ledger-sheet', ledgerSheet);
  await page.click('.ledger-check');
  await page.locator('.ledger-problems').waitFor();
  const problems = await page.locator('.ledger-problems').innerText();
  assert.match(problems, /\b2\b.*JKH-2017-001/s);
  assert.match(problems, /\b3\b.*JKH-2017-002/s);
  assert.equal(await page.locator('.ledger-import').count(), 0);
  assert.equal((await ledgerRows()).length, 2);
  await checkPage(page, 'console-ledger-typed', { lang: 'en', phone: true });
  await done();
});

test('the problem ledger takes a GB18030 CSV; someone not an administrator has the problem ledger only', async () => {
  const csv = 'id,title,unit,responsible,registered_at,time_limit\nT-G1,酿溪镇危房改造验收资料缺失,niangxi,xs-0012,2017-04-21,15wd\n';
  const { page, done } = await openPage(browser, server, { lang: 'en' });
  await signIn(page, server, 'xs-0003');
  await page.goto(server.origin + '/console/ledger');
  await page.selectOption('#ledger-encoding', 'gb18030');
  await upload(page, 'ledger.csv', gb18030(csv));
  await page.click('.ledger-check');
  await page.locator('.ledger-import').waitFor();
  assert.match(await page.locator('.ledger-rows').innerText(), /酿溪镇危房改造验收资料缺失/);
  await page.click('.ledger-import');
  await page.locator('.ledger-imported a').first().click();
  await page.locator('.item-title').waitFor();
  assert.equal((await page.locator('.item-title').innerText()).trim(), '酿溪镇危房改造验收资料缺失');
  await done();

  const other = await openPage(browser, server, { lang: 'zh-CN', phone: true });
  await signIn(other.page, server, 'xs-0004');
  await other.page.goto(server.origin + '/console/ledger');
  await other.page.locator('#ledger-kind').waitFor();
  await other.page.waitForTimeout(500); // the definitions' answer (403) has come
  assert.deepEqual(await other.page.locator('#ledger-kind option').allInnerTexts(), ['问题台账']);
  await checkPage(other.page, 'console-ledger-kinds', { lang: 'zh-CN', phone: true });
  await other.done();
});
