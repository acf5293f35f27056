import { describe, expect, it } from "vitest";
import type { Cluster } from "./bindings/Cluster";
import { clusterWords } from "./clusterWords";

const names: Record<string, string> = { not_contacted: "Not contacted", contacted: "Contacted", agreed: "Agreed" };
const cluster = (by: Cluster["by_status"]): Cluster => ({
  lat: 51.5,
  lon: -0.1,
  count: by.reduce((a, b) => a + b, 0),
  by_status: by,
  south: 51.4,
  west: -0.2,
  north: 51.6,
  east: 0,
});

describe("clusters in words", () => {
  it.each([
    [[20, 10, 0, 4, 0, 0, 0, 0], "34 together: 20 not contacted, 10 contacted, 4 agreed"],
    [[0, 0, 0, 2, 0, 0, 0, 0], "2 together: 2 agreed"],
  ] as const)("%j", (by, want) => {
    const words = clusterWords(cluster([...by] as Cluster["by_status"]), (s) => names[s] ?? s, (n, s) => `${n} together: ${s}`);
    expect(words).toBe(want);
  });
});
