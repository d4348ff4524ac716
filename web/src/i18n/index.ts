// The pages' languages: zh-CN (the default: the offices' language) and en. Messages live in
// zh-CN.ts and en.ts, one section per page; a page folder may also bring its own messages.ts
// exporting { 'zh-CN': {...}, en: {...} }, merged in under its keys (so pages added later need
// not edit the shared files). The choice is kept in localStorage and on <html lang>.
import { createI18n } from 'vue-i18n';
import zhCN from './zh-CN';
import en from './en';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'rectify.lang';

type Messages = Record<string, unknown>;

function merge(into: Messages, from: Messages): Messages {
  for (const [k, v] of Object.entries(from)) {
    const old = into[k];
    if (old && typeof old === 'object' && v && typeof v === 'object' && !Array.isArray(v)) {
      merge(old as Messages, v as Messages);
    } else {
      into[k] = v;
    }
  }
  return into;
}

const messages: Record<Language, Messages> = { 'zh-CN': merge({}, zhCN), en: merge({}, en) };
const extra = import.meta.glob<{ default: Partial<Record<Language, Messages>> }>('../pages/*/messages.ts', {
  eager: true,
});
for (const mod of Object.values(extra)) {
  for (const lang of LANGUAGES) if (mod.default[lang]) merge(messages[lang], mod.default[lang]!);
}

export function normalizeLanguage(lang: string | null | undefined): Language | null {
  if (!lang) return null;
  const l = lang.toLowerCase();
  if (l.startsWith('zh')) return 'zh-CN';
  if (l.startsWith('en')) return 'en';
  return null;
}

function initialLanguage(): Language {
  try {
    const saved = normalizeLanguage(localStorage.getItem(STORAGE_KEY));
    if (saved) return saved;
  } catch {
    // storage off: the default
  }
  return 'zh-CN';
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLanguage(),
  fallbackLocale: 'en',
  messages: messages as any,
});

export function currentLanguage(): Language {
  return i18n.global.locale.value as Language;
}

export function setLanguage(lang: Language): void {
  i18n.global.locale.value = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // storage off: for this page only
  }
  document.documentElement.lang = lang;
}
