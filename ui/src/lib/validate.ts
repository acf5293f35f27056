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
