// Message catalogues. Adding a language is adding a JSON file here and a line below; a missing
// key falls back to English, so a partial translation is still usable.
import en from "./en.json";
import ar from "./ar.json";

export type MessageKey = keyof typeof en;
export type Catalogue = Partial<Record<MessageKey, string>>;

export const catalogues: Record<string, Catalogue> = { en, ar };

/** Languages written right to left. */
const RTL = new Set(["ar", "fa", "he", "ur", "ps", "ckb", "dv", "yi"]);

export const languageNames: Record<string, string> = { en: "English", ar: "العربية" };

/** The catalogue to use for a BCP 47 tag: exact, then the base language, then English. */
export function pickLanguage(tag: string | undefined | null): string {
  if (!tag) return "en";
  const lower = tag.toLowerCase();
  if (catalogues[lower]) return lower;
  const base = lower.split("-")[0];
  return catalogues[base] ? base : "en";
}

export function direction(language: string): "rtl" | "ltr" {
  return RTL.has(language.split("-")[0]) ? "rtl" : "ltr";
}

/** Keys that come in plural forms: `base.one`, `base.other`, ... per Intl.PluralRules. */
export type PluralBase = {
  [K in MessageKey]: K extends `${infer B}.other` ? B : never;
}[MessageKey];

/** The plural form of `base` for `count` in `language`, falling back to `.other`. */
export function pluralKey(language: string, base: PluralBase, count: number): MessageKey {
  const rule = new Intl.PluralRules(language).select(count);
  const exact = `${base}.${rule}`;
  const catalogue = catalogues[language] ?? {};
  return (exact in catalogue || exact in en ? exact : `${base}.other`) as MessageKey;
}

/** Looks up `key` and fills `{name}` placeholders. Values are text; the caller renders them as text. */
export function translate(language: string, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalogues[language]?.[key] ?? en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
