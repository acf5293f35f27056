-- Team sync, the local side. Nothing here is sent anywhere until `tablemap sync` is asked for.

-- This machine's identity and clock, the team connection and the pull cursor (key/value).
--   node_id: 16 hex digits, made once here; it breaks ties between clock stamps.
--   hlc: the last clock stamp issued or seen (domain::hlc text form).
--   team: the joined connection (JSON, with the password; the file is the person's own).
--   cursor: the server transaction id pulled up to (text), absent before the first pull.
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
INSERT INTO sync_state (key, value) VALUES ('node_id', lower(hex(randomblob(8))));

-- Every local change that must reach the team, written in the same transaction as the change.
-- Entries leave when the server has them; one the server refuses stays, with the reason, so the
-- window can say what was refused and nothing disappears silently.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('volunteer', 'restaurant', 'field', 'visit', 'consent',
                   'campaign_setting')),
    entity_id  TEXT NOT NULL,
    hlc        TEXT NOT NULL,
    payload    TEXT NOT NULL CHECK (json_valid(payload)),
    created_at TEXT NOT NULL,
    refused    TEXT
) STRICT;

-- The clock stamp of each restaurant field's current value, and of the value it replaced.
CREATE TABLE restaurant_field_clocks (
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id) ON DELETE CASCADE,
    field         TEXT NOT NULL,
    hlc           TEXT NOT NULL,
    base_hlc      TEXT,
    PRIMARY KEY (restaurant_id, field)
) STRICT;

-- Concurrent edits the server put on the review list (pulled by coordinators).
CREATE TABLE sync_reviews (
    id            TEXT PRIMARY KEY NOT NULL,
    restaurant_id TEXT NOT NULL,
    field         TEXT NOT NULL,
    kept_value    TEXT NOT NULL,
    kept_hlc      TEXT NOT NULL,
    other_value   TEXT NOT NULL,
    other_hlc     TEXT NOT NULL,
    cleared_at    TEXT
) STRICT;
