// A campaign's bulletins (通报) in the console: the list (GET /api/v1/campaigns/{id}/bulletins,
// with `may_issue`: whether this caller may issue the next), one opened as the server's HTML
// document shown in the page, and the issue form's body (POST .../bulletins).
import { api } from '@/api/client';

export interface BulletinLine {
  campaign: string;
  year: number;
  number: number;
  key: string; // "2017-5"
  number_label: string; // 2017年第5期
  number_label_en: string; // 2017 No. 5
  round: string | null;
  title: string;
  issued_by: string;
  issued_by_name?: string; // the person's name ("" for an administrator's account)
  issued_at: string;
  issued_on: string | null;
  scope: { unit: string; name: string; units: number } | null;
  findings: number;
  overdue: number;
  measures: number;
  href: string;
}

export interface BulletinList {
  campaign: string;
  may_issue: boolean;
  may_issue_reason: string;
  bulletins: BulletinLine[];
}

export function listBulletins(campaign: string): Promise<BulletinList> {
  return api.get<BulletinList>(`/api/v1/campaigns/${encodeURIComponent(campaign)}/bulletins`);
}

// The server's language code for the page's ("zh-CN" -> zh).
export function docLang(locale: string): 'zh' | 'en' {
  return locale.startsWith('en') ? 'en' : 'zh';
}

export function documentHref(b: Pick<BulletinLine, 'campaign' | 'key'>, format: 'html' | 'pdf', locale: string): string {
  return `/api/v1/campaigns/${encodeURIComponent(b.campaign)}/bulletins/${encodeURIComponent(b.key)}.${format}?lang=${docLang(locale)}`;
}

// The body of the bulletin's HTML document, fit to be put in the page: no script, style, frame
// or form elements, no event handler attributes, no javascript: links. (The page's own styles
// draw it; the CSP would refuse the document's inline style anyway.)
const DROP = new Set(['SCRIPT', 'STYLE', 'IFRAME', 'FRAME', 'OBJECT', 'EMBED', 'LINK', 'META', 'FORM', 'BASE', 'TITLE']);

export function documentBody(html: string): string {
  // The document's <style> and style attributes go before it is parsed: Chromium checks even a
  // parsed, never shown document's inline style against the page's CSP (and reports it).
  const unstyled = html.replace(/<style[\s\S]*?<\/style\s*>/gi, '').replace(/\sstyle\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, '');
  const doc = new DOMParser().parseFromString(unstyled, 'text/html');
  const walk = (el: Element) => {
    for (const child of Array.from(el.children)) {
      if (DROP.has(child.tagName)) {
        child.remove();
        continue;
      }
      for (const a of Array.from(child.attributes)) {
        const name = a.name.toLowerCase();
        if (name.startsWith('on') || name === 'style' || name === 'srcdoc') child.removeAttribute(a.name);
        else if ((name === 'href' || name === 'src') && /^\s*javascript:/i.test(a.value)) child.removeAttribute(a.name);
      }
      walk(child);
    }
  };
  walk(doc.body);
  return doc.body.innerHTML.trim();
}

export async function loadDocument(b: Pick<BulletinLine, 'campaign' | 'key'>, locale: string): Promise<string> {
  const html = await api.get<string>(documentHref(b, 'html', locale), { headers: { Accept: 'text/html' } });
  return documentBody(String(html));
}

export interface IssueForm {
  round: string;
  scope: string; // unit ids or kinds, separated by commas or spaces
  title: string;
}

// The POST's body: only what was given.
export function issueBody(f: IssueForm): { round?: string; scope?: string[]; title?: string } {
  const body: { round?: string; scope?: string[]; title?: string } = {};
  if (f.round.trim()) body.round = f.round.trim();
  const scope = f.scope
    .split(/[\s,，、]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (scope.length) body.scope = scope;
  if (f.title.trim()) body.title = f.title.trim();
  return body;
}
