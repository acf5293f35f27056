// The only module that talks to the Rust side. Every other file calls these typed functions;
// the types are generated from the Rust ones (src-tauri, ts-rs) into ./bindings.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "./bindings/AppInfo";
import type { KeyStatus } from "./bindings/KeyStatus";
import type { Bbox } from "./bindings/Bbox";
import type { CuisineCount } from "./bindings/CuisineCount";
import type { MapClusters } from "./bindings/MapClusters";
import type { NewConsent } from "./bindings/NewConsent";
import type { Standing } from "./bindings/Standing";
import type { NewVisit } from "./bindings/NewVisit";
import type { Erased } from "./bindings/Erased";
import type { ReportPdf } from "./bindings/ReportPdf";
import type { BackupFile } from "./bindings/BackupFile";
import type { Health } from "./bindings/Health";
import type { RestoreDone } from "./bindings/RestoreDone";
import type { FirstRun } from "./bindings/FirstRun";
import type { DemoRemoved } from "./bindings/DemoRemoved";
import type { Applied } from "./bindings/Applied";
import type { Cleared } from "./bindings/Cleared";
import type { Retention } from "./bindings/Retention";
import type { RetentionStatus } from "./bindings/RetentionStatus";
import type { RecordFiles } from "./bindings/RecordFiles";
import type { SaveTo } from "./bindings/SaveTo";
import type { Report } from "./bindings/Report";
import type { ReportRequest } from "./bindings/ReportRequest";
import type { ReportTable } from "./bindings/ReportTable";
import type { Exported } from "./bindings/Exported";
import type { RestaurantDetail } from "./bindings/RestaurantDetail";
import type { RestaurantDraft } from "./bindings/RestaurantDraft";
import type { RestaurantFilter } from "./bindings/RestaurantFilter";
import type { RestaurantPage } from "./bindings/RestaurantPage";
import type { Settings } from "./bindings/Settings";
import type { StatusCount } from "./bindings/StatusCount";
import type { UiError } from "./bindings/UiError";
import type { Volunteer } from "./bindings/Volunteer";
import type { VolunteerDraft } from "./bindings/VolunteerDraft";
import type { BatchDetail } from "./bindings/BatchDetail";
import type { Campaign } from "./bindings/Campaign";
import type { EcLevel } from "./bindings/EcLevel";
import type { PrintBatch } from "./bindings/PrintBatch";
import type { PrintProgress } from "./bindings/PrintProgress";
import type { PrintRequest } from "./bindings/PrintRequest";
import type { PrintResult } from "./bindings/PrintResult";
import type { StickerPreviews } from "./bindings/StickerPreviews";
import type { Template } from "./bindings/Template";
import type { UrlCheck } from "./bindings/UrlCheck";
import type { PrinterCalibration } from "./bindings/PrinterCalibration";
import type { TemplateImport } from "./bindings/TemplateImport";
import type { StickerCode } from "./bindings/StickerCode";
import type { StickerState } from "./bindings/StickerState";
import type { CsvImportSummary } from "./bindings/CsvImportSummary";
import type { CsvOptions } from "./bindings/CsvOptions";
import type { CsvPreview } from "./bindings/CsvPreview";
import type { ImportProgress } from "./bindings/ImportProgress";
import type { Located } from "./bindings/Located";
import type { AreaImportSummary } from "./bindings/AreaImportSummary";
import type { AreaNote } from "./bindings/AreaNote";
import type { AreaShape } from "./bindings/AreaShape";
import type { AreaSummary } from "./bindings/AreaSummary";
import type { Geometry } from "./bindings/Geometry";
import type { WalkPlan } from "./bindings/WalkPlan";
import type { LatLon } from "./bindings/LatLon";
import type { WalkSheetResult } from "./bindings/WalkSheetResult";
import type { OsmAreaRequest } from "./bindings/OsmAreaRequest";
import type { OsmImportSummary } from "./bindings/OsmImportSummary";
import type { PlacesProgress } from "./bindings/PlacesProgress";
import type { ReverseHit } from "./bindings/ReverseHit";
import type { OfflinePlan } from "./bindings/OfflinePlan";
import type { OfflineProgress } from "./bindings/OfflineProgress";
import type { OfflineSummary } from "./bindings/OfflineSummary";
import type { SyncReview } from "./bindings/SyncReview";
import type { SyncStatus } from "./bindings/SyncStatus";
import type { SyncUpdate } from "./bindings/SyncUpdate";

/** Every failure reaches callers as a UiError, whatever went wrong on the way. */
async function call<T>(
  command: string,
  args: Record<string, unknown> = {},
  options?: { headers: Record<string, string> },
): Promise<T> {
  try {
    return await invoke<T>(command, args, options);
  } catch (e) {
    throw asUiError(e);
  }
}

export function asUiError(e: unknown): UiError {
  if (e && typeof e === "object" && "kind" in e && "message" in e) return e as UiError;
  return { kind: "storage", message: String(e), field: null };
}

export const listRestaurants = (filter: RestaurantFilter, limit: number, offset: number) =>
  call<RestaurantPage>("list_restaurants", { filter, limit, offset });
export const mapClusters = (filter: RestaurantFilter, bbox: Bbox, zoom: number) =>
  call<MapClusters>("map_clusters", { filter, bbox, zoom });
export const cuisines = () => call<CuisineCount[]>("cuisines");
export const followUps = (filter: RestaurantFilter, today: string, lat: number, lon: number, limit: number, offset: number) =>
  call<RestaurantPage>("follow_ups", { filter, today, lat, lon, limit, offset });
export const dataExtent = () => call<Bbox | null>("data_extent");
export const statusCounts = (filter: RestaurantFilter) => call<StatusCount[]>("status_counts", { filter });
export const getRestaurant = (id: string) => call<RestaurantDetail>("get_restaurant", { id });
export const addRestaurant = (draft: RestaurantDraft) => call<RestaurantDetail>("add_restaurant", { draft });
export const updateRestaurant = (id: string, draft: RestaurantDraft) =>
  call<RestaurantDetail>("update_restaurant", { id, draft });
export const decideProposal = (id: string, decision: Standing) =>
  call<RestaurantDetail>("decide_proposal", { id, decision });
export const eraseRestaurant = (id: string) => call<Erased>("erase_restaurant", { id });
export const eraseVolunteer = (id: string) => call<string>("erase_volunteer", { id });
export const report = (request: ReportRequest) => call<Report>("report", { request });
export const exportReportCsv = (request: ReportRequest, table: ReportTable, saveTo: SaveTo) =>
  call<Exported>("export_report_csv", { request, table, save_to: saveTo });
export const reportPdf = (request: ReportRequest, saveTo: SaveTo) =>
  call<ReportPdf>("report_pdf", { request, save_to: saveTo });
export const firstRun = () => call<FirstRun>("first_run");
export const openDemo = () => call<FirstRun>("open_demo");
export const startCampaign = (name: string, baseUrl: string) =>
  call<FirstRun>("start_campaign", { name, base_url: baseUrl });
export const leaveDemo = () => call<FirstRun>("leave_demo");
export const answerOldDemo = (remove: boolean) => call<DemoRemoved>("answer_old_demo", { remove });
export const checkDatabase = () => call<Health>("check_database");
export const backupNow = () => call<BackupFile>("backup_now");
export const listBackups = () => call<BackupFile[]>("list_backups");
export const restoreBackup = (name: string) => call<RestoreDone>("restore_backup", { name });
export const startupProblem = () => call<string | null>("startup_problem");
export const retentionStatus = () => call<RetentionStatus>("retention_status");
export const saveRetention = (retention: Retention) => call<Applied>("save_retention", { retention });
export const clearCaches = () => call<Cleared>("clear_caches");
export const exportRestaurantRecord = (id: string) => call<RecordFiles>("export_restaurant_record", { id });
export const recordVisit = (visit: NewVisit) => call<RestaurantDetail>("record_visit", { visit });
export const recordConsent = (consent: NewConsent) => call<RestaurantDetail>("record_consent", { consent });
export const listVolunteers = () => call<Volunteer[]>("list_volunteers");
export const addVolunteer = (draft: VolunteerDraft) => call<Volunteer>("add_volunteer", { draft });
export const getSettings = () => call<Settings>("get_settings");
export const saveSettings = (settings: Settings) => call<Settings>("save_settings", { settings });
export const appInfo = () => call<AppInfo>("app_info");
export const keyStatus = () => call<KeyStatus | null>("key_status");
export const mapReady = (markers: number) => call<null>("map_ready", { markers });

export const stickerTemplates = () => call<Template[]>("sticker_templates");
export const getCampaign = () => call<Campaign>("get_campaign");
export const saveCampaign = (campaign: Campaign) => call<Campaign>("save_campaign", { campaign });
export const checkBaseUrl = (url: string) => call<UrlCheck>("check_base_url", { url });
export const stickerPreview = (templateId: string, campaign: Campaign, ecLevel: EcLevel, startAt: number, count: number) =>
  call<StickerPreviews>("sticker_preview", { template_id: templateId, campaign, ec_level: ecLevel, start_at: startAt, count });
export const printBatches = () => call<PrintBatch[]>("print_batches");
export const batchDetail = (id: string) => call<BatchDetail>("batch_detail", { id });
// Files the window writes go to the output folder or where the native save dialog (opened by
// the Rust command) says; the window never names a path.
export const outputFolder = () => call<string>("output_folder");
export const chooseOutputFolder = () => call<string>("choose_output_folder");
export const resetOutputFolder = () => call<string>("reset_output_folder");
export const cancelPrint = () => call<null>("cancel_print");

/** Prints a batch; `onProgress` hears about every page window written. */
export function printStickers(
  request: PrintRequest,
  saveTo: SaveTo,
  fileName: string,
  onProgress: (p: PrintProgress) => void,
): Promise<PrintResult> {
  const channel = new Channel<PrintProgress>();
  channel.onmessage = onProgress;
  return call<PrintResult>("print_stickers", { request, save_to: saveTo, file_name: fileName, on_progress: channel });
}
export const importGlabels = (files: Array<[string, string]>) => call<TemplateImport>("import_glabels", { files });
export const saveCustomTemplate = (template: Template) => call<Template>("save_custom_template", { template });
export const getCalibration = () => call<PrinterCalibration>("get_calibration");
export const saveCalibration = (calibration: PrinterCalibration) => call<PrinterCalibration>("save_calibration", { calibration });
export const printCalibrationPage = (templateId: string, saveTo: SaveTo) =>
  call<string>("print_calibration_page", { template_id: templateId, save_to: saveTo });
export const setCampaignLogo = (pngBase64: string | null) => call<boolean>("set_campaign_logo", { png_base64: pngBase64 });
export const markSticker = (code: string, stickerState: StickerState, volunteerId: string | null) =>
  call<StickerCode>("mark_sticker", { code, sticker_state: stickerState, volunteer_id: volunteerId });
export const handOutBatch = (batchId: string, volunteerId: string) =>
  call<BatchDetail>("hand_out_batch", { batch_id: batchId, volunteer_id: volunteerId });
export const exportRestaurants = (kind: "csv" | "geojson" | "public_map", saveTo: SaveTo) =>
  call<Exported>("export_restaurants", { kind, save_to: saveTo });

// CSV import wizard. The file travels as the raw request body, its name in a header.
export const csvImportOpen = (bytes: Uint8Array, name: string) =>
  call<CsvPreview>("csv_import_open", bytes as unknown as Record<string, unknown>, {
    headers: { "x-file-name": encodeURIComponent(name) },
  });
export const csvImportPreview = (options: CsvOptions) => call<CsvPreview>("csv_import_preview", { options });
export const csvImportCancel = () => call<null>("csv_import_cancel");
export const csvImportClose = () => call<null>("csv_import_close");
export function csvImportRun(options: CsvOptions, onProgress: (p: ImportProgress) => void): Promise<CsvImportSummary> {
  const channel = new Channel<ImportProgress>();
  channel.onmessage = onProgress;
  return call<CsvImportSummary>("csv_import_run", { options, on_progress: channel });
}
export function csvImportLocate(options: CsvOptions, onProgress: (p: PlacesProgress) => void): Promise<Located> {
  const channel = new Channel<PlacesProgress>();
  channel.onmessage = onProgress;
  return call<Located>("csv_import_locate", { options, on_progress: channel });
}

// Online services, always on a person's action.
export const reverseGeocode = (lat: number, lon: number) => call<ReverseHit | null>("reverse_geocode", { lat, lon });
export const cancelOsmImport = () => call<null>("cancel_osm_import");
export function osmImport(area: OsmAreaRequest, onProgress: (p: PlacesProgress) => void): Promise<OsmImportSummary> {
  const channel = new Channel<PlacesProgress>();
  channel.onmessage = onProgress;
  return call<OsmImportSummary>("osm_import", { area, on_progress: channel });
}

// Keeping the map's area offline (only from tile servers whose policy allows it).
export const offlineEstimate = (bbox: Bbox, minZoom: number, maxZoom: number) =>
  call<OfflinePlan>("offline_estimate", { bbox, min_zoom: minZoom, max_zoom: maxZoom });
export function keepOffline(
  bbox: Bbox,
  minZoom: number,
  maxZoom: number,
  allowedByProvider: boolean,
  onProgress: (p: OfflineProgress) => void,
): Promise<OfflineSummary> {
  const channel = new Channel<OfflineProgress>();
  channel.onmessage = onProgress;
  return call<OfflineSummary>("keep_offline", {
    bbox,
    min_zoom: minZoom,
    max_zoom: maxZoom,
    allowed_by_provider: allowedByProvider,
    on_progress: channel,
  });
}
export const cancelKeepOffline = () => call<null>("cancel_keep_offline");

// Areas, walk lists and paper results.
export const listAreas = () => call<AreaSummary[]>("list_areas");
export const areaShapes = () => call<AreaShape[]>("area_shapes");
export const importAreas = (text: string, nameProperty: string | null, fileName: string | null) =>
  call<AreaImportSummary>("import_areas", { text, name_property: nameProperty, file_name: fileName });
export const createArea = (name: string, geometry: Geometry) => call<AreaSummary>("create_area", { name, geometry });
export const assignArea = (area: string, volunteer: string, days: number, force: boolean) =>
  call<AreaSummary>("assign_area", { area, volunteer, days, force });
export const releaseArea = (area: string) => call<AreaSummary>("release_area", { area });
export const addAreaNote = (area: string, volunteer: string, note: string) =>
  call<AreaNote>("add_area_note", { area, volunteer, note });
export const areaNotes = (area: string) => call<AreaNote[]>("area_notes", { area });
export const planWalk = (area: string, plannedAt: string, start: LatLon | null, volunteer: string | null) =>
  call<WalkPlan>("plan_walk", { area, planned_at: plannedAt, start, volunteer });
export const planWalkOf = (ids: string[], title: string, plannedAt: string, start: LatLon | null, volunteer: string | null) =>
  call<WalkPlan>("plan_walk_of", { ids, title, planned_at: plannedAt, start, volunteer });
export const printWalkSheet = (plan: WalkPlan, saveTo: SaveTo, fileName: string) =>
  call<WalkSheetResult>("print_walk_sheet", { plan, save_to: saveTo, file_name: fileName });
export const recordVisits = (visits: NewVisit[]) => call<number>("record_visits", { visits });

// Team sync: the status, joining, syncing now, the coordinator's review list.
export const syncStatus = () => call<SyncStatus>("sync_status");
/** Answers the status now; every later one (after each background sync) reaches `onUpdate`. */
export function watchSync(onUpdate: (u: SyncUpdate) => void): Promise<SyncStatus> {
  const channel = new Channel<SyncUpdate>();
  channel.onmessage = onUpdate;
  return call<SyncStatus>("watch_sync", { on_update: channel });
}
export const joinTeam = (code: string) => call<SyncStatus>("join_team", { code });
export const syncNow = () => call<SyncStatus>("sync_now");
export const syncReviews = () => call<SyncReview[]>("sync_reviews");
export const clearReview = (id: string) => call<SyncReview[]>("clear_review", { id });
export const retryRefused = () => call<SyncStatus>("retry_refused");
export const dropRefused = () => call<SyncStatus>("drop_refused");
export const leaveTeam = () => call<SyncStatus>("leave_team");
