// The map's restaurants drawn on one canvas: clusters (a ring split by the statuses inside, the
// count in the middle) and single restaurants (their status symbol). Only what the view holds is
// drawn, whatever the number of restaurants. Text is drawn as text on the canvas: nothing a
// person typed becomes markup.
import L from "leaflet";
import type { Cluster } from "./bindings/Cluster";
import type { MapClusters } from "./bindings/MapClusters";
import type { MapPoint } from "./bindings/MapPoint";
import { shapeParts, statusStyle, STATUSES } from "./status";

export type Hit = { kind: "point"; point: MapPoint } | { kind: "cluster"; cluster: Cluster };

/** The radius of a cluster's symbol, growing slowly with its count. */
export function clusterRadius(count: number): number {
  return Math.min(30, 13 + Math.log10(Math.max(count, 2)) * 6);
}

/** The ring's slices: for each status with restaurants, its share as start and end angles. */
export function ringSlices(byStatus: number[]): Array<{ colour: string; from: number; to: number }> {
  const total = byStatus.reduce((a, b) => a + b, 0);
  const slices: Array<{ colour: string; from: number; to: number }> = [];
  let angle = -Math.PI / 2;
  byStatus.forEach((n, i) => {
    if (n === 0 || total === 0) return;
    const to = angle + (n / total) * Math.PI * 2;
    slices.push({ colour: statusStyle[STATUSES[i]].colour, from: angle, to });
    angle = to;
  });
  return slices;
}

const shapes = new Map<string, Array<{ path: Path2D }>>();
function shapePaths(status: MapPoint["status"]): Array<{ path: Path2D }> {
  const known = shapes.get(status);
  if (known) return known;
  const parts = shapeParts(statusStyle[status].shape).map(([name, a]) => {
    const path = new Path2D();
    if (name === "circle") path.arc(Number(a.cx), Number(a.cy), Number(a.r), 0, Math.PI * 2);
    else if (name === "rect") path.rect(Number(a.x), Number(a.y), Number(a.width), Number(a.height));
    else path.addPath(new Path2D(a.d));
    return { path };
  });
  shapes.set(status, parts);
  return parts;
}

export class MarkerCanvas extends L.Layer {
  private canvas?: HTMLCanvasElement;
  private data: MapClusters = { clusters: [], points: [], total: 0 };
  private selected: string | null = null;
  private drawn: Array<{ x: number; y: number; r: number; hit: Hit }> = [];

  onAdd(map: L.Map): this {
    this.canvas = L.DomUtil.create("canvas", "tm-markers leaflet-zoom-hide") as HTMLCanvasElement;
    this.canvas.setAttribute("aria-hidden", "true");
    map.getPanes().overlayPane.appendChild(this.canvas);
    map.on("moveend zoomend resize viewreset", this.redraw, this);
    this.redraw();
    return this;
  }

  onRemove(map: L.Map): this {
    map.off("moveend zoomend resize viewreset", this.redraw, this);
    this.canvas?.remove();
    this.canvas = undefined;
    return this;
  }

  setData(data: MapClusters, selected: string | null) {
    this.data = data;
    this.selected = selected;
    this.redraw();
  }

  setSelected(selected: string | null) {
    this.selected = selected;
    this.redraw();
  }

  /** What is drawn under a point of the map's container, topmost first. */
  hitAt(p: L.Point): Hit | null {
    for (let i = this.drawn.length - 1; i >= 0; i--) {
      const d = this.drawn[i];
      if ((d.x - p.x) ** 2 + (d.y - p.y) ** 2 <= d.r ** 2) return d.hit;
    }
    return null;
  }

  redraw() {
    const map = this._map as L.Map | undefined;
    const canvas = this.canvas;
    if (!map || !canvas) return;
    const size = map.getSize();
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(size.x * ratio);
    canvas.height = Math.round(size.y * ratio);
    canvas.style.width = `${size.x}px`;
    canvas.style.height = `${size.y}px`;
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);
    this.drawn = [];
    for (const c of this.data.clusters) this.drawCluster(ctx, map, c);
    let selected: MapPoint | null = null;
    for (const p of this.data.points) {
      if (p.id === this.selected) selected = p;
      else this.drawPoint(ctx, map, p, false);
    }
    if (selected) this.drawPoint(ctx, map, selected, true);
  }

  private drawCluster(ctx: CanvasRenderingContext2D, map: L.Map, c: Cluster) {
    const at = map.latLngToContainerPoint([c.lat, c.lon]);
    const r = clusterRadius(c.count);
    ctx.save();
    ctx.shadowColor = "rgb(0 0 0 / 0.35)";
    ctx.shadowBlur = 3;
    ctx.beginPath();
    ctx.arc(at.x, at.y, r, 0, Math.PI * 2);
    ctx.fillStyle = "#ffffff";
    ctx.fill();
    ctx.restore();
    const ring = Math.max(4, r * 0.32);
    for (const s of ringSlices(c.by_status)) {
      ctx.beginPath();
      ctx.arc(at.x, at.y, r - ring / 2, s.from, s.to);
      ctx.strokeStyle = s.colour;
      ctx.lineWidth = ring;
      ctx.stroke();
    }
    ctx.fillStyle = "#1f2933";
    ctx.font = `600 ${c.count >= 10000 ? 10 : 12}px system-ui, sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(c.count >= 10000 ? `${Math.round(c.count / 1000)}k` : String(c.count), at.x, at.y + 0.5);
    this.drawn.push({ x: at.x, y: at.y, r, hit: { kind: "cluster", cluster: c } });
  }

  private drawPoint(ctx: CanvasRenderingContext2D, map: L.Map, p: MapPoint, selected: boolean) {
    const at = map.latLngToContainerPoint([p.lat, p.lon]);
    const size = selected ? 30 : 20;
    const { colour, shape } = statusStyle[p.status];
    ctx.save();
    ctx.translate(at.x - size / 2, at.y - size / 2);
    ctx.scale(size / 20, size / 20);
    ctx.shadowColor = selected ? "#1d4ed8" : "rgb(0 0 0 / 0.45)";
    ctx.shadowBlur = selected ? 6 : 2;
    ctx.lineJoin = "round";
    for (const { path } of shapePaths(p.status)) {
      ctx.fillStyle = shape === "ring" ? "#ffffff" : colour;
      ctx.fill(path);
      ctx.lineWidth = shape === "ring" ? 3 : 1.2;
      ctx.strokeStyle = shape === "ring" ? colour : "#ffffff";
      ctx.stroke(path);
    }
    if (p.proposed) {
      // A volunteer's proposal, not decided yet: a dashed halo around its status symbol.
      ctx.shadowBlur = 0;
      ctx.setLineDash([3, 2.5]);
      ctx.lineWidth = 1.6;
      ctx.strokeStyle = "#4b5563";
      ctx.beginPath();
      ctx.arc(10, 10, 13, 0, Math.PI * 2);
      ctx.stroke();
    }
    ctx.restore();
    this.drawn.push({ x: at.x, y: at.y, r: size / 2 + 2, hit: { kind: "point", point: p } });
  }
}
