// The findings page's grouping and the unit a public report names (findings.ts).
import { describe, expect, it } from 'vitest';
import { groupByUnit, unitFromTitle, type Finding } from './findings';

function f(id: string, unit: string, state: string): Finding {
  return { id, campaign: 'c', round: 'r', unit, title: id, location: '', found_by: 'inspection', found_at: '', recorded_by: 'p', state, time_limit: '', item: null };
}

describe('groupByUnit', () => {
  it('groups by unit in first-seen order, drafts first, with counts', () => {
    const g = groupByUnit([f('F1', 'a', 'confirmed'), f('F2', 'b', 'draft'), f('F3', 'a', 'draft'), f('F4', 'a', 'dismissed')]);
    expect(g.map((x) => x.unit)).toEqual(['a', 'b']);
    expect(g[0].findings.map((x) => x.id)).toEqual(['F3', 'F1', 'F4']);
    expect(g[0].counts).toEqual({ draft: 1, confirmed: 1, dismissed: 1 });
    expect(g[1].counts).toEqual({ draft: 1, confirmed: 0, dismissed: 0 });
  });
  it('is empty for no findings', () => {
    expect(groupByUnit([])).toEqual([]);
  });
});

describe('unitFromTitle', () => {
  it('reads the unit a report names', () => {
    expect(unitFromTitle('【长塘村】村部门前的危房还没有拆除')).toBe('长塘村');
  });
  it('is empty when none is named', () => {
    expect(unitFromTitle('危房还没有拆除【长塘村】')).toBe('');
  });
});
