// Bulletins in the console (bulletins.ts): the server's document made fit for the page, the
// document links, and the issue form's body.
import { describe, expect, it } from 'vitest';
import { docLang, documentBody, documentHref, issueBody } from './bulletins';

describe('documentBody', () => {
  it('keeps the text and tables and drops scripts, styles, handlers and javascript: links', () => {
    const html =
      '<!DOCTYPE html><html><head><title>x</title><style>body{color:red}</style></head><body>' +
      '<div class="head">新邵县通报</div><p class="number">2017年第1期</p>' +
      '<script>alert(1)</script><table><tr><td onclick="alert(2)" style="color:red">酿溪镇</td></tr></table>' +
      '<a href="javascript:alert(3)">x</a><iframe src="/"></iframe></body></html>';
    const body = documentBody(html);
    expect(body).toContain('<div class="head">新邵县通报</div>');
    expect(body).toContain('2017年第1期');
    expect(body).toContain('<td>酿溪镇</td>');
    expect(body).not.toMatch(/script|alert|style|iframe|onclick/);
  });
});

describe('links and bodies', () => {
  it('names the document in the page language', () => {
    expect(docLang('zh-CN')).toBe('zh');
    expect(docLang('en')).toBe('en');
    expect(documentHref({ campaign: 'xinshao-2017', key: '2017-1' }, 'pdf', 'en')).toBe(
      '/api/v1/campaigns/xinshao-2017/bulletins/2017-1.pdf?lang=en',
    );
  });
  it('sends only what was given, the scope split on commas and spaces', () => {
    expect(issueBody({ round: '', scope: '', title: '  ' })).toEqual({});
    expect(issueBody({ round: 'q1_inspection', scope: 'niangxi, yantang，township', title: '第一季度通报' })).toEqual({
      round: 'q1_inspection',
      scope: ['niangxi', 'yantang', 'township'],
      title: '第一季度通报',
    });
  });
});
