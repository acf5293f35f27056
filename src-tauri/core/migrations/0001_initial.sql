-- Tablemap's first schema. Migrations are applied in order and never edited once landed.
-- Ids are ULID text: databases from many machines will be merged by team sync.
-- Nothing here, or in any later migration, stores anyone's nationality or immigration status.

CREATE TABLE restaurants (
    -- Local row number: the FTS index needs a stable integer rowid. Never leaves this file.
    pk            INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL CHECK (length(trim(name)) > 0),
    address       TEXT,
    postcode      TEXT,
    lat           REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon           REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    cuisines      TEXT NOT NULL DEFAULT '',   -- ';'-separated, as OpenStreetMap writes them
    languages     TEXT NOT NULL DEFAULT '',   -- ';'-separated
    opening_hours TEXT,                       -- OpenStreetMap opening_hours syntax
    phone         TEXT,
    website       TEXT,
    source        TEXT NOT NULL DEFAULT 'manual',
    external_ref  TEXT UNIQUE,                -- e.g. osm:node/123
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX restaurants_position ON restaurants (lat, lon);
CREATE INDEX restaurants_name ON restaurants (name COLLATE NOCASE);

CREATE TABLE volunteers (
    id           TEXT PRIMARY KEY NOT NULL,
    display_name TEXT NOT NULL CHECK (length(trim(display_name)) > 0),
    contact      TEXT,
    created_at   TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX volunteers_display_name ON volunteers (display_name COLLATE NOCASE);

-- Append-only events: see the triggers below.
CREATE TABLE visits (
    id            TEXT PRIMARY KEY NOT NULL,
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    volunteer_id  TEXT NOT NULL REFERENCES volunteers (id),
    visited_at    TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('no_answer', 'spoke', 'come_back', 'agreed',
                      'sticker_placed', 'declined', 'do_not_contact', 'closed_permanently', 'reopened')),
    stickers_left INTEGER NOT NULL DEFAULT 0 CHECK (stickers_left >= 0),
    note          TEXT,
    follow_up_on  TEXT,
    corrects      TEXT REFERENCES visits (id)
) STRICT;
CREATE INDEX visits_restaurant ON visits (restaurant_id, visited_at);
-- A visit is corrected at most once; a second correction corrects the correction.
CREATE UNIQUE INDEX visits_corrects ON visits (corrects) WHERE corrects IS NOT NULL;
CREATE TRIGGER visits_append_only_update BEFORE UPDATE ON visits
BEGIN SELECT RAISE(ABORT, 'visits are append-only: record a correction instead'); END;
CREATE TRIGGER visits_append_only_delete BEFORE DELETE ON visits
BEGIN SELECT RAISE(ABORT, 'visits are append-only: record a correction instead'); END;

CREATE TABLE consent_records (
    id            TEXT PRIMARY KEY NOT NULL,
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    kind          TEXT NOT NULL CHECK (kind IN ('display_sticker', 'listed_publicly',
                      'self_identifies_migrant_owned')),
    answer        TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'unknown')),
    recorded_by   TEXT NOT NULL REFERENCES volunteers (id),
    recorded_at   TEXT NOT NULL
) STRICT;
CREATE INDEX consent_records_restaurant ON consent_records (restaurant_id, kind, recorded_at);
CREATE TRIGGER consent_append_only_update BEFORE UPDATE ON consent_records
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;
CREATE TRIGGER consent_append_only_delete BEFORE DELETE ON consent_records
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;

-- The status derived from the visits (domain::status::derive), kept beside each restaurant so
-- lists and the map can filter on it. Written only by store::status::refresh, in the same
-- transaction as the visit that changes it.
CREATE TABLE restaurant_status (
    restaurant_id TEXT PRIMARY KEY NOT NULL REFERENCES restaurants (id) ON DELETE CASCADE,
    status        TEXT NOT NULL DEFAULT 'not_contacted' CHECK (status IN ('not_contacted',
                      'contacted', 'follow_up', 'agreed', 'sticker_placed', 'declined',
                      'do_not_contact', 'closed')),
    last_visit_at TEXT,
    follow_up_on  TEXT,
    stickers_left INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX restaurant_status_status ON restaurant_status (status);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

-- Full-text search over name, address (with postcode) and cuisines, kept in step by triggers.
-- Contentless: the text lives in `restaurants`; the index holds only tokens and rowids.
CREATE VIRTUAL TABLE restaurants_fts USING fts5 (
    name, address, cuisines,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER restaurants_fts_insert AFTER INSERT ON restaurants BEGIN
    INSERT INTO restaurants_fts (rowid, name, address, cuisines)
    VALUES (new.pk, new.name, concat_ws(' ', new.address, new.postcode), new.cuisines);
END;
CREATE TRIGGER restaurants_fts_delete AFTER DELETE ON restaurants BEGIN
    DELETE FROM restaurants_fts WHERE rowid = old.pk;
END;
CREATE TRIGGER restaurants_fts_update AFTER UPDATE OF name, address, postcode, cuisines ON restaurants BEGIN
    DELETE FROM restaurants_fts WHERE rowid = old.pk;
    INSERT INTO restaurants_fts (rowid, name, address, cuisines)
    VALUES (new.pk, new.name, concat_ws(' ', new.address, new.postcode), new.cuisines);
END;
