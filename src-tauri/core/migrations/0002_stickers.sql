-- Sticker batches and the life of every sticker code.
-- A print batch is recorded with the codes it printed; each code's state is derived from its
-- events (printed -> with_volunteer -> placed -> missing | replaced), which are append-only.

CREATE TABLE print_batches (
    id            TEXT PRIMARY KEY NOT NULL,
    template_id   TEXT NOT NULL,
    template_name TEXT NOT NULL,
    count         INTEGER NOT NULL CHECK (count > 0),
    start_at      INTEGER NOT NULL DEFAULT 1 CHECK (start_at >= 1),
    ec_level      TEXT NOT NULL CHECK (ec_level IN ('L', 'M', 'Q', 'H')),
    base_url      TEXT NOT NULL,
    query         TEXT,
    purpose       TEXT NOT NULL CHECK (purpose IN ('blank', 'preassigned')),
    volunteer_id  TEXT REFERENCES volunteers (id),  -- blank stickers handed to this volunteer
    printed_by    TEXT,                             -- who printed (free text, optional)
    file_name     TEXT,
    created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE sticker_codes (
    code          TEXT PRIMARY KEY NOT NULL CHECK (length(code) = 7),
    batch_id      TEXT NOT NULL REFERENCES print_batches (id),
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    url           TEXT NOT NULL,
    restaurant_id TEXT REFERENCES restaurants (id),  -- pre-assigned to this restaurant
    UNIQUE (batch_id, seq)
) STRICT;
CREATE INDEX sticker_codes_restaurant ON sticker_codes (restaurant_id) WHERE restaurant_id IS NOT NULL;

CREATE TABLE sticker_events (
    id            TEXT PRIMARY KEY NOT NULL,
    code          TEXT NOT NULL REFERENCES sticker_codes (code),
    state         TEXT NOT NULL CHECK (state IN ('printed', 'with_volunteer', 'placed', 'missing', 'replaced')),
    restaurant_id TEXT REFERENCES restaurants (id),
    volunteer_id  TEXT REFERENCES volunteers (id),
    visit_id      TEXT REFERENCES visits (id),
    at            TEXT NOT NULL
) STRICT;
CREATE INDEX sticker_events_code ON sticker_events (code, at);
CREATE INDEX sticker_events_visit ON sticker_events (visit_id) WHERE visit_id IS NOT NULL;
CREATE TRIGGER sticker_events_append_only_update BEFORE UPDATE ON sticker_events
BEGIN SELECT RAISE(ABORT, 'sticker events are append-only'); END;
CREATE TRIGGER sticker_events_append_only_delete BEFORE DELETE ON sticker_events
BEGIN SELECT RAISE(ABORT, 'sticker events are append-only'); END;

-- Label templates beyond the built-in ones: imported from gLabels files or made in the editor.
CREATE TABLE label_templates (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('glabels', 'custom')),
    definition TEXT NOT NULL CHECK (json_valid(definition)),  -- the Template as JSON
    created_at TEXT NOT NULL
) STRICT;
