import { describe, expect, it } from "vitest";
import { checkRestaurant, checkStickers, daysFromToday, isDate, parseCoordinate, splitList } from "./validate";

describe("restaurant form checks", () => {
  it.each([
    [{ name: "Mangal", lat: "51.5", lon: "-0.1" }, {}],
    [{ name: "  ", lat: "51.5", lon: "-0.1" }, { name: "validation.name" }],
    [{ name: "Mangal", lat: "91", lon: "0" }, { lat: "validation.lat" }],
    [{ name: "Mangal", lat: "", lon: "0" }, { lat: "validation.lat" }],
    [{ name: "Mangal", lat: "51,5", lon: "-180" }, {}],
    [{ name: "Mangal", lat: "51.5", lon: "180.1" }, { lon: "validation.lon" }],
    [{ name: "Mangal", lat: "1e3", lon: "x" }, { lat: "validation.lat", lon: "validation.lon" }],
  ])("%o -> %o", (input, errors) => {
    expect(checkRestaurant(input)).toEqual(errors);
  });

  it.each([
    ["0", true],
    ["50", true],
    ["51", false],
    ["-1", false],
    ["2.5", false],
    ["", false],
  ])("stickers %s -> %s", (text, ok) => {
    expect(checkStickers(text)).toBe(ok);
  });

  it("parses coordinates with either decimal mark", () => {
    expect(parseCoordinate(" -0,125 ")).toBe(-0.125);
    expect(parseCoordinate("abc")).toBeNull();
  });

  it("splits lists", () => {
    expect(splitList("turkish; kebab, ,grill")).toEqual(["turkish", "kebab", "grill"]);
  });
});

describe("dates", () => {
  it.each([
    ["2026-05-31", true],
    ["2028-02-29", true],
    ["2026-02-29", false],
    ["2026-13-01", false],
    ["31/05/2026", false],
    ["2026-5-31", false],
    ["", false],
  ])("%s is a date: %s", (text, ok) => {
    expect(isDate(text)).toBe(ok);
  });

  it("counts days from today across a month end", () => {
    expect(daysFromToday(7, new Date(2026, 0, 28))).toBe("2026-02-04");
    expect(daysFromToday(14, new Date(2026, 11, 25))).toBe("2027-01-08");
  });
});
