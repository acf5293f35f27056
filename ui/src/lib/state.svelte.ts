// The window's shared state. Components read it directly; changes go through the functions
// below so the list, the map, the legend and the panel stay in step.
import * as api from "./api";
import type { Reached } from "./bindings/Reached";
import type { SaveTo } from "./bindings/SaveTo";
import type { Bbox } from "./bindings/Bbox";
import type { WalkPlan } from "./bindings/WalkPlan";
import type { RestaurantDetail } from "./bindings/RestaurantDetail";
import type { RestaurantFilter } from "./bindings/RestaurantFilter";
import type { RestaurantPage } from "./bindings/RestaurantPage";
import type { Settings } from "./bindings/Settings";
import type { Status } from "./bindings/Status";
import type { UiError } from "./bindings/UiError";
import type { Volunteer } from "./bindings/Volunteer";
import type { SyncStatus } from "./bindings/SyncStatus";
import type { SyncUpdate } from "./bindings/SyncUpdate";
import type { Action } from "./bindings/Action";
import { t, tn } from "./i18n/index.svelte";
import { errorMessage } from "./errors";

export type Editing = { mode: "add" } | { mode: "edit"; detail: RestaurantDetail };
export type Toast = { text: string; kind: "info" | "error"; id: number };

export const ui = $state({
  search: "",
  /** Where printed and exported files go: the output folder (shown here once read) or the
   * native save dialog each time. The window never names a path itself. */
  outputFolder: "",
  saveTo: "output_folder" as SaveTo,
  statuses: [] as Status[],
  /** More filters: a cuisine, a volunteer who visited, follow-ups due today or earlier. */
  cuisine: "",
  visitedBy: "",
  followUpDue: false,
  areaFilter: "",
  /** The restaurants a report counted in one funnel stage over some days (a stage or a week
   * clicked in the dashboard). */
  reached: null as Reached | null,
  /** The areas panel, the area chosen in it, a walk planned for it, the outline being drawn. */
  areasOpen: false,
  areaId: null as string | null,
  walk: null as WalkPlan | null,
  /** Chosen restaurants to plan a walk through (from the map's filtered list), shown in a panel. */
  walkList: null as { ids: string[]; title: string } | null,
  drawingArea: false,
  /** Corners of the area being drawn, and the finished outline waiting for a name. */
  drawnArea: null as Array<[number, number]> | null,
  /** Bumped when areas change, so the map redraws their outlines. */
  areasVersion: 0,
  /** Bumped to move the keyboard focus to the visit form (from the follow-up queue). */
  focusVisitForm: 0,
  selectedId: null as string | null,
  detail: null as RestaurantDetail | null,
  editing: null as Editing | null,
  /** Coordinates picked on the map while the restaurant form is open. */
  picked: null as { lat: number; lon: number } | null,
  /** Bumped after every write: the list, the map and the legend reload. */
  version: 0,
  /** A restaurant to centre the map on (set when one is chosen from the list). */
  focus: null as { lat: number; lon: number; id: string } | null,
  toasts: [] as Toast[],
  volunteers: [] as Volunteer[],
  volunteerId: (globalThis.localStorage?.getItem("tablemap.volunteer") ?? "") as string,
  settings: null as Settings | null,
  settingsOpen: false,
  recoveryOpen: false,
  /** The window shows the demo database (a banner says so). */
  demo: false,
  importOpen: false,
  /** Which import the wizard shows. */
  importTab: "csv" as "csv" | "osm",
  /** The map's current view, and a box drawn on it for an OpenStreetMap import. */
  mapBounds: null as Bbox | null,
  osmBox: null as Bbox | null,
  /** The map is waiting for a box to be drawn (drag with the mouse; Escape cancels). */
  drawingBox: false,
  /** Which main view is showing. */
  view: "map" as "map" | "stickers" | "dashboard",
  /** Team sync: the latest status, the team dialog, and a "Sync now" waiting for its answer. */
  sync: null as SyncStatus | null,
  teamOpen: false,
  syncAsked: false,
});

/** Whether the person at this machine may do `action`: their role's row of the permission
 * table as the last sync said (unjoined, a single user may do everything). The API refuses the
 * rest anyway; the window does not offer it. */
export function may(action: Action): boolean {
  return ui.sync?.allowed.includes(action) ?? true;
}

/** On a team, who may only record as themselves records under their own id: that id (the
 * volunteer picker is not shown); otherwise null, and the picker chooses. */
export function ownVolunteer(): string | null {
  return ui.sync?.joined && !may("log_for_others") ? ui.sync.volunteer_id : null;
}

/** Today in the computer's time zone, as the follow-up dates are written. */
export function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function currentFilter(): RestaurantFilter {
  const search = ui.search.trim();
  return {
    search: search === "" ? null : search,
    statuses: [...ui.statuses],
    cuisine: ui.cuisine === "" ? null : ui.cuisine,
    volunteer_id: ui.visitedBy === "" ? null : ui.visitedBy,
    follow_up_due_by: ui.followUpDue ? today() : null,
    area_id: ui.areaFilter === "" ? null : ui.areaFilter,
    reached: ui.reached,
  };
}

/** Every restaurant id a paged listing gives (500 a page), up to `max`. */
export async function everyId(page: (limit: number, offset: number) => Promise<RestaurantPage>, max = 50_000): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const p = await page(500, ids.length);
    ids.push(...p.items.map((r) => r.id));
    if (p.items.length === 0 || ids.length >= p.total || ids.length >= max) return ids;
  }
}

/** Every filter off. */
export function resetFilters() {
  ui.search = "";
  ui.statuses = [];
  ui.cuisine = "";
  ui.visitedBy = "";
  ui.followUpDue = false;
  ui.areaFilter = "";
  ui.reached = null;
}

/** The map with only these restaurants: an area, or what a report counted in a funnel stage
 * over some days (from the dashboard). */
export function showOnMap(only: { area?: string; reached?: Reached }) {
  resetFilters();
  ui.areaFilter = only.area ?? "";
  ui.reached = only.reached ?? null;
  ui.view = "map";
}

/** How many filters are on (each status counts as one). */
export function filtersOn(): number {
  return (
    ui.statuses.length +
    (ui.search.trim() ? 1 : 0) +
    (ui.cuisine ? 1 : 0) +
    (ui.visitedBy ? 1 : 0) +
    (ui.followUpDue ? 1 : 0) +
    (ui.areaFilter ? 1 : 0) +
    (ui.reached ? 1 : 0)
  );
}

/** A key that changes whenever the filter does (for effects that reload). */
export function filterKey(): string {
  return JSON.stringify(currentFilter());
}

let toastId = 0;
export function notify(text: string, kind: Toast["kind"] = "info") {
  const toast = { text, kind, id: ++toastId };
  ui.toasts = [...ui.toasts.slice(-2), toast];
  setTimeout(() => (ui.toasts = ui.toasts.filter((x) => x.id !== toast.id)), kind === "error" ? 9000 : 4000);
}

export function notifyError(e: unknown) {
  notify(errorMessage(api.asUiError(e)), "error");
}

export async function select(id: string | null, opts: { centre?: boolean } = {}) {
  ui.selectedId = id;
  ui.editing = null;
  if (id === null) {
    ui.detail = null;
    return;
  }
  try {
    const detail = await api.getRestaurant(id);
    if (ui.selectedId !== id) return;
    ui.detail = detail;
    if (opts.centre) ui.focus = { lat: detail.lat, lon: detail.lon, id };
  } catch (e) {
    notifyError(e);
  }
}

/** After a write: show the fresh detail and reload what lists and draws restaurants. */
export function applyDetail(detail: RestaurantDetail) {
  ui.selectedId = detail.id;
  ui.detail = detail;
  ui.version++;
}

export async function loadVolunteers() {
  try {
    ui.volunteers = await api.listVolunteers();
  } catch (e) {
    notifyError(e);
  }
}

export function chooseVolunteer(id: string) {
  ui.volunteerId = id;
  globalThis.localStorage?.setItem("tablemap.volunteer", id);
}

/** Follows the background sync: keeps the status fresh and reloads whatever a pull changed. */
export async function watchSync() {
  try {
    ui.sync = await api.watchSync(onSyncUpdate);
  } catch (e) {
    notifyError(e);
  }
}

export function onSyncUpdate(u: SyncUpdate) {
  ui.sync = u.status;
  const r = u.report;
  const pulled = r
    ? r.pulled_restaurants +
      r.pulled_fields +
      r.pulled_visits +
      r.pulled_consents +
      r.pulled_reviews +
      r.pulled_campaign +
      r.pulled_erasures
    : 0;
  if (pulled > 0) {
    ui.version++;
    ui.areasVersion++;
    void loadVolunteers();
    if (ui.selectedId) void select(ui.selectedId);
  }
  if (ui.syncAsked && !u.status.running) {
    ui.syncAsked = false;
    if (u.error) notify(t("sync.failed", { reason: u.error }), "error");
    else if (r) notify(tn("sync.done", r.pushed, { received: pulled }));
  }
}

export async function syncNow() {
  try {
    ui.syncAsked = true;
    ui.sync = await api.syncNow();
  } catch (e) {
    ui.syncAsked = false;
    notifyError(e);
  }
}

export function fieldError(e: UiError, field: string): string | null {
  return e.kind === "invalid" && e.field === field ? e.message : null;
}

export { t };
