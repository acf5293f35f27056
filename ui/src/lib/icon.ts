// A Svelte action that puts a status symbol into an element (as DOM nodes, never markup).
import type { Status } from "./bindings/Status";
import { statusIcon } from "./status";

export function icon(node: HTMLElement, params: { status: Status; size?: number }) {
  const draw = (p: { status: Status; size?: number }) => node.replaceChildren(statusIcon(p.status, p.size ?? 16));
  draw(params);
  return { update: draw };
}
