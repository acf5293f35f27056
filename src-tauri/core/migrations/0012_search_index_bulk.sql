-- The search index in bulk (store::restaurants::search_index). FTS5 writes its pending tokens to
-- disk at every statement savepoint, so a 50,000-row import that fed the index one row at a time
-- wrote 50,000 tiny segments and merged them over and over (most of the import's time). Inside a
-- bulk write, marked by the row in `search_index_bulk`, the triggers leave the index alone: the
-- bulk write indexes every restaurant added since it began (`pk > since_pk`) and those it changed
-- (`search_index_pending`) in one statement before it commits. Both tables are empty outside a
-- transaction (`tablemap doctor` checks).
CREATE TABLE search_index_bulk (
    one      INTEGER PRIMARY KEY CHECK (one = 1),
    -- The largest restaurant row number when the bulk write began: rows above it are new.
    since_pk INTEGER NOT NULL
) STRICT;
-- Restaurants that were indexed before the bulk write and changed during it.
CREATE TABLE search_index_pending (pk INTEGER PRIMARY KEY) STRICT;

DROP TRIGGER restaurants_fts_insert;
CREATE TRIGGER restaurants_fts_insert AFTER INSERT ON restaurants
WHEN NOT EXISTS (SELECT 1 FROM search_index_bulk) BEGIN
    INSERT INTO restaurants_fts (rowid, name, address, cuisines)
    VALUES (new.pk, new.name, concat_ws(' ', new.address, new.postcode), new.cuisines);
END;

DROP TRIGGER restaurants_fts_update;
CREATE TRIGGER restaurants_fts_update AFTER UPDATE OF name, address, postcode, cuisines ON restaurants
WHEN NOT EXISTS (SELECT 1 FROM search_index_bulk) BEGIN
    DELETE FROM restaurants_fts WHERE rowid = old.pk;
    INSERT INTO restaurants_fts (rowid, name, address, cuisines)
    VALUES (new.pk, new.name, concat_ws(' ', new.address, new.postcode), new.cuisines);
END;
CREATE TRIGGER restaurants_fts_update_bulk AFTER UPDATE OF name, address, postcode, cuisines ON restaurants
WHEN EXISTS (SELECT 1 FROM search_index_bulk WHERE old.pk <= since_pk) BEGIN
    INSERT INTO search_index_pending (pk) VALUES (old.pk) ON CONFLICT (pk) DO NOTHING;
END;

-- A restaurant deleted inside a bulk write: one added by it was never indexed; one from before
-- loses its entry now and is no longer pending.
DROP TRIGGER restaurants_fts_delete;
CREATE TRIGGER restaurants_fts_delete AFTER DELETE ON restaurants
WHEN NOT EXISTS (SELECT 1 FROM search_index_bulk WHERE old.pk > since_pk) BEGIN
    DELETE FROM restaurants_fts WHERE rowid = old.pk;
    DELETE FROM search_index_pending WHERE pk = old.pk;
END;

-- FTS5 writes its in-memory tokens out as a new segment each time they pass 1 MiB, and merges
-- segments as they pile up; a bulk flush of 50,000 restaurants made a dozen segments and merged
-- them. 32 MiB lets a flush of that size become one segment.
INSERT INTO restaurants_fts (restaurants_fts, rank) VALUES ('hashsize', 33554432);
