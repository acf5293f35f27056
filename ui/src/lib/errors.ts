// Turns the Rust side's UiError into a sentence from the catalogue.
import type { UiError } from "./bindings/UiError";
import { t } from "./i18n/index.svelte";

export function errorMessage(e: UiError): string {
  switch (e.kind) {
    case "invalid":
      return t("error.invalid", { field: e.field ?? "", message: e.message });
    case "not_found":
      return t("error.not_found", { message: e.message });
    case "conflict":
      return t("error.conflict", { message: e.message });
    case "storage":
      return t("error.storage", { message: e.message });
    case "file":
      return t("error.file", { message: e.message });
    case "network":
      // The message already says what happened and what to try (a timeout, a refusal, ...).
      return t("error.network", { message: e.message });
    case "cancelled":
      return t("error.cancelled");
    default:
      return t("error.unknown", { message: (e as UiError).message });
  }
}
