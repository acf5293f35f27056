import { describe, expect, it } from "vitest";
import { clampBox, nativeZoom, tileUrlTemplate } from "./markers";

describe("markers", () => {
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

  it.each([
    [null, 19],
    [{ mbtiles_path: null, mbtiles_max_zoom: null }, 19],
    [{ mbtiles_path: "/maps/london.mbtiles", mbtiles_max_zoom: 15 }, 15],
    [{ mbtiles_path: "/maps/london.mbtiles", mbtiles_max_zoom: null }, 19],
    [{ mbtiles_path: null, mbtiles_max_zoom: 15 }, 19],
  ] as const)("native zoom of %o is %d", (settings, want) => {
    expect(nativeZoom(settings)).toBe(want);
  });
});
