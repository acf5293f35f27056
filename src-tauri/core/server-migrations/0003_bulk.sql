-- Tablemap's team server, schema 3: pushing in bulk. A push sends each batch as a few
-- statements per kind instead of one per change (a first sync of 60,000 changes made 60,000
-- round trips), and the policies look up the caller's volunteer id once per statement.

-- Field edits of one batch, in the order they were made (the same field may be edited twice).
CREATE FUNCTION tablemap.put_fields(p jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, tablemap AS
$$
DECLARE
    e jsonb;
BEGIN
    FOR e IN SELECT x FROM jsonb_array_elements(p) WITH ORDINALITY AS t(x, n) ORDER BY n LOOP
        PERFORM tablemap.put_field(e->>'restaurant_id', e->>'field', e->'value', e->>'hlc', e->>'base_hlc');
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION tablemap.put_fields(jsonb) TO tablemap_organiser, tablemap_coordinator;

-- `(SELECT f())` is evaluated once per statement; a bare `f()` once per row.
DROP POLICY visits_write ON tablemap.visits;
CREATE POLICY visits_write ON tablemap.visits FOR INSERT
    WITH CHECK (volunteer_id = (SELECT tablemap.my_volunteer_id()) OR (SELECT tablemap.is_coordinator()));
DROP POLICY consents_write ON tablemap.consent_records;
CREATE POLICY consents_write ON tablemap.consent_records FOR INSERT
    WITH CHECK (recorded_by = (SELECT tablemap.my_volunteer_id()) OR (SELECT tablemap.is_coordinator()));
DROP POLICY stickers_write ON tablemap.sticker_events;
CREATE POLICY stickers_write ON tablemap.sticker_events FOR INSERT
    WITH CHECK (
        (SELECT tablemap.is_organiser())
        OR (recorded_by = (SELECT tablemap.my_volunteer_id())
            AND (volunteer_id IS NULL OR volunteer_id = (SELECT tablemap.my_volunteer_id()))
            AND state IN ('with_volunteer', 'placed', 'missing', 'replaced'))
    );
