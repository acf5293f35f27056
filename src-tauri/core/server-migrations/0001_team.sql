-- Tablemap's team server, schema 1: the shared tables, the three group roles and the row-level
-- security that is the whole of the permission system. Applied by `tablemap server init` inside
-- one transaction, recorded in tablemap.tablemap_schema_version; never edited once landed.
-- Nothing here stores anyone's nationality or immigration status.
--
-- Every shared table has `txid xid8 DEFAULT pg_current_xact_id()`: the transaction that last
-- wrote the row. Pulls read rows with cursor <= txid < pg_snapshot_xmin(pg_current_snapshot()),
-- so a row whose transaction commits late is never skipped (its txid stays above the xmin until
-- it commits). Times are the same RFC 3339 UTC text the local files hold, so a round trip is
-- exact; clock stamps are fixed-width text whose text order is their order (domain::hlc).

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tablemap_volunteer') THEN
        CREATE ROLE tablemap_volunteer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tablemap_organiser') THEN
        CREATE ROLE tablemap_organiser NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tablemap_coordinator') THEN
        CREATE ROLE tablemap_coordinator NOLOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA tablemap TO tablemap_volunteer, tablemap_organiser, tablemap_coordinator;

-- Who is who: a login's volunteer id and role. Written only by the admin (`server add-user`).
CREATE TABLE tablemap.volunteers (
    id           text PRIMARY KEY,
    display_name text NOT NULL CHECK (length(btrim(display_name)) > 0),
    created_at   text NOT NULL,
    txid         xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE TABLE tablemap.people (
    login        name PRIMARY KEY,
    volunteer_id text NOT NULL UNIQUE REFERENCES tablemap.volunteers (id),
    role         text NOT NULL CHECK (role IN ('volunteer', 'organiser', 'coordinator')),
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- The volunteer id of whoever is connected (NULL for a login with no person).
CREATE FUNCTION tablemap.my_volunteer_id() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, tablemap AS
$$ SELECT volunteer_id FROM tablemap.people WHERE login = session_user $$;

CREATE FUNCTION tablemap.is_coordinator() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT pg_has_role(session_user, 'tablemap_coordinator', 'MEMBER') $$;
CREATE FUNCTION tablemap.is_organiser() RETURNS boolean
LANGUAGE sql STABLE AS
$$ SELECT pg_has_role(session_user, 'tablemap_organiser', 'MEMBER') OR tablemap.is_coordinator() $$;

-- Restaurants: the row says it exists; each single-valued field is its own row with the stamp
-- of the edit that set it and the stamp of the value that edit replaced.
CREATE TABLE tablemap.restaurants (
    id           text PRIMARY KEY,
    source       text NOT NULL,
    external_ref text,
    created_at   text NOT NULL,
    created_by   text DEFAULT tablemap.my_volunteer_id(),
    txid         xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE TABLE tablemap.restaurant_fields (
    restaurant_id text NOT NULL REFERENCES tablemap.restaurants (id),
    field         text NOT NULL CHECK (field IN ('name', 'address', 'postcode', 'position', 'cuisines',
                      'languages', 'opening_hours', 'phone', 'website')),
    value         jsonb NOT NULL,
    hlc           text NOT NULL,
    base_hlc      text,
    txid          xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (restaurant_id, field)
);
CREATE INDEX restaurant_fields_txid ON tablemap.restaurant_fields (txid);
CREATE INDEX restaurants_txid ON tablemap.restaurants (txid);

-- Concurrent edits of one field from the same earlier value: the later stands, both are kept
-- here for a coordinator to look at.
CREATE TABLE tablemap.reviews (
    id            text PRIMARY KEY,
    restaurant_id text NOT NULL REFERENCES tablemap.restaurants (id),
    field         text NOT NULL,
    kept_value    jsonb NOT NULL,
    kept_hlc      text NOT NULL,
    other_value   jsonb NOT NULL,
    other_hlc     text NOT NULL,
    base_hlc      text,
    noticed_at    timestamptz NOT NULL DEFAULT now(),
    cleared_by    text,
    cleared_at    text,
    txid          xid8 NOT NULL DEFAULT pg_current_xact_id()
);

-- One field edit, merged the way domain::merge::field does: the later stamp wins; concurrent
-- edits of the same earlier value go on the review list. Repeating an edit changes nothing.
-- SECURITY INVOKER: the caller's own grants and policies apply to every statement in it.
CREATE FUNCTION tablemap.put_field(p_restaurant text, p_field text, p_value jsonb, p_hlc text, p_base text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, tablemap AS
$$
DECLARE
    cur tablemap.restaurant_fields;
BEGIN
    SELECT * INTO cur FROM tablemap.restaurant_fields
    WHERE restaurant_id = p_restaurant AND field = p_field FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO tablemap.restaurant_fields (restaurant_id, field, value, hlc, base_hlc)
        VALUES (p_restaurant, p_field, p_value, p_hlc, p_base)
        ON CONFLICT (restaurant_id, field) DO NOTHING;
        IF FOUND THEN
            RETURN;
        END IF;
        -- Someone else inserted it meanwhile: merge against theirs.
        SELECT * INTO cur FROM tablemap.restaurant_fields
        WHERE restaurant_id = p_restaurant AND field = p_field FOR UPDATE;
    END IF;
    IF cur.hlc = p_hlc THEN
        RETURN;
    END IF;
    IF cur.base_hlc IS NOT DISTINCT FROM p_base AND cur.value <> p_value THEN
        INSERT INTO tablemap.reviews (id, restaurant_id, field, kept_value, kept_hlc, other_value, other_hlc, base_hlc)
        SELECT p_restaurant || '/' || p_field || '/' || greatest(cur.hlc, p_hlc) || '/' || least(cur.hlc, p_hlc),
               p_restaurant, p_field,
               CASE WHEN p_hlc > cur.hlc THEN p_value ELSE cur.value END, greatest(cur.hlc, p_hlc),
               CASE WHEN p_hlc > cur.hlc THEN cur.value ELSE p_value END, least(cur.hlc, p_hlc),
               p_base
        ON CONFLICT (id) DO NOTHING;
    END IF;
    IF p_hlc > cur.hlc THEN
        UPDATE tablemap.restaurant_fields
        SET value = p_value, hlc = p_hlc, base_hlc = p_base, txid = pg_current_xact_id()
        WHERE restaurant_id = p_restaurant AND field = p_field;
    END IF;
END
$$;

-- Append-only events: inserted once, never updated or deleted (no grant allows it).
CREATE TABLE tablemap.visits (
    id            text PRIMARY KEY,
    restaurant_id text NOT NULL REFERENCES tablemap.restaurants (id),
    volunteer_id  text NOT NULL REFERENCES tablemap.volunteers (id),
    visited_at    text NOT NULL,
    recorded_at   text NOT NULL,
    outcome       text NOT NULL CHECK (outcome IN ('no_answer', 'spoke', 'come_back', 'agreed',
                      'sticker_placed', 'declined', 'do_not_contact', 'closed_permanently', 'reopened')),
    stickers_left integer NOT NULL DEFAULT 0 CHECK (stickers_left >= 0),
    note          text,
    follow_up_on  text,
    corrects      text REFERENCES tablemap.visits (id),
    hlc           text NOT NULL,
    txid          xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX visits_txid ON tablemap.visits (txid);

CREATE TABLE tablemap.consent_records (
    id            text PRIMARY KEY,
    restaurant_id text NOT NULL REFERENCES tablemap.restaurants (id),
    kind          text NOT NULL CHECK (kind IN ('display_sticker', 'listed_publicly',
                      'self_identifies_migrant_owned')),
    answer        text NOT NULL CHECK (answer IN ('yes', 'no', 'unknown')),
    recorded_by   text NOT NULL REFERENCES tablemap.volunteers (id),
    recorded_at   text NOT NULL,
    hlc           text NOT NULL,
    txid          xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX consent_records_txid ON tablemap.consent_records (txid);

-- Designed now, synced when the client learns them: stickers, print batches, settings,
-- templates, areas and claims.
CREATE TABLE tablemap.print_batches (
    id         text PRIMARY KEY,
    body       jsonb NOT NULL,
    created_by text DEFAULT tablemap.my_volunteer_id(),
    txid       xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE TABLE tablemap.sticker_events (
    id            text PRIMARY KEY,
    code          text NOT NULL,
    state         text NOT NULL,
    restaurant_id text REFERENCES tablemap.restaurants (id),
    volunteer_id  text REFERENCES tablemap.volunteers (id),
    visit_id      text,
    at            text NOT NULL,
    hlc           text NOT NULL,
    txid          xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE TABLE tablemap.campaign_settings (
    key   text PRIMARY KEY,
    value jsonb NOT NULL,
    hlc   text NOT NULL,
    txid  xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE TABLE tablemap.templates (
    id    text PRIMARY KEY,
    body  jsonb NOT NULL,
    hlc   text NOT NULL,
    txid  xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE TABLE tablemap.areas (
    id    text PRIMARY KEY,
    body  jsonb NOT NULL,
    hlc   text NOT NULL,
    txid  xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE TABLE tablemap.area_claims (
    id           text PRIMARY KEY,
    area_id      text NOT NULL REFERENCES tablemap.areas (id),
    volunteer_id text REFERENCES tablemap.volunteers (id),
    body         jsonb NOT NULL,
    hlc          text NOT NULL,
    txid         xid8 NOT NULL DEFAULT pg_current_xact_id()
);

-- Grants: what each role may do at all. Policies below then narrow it row by row.
GRANT SELECT ON tablemap.volunteers, tablemap.restaurants, tablemap.restaurant_fields,
    tablemap.visits, tablemap.consent_records, tablemap.print_batches, tablemap.sticker_events,
    tablemap.campaign_settings, tablemap.templates, tablemap.areas, tablemap.area_claims,
    tablemap.people
    TO tablemap_volunteer, tablemap_organiser, tablemap_coordinator;
GRANT SELECT ON tablemap.reviews TO tablemap_coordinator;
GRANT INSERT ON tablemap.visits, tablemap.consent_records, tablemap.sticker_events, tablemap.area_claims
    TO tablemap_volunteer, tablemap_organiser, tablemap_coordinator;
GRANT INSERT, UPDATE ON tablemap.restaurants, tablemap.restaurant_fields, tablemap.campaign_settings,
    tablemap.templates TO tablemap_organiser, tablemap_coordinator;
GRANT INSERT ON tablemap.print_batches, tablemap.reviews TO tablemap_organiser, tablemap_coordinator;
GRANT INSERT, UPDATE ON tablemap.areas, tablemap.volunteers TO tablemap_coordinator;
GRANT UPDATE (cleared_by, cleared_at) ON tablemap.reviews TO tablemap_coordinator;
GRANT EXECUTE ON FUNCTION tablemap.put_field(text, text, jsonb, text, text)
    TO tablemap_organiser, tablemap_coordinator;

ALTER TABLE tablemap.people ENABLE ROW LEVEL SECURITY;
ALTER TABLE tablemap.visits ENABLE ROW LEVEL SECURITY;
ALTER TABLE tablemap.consent_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE tablemap.sticker_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE tablemap.area_claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE tablemap.reviews ENABLE ROW LEVEL SECURITY;

-- People: each login sees its own row; coordinators see everyone's.
CREATE POLICY people_read ON tablemap.people FOR SELECT
    USING (login = session_user OR tablemap.is_coordinator());

-- Events: everyone on the team reads them all (a volunteer needs to know who went where);
-- each person writes only as themselves, a coordinator as anyone (paper walk sheets).
CREATE POLICY visits_read ON tablemap.visits FOR SELECT USING (true);
CREATE POLICY visits_write ON tablemap.visits FOR INSERT
    WITH CHECK (volunteer_id = tablemap.my_volunteer_id() OR tablemap.is_coordinator());
CREATE POLICY consents_read ON tablemap.consent_records FOR SELECT USING (true);
CREATE POLICY consents_write ON tablemap.consent_records FOR INSERT
    WITH CHECK (recorded_by = tablemap.my_volunteer_id() OR tablemap.is_coordinator());
CREATE POLICY stickers_read ON tablemap.sticker_events FOR SELECT USING (true);
CREATE POLICY stickers_write ON tablemap.sticker_events FOR INSERT
    WITH CHECK (volunteer_id = tablemap.my_volunteer_id() OR tablemap.is_organiser());
CREATE POLICY claims_read ON tablemap.area_claims FOR SELECT USING (true);
CREATE POLICY claims_write ON tablemap.area_claims FOR INSERT
    WITH CHECK (volunteer_id = tablemap.my_volunteer_id() OR tablemap.is_coordinator());

-- Reviews: organisers' edits may file one (through put_field); only coordinators read and clear.
CREATE POLICY reviews_file ON tablemap.reviews FOR INSERT WITH CHECK (tablemap.is_organiser());
CREATE POLICY reviews_read ON tablemap.reviews FOR SELECT USING (tablemap.is_coordinator());
CREATE POLICY reviews_clear ON tablemap.reviews FOR UPDATE
    USING (tablemap.is_coordinator()) WITH CHECK (tablemap.is_coordinator());
