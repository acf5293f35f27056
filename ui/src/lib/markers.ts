// Small helpers for the map: the box the Rust side wants, the tile protocol's address.

/** Leaflet may hand back a box wider than the world; the Rust side wants plain degrees. */
export function clampBox(south: number, west: number, north: number, east: number) {
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
  if (east - west >= 360) return { south: clamp(south, -90, 90), west: -180, north: clamp(north, -90, 90), east: 180 };
  const wrap = (lon: number) => (lon >= -180 && lon <= 180 ? lon : ((((lon + 180) % 360) + 360) % 360) - 180);
  return { south: clamp(south, -90, 90), west: wrap(west), north: clamp(north, -90, 90), east: wrap(east) };
}

/** The custom protocol that serves tiles: `tiles://localhost` on Linux and macOS, `http://tiles.localhost` on Windows. */
export function tileUrlTemplate(userAgent: string): string {
  const base = userAgent.includes("Windows") ? "http://tiles.localhost" : "tiles://localhost";
  return `${base}/{z}/{x}/{y}.png`;
}

/** The deepest zoom the basemap has tiles for: an MBTiles file's own maximum (Leaflet enlarges
 * that level's tiles beyond it), else the tile servers' usual 19. */
export function nativeZoom(settings: { mbtiles_path: string | null; mbtiles_max_zoom: number | null } | null): number {
  if (settings?.mbtiles_path && settings.mbtiles_max_zoom !== null) return Math.min(settings.mbtiles_max_zoom, 19);
  return 19;
}
