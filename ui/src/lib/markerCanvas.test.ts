import { describe, expect, it } from "vitest";
import { clusterRadius, ringSlices } from "./markerCanvas";
import { statusStyle } from "./status";

describe("cluster symbols", () => {
  it.each([
    [2, 14.8],
    [100, 25],
    [100000, 30],
  ])("a cluster of %i has a radius near %f", (count, r) => {
    expect(clusterRadius(count)).toBeCloseTo(r, 0);
  });

  it("grows with the count and never past 30 px", () => {
    expect(clusterRadius(10)).toBeLessThan(clusterRadius(1000));
    expect(clusterRadius(10_000_000)).toBe(30);
  });

  it("splits the ring by status, in order, around the whole circle", () => {
    const slices = ringSlices([2, 0, 1, 0, 1, 0, 0, 0]);
    expect(slices.map((s) => s.colour)).toEqual([
      statusStyle.not_contacted.colour,
      statusStyle.follow_up.colour,
      statusStyle.sticker_placed.colour,
    ]);
    expect(slices[0].from).toBeCloseTo(-Math.PI / 2);
    expect(slices[0].to - slices[0].from).toBeCloseTo(Math.PI);
    expect(slices[2].to).toBeCloseTo((3 * Math.PI) / 2);
  });

  it("draws nothing for an empty cluster", () => {
    expect(ringSlices([0, 0, 0, 0, 0, 0, 0, 0])).toEqual([]);
  });
});
