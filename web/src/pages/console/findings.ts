// The findings page's logic (FindingsPage.vue): a round's findings grouped by unit with their
// counts, and the unit a public report names (the report page puts 【name】 before its text,
// public_routes.cc).

export interface FindingItem {
  id: string;
  unit?: string;
  state?: string;
  state_title?: string;
  due?: string | null;
  overdue?: boolean;
}
export interface Finding {
  id: string;
  campaign: string;
  round: string;
  unit: string;
  title: string;
  location: string;
  found_by: string;
  found_at: string;
  recorded_by: string;
  state: string; // draft, confirmed, dismissed
  state_title?: string;
  time_limit: string;
  item: FindingItem | null;
}

// The ways a round's finding may be found (engine/findings.h FoundBy, less the public's reports
// and imports, which come in otherwise).
export const FINDING_WAYS = ['inspection', 'open_visit', 'unannounced_visit', 'audit', 'data_comparison'] as const;

export interface UnitGroup {
  unit: string;
  findings: Finding[];
  counts: { draft: number; confirmed: number; dismissed: number };
}

// Groups by unit in the order units first appear (the API lists findings by id), drafts first
// within a unit (what is still to be decided).
export function groupByUnit(findings: Finding[]): UnitGroup[] {
  const groups = new Map<string, UnitGroup>();
  for (const f of findings) {
    let g = groups.get(f.unit);
    if (!g) {
      g = { unit: f.unit, findings: [], counts: { draft: 0, confirmed: 0, dismissed: 0 } };
      groups.set(f.unit, g);
    }
    g.findings.push(f);
    if (f.state === 'draft' || f.state === 'confirmed' || f.state === 'dismissed') g.counts[f.state]++;
  }
  for (const g of groups.values()) {
    g.findings.sort((a, b) => Number(b.state === 'draft') - Number(a.state === 'draft'));
  }
  return [...groups.values()];
}

// "【长塘村】村部门前的危房…" → "长塘村"; '' when the report names no unit.
export function unitFromTitle(title: string): string {
  const m = /^【([^】]+)】/.exec(title);
  return m ? m[1] : '';
}
