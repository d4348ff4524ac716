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

// A ledger file's bytes as text for the page's layout, in the encoding chosen for the import
// ('' or utf-8: UTF-8; gb18030 or gbk: GB18030, a CSV saved by an older Excel). The server
// decodes for the check; this only shows the cells.
export function decodeLedger(bytes: ArrayBuffer, encoding: string): string {
  const label = /^(gb18030|gbk)$/i.test(encoding) ? 'gb18030' : 'utf-8';
  return new TextDecoder(label).decode(bytes);
}

export interface LedgerKindInfo {
  name: string;
  title: string;
  columns: { name: string; title: string }[];
}

// A typed ledger's title and columns, read from its definition's YAML as the library writes it
// (`title:` at the top, one `- { name: ..., title: ... }` line per column), to tell the person
// which columns the file needs. What it cannot read is left out; the server checks the file.
export function ledgerInfo(name: string, source: string): LedgerKindInfo {
  let title = '';
  const columns: { name: string; title: string }[] = [];
  let inColumns = false;
  for (const line of source.split(/\r?\n/)) {
    const top = /^([a-z_]+):\s*(.*)$/.exec(line);
    if (top) {
      inColumns = top[1] === 'columns';
      if (top[1] === 'title') title = top[2].replace(/^["']|["']$/g, '').trim();
      continue;
    }
    const col = inColumns ? /^\s*-\s*\{\s*name:\s*([\w-]+)\s*(?:,\s*title:\s*([^,}]+))?/.exec(line) : null;
    if (col) columns.push({ name: col[1], title: (col[2] ?? '').trim() });
  }
  return { name, title, columns };
}
