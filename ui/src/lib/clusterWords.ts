// A cluster on the map in words, for screen readers: how many restaurants and in which statuses
// ("34 restaurants together: 20 not contacted, 10 contacted, 4 agreed").
import type { Cluster } from "./bindings/Cluster";
import type { Status } from "./bindings/Status";
import { STATUSES } from "./status";

export function clusterWords(
  c: Cluster,
  statusName: (s: Status) => string,
  together: (count: number, statuses: string) => string,
  formatNumber: (n: number) => string = String,
): string {
  const parts = STATUSES.map((s, i) => [s, c.by_status[i]] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${formatNumber(n)} ${statusName(s).toLowerCase()}`);
  return together(c.count, parts.join(", "));
}
