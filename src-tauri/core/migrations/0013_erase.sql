-- Erasure (a person's right to erasure, GDPR art. 17): `store::erase`. What remains of an erased
-- restaurant or volunteer is this minimal record: the id, who erased it, when. No name. It also
-- keeps an erased id from coming back (a teammate's machine that was offline still holds rows
-- naming it: a pull, an import or a sync row naming an erased id is refused).
CREATE TABLE erasures (
    id        TEXT PRIMARY KEY NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('restaurant', 'volunteer')),
    erased_by TEXT,
    erased_at TEXT NOT NULL,
    -- On a team: NULL until the server has it; a refusal's words when it said no.
    sent      INTEGER NOT NULL DEFAULT 0 CHECK (sent IN (0, 1)),
    refused   TEXT
) STRICT;

-- Events stay append-only, with two exceptions: a refused change the person drops
-- (migration 0011) and an erasure. `store::erase` sets the flag row `erasing` and removes it in
-- the same transaction.
DROP TRIGGER visits_append_only_delete;
CREATE TRIGGER visits_append_only_delete BEFORE DELETE ON visits
WHEN NOT EXISTS (SELECT 1 FROM sync_state WHERE key IN ('dropping_refused', 'erasing'))
BEGIN SELECT RAISE(ABORT, 'visits are append-only: record a correction instead'); END;

DROP TRIGGER consent_append_only_delete;
CREATE TRIGGER consent_append_only_delete BEFORE DELETE ON consent_records
WHEN NOT EXISTS (SELECT 1 FROM sync_state WHERE key IN ('dropping_refused', 'erasing'))
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;

DROP TRIGGER sticker_events_append_only_delete;
CREATE TRIGGER sticker_events_append_only_delete BEFORE DELETE ON sticker_events
WHEN NOT EXISTS (SELECT 1 FROM sync_state WHERE key IN ('dropping_refused', 'erasing'))
BEGIN SELECT RAISE(ABORT, 'sticker events are append-only'); END;
