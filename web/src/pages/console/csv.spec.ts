// A ledger's CSV laid out for the row-by-row check (csv.ts).
import { describe, expect, it } from 'vitest';
import { cellHasProblem, decodeLedger, ledgerInfo, parseCsv, problemsByRow, type LedgerProblem } from './csv';

describe('parseCsv', () => {
  it('reads quoted cells, doubled quotes, CRLF and a BOM', () => {
    expect(parseCsv('\uFEFFid,title\r\nT-1,"a, ""b"""\r\nT-2,c\n')).toEqual([
      ['id', 'title'],
      ['T-1', 'a, "b"'],
      ['T-2', 'c'],
    ]);
  });
  it('keeps a last line without its newline', () => {
    expect(parseCsv('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
});

describe('problems', () => {
  const p = (row: number, column: number, severity = 'error'): LedgerProblem => ({
    row,
    column,
    severity,
    column_name: '',
    message: 'm',
    hint: '',
    text: '',
  });
  it('groups by row and marks the erroneous cells only', () => {
    const list = [p(2, 3), p(2, 5), p(4, 1, 'warning')];
    expect([...problemsByRow(list).keys()]).toEqual([2, 4]);
    expect(problemsByRow(list).get(2)?.length).toBe(2);
    expect(cellHasProblem(list, 2, 3)).toBe(true);
    expect(cellHasProblem(list, 2, 4)).toBe(false);
    expect(cellHasProblem(list, 4, 1)).toBe(false);
  });
});

describe('decodeLedger', () => {
  it('reads UTF-8 by default and GB18030 when chosen', () => {
    const utf8 = new TextEncoder().encode('项目编号').buffer as ArrayBuffer;
    expect(decodeLedger(utf8, '')).toBe('项目编号');
    // 项目 in GB18030 (GBK): CF EE C4 BF
    const gb = new Uint8Array([0xcf, 0xee, 0xc4, 0xbf]).buffer;
    expect(decodeLedger(gb, 'gb18030')).toBe('项目');
    expect(decodeLedger(gb, 'GBK')).toBe('项目');
  });
});

describe('ledgerInfo', () => {
  it("reads a typed ledger's title and columns", () => {
    const src = [
      'kind: ledger',
      'name: jinkouhe-acceptance',
      'title: 扶贫移民项目验收绩效评价台账',
      'key: [project_no]',
      'columns:',
      '  - { name: project_no, title: 项目编号, type: text, required: true }',
      '  - { name: unit, title: 实施单位, type: unit }',
      '  - { name: bare }',
    ].join('\n');
    expect(ledgerInfo('jinkouhe-acceptance', src)).toEqual({
      name: 'jinkouhe-acceptance',
      title: '扶贫移民项目验收绩效评价台账',
      columns: [
        { name: 'project_no', title: '项目编号' },
        { name: 'unit', title: '实施单位' },
        { name: 'bare', title: '' },
      ],
    });
  });
});
