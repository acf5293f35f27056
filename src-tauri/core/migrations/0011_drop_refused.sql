-- Events stay append-only, with one exception: a record the team server refused, which the
-- person chose to drop (`store::refused::drop_all`). That function sets the flag row below and
-- removes it again in the same transaction, so no other delete ever gets past these triggers.
DROP TRIGGER visits_append_only_delete;
CREATE TRIGGER visits_append_only_delete BEFORE DELETE ON visits
WHEN NOT EXISTS (SELECT 1 FROM sync_state WHERE key = 'dropping_refused')
BEGIN SELECT RAISE(ABORT, 'visits are append-only: record a correction instead'); END;

DROP TRIGGER consent_append_only_delete;
CREATE TRIGGER consent_append_only_delete BEFORE DELETE ON consent_records
WHEN NOT EXISTS (SELECT 1 FROM sync_state WHERE key = 'dropping_refused')
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;

DROP TRIGGER sticker_events_append_only_delete;
CREATE TRIGGER sticker_events_append_only_delete BEFORE DELETE ON sticker_events
WHEN NOT EXISTS (SELECT 1 FROM sync_state WHERE key = 'dropping_refused')
BEGIN SELECT RAISE(ABORT, 'sticker events are append-only'); END;

DROP TRIGGER area_claims_append_only_delete;
CREATE TRIGGER area_claims_append_only_delete BEFORE DELETE ON area_claims
WHEN NOT EXISTS (SELECT 1 FROM sync_state WHERE key = 'dropping_refused')
BEGIN SELECT RAISE(ABORT, 'area claims are append-only: record a new claim or a release'); END;

DROP TRIGGER area_notes_append_only_delete;
CREATE TRIGGER area_notes_append_only_delete BEFORE DELETE ON area_notes
WHEN NOT EXISTS (SELECT 1 FROM sync_state WHERE key = 'dropping_refused')
BEGIN SELECT RAISE(ABORT, 'area notes are append-only: write another note'); END;
