// The window's current language, as reactive state: components call `t()` in their markup and
// re-render when the language changes.
import { direction, pickLanguage, pluralKey, translate, type MessageKey, type PluralBase } from "./catalogue";

export const locale = $state({ language: "en" });

export function setLanguage(preference: string) {
  locale.language = pickLanguage(preference || navigator.language);
  document.documentElement.lang = locale.language;
  document.documentElement.dir = direction(locale.language);
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(locale.language, key, params);
}

/** A message with a count, in the language's plural form; `{count}` is formatted for the locale. */
export function tn(base: PluralBase, count: number, params: Record<string, string | number> = {}): string {
  return translate(locale.language, pluralKey(locale.language, base, count), { ...params, count: formatNumber(count) });
}

/** Dates and numbers in the user's locale (the interface language's conventions). */
export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(locale.language, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

export function formatDate(isoDate: string): string {
  // A bare date is a calendar day: format it at noon UTC so no time zone moves it.
  return new Intl.DateTimeFormat(locale.language, { dateStyle: "medium", timeZone: "UTC" }).format(
    new Date(`${isoDate}T12:00:00Z`),
  );
}

/** A month (`YYYY-MM`) by its name in the user's language: "November". */
export function formatMonth(yearMonth: string): string {
  return new Intl.DateTimeFormat(locale.language, { month: "long", timeZone: "UTC" }).format(
    new Date(`${yearMonth}-15T12:00:00Z`),
  );
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(locale.language).format(n);
}

/** How long ago `iso` was, in words ("3 minutes ago"), to the minute; "now" under a minute. */
export function formatAgo(iso: string, now: Date = new Date()): string {
  const seconds = Math.round((new Date(iso).getTime() - now.getTime()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale.language, { numeric: "auto" });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(0, "second");
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), "hour");
  return rtf.format(Math.round(seconds / 86400), "day");
}
