// How each status looks: a colour from the Okabe–Ito palette (safe for colour-blind readers)
// and a distinct shape, so the map reads in greyscale too. Icons are built as DOM nodes.
import type { Status } from "./bindings/Status";

export type Shape = "ring" | "circle" | "diamond" | "triangle" | "star" | "square" | "cross" | "bar";

export const STATUSES: Status[] = [
  "not_contacted",
  "contacted",
  "follow_up",
  "agreed",
  "sticker_placed",
  "declined",
  "do_not_contact",
  "closed",
];

export const statusStyle: Record<Status, { colour: string; shape: Shape }> = {
  not_contacted: { colour: "#6b7280", shape: "ring" },
  contacted: { colour: "#0072b2", shape: "circle" },
  follow_up: { colour: "#e69f00", shape: "diamond" },
  agreed: { colour: "#56b4e9", shape: "triangle" },
  sticker_placed: { colour: "#009e73", shape: "star" },
  declined: { colour: "#d55e00", shape: "square" },
  do_not_contact: { colour: "#1f1f1f", shape: "cross" },
  closed: { colour: "#8a8a8a", shape: "bar" },
};

const SVG = "http://www.w3.org/2000/svg";

/** The outline of a shape in a 20×20 box, as SVG elements' names and attributes. */
export function shapeParts(shape: Shape): Array<[string, Record<string, string>]> {
  switch (shape) {
    case "ring":
      return [["circle", { cx: "10", cy: "10", r: "6.5", fill: "#ffffff", "stroke-width": "3" }]];
    case "circle":
      return [["circle", { cx: "10", cy: "10", r: "7" }]];
    case "diamond":
      return [["path", { d: "M10 1.5 L18.5 10 L10 18.5 L1.5 10 Z" }]];
    case "triangle":
      return [["path", { d: "M10 2 L18.5 17.5 L1.5 17.5 Z" }]];
    case "star":
      return [["path", { d: "M10 1 L12.6 7 L19 7.4 L14 11.6 L15.6 18 L10 14.5 L4.4 18 L6 11.6 L1 7.4 L7.4 7 Z" }]];
    case "square":
      return [["rect", { x: "3", y: "3", width: "14", height: "14", rx: "1.5" }]];
    case "cross":
      return [["path", { d: "M4 2 L10 8 L16 2 L18 4 L12 10 L18 16 L16 18 L10 12 L4 18 L2 16 L8 10 L2 4 Z" }]];
    case "bar":
      return [["rect", { x: "1.5", y: "6.5", width: "17", height: "7", rx: "1.5" }]];
  }
}

/** A status symbol as an <svg> node, `size` pixels square. */
export function statusIcon(status: Status, size = 20): SVGSVGElement {
  const { colour, shape } = statusStyle[status];
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 20 20");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const [name, attrs] of shapeParts(shape)) {
    const el = document.createElementNS(SVG, name);
    el.setAttribute("fill", colour);
    el.setAttribute("stroke", shape === "ring" ? colour : "#ffffff");
    el.setAttribute("stroke-width", "1.2");
    el.setAttribute("stroke-linejoin", "round");
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    svg.appendChild(el);
  }
  return svg;
}
