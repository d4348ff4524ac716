// The definition editor's lines and marks (editor.ts).
import { describe, expect, it } from 'vitest';
import { lineCount, markedLines, offsetOf, type DefinitionDiagnostic } from './editor';

const d = (line: number, severity = 'error', file = 'upload.yaml'): DefinitionDiagnostic => ({
  severity,
  file,
  line,
  column: 3,
  message: 'm',
  hint: '',
  text: '',
});

describe('editor', () => {
  it('counts lines, the last one without its newline too', () => {
    expect(lineCount('a\nb\nc')).toBe(3);
    expect(lineCount('a\n')).toBe(2);
  });
  it("marks the upload's lines with their worst severity, not other files'", () => {
    const m = markedLines([d(2, 'warning'), d(2, 'error'), d(4, 'warning'), d(7, 'error', 'workflows/x.yaml')]);
    expect([...m.entries()]).toEqual([
      [2, 'error'],
      [4, 'warning'],
    ]);
  });
  it('finds where a line and column start', () => {
    const text = 'kind: workflow\nname: x\nversion: 1';
    expect(offsetOf(text, 1)).toBe(0);
    expect(offsetOf(text, 2, 7)).toBe(21);
    expect(text.slice(offsetOf(text, 3))).toBe('version: 1');
    expect(offsetOf(text, 9)).toBe(text.length);
  });
});
