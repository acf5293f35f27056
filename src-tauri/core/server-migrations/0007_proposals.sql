-- Tablemap's team server, schema 7: volunteers propose the restaurants they find; organisers
-- confirm or reject them.
--   * a restaurant row says whether it is a proposal (`proposed`); a volunteer may add only
--     proposals, under their own name (`created_by`), and an organiser or coordinator anything;
--   * the decision is the restaurant's field `standing` ("confirmed" or "rejected"), merged like
--     any field; only organisers and coordinators set it;
--   * a volunteer edits the fields of their own proposal until it is decided, and nothing else.

ALTER TABLE tablemap.restaurants ADD COLUMN proposed boolean NOT NULL DEFAULT false;

ALTER TABLE tablemap.restaurant_fields DROP CONSTRAINT restaurant_fields_field_check;
ALTER TABLE tablemap.restaurant_fields ADD CONSTRAINT restaurant_fields_field_check
    CHECK (field IN ('name', 'address', 'postcode', 'position', 'cuisines', 'languages',
                     'opening_hours', 'phone', 'website', 'standing'));
ALTER TABLE tablemap.restaurant_fields ADD CONSTRAINT restaurant_fields_standing
    CHECK (field <> 'standing' OR value IN ('"confirmed"'::jsonb, '"rejected"'::jsonb));

ALTER TABLE tablemap.restaurants ENABLE ROW LEVEL SECURITY;
CREATE POLICY restaurants_read ON tablemap.restaurants FOR SELECT USING (true);
CREATE POLICY restaurants_add ON tablemap.restaurants FOR INSERT
    WITH CHECK (
        (NOT proposed AND (SELECT tablemap.is_organiser()))
        OR (proposed AND created_by = (SELECT tablemap.my_volunteer_id()))
    );
CREATE POLICY restaurants_change ON tablemap.restaurants FOR UPDATE
    USING ((SELECT tablemap.is_organiser())) WITH CHECK ((SELECT tablemap.is_organiser()));
GRANT INSERT ON tablemap.restaurants TO tablemap_volunteer;

-- Whether a volunteer may set this field: one of their own proposal's, while it is undecided.
-- (Organisers and coordinators may set any field; the callers check that first.)
CREATE FUNCTION tablemap.own_open_proposal(p_restaurant text, p_field text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, tablemap AS
$$
    SELECT p_field <> 'standing' AND EXISTS (
        SELECT 1 FROM tablemap.restaurants r
        WHERE r.id = p_restaurant AND r.proposed AND r.created_by = tablemap.my_volunteer_id()
          AND NOT EXISTS (SELECT 1 FROM tablemap.restaurant_fields f
                          WHERE f.restaurant_id = r.id AND f.field = 'standing'))
$$;
REVOKE EXECUTE ON FUNCTION tablemap.own_open_proposal(text, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION tablemap.put_field(p_restaurant text, p_field text, p_value jsonb, p_hlc text, p_base text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, tablemap AS
$$
BEGIN
    IF NOT (tablemap.is_organiser() OR tablemap.own_open_proposal(p_restaurant, p_field)) THEN
        RAISE EXCEPTION 'only organisers and coordinators edit restaurants (a volunteer, only their own proposal until it is decided)'
            USING ERRCODE = '42501';
    END IF;
    PERFORM tablemap.merge_field(p_restaurant, p_field, p_value, p_hlc, p_base);
END
$$;

CREATE OR REPLACE FUNCTION tablemap.put_fields(p jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, tablemap AS
$$
DECLARE
    done bigint[];
    e record;
BEGIN
    IF NOT tablemap.is_organiser() AND EXISTS (
        SELECT 1 FROM jsonb_array_elements(p) AS t(x)
        WHERE NOT tablemap.own_open_proposal(x->>'restaurant_id', x->>'field'))
    THEN
        RAISE EXCEPTION 'only organisers and coordinators edit restaurants (a volunteer, only their own proposal until it is decided)'
            USING ERRCODE = '42501';
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
GRANT EXECUTE ON FUNCTION tablemap.put_field(text, text, jsonb, text, text) TO tablemap_volunteer;
GRANT EXECUTE ON FUNCTION tablemap.put_fields(jsonb) TO tablemap_volunteer;
