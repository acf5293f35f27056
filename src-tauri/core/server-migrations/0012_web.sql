-- Schema 12: the web service's own login (tablemap-server), with least privilege. Its group role
-- tablemap_web reads only what the public side needs, through views owned by the admin that
-- pick the rows and the columns (no note, no volunteer, no consent but "listed publicly", no
-- restaurant no owner ever agreed to list), and writes only scan counts and its daily key.
-- Which restaurants are on the public map is still decided in Rust, by the same rule as the
-- static export (exports::public_map::is_public, on statuses from domain::status): the views
-- are only the floor under it, so a restaurant whose owner never said yes cannot reach the
-- service at all.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tablemap_web') THEN
        CREATE ROLE tablemap_web NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA tablemap TO tablemap_web;

-- Restaurants whose owner said yes to being listed publicly at least once (a later answer may
-- have withdrawn it: the service reads the answers and decides). Not granted to anyone.
CREATE VIEW tablemap.web_ever_listed AS
    SELECT DISTINCT restaurant_id FROM tablemap.consent_records
    WHERE kind = 'listed_publicly' AND answer = 'yes';

-- Their public fields: name, address, postcode, position, cuisines.
CREATE VIEW tablemap.web_restaurant_fields WITH (security_barrier) AS
    SELECT f.restaurant_id, f.field, f.value, f.hlc, f.txid
    FROM tablemap.restaurant_fields f
    WHERE f.field IN ('name', 'address', 'postcode', 'position', 'cuisines')
      AND f.restaurant_id IN (SELECT restaurant_id FROM tablemap.web_ever_listed);

-- Their "listed publicly" answers, with when they were given.
CREATE VIEW tablemap.web_listing WITH (security_barrier) AS
    SELECT c.id, c.restaurant_id, c.answer, c.recorded_at, c.hlc, c.txid
    FROM tablemap.consent_records c
    WHERE c.kind = 'listed_publicly'
      AND c.restaurant_id IN (SELECT restaurant_id FROM tablemap.web_ever_listed);

-- Their visits' outcome, time and correction link (a status is replayed from these): no note,
-- no volunteer.
CREATE VIEW tablemap.web_visits WITH (security_barrier) AS
    SELECT v.id, v.restaurant_id, v.outcome, v.visited_at, v.recorded_at, v.corrects, v.hlc, v.txid
    FROM tablemap.visits v
    WHERE v.restaurant_id IN (SELECT restaurant_id FROM tablemap.web_ever_listed);

-- Every printed code (they are printed on windows for anyone to read): a scan of anything else
-- is not counted.
CREATE VIEW tablemap.web_codes AS
    SELECT DISTINCT c.value->>'code' AS code, b.txid
    FROM tablemap.print_batches b, jsonb_array_elements(b.body->'codes') AS c(value)
    WHERE jsonb_typeof(b.body->'codes') = 'array' AND jsonb_typeof(c.value) = 'object'
      AND c.value ? 'code';

-- Where the codes of those restaurants' stickers are, and what became of them: no volunteer,
-- no visit.
CREATE VIEW tablemap.web_sticker_events WITH (security_barrier) AS
    SELECT e.id, e.code, e.state, e.restaurant_id, e.at, e.hlc, e.txid
    FROM tablemap.sticker_events e
    WHERE e.code IN (SELECT code FROM tablemap.sticker_events
                     WHERE restaurant_id IN (SELECT restaurant_id FROM tablemap.web_ever_listed));

GRANT SELECT ON tablemap.web_restaurant_fields, tablemap.web_listing, tablemap.web_visits,
    tablemap.web_codes, tablemap.web_sticker_events TO tablemap_web;
-- The campaign's words and sticker address.
GRANT SELECT (key, value, txid) ON tablemap.campaign_settings TO tablemap_web;

-- Scans: a count per sticker code and day, never a person. The service adds to them in
-- batches; every member's machine pulls them.
CREATE TABLE tablemap.scans (
    code  text NOT NULL CHECK (tablemap.is_code(code)),
    day   date NOT NULL,
    count bigint NOT NULL CHECK (count >= 0),
    txid  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (code, day)
);
CREATE INDEX scans_txid ON tablemap.scans (txid);
CREATE TRIGGER scans_txid BEFORE INSERT OR UPDATE ON tablemap.scans
    FOR EACH ROW EXECUTE FUNCTION tablemap.touch_txid();
GRANT SELECT, INSERT, UPDATE (count) ON tablemap.scans TO tablemap_web;
GRANT SELECT ON tablemap.scans TO tablemap_volunteer, tablemap_organiser, tablemap_coordinator;

-- The day's key of the keyed hash that tells a repeat scan from a new one, shared by the
-- service's instances; replaced every day (the service deletes the days before). Nobody else
-- may read it.
CREATE TABLE tablemap.web_keys (
    day date PRIMARY KEY,
    key bytea NOT NULL CHECK (octet_length(key) = 32)
);
GRANT SELECT, INSERT, DELETE ON tablemap.web_keys TO tablemap_web;

-- Web logins: opaque names, counted for `server users`-like listings by the admin only.
CREATE TABLE tablemap.web_logins (
    login      name PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);
