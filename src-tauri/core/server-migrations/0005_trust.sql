-- Tablemap's team server, schema 5: the server checks what a row says, not only who wrote it.
--   * every time is strict RFC 3339 UTC text from 2000 on ('epoch', 'today', 'tomorrow' and
--     'infinity' are read by a cast to timestamptz, never by this pattern), ids are plain, enums
--     known, text within the limits the window enforces, bodies within a size;
--   * a visit is corrected once (UNIQUE (corrects)), by whoever logged it or a coordinator;
--     only a coordinator records `reopened` (lifting a do-not-contact);
--   * a sticker code is seven Crockford characters; an area holds at most 50,000 points;
--   * team logins get a statement timeout.
-- Rows already stored that break these rules are moved to tablemap.quarantine (kept for a
-- coordinator to look at, never pulled) before the checks are added, so they hold for every row,
-- and a client stuck on such a row goes on at its next sync.

CREATE FUNCTION tablemap.is_time(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT t ~ '^(20[0-9]{2}|2[1-9][0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?Z$' $$;
CREATE FUNCTION tablemap.is_date(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT t ~ '^(20[0-9]{2}|2[1-9][0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' $$;
CREATE FUNCTION tablemap.is_id(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT t ~ '^[A-Za-z0-9_-]{1,64}$' $$;
CREATE FUNCTION tablemap.is_code(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT t ~ '^[0-9A-HJKMNP-TV-Z]{7}$' $$;
-- How many [lon, lat] positions a GeoJSON text holds (an outline's points).
CREATE FUNCTION tablemap.positions(t text) RETURNS bigint LANGUAGE sql IMMUTABLE AS
$$ SELECT count(*) FROM regexp_matches(coalesce(t, ''), '\[\s*-?[0-9][0-9.eE+-]*\s*,\s*-?[0-9][0-9.eE+-]*\s*\]', 'g') $$;
-- A real day as well as the right shape (2026-02-30 is refused without an error).
CREATE FUNCTION tablemap.is_real_time(t text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS
$$
BEGIN
    IF NOT tablemap.is_time(t) THEN
        RETURN false;
    END IF;
    PERFORM to_date(left(t, 10), 'YYYY-MM-DD') WHERE to_char(to_date(left(t, 10), 'YYYY-MM-DD'), 'YYYY-MM-DD') = left(t, 10);
    RETURN FOUND;
EXCEPTION WHEN others THEN
    RETURN false;
END
$$;

-- A time a person would read: refused in words before anything casts it (a cast reads
-- 'infinity' and fails with a message no one can act on).
CREATE FUNCTION tablemap.strict_time(p_what text, p_value text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, tablemap AS
$$
BEGIN
    IF p_value IS NULL OR NOT tablemap.is_real_time(p_value) THEN
        RAISE EXCEPTION '% (%) is not a time as Tablemap writes one (like 2026-06-01T10:00:00.000Z)',
            p_what, left(coalesce(p_value, 'nothing'), 40) USING ERRCODE = '22007';
    END IF;
END
$$;
CREATE OR REPLACE FUNCTION tablemap.check_times() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, tablemap AS
$$
DECLARE
    other text;
BEGIN
    IF TG_TABLE_NAME = 'visits' THEN
        PERFORM tablemap.strict_time('the visit''s time', NEW.visited_at);
        PERFORM tablemap.strict_time('the time the visit was recorded', NEW.recorded_at);
        PERFORM tablemap.not_ahead('the visit''s time', (extract(epoch FROM NEW.visited_at::timestamptz) * 1000)::bigint);
        IF NEW.corrects IS NOT NULL THEN
            SELECT restaurant_id INTO other FROM tablemap.visits WHERE id = NEW.corrects;
            IF other IS DISTINCT FROM NEW.restaurant_id THEN
                RAISE EXCEPTION 'a correction must name a visit to the same restaurant' USING ERRCODE = '23514';
            END IF;
        END IF;
    ELSE
        PERFORM tablemap.strict_time('the consent''s time', NEW.recorded_at);
        PERFORM tablemap.not_ahead('the consent''s time', (extract(epoch FROM NEW.recorded_at::timestamptz) * 1000)::bigint);
    END IF;
    RETURN NEW;
END
$$;

CREATE TABLE tablemap.quarantine (
    kind     text NOT NULL,
    id       text NOT NULL,
    body     jsonb NOT NULL,
    reason   text NOT NULL,
    moved_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, id)
);
GRANT SELECT ON tablemap.quarantine TO tablemap_coordinator;

-- What breaks the rules, each with its reason, moved aside. Of two corrections of one visit the
-- first the server took stands (as UNIQUE (corrects) would have had it). Corrections of a visit set aside
-- (and their corrections) go with it: they would point at nothing.
INSERT INTO tablemap.quarantine (kind, id, body, reason)
WITH RECURSIVE bad AS (
    SELECT id, CASE
        WHEN NOT tablemap.is_real_time(visited_at) THEN 'its visited_at is not a time'
        WHEN NOT tablemap.is_real_time(recorded_at) THEN 'its recorded_at is not a time'
        WHEN follow_up_on IS NOT NULL AND NOT tablemap.is_date(follow_up_on) THEN 'its follow_up_on is not a day'
        WHEN length(note) > 2000 THEN 'its note is longer than 2000 characters'
        WHEN stickers_left > 50 THEN 'it left more than 50 stickers'
        WHEN NOT (tablemap.is_id(id) AND tablemap.is_id(restaurant_id) AND tablemap.is_id(volunteer_id)) THEN 'an id is malformed'
        END AS reason
    FROM tablemap.visits
), twice AS (
    SELECT id, 'it corrects a visit that was corrected already' AS reason FROM (
        SELECT id, row_number() OVER (PARTITION BY corrects ORDER BY txid, id) AS n
        FROM tablemap.visits WHERE corrects IS NOT NULL) c
    WHERE n > 1
), chain AS (
    SELECT id, reason FROM bad WHERE reason IS NOT NULL
    UNION SELECT id, reason FROM twice
    UNION SELECT v.id, 'it corrects a visit set aside' FROM tablemap.visits v JOIN chain ON v.corrects = chain.id
)
SELECT DISTINCT ON (v.id) 'visit', v.id, to_jsonb(v) - 'txid', chain.reason
FROM chain JOIN tablemap.visits v USING (id) ORDER BY v.id, chain.reason;
DELETE FROM tablemap.visits WHERE id IN (SELECT id FROM tablemap.quarantine WHERE kind = 'visit');

INSERT INTO tablemap.quarantine (kind, id, body, reason)
SELECT 'consent', c.id, to_jsonb(c) - 'txid', CASE
    WHEN NOT tablemap.is_real_time(recorded_at) THEN 'its recorded_at is not a time'
    ELSE 'an id is malformed' END
FROM tablemap.consent_records c
WHERE NOT (tablemap.is_real_time(recorded_at) AND tablemap.is_id(id) AND tablemap.is_id(restaurant_id));
DELETE FROM tablemap.consent_records WHERE id IN (SELECT id FROM tablemap.quarantine WHERE kind = 'consent');

INSERT INTO tablemap.quarantine (kind, id, body, reason)
SELECT 'sticker_event', s.id, to_jsonb(s) - 'txid', 'its time or code is malformed'
FROM tablemap.sticker_events s
WHERE NOT (tablemap.is_real_time(at) AND tablemap.is_code(code) AND tablemap.is_id(id));
DELETE FROM tablemap.sticker_events WHERE id IN (SELECT id FROM tablemap.quarantine WHERE kind = 'sticker_event');

INSERT INTO tablemap.quarantine (kind, id, body, reason)
SELECT 'area_claim', a.id, to_jsonb(a) - 'txid', 'its times are malformed'
FROM tablemap.area_claims a
WHERE NOT (tablemap.is_real_time(body->>'claimed_at') AND tablemap.is_real_time(body->>'expires_at') AND tablemap.is_id(id));
DELETE FROM tablemap.area_claims WHERE id IN (SELECT id FROM tablemap.quarantine WHERE kind = 'area_claim');

INSERT INTO tablemap.quarantine (kind, id, body, reason)
SELECT 'area_note', n.id, to_jsonb(n) - 'txid', 'its time is malformed or its note too long'
FROM tablemap.area_notes n
WHERE NOT (tablemap.is_real_time(body->>'written_at') AND coalesce(length(body->>'note'), 0) <= 2000 AND tablemap.is_id(id));
DELETE FROM tablemap.area_notes WHERE id IN (SELECT id FROM tablemap.quarantine WHERE kind = 'area_note');

-- The checks, for every row from now on.
ALTER TABLE tablemap.visits
    ADD CONSTRAINT visits_times CHECK (tablemap.is_time(visited_at) AND tablemap.is_time(recorded_at)),
    ADD CONSTRAINT visits_follow_up CHECK (follow_up_on IS NULL OR tablemap.is_date(follow_up_on)),
    ADD CONSTRAINT visits_note CHECK (note IS NULL OR length(note) <= 2000),
    ADD CONSTRAINT visits_stickers CHECK (stickers_left <= 50),
    ADD CONSTRAINT visits_ids CHECK (tablemap.is_id(id) AND tablemap.is_id(restaurant_id) AND tablemap.is_id(volunteer_id)),
    ADD CONSTRAINT visits_corrects_once UNIQUE (corrects);
ALTER TABLE tablemap.consent_records
    ADD CONSTRAINT consents_time CHECK (tablemap.is_time(recorded_at)),
    ADD CONSTRAINT consents_ids CHECK (tablemap.is_id(id) AND tablemap.is_id(restaurant_id));
ALTER TABLE tablemap.sticker_events
    ADD CONSTRAINT sticker_events_time CHECK (tablemap.is_time(at)),
    ADD CONSTRAINT sticker_events_code CHECK (tablemap.is_code(code)),
    ADD CONSTRAINT sticker_events_id CHECK (tablemap.is_id(id));
ALTER TABLE tablemap.area_claims
    ADD CONSTRAINT area_claims_times CHECK (tablemap.is_time(body->>'claimed_at') AND tablemap.is_time(body->>'expires_at')),
    ADD CONSTRAINT area_claims_id CHECK (tablemap.is_id(id));
ALTER TABLE tablemap.area_notes
    ADD CONSTRAINT area_notes_time CHECK (tablemap.is_time(body->>'written_at')),
    ADD CONSTRAINT area_notes_note CHECK (length(body->>'note') <= 2000),
    ADD CONSTRAINT area_notes_id CHECK (tablemap.is_id(id));
-- Documents and settings: sizes a campaign never needs (a template is a few KiB; an outline of
-- 50,000 points about 2 MiB), and the outline's points counted.
ALTER TABLE tablemap.print_batches
    ADD CONSTRAINT print_batches_size CHECK (octet_length(body::text) <= 16777216),
    ADD CONSTRAINT print_batches_codes CHECK (jsonb_typeof(body->'codes') = 'array'
        AND jsonb_array_length(body->'codes') BETWEEN 1 AND 50000) NOT VALID;
ALTER TABLE tablemap.templates ADD CONSTRAINT templates_size CHECK (octet_length(body::text) <= 1048576) NOT VALID;
ALTER TABLE tablemap.areas
    ADD CONSTRAINT areas_size CHECK (octet_length(body::text) <= 8388608) NOT VALID,
    ADD CONSTRAINT areas_points CHECK (tablemap.positions(body->>'geometry') <= 50000) NOT VALID;
ALTER TABLE tablemap.campaign_settings
    ADD CONSTRAINT campaign_settings_size CHECK (octet_length(value::text) <= 65536) NOT VALID,
    ADD CONSTRAINT campaign_base_url CHECK (key <> 'campaign' OR value->>'base_url' ~ '^https://[^[:space:]<>"]+$') NOT VALID;
ALTER TABLE tablemap.restaurant_fields ADD CONSTRAINT restaurant_fields_size CHECK (octet_length(value::text) <= 4096) NOT VALID;
ALTER TABLE tablemap.volunteers ADD CONSTRAINT volunteers_name CHECK (length(display_name) <= 80) NOT VALID;

-- Visits: as oneself (a coordinator as anyone, for paper sheets); a correction of one's own
-- visit only (a coordinator's of anyone's); `reopened` only from a coordinator.
DROP POLICY visits_write ON tablemap.visits;
CREATE POLICY visits_write ON tablemap.visits FOR INSERT
    WITH CHECK (
        (SELECT tablemap.is_coordinator())
        OR (volunteer_id = (SELECT tablemap.my_volunteer_id())
            AND outcome <> 'reopened'
            AND (corrects IS NULL OR (SELECT v.volunteer_id FROM tablemap.visits v WHERE v.id = visits.corrects)
                 = (SELECT tablemap.my_volunteer_id())))
    );

-- A team login's statement ends after a minute: one member's runaway query cannot hold the
-- server. New logins get it in `server add-user`.
DO $$
DECLARE
    l name;
BEGIN
    FOR l IN SELECT login FROM tablemap.people LOOP
        EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', l, '60s');
    END LOOP;
END
$$;
