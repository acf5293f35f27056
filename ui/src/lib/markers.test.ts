import { describe, expect, it } from "vitest";
import { clampBox, markerElement, tileUrlTemplate } from "./markers";

describe("markers", () => {
  it("keeps a hostile name as text", () => {
    const evil = "<img src=x onerror=alert(1)>";
    const el = markerElement("r1", evil, "agreed", false);
    expect(el.title).toBe(evil);
    expect(el.querySelector("img")).toBeNull();
    expect(el.dataset.status).toBe("agreed");
    expect(el.dataset.id).toBe("r1");
  });

  it.each([
    [[51.4, -0.2, 51.6, 0.1], { south: 51.4, west: -0.2, north: 51.6, east: 0.1 }],
    [[-95, -400, 95, 400], { south: -90, west: -180, north: 90, east: 180 }],
    [[10, 170, 20, 190], { south: 10, west: 170, north: 20, east: -170 }],
  ])("clamps %o", (box, want) => {
    const [s, w, n, e] = box as number[];
    expect(clampBox(s, w, n, e)).toEqual(want);
  });

  it("picks the tile protocol's form per platform", () => {
    expect(tileUrlTemplate("Mozilla/5.0 (X11; Linux x86_64)")).toBe("tiles://localhost/{z}/{x}/{y}.png");
    expect(tileUrlTemplate("Mozilla/5.0 (Windows NT 10.0)")).toBe("http://tiles.localhost/{z}/{x}/{y}.png");
  });
});
