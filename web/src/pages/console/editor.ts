// The definition editor's line numbers and the problems at their lines (DefinitionsPage.vue): the
// server's diagnostics name file:line:col; the editor marks those lines and jumps to one.
export interface DefinitionDiagnostic {
  severity: string;
  file: string;
  line: number;
  column: number;
  message: string;
  hint: string;
  text: string;
}

export function lineCount(text: string): number {
  return text.split('\n').length;
}

// The worst severity at each line of the edited file (its own diagnostics only: a problem found
// in another loaded file is listed, not marked).
export function markedLines(diags: DefinitionDiagnostic[], file = 'upload.yaml'): Map<number, string> {
  const out = new Map<number, string>();
  for (const d of diags) {
    if (d.file !== file || d.line < 1) continue;
    if (out.get(d.line) !== 'error') out.set(d.line, d.severity);
  }
  return out;
}

// The character offset where `line` (1-based) and `column` (1-based) start in `text`.
export function offsetOf(text: string, line: number, column = 1): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', at);
    if (next < 0) return text.length;
    at = next + 1;
  }
  return Math.min(text.length, at + Math.max(0, column - 1));
}
