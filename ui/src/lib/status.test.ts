import { describe, expect, it } from "vitest";
import { STATUSES, statusIcon, statusStyle } from "./status";

describe("status symbols", () => {
  it("gives every status its own shape and its own colour", () => {
    const shapes = new Set(STATUSES.map((s) => statusStyle[s].shape));
    const colours = new Set(STATUSES.map((s) => statusStyle[s].colour));
    expect(shapes.size).toBe(STATUSES.length);
    expect(colours.size).toBe(STATUSES.length);
  });

  it.each(STATUSES)("draws %s as an svg with at least one shape", (status) => {
    const svg = statusIcon(status, 16);
    expect(svg.tagName.toLowerCase()).toBe("svg");
    expect(svg.getAttribute("width")).toBe("16");
    expect(svg.children.length).toBeGreaterThan(0);
    const shape = svg.firstElementChild;
    const painted = [shape?.getAttribute("fill"), shape?.getAttribute("stroke")];
    expect(painted).toContain(statusStyle[status].colour);
  });
});
