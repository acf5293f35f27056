-- Every answer a geocoder gave (postcodes.io, Nominatim), "not found" included, so the same
-- question is not asked twice: Nominatim's usage policy asks for caching, and importing the same
-- spreadsheet again costs no requests. Not campaign data: rows can be deleted at any time.
CREATE TABLE geocode_cache (
    service    TEXT NOT NULL,   -- postcodes.io, nominatim/search, nominatim/reverse
    query      TEXT NOT NULL,   -- the question, normalised (E8 1AA; lower-case address; lat,lon)
    answer     TEXT NOT NULL,   -- JSON; 'null' when the service found nothing
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (service, query)
) STRICT, WITHOUT ROWID;
