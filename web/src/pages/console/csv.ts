// A CSV ledger's rows as the page shows them before an import (RFC 4180: quoted cells with
// doubled quotes, CRLF or LF), and the problems the server found, by row and column. The server
// checks; this only lays the file out so each problem is seen in its cell.
export interface LedgerProblem {
  row: number; // 1 is the header line
  column: number; // 1-based; 0 for the whole row
  column_name: string;
  severity: string;
  message: string;
  hint: string;
  text: string;
}

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += c;
    }
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

// The problems of each row (by its line number), and of each cell ("row:column").
export function problemsByRow(problems: LedgerProblem[]): Map<number, LedgerProblem[]> {
  const out = new Map<number, LedgerProblem[]>();
  for (const p of problems) out.set(p.row, [...(out.get(p.row) ?? []), p]);
  return out;
}
export function cellHasProblem(problems: LedgerProblem[], row: number, column: number): boolean {
  return problems.some((p) => p.row === row && p.column === column && p.severity === 'error');
}
