-- Schema 11: how long the team keeps visit notes. A coordinator's choice, kept as the campaign
-- setting `note_retention` ({"months": N} or {"months": null} to keep them), applies to the
-- server and to every member's machine: the server blanks older notes whenever anyone syncs
-- (tablemap.apply_note_retention) and blanks the note of an older visit that arrives late (a
-- member who was offline); each member's machine blanks its own copies when it pulls the setting.
-- Visits stay append-only for everything else: only a note becomes empty, only here.

-- Only a coordinator sets it, and only as a number of months from 1 to 120 (or null).
-- (Trigger functions name Tablemap's objects with their schema and set no search_path: see
-- ARCHITECTURE.md, "the server's row checks are triggers, kept cheap".)
CREATE FUNCTION tablemap.check_note_retention() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
    IF NEW.key <> 'note_retention' THEN
        RETURN NEW;
    END IF;
    IF NOT tablemap.is_coordinator() THEN
        RAISE EXCEPTION 'only a coordinator may set how long the team keeps visit notes'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF jsonb_typeof(NEW.value) <> 'object'
        OR (SELECT count(*) FROM jsonb_object_keys(NEW.value)) <> 1
        OR NOT NEW.value ? 'months'
        OR NOT (jsonb_typeof(NEW.value->'months') = 'null'
                OR (jsonb_typeof(NEW.value->'months') = 'number'
                    AND (NEW.value->>'months') ~ '^[0-9]+$'
                    AND length(NEW.value->>'months') <= 3
                    AND (NEW.value->>'months')::int BETWEEN 1 AND 120)) THEN
        RAISE EXCEPTION 'how long notes are kept is a number of months from 1 to 120, or none'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER campaign_settings_note_retention BEFORE INSERT OR UPDATE ON tablemap.campaign_settings
    FOR EACH ROW EXECUTE FUNCTION tablemap.check_note_retention();

-- The time before which notes are blanked at `p_now`, as the visits write times; null while
-- notes are kept.
CREATE FUNCTION tablemap.note_cutoff(p_now timestamptz) RETURNS text
LANGUAGE sql STABLE AS
$$
    SELECT to_char((p_now - make_interval(months => (value->>'months')::int)) AT TIME ZONE 'UTC',
                   'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    FROM tablemap.campaign_settings
    WHERE key = 'note_retention' AND jsonb_typeof(value->'months') = 'number'
$$;

-- A visit older than the cutoff arrives without its note.
CREATE FUNCTION tablemap.blank_late_note() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
    -- Only a visit with a note looks up the team's choice.
    IF NEW.note IS NOT NULL THEN
        IF NEW.visited_at < tablemap.note_cutoff(now()) THEN
            NEW.note := NULL;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER visits_note_retention BEFORE INSERT ON tablemap.visits
    FOR EACH ROW EXECUTE FUNCTION tablemap.blank_late_note();

-- The visits that still have a note, by time: what apply_note_retention looks through.
CREATE INDEX visits_noted ON tablemap.visits (visited_at) WHERE note IS NOT NULL;

-- Blanks the notes older than the team's choice at the caller's time `p_at` (never later than
-- the server's clock); answers how many. Any member may call it (it applies the coordinator's
-- choice, nothing of the caller's), and every sync does.
CREATE FUNCTION tablemap.apply_note_retention(p_at text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, tablemap AS
$$
DECLARE
    cut text;
    n bigint;
BEGIN
    IF NOT tablemap.is_real_time(p_at) THEN
        RAISE EXCEPTION 'the time % is malformed', p_at USING ERRCODE = '22023';
    END IF;
    cut := tablemap.note_cutoff(least(p_at::timestamptz, now()));
    IF cut IS NULL THEN
        RETURN 0;
    END IF;
    UPDATE tablemap.visits SET note = NULL WHERE note IS NOT NULL AND visited_at < cut;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION tablemap.apply_note_retention(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tablemap.apply_note_retention(text)
    TO tablemap_volunteer, tablemap_organiser, tablemap_coordinator;
