// A ledger's CSV laid out for the row-by-row check (csv.ts).
import { describe, expect, it } from 'vitest';
import { cellHasProblem, parseCsv, problemsByRow, type LedgerProblem } from './csv';

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
