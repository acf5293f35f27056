-- Team sync, part 2: print batches, sticker events, label templates, areas, area claims and
-- area notes join the outbox, and a coordinator's cleared reviews go back to the server.
-- SQLite cannot change a CHECK, so the outbox is rebuilt with the longer list of kinds.

CREATE TABLE outbox_new (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('volunteer', 'restaurant', 'field', 'visit', 'consent',
                   'campaign_setting', 'print_batch', 'sticker_event', 'template', 'area',
                   'area_claim', 'area_note', 'review_cleared')),
    entity_id  TEXT NOT NULL,
    hlc        TEXT NOT NULL,
    payload    TEXT NOT NULL CHECK (json_valid(payload)),
    created_at TEXT NOT NULL,
    refused    TEXT
) STRICT;
INSERT INTO outbox_new (seq, kind, entity_id, hlc, payload, created_at, refused)
    SELECT seq, kind, entity_id, hlc, payload, created_at, refused FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;

-- Who cleared a review, and when (the server keeps the same).
ALTER TABLE sync_reviews ADD COLUMN cleared_by TEXT;

-- Pulled rows whose parent has not arrived yet (the server's transactions can commit out of
-- order): kept here and tried again after every pull, so none is lost once the cursor moves on.
CREATE TABLE sync_parked (
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    body TEXT NOT NULL CHECK (json_valid(body)),
    PRIMARY KEY (kind, id)
) STRICT;

-- The stamp of each template's and area's current version (the latest stamp wins, whole).
CREATE TABLE document_clocks (
    kind TEXT NOT NULL CHECK (kind IN ('template', 'area')),
    id   TEXT NOT NULL,
    hlc  TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) STRICT;
