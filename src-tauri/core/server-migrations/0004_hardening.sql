-- Tablemap's team server, schema 4: the server trusts less of what clients send.
--   * txid is always the writing transaction's, whatever a client puts in it (a row written with
--     a low txid would never be pulled by anyone);
--   * restaurant fields change only through put_field/put_fields (their stamp comparison and
--     review list cannot be skipped with a direct UPDATE);
--   * clock stamps and event times may not run more than a day ahead of the server's clock (a
--     machine with a wrong date would win every later edit, or stop others' clocks);
--   * a correction names a visit to the same restaurant;
--   * only the volunteer who holds an area (or a coordinator) releases it.

CREATE OR REPLACE FUNCTION tablemap.is_coordinator() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, tablemap AS
$$ SELECT pg_has_role(session_user, 'tablemap_coordinator', 'MEMBER') $$;
CREATE OR REPLACE FUNCTION tablemap.is_organiser() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, tablemap AS
$$ SELECT pg_has_role(session_user, 'tablemap_organiser', 'MEMBER') OR tablemap.is_coordinator() $$;
CREATE OR REPLACE FUNCTION tablemap.touch_txid() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, tablemap AS
$$ BEGIN NEW.txid := pg_current_xact_id(); RETURN NEW; END $$;

DROP TRIGGER reviews_touch ON tablemap.reviews;
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['volunteers', 'restaurants', 'restaurant_fields', 'reviews', 'visits',
        'consent_records', 'print_batches', 'sticker_events', 'campaign_settings', 'templates', 'areas',
        'area_claims', 'area_notes']
    LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON tablemap.%I
                        FOR EACH ROW EXECUTE FUNCTION tablemap.touch_txid()', t || '_txid', t);
    END LOOP;
END
$$;

-- A time or stamp more than a day ahead of the server's clock is refused.
CREATE FUNCTION tablemap.not_ahead(p_what text, p_millis bigint) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, tablemap AS
$$
BEGIN
    IF p_millis > (extract(epoch FROM now()) * 1000)::bigint + 86400000 THEN
        RAISE EXCEPTION '% is more than a day ahead of the team server''s clock: check the date and time of the computer it was recorded on', p_what
            USING ERRCODE = '22023';
    END IF;
END
$$;

CREATE FUNCTION tablemap.check_stamp() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, tablemap AS
$$
BEGIN
    IF NEW.hlc !~ '^[0-9]{16}-[0-9]{5}-[0-9a-f]{16}$' THEN
        RAISE EXCEPTION 'the clock stamp % is malformed', NEW.hlc USING ERRCODE = '22023';
    END IF;
    PERFORM tablemap.not_ahead('the change', left(NEW.hlc, 16)::bigint);
    RETURN NEW;
END
$$;
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['restaurant_fields', 'campaign_settings', 'templates', 'areas']
    LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON tablemap.%I
                        FOR EACH ROW EXECUTE FUNCTION tablemap.check_stamp()', t || '_stamp', t);
    END LOOP;
END
$$;

CREATE FUNCTION tablemap.check_times() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, tablemap AS
$$
DECLARE
    other text;
BEGIN
    IF TG_TABLE_NAME = 'visits' THEN
        PERFORM tablemap.not_ahead('the visit''s time', (extract(epoch FROM NEW.visited_at::timestamptz) * 1000)::bigint);
        IF NEW.corrects IS NOT NULL THEN
            SELECT restaurant_id INTO other FROM tablemap.visits WHERE id = NEW.corrects;
            IF other IS DISTINCT FROM NEW.restaurant_id THEN
                RAISE EXCEPTION 'a correction must name a visit to the same restaurant' USING ERRCODE = '23514';
            END IF;
        END IF;
    ELSE
        PERFORM tablemap.not_ahead('the consent''s time', (extract(epoch FROM NEW.recorded_at::timestamptz) * 1000)::bigint);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER visits_times BEFORE INSERT ON tablemap.visits FOR EACH ROW EXECUTE FUNCTION tablemap.check_times();
CREATE TRIGGER consent_records_times BEFORE INSERT ON tablemap.consent_records
    FOR EACH ROW EXECUTE FUNCTION tablemap.check_times();

-- Fields are written only by put_field and put_fields, which run with their owner's rights and
-- check the caller themselves; merge_field (the merge itself) is nobody else's to call.
CREATE FUNCTION tablemap.merge_field(p_restaurant text, p_field text, p_value jsonb, p_hlc text, p_base text)
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
        SET value = p_value, hlc = p_hlc, base_hlc = p_base
        WHERE restaurant_id = p_restaurant AND field = p_field;
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION tablemap.merge_field(text, text, jsonb, text, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION tablemap.put_field(p_restaurant text, p_field text, p_value jsonb, p_hlc text, p_base text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, tablemap AS
$$
BEGIN
    IF NOT tablemap.is_organiser() THEN
        RAISE EXCEPTION 'only organisers and coordinators edit restaurants' USING ERRCODE = '42501';
    END IF;
    PERFORM tablemap.merge_field(p_restaurant, p_field, p_value, p_hlc, p_base);
END
$$;

-- A batch of field edits: the first edit of each field the server does not have yet goes in with
-- one INSERT (a first sync is nearly all of them); every other edit merges one by one, in order.
CREATE OR REPLACE FUNCTION tablemap.put_fields(p jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, tablemap AS
$$
DECLARE
    done bigint[];
    e record;
BEGIN
    IF NOT tablemap.is_organiser() THEN
        RAISE EXCEPTION 'only organisers and coordinators edit restaurants' USING ERRCODE = '42501';
    END IF;
    WITH input AS (
        SELECT x->>'restaurant_id' AS r, x->>'field' AS f, x->'value' AS v, x->>'hlc' AS h, x->>'base_hlc' AS b, n
        FROM jsonb_array_elements(p) WITH ORDINALITY AS t(x, n)
    ), firsts AS (
        SELECT DISTINCT ON (r, f) r, f, v, h, b, n FROM input ORDER BY r, f, n
    ), ins AS (
        INSERT INTO tablemap.restaurant_fields (restaurant_id, field, value, hlc, base_hlc)
        SELECT r, f, v, h, b FROM firsts
        ON CONFLICT (restaurant_id, field) DO NOTHING
        RETURNING restaurant_id, field
    )
    SELECT coalesce(array_agg(firsts.n), '{}') INTO done
    FROM ins JOIN firsts ON firsts.r = ins.restaurant_id AND firsts.f = ins.field;
    FOR e IN
        SELECT x->>'restaurant_id' AS r, x->>'field' AS f, x->'value' AS v, x->>'hlc' AS h, x->>'base_hlc' AS b
        FROM jsonb_array_elements(p) WITH ORDINALITY AS t(x, n)
        WHERE n <> ALL (done) ORDER BY n
    LOOP
        PERFORM tablemap.merge_field(e.r, e.f, e.v, e.h, e.b);
    END LOOP;
END
$$;
REVOKE INSERT, UPDATE ON tablemap.restaurant_fields FROM tablemap_organiser, tablemap_coordinator;
REVOKE INSERT ON tablemap.reviews FROM tablemap_organiser, tablemap_coordinator;
REVOKE EXECUTE ON FUNCTION tablemap.put_field(text, text, jsonb, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION tablemap.put_fields(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tablemap.put_field(text, text, jsonb, text, text)
    TO tablemap_organiser, tablemap_coordinator;
GRANT EXECUTE ON FUNCTION tablemap.put_fields(jsonb) TO tablemap_organiser, tablemap_coordinator;

-- A release comes from a coordinator or from whoever holds the area's latest claim.
DROP POLICY claims_write ON tablemap.area_claims;
CREATE POLICY claims_write ON tablemap.area_claims FOR INSERT
    WITH CHECK (
        (SELECT tablemap.is_coordinator())
        OR volunteer_id = (SELECT tablemap.my_volunteer_id())
        OR (volunteer_id IS NULL AND (
            SELECT latest.volunteer_id FROM tablemap.area_claims latest
            WHERE latest.area_id = area_claims.area_id
            ORDER BY latest.body->>'claimed_at' DESC, latest.id DESC LIMIT 1) = (SELECT tablemap.my_volunteer_id()))
    );
