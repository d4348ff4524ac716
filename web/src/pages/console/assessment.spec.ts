// The assessment page's checks (assessment.ts): periods, marks within their range, the mark's
// body, and whether the forms show.
import { describe, expect, it } from 'vitest';
import { defaultPeriod, isPeriod, isRanked, markBody, mayWrite, periodStatus, score, type Assessment, type PeriodLine } from './assessment';

describe('isPeriod', () => {
  it("takes a month, a quarter, a year or a week's Monday", () => {
    for (const p of ['2017-05', '2017-Q2', '2017', '2017-05-08']) expect(isPeriod(p)).toBe(true);
    for (const p of ['', '2017-13', '五月', '2017-Q5', '17-05']) expect(isPeriod(p)).toBe(false);
  });
});

describe('score', () => {
  it('is a number within 0 and the maximum, else null', () => {
    expect(score('76', 100)).toBe(76);
    expect(score('0.5', 5)).toBe(0.5);
    expect(score('', 100)).toBeNull();
    expect(score('101', 100)).toBeNull();
    expect(score('-1', 100)).toBeNull();
    expect(score('六十', 100)).toBeNull();
  });
});

describe('markBody', () => {
  it('carries the reason and evidence only when given', () => {
    expect(markBody({ unit: 'niangxi', criterion: 'fund_use', mark: 60, note: ' 抽查3户 ', reason: '' }, [])).toEqual({
      unit: 'niangxi',
      criterion: 'fund_use',
      mark: 60,
      note: '抽查3户',
    });
    expect(markBody({ unit: 'niangxi', criterion: 'fund_use', mark: 76, note: '复核', reason: '漏计一笔' }, ['sha256:ab'])).toMatchObject({
      reason: '漏计一笔',
      evidence: ['sha256:ab'],
    });
  });
});

describe('mayWrite', () => {
  it('is true when the API grants any write', () => {
    const a = { may: { marks: false, bonus: false, veto: false, publish: false } } as Assessment;
    expect(mayWrite(a)).toBe(false);
    expect(mayWrite({ ...a, may: { ...a.may!, publish: true } })).toBe(true);
    expect(mayWrite(null)).toBe(false);
  });
});

describe('the periods', () => {
  const line = (period: string, ended: boolean, published: boolean): PeriodLine => ({
    assessment: 'xinshao-monthly',
    title: '月度考核',
    kind: 'month',
    period,
    from: `${period}-01`,
    to: `${period}-28`,
    ended,
    published,
  });
  it('opens on the newest period that ended unpublished, else the newest begun', () => {
    expect(defaultPeriod([line('2017-03', true, true), line('2017-04', true, false), line('2017-05', false, false)])).toBe('2017-04');
    expect(defaultPeriod([line('2017-04', true, true), line('2017-05', false, false)])).toBe('2017-05');
    expect(defaultPeriod([])).toBe('');
  });
  it('says whether a period is open, ended or published', () => {
    expect(periodStatus(line('2017-05', false, false))).toBe('open');
    expect(periodStatus(line('2017-04', true, false))).toBe('ended');
    expect(periodStatus(line('2017-03', true, true))).toBe('published');
  });
  it('ranks a line unless the server set it apart as not assessed', () => {
    expect(isRanked({ rank: 2 })).toBe(true);
    expect(isRanked({ rank: null, assessed: false })).toBe(false);
  });
});
