// Checks the window makes before asking Rust (which checks again and has the last word), so
// mistakes show next to the field as the person types.
import type { MessageKey } from "./i18n/catalogue";

export type FieldErrors = Partial<Record<string, MessageKey>>;

export interface RestaurantInput {
  name: string;
  lat: string;
  lon: string;
}

/** Parses a coordinate typed with a dot or a comma as the decimal mark. */
export function parseCoordinate(text: string): number | null {
  const cleaned = text.trim().replace(",", ".");
  if (!/^[-+]?\d+(\.\d+)?$/.test(cleaned)) return null;
  return Number(cleaned);
}

export function checkRestaurant(input: RestaurantInput): FieldErrors {
  const errors: FieldErrors = {};
  if (input.name.trim() === "") errors.name = "validation.name";
  const lat = parseCoordinate(input.lat);
  if (lat === null || lat < -90 || lat > 90) errors.lat = "validation.lat";
  const lon = parseCoordinate(input.lon);
  if (lon === null || lon < -180 || lon > 180) errors.lon = "validation.lon";
  return errors;
}

export function checkStickers(text: string): boolean {
  return /^\d+$/.test(text.trim()) && Number(text) <= 50;
}

/** "a, b; c" -> ["a", "b", "c"] */
export function splitList(text: string): string[] {
  return text
    .split(/[;,]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** A calendar date written YYYY-MM-DD that exists (no 31 February). */
export function isDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Today plus `days`, as YYYY-MM-DD in local time. */
export function daysFromToday(days: number, today: Date = new Date()): string {
  const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
