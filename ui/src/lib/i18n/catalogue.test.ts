import { describe, expect, it } from "vitest";
import en from "./en.json";
import ar from "./ar.json";
import { catalogues, direction, pickLanguage, pluralKey, translate } from "./catalogue";

describe("catalogue", () => {
  it.each([
    ["en", "en"],
    ["en-GB", "en"],
    ["ar-EG", "ar"],
    ["AR", "ar"],
    ["fr", "en"],
    ["", "en"],
    [null, "en"],
  ])("picks %s -> %s", (tag, want) => {
    expect(pickLanguage(tag)).toBe(want);
  });

  it.each([
    ["ar", "rtl"],
    ["ar-SA", "rtl"],
    ["en", "ltr"],
    ["ur", "rtl"],
  ])("direction of %s is %s", (lang, dir) => {
    expect(direction(lang)).toBe(dir);
  });

  it("fills placeholders and leaves unknown ones", () => {
    expect(translate("en", "list.count", { shown: 3, total: 10 })).toBe("3 of 10");
    expect(translate("en", "list.count", { shown: 3 })).toBe("3 of {total}");
  });

  it("falls back to English for a missing key", () => {
    catalogues.xx = { "status.agreed": "Agreed (xx)" };
    expect(translate("xx", "status.agreed")).toBe("Agreed (xx)");
    expect(translate("xx", "status.closed")).toBe(en["status.closed"]);
    delete catalogues.xx;
  });

  it("has an Arabic text for every English key", () => {
    const english = en as Record<string, string>;
    const missing = Object.keys(english).filter((k) => !(k in ar) && !k.endsWith(".one"));
    expect(missing).toEqual([]);
  });

  it("translates with the language's own text", () => {
    expect(translate("ar", "status.agreed")).toBe("وافق");
  });

  it("keeps every translation's placeholders to English's", () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const english = en as Record<string, string>;
    for (const [key, text] of Object.entries(ar)) {
      const plural = key.replace(/\.(zero|one|two|few|many|other)$/, ".other");
      if (key in english && plural === key) {
        expect(names(text), key).toEqual(names(english[key]));
      } else {
        // A plural form may leave the number out ("one sticker"), but adds no other name.
        expect(english, key).toHaveProperty(plural);
        for (const n of names(text)) expect(names(english[plural]), key).toContain(n);
      }
    }
  });

  it.each([
    ["en", 1, "detail.stickers.one"],
    ["en", 2, "detail.stickers.other"],
    ["en", 0, "detail.stickers.other"],
    ["ar", 1, "detail.stickers.one"],
    ["ar", 2, "detail.stickers.two"],
    ["ar", 5, "detail.stickers.few"],
    ["ar", 11, "detail.stickers.other"],
    ["ar", 1, "visits.stickers.one"],
    ["ar", 2, "visits.stickers.other"],
  ] as const)("plural of %s %d is %s", (lang, n, key) => {
    const base = key.startsWith("detail") ? "detail.stickers" : "visits.stickers";
    expect(pluralKey(lang, base, n)).toBe(key);
  });

  it("does not interpret markup in values", () => {
    const evil = "<img src=x onerror=alert(1)>";
    expect(translate("en", "form.restaurant.saved", { name: evil })).toBe(`Saved ${evil}`);
  });
});
