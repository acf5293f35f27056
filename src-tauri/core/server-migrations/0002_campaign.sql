-- Tablemap's team server, schema 2: the rest of the campaign joins the sync — print batches
-- (with their codes), sticker events, label templates, areas, area claims and area notes.
-- Bodies are the client's own row as JSON (the columns row-level security needs are columns too).

-- A print batch carries its codes in its body: it is written once, by whoever printed it.
ALTER TABLE tablemap.print_batches ALTER COLUMN created_by SET NOT NULL;
CREATE INDEX print_batches_txid ON tablemap.print_batches (txid);

-- Sticker events keep their columns (they are the client's row) and say who recorded them.
ALTER TABLE tablemap.sticker_events ADD CONSTRAINT sticker_events_state_check
    CHECK (state IN ('printed', 'with_volunteer', 'placed', 'missing', 'replaced'));
ALTER TABLE tablemap.sticker_events ADD COLUMN recorded_by text NOT NULL DEFAULT tablemap.my_volunteer_id();
CREATE INDEX sticker_events_txid ON tablemap.sticker_events (txid);

-- Templates and areas are documents: the latest stamp wins, the whole body at once.
CREATE INDEX templates_txid ON tablemap.templates (txid);
CREATE INDEX areas_txid ON tablemap.areas (txid);
CREATE INDEX area_claims_txid ON tablemap.area_claims (txid);

CREATE TABLE tablemap.area_notes (
    id           text PRIMARY KEY,
    area_id      text NOT NULL REFERENCES tablemap.areas (id),
    volunteer_id text NOT NULL REFERENCES tablemap.volunteers (id),
    body         jsonb NOT NULL,
    txid         xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX area_notes_txid ON tablemap.area_notes (txid);
GRANT SELECT, INSERT ON tablemap.area_notes TO tablemap_volunteer, tablemap_organiser, tablemap_coordinator;
ALTER TABLE tablemap.area_notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_read ON tablemap.area_notes FOR SELECT USING (true);
CREATE POLICY notes_write ON tablemap.area_notes FOR INSERT
    WITH CHECK (volunteer_id = tablemap.my_volunteer_id() OR tablemap.is_coordinator());

-- Print batches: organisers and coordinators print; each batch says who printed it.
ALTER TABLE tablemap.print_batches ENABLE ROW LEVEL SECURITY;
CREATE POLICY batches_read ON tablemap.print_batches FOR SELECT USING (true);
CREATE POLICY batches_write ON tablemap.print_batches FOR INSERT
    WITH CHECK (tablemap.is_organiser() AND created_by = tablemap.my_volunteer_id());

-- Sticker events: a volunteer records a sticker placed, missing or replaced, or taken by
-- themselves, never as someone else and never a printing; organisers record anything.
DROP POLICY stickers_write ON tablemap.sticker_events;
CREATE POLICY stickers_write ON tablemap.sticker_events FOR INSERT
    WITH CHECK (
        tablemap.is_organiser()
        OR (recorded_by = tablemap.my_volunteer_id()
            AND (volunteer_id IS NULL OR volunteer_id = tablemap.my_volunteer_id())
            AND state IN ('with_volunteer', 'placed', 'missing', 'replaced'))
    );

-- Area claims: a claim is the claimant's own (or a coordinator's assignment); a release
-- (no volunteer) comes from a coordinator or from someone who has claimed that area.
DROP POLICY claims_write ON tablemap.area_claims;
CREATE POLICY claims_write ON tablemap.area_claims FOR INSERT
    WITH CHECK (
        tablemap.is_coordinator()
        OR volunteer_id = tablemap.my_volunteer_id()
        OR (volunteer_id IS NULL AND EXISTS (
            SELECT 1 FROM tablemap.area_claims mine
            WHERE mine.area_id = area_claims.area_id AND mine.volunteer_id = tablemap.my_volunteer_id()))
    );

-- Documents merge on the server too: a write older than what is there changes nothing.
CREATE FUNCTION tablemap.put_document(p_table text, p_id text, p_body jsonb, p_hlc text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, tablemap AS
$$
BEGIN
    IF p_table = 'templates' THEN
        INSERT INTO tablemap.templates (id, body, hlc) VALUES (p_id, p_body, p_hlc)
        ON CONFLICT (id) DO UPDATE SET body = excluded.body, hlc = excluded.hlc, txid = pg_current_xact_id()
        WHERE excluded.hlc > tablemap.templates.hlc;
    ELSIF p_table = 'areas' THEN
        INSERT INTO tablemap.areas (id, body, hlc) VALUES (p_id, p_body, p_hlc)
        ON CONFLICT (id) DO UPDATE SET body = excluded.body, hlc = excluded.hlc, txid = pg_current_xact_id()
        WHERE excluded.hlc > tablemap.areas.hlc;
    ELSE
        RAISE EXCEPTION 'unknown document table %', p_table USING ERRCODE = '22023';
    END IF;
END
$$;
GRANT EXECUTE ON FUNCTION tablemap.put_document(text, text, jsonb, text)
    TO tablemap_organiser, tablemap_coordinator;

-- A cleared review must reach the other coordinators: any update moves the row's txid on, so
-- the next pull sees it (the column grant alone would not let a coordinator touch txid).
CREATE FUNCTION tablemap.touch_txid() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN NEW.txid := pg_current_xact_id(); RETURN NEW; END $$;
CREATE TRIGGER reviews_touch BEFORE UPDATE ON tablemap.reviews
    FOR EACH ROW EXECUTE FUNCTION tablemap.touch_txid();
