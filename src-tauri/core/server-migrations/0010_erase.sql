-- Schema 10: erasure (a person's right to erasure, GDPR art. 17). A coordinator erases a
-- restaurant or a volunteer through tablemap.erase (the only way rows leave these append-only
-- tables); every member's machine pulls the tombstone from tablemap.erasures and erases its own
-- copy. What remains is the tombstone: an id, who, when; no name.

CREATE TABLE tablemap.erasures (
    id        text PRIMARY KEY,
    kind      text NOT NULL CHECK (kind IN ('restaurant', 'volunteer')),
    erased_by text,
    erased_at text NOT NULL,
    txid      xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX erasures_txid ON tablemap.erasures (txid);
GRANT SELECT ON tablemap.erasures TO tablemap_volunteer, tablemap_organiser, tablemap_coordinator;

CREATE FUNCTION tablemap.erase(p_kind text, p_id text, p_at text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, tablemap AS
$$
BEGIN
    IF NOT tablemap.is_coordinator() THEN
        RAISE EXCEPTION 'only a coordinator may erase' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT (tablemap.is_id(p_id) AND tablemap.is_real_time(p_at)) THEN
        RAISE EXCEPTION 'an erasure needs an id and a time' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_kind = 'restaurant' THEN
        DELETE FROM tablemap.sticker_events WHERE restaurant_id = p_id
            OR visit_id IN (SELECT id FROM tablemap.visits WHERE restaurant_id = p_id);
        -- Corrections name visits of the same restaurant: one statement removes them all.
        DELETE FROM tablemap.visits WHERE restaurant_id = p_id;
        DELETE FROM tablemap.consent_records WHERE restaurant_id = p_id;
        DELETE FROM tablemap.reviews WHERE restaurant_id = p_id;
        DELETE FROM tablemap.restaurant_fields WHERE restaurant_id = p_id;
        DELETE FROM tablemap.quarantine WHERE id = p_id OR body->>'restaurant_id' = p_id;
        DELETE FROM tablemap.restaurants WHERE id = p_id;
    ELSIF p_kind = 'volunteer' THEN
        -- The same name store::erase::former_name gives on every machine.
        UPDATE tablemap.volunteers SET display_name = 'Former volunteer ' || upper(right(p_id, 4))
        WHERE id = p_id;
    ELSE
        RAISE EXCEPTION 'nothing of kind % can be erased', p_kind USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO tablemap.erasures (id, kind, erased_by, erased_at)
    VALUES (p_id, p_kind, tablemap.my_volunteer_id(), p_at)
    ON CONFLICT (id) DO NOTHING;
END
$$;
REVOKE EXECUTE ON FUNCTION tablemap.erase(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tablemap.erase(text, text, text) TO tablemap_coordinator;

-- An erased restaurant never comes back: a member who was offline still holds rows naming it,
-- and their next push is refused, row by row, with this reason.
CREATE FUNCTION tablemap.refuse_erased() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, tablemap AS
$$
DECLARE
    named text;
BEGIN
    IF TG_TABLE_NAME = 'restaurants' THEN
        named := NEW.id;
    ELSE
        named := NEW.restaurant_id;
    END IF;
    IF EXISTS (SELECT 1 FROM tablemap.erasures WHERE id = named) THEN
        RAISE EXCEPTION 'a coordinator erased this restaurant' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER restaurants_not_erased BEFORE INSERT ON tablemap.restaurants
    FOR EACH ROW EXECUTE FUNCTION tablemap.refuse_erased();
CREATE TRIGGER visits_not_erased BEFORE INSERT ON tablemap.visits
    FOR EACH ROW EXECUTE FUNCTION tablemap.refuse_erased();
CREATE TRIGGER consent_records_not_erased BEFORE INSERT ON tablemap.consent_records
    FOR EACH ROW EXECUTE FUNCTION tablemap.refuse_erased();
