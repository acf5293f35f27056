-- Areas (issue 5): named polygons that volunteers claim for a while, with notes.
-- Which restaurants an area holds is computed (point-in-polygon), never stored: moving or
-- deleting an area never touches a restaurant or a visit.

CREATE TABLE areas (
    id         TEXT PRIMARY KEY NOT NULL,          -- ULID
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    geometry   TEXT NOT NULL,                      -- a GeoJSON Polygon or MultiPolygon, [lon, lat]
    source     TEXT NOT NULL CHECK (source IN ('drawn', 'geojson')),
    -- Derived from `geometry` and written with it: the box lets a query find areas in view, and
    -- the size is shown without parsing the outline.
    south      REAL NOT NULL,
    west       REAL NOT NULL,
    north      REAL NOT NULL,
    east       REAL NOT NULL,
    km2        REAL NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- A deleted area stays as a tombstone: its claims and notes are append-only and point at it,
    -- and a tombstone tells another machine's copy (team sync) that it was deleted.
    deleted_at TEXT
) STRICT;
-- Names are unique among the areas in use, ignoring case; a deleted area's name can be reused.
CREATE UNIQUE INDEX areas_name ON areas (name COLLATE NOCASE) WHERE deleted_at IS NULL;

-- Append-only events: a claim (volunteer_id set) holds the area until expires_at; a release
-- (volunteer_id NULL, expires_at = claimed_at) ends the claim before it. The latest event up to
-- now decides who holds an area (domain::area::claim::holder).
CREATE TABLE area_claims (
    id           TEXT PRIMARY KEY NOT NULL,
    area_id      TEXT NOT NULL REFERENCES areas (id),
    volunteer_id TEXT REFERENCES volunteers (id),
    claimed_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL CHECK (expires_at >= claimed_at)
) STRICT;
CREATE INDEX area_claims_area ON area_claims (area_id, claimed_at);
CREATE TRIGGER area_claims_append_only_update BEFORE UPDATE ON area_claims
BEGIN SELECT RAISE(ABORT, 'area claims are append-only: record a new claim or a release'); END;
CREATE TRIGGER area_claims_append_only_delete BEFORE DELETE ON area_claims
BEGIN SELECT RAISE(ABORT, 'area claims are append-only: record a new claim or a release'); END;

CREATE TABLE area_notes (
    id           TEXT PRIMARY KEY NOT NULL,
    area_id      TEXT NOT NULL REFERENCES areas (id),
    volunteer_id TEXT NOT NULL REFERENCES volunteers (id),
    note         TEXT NOT NULL CHECK (length(trim(note)) > 0),
    written_at   TEXT NOT NULL
) STRICT;
CREATE INDEX area_notes_area ON area_notes (area_id, written_at);
CREATE TRIGGER area_notes_append_only_update BEFORE UPDATE ON area_notes
BEGIN SELECT RAISE(ABORT, 'area notes are append-only: write another note'); END;
CREATE TRIGGER area_notes_append_only_delete BEFORE DELETE ON area_notes
BEGIN SELECT RAISE(ABORT, 'area notes are append-only: write another note'); END;
