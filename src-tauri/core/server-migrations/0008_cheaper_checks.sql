-- Tablemap's team server, schema 8: the same checks, cheaper (a first sync of 60,000 changes
-- runs every row through them).
--   * `is_real_time` (schema 5) caught an impossible day (2026-02-30) with an EXCEPTION block,
--     which opens a subtransaction on every call: two per visit, a thousand in a batch of 500,
--     past the 64 a backend keeps track of cheaply. It now works the month's last day out.
--   * The per-row trigger functions ran with `SET search_path`, which saves and restores a
--     setting on every call; they name everything of Tablemap's with its schema and use only
--     built-ins otherwise (pg_catalog is searched first whatever the path), so they need no
--     path of their own. SECURITY DEFINER functions keep theirs.
--   * A clock stamp's "not more than a day ahead" is worked out inline, calling `not_ahead`
--     (for its words) only when the stamp is ahead.
CREATE OR REPLACE FUNCTION tablemap.is_real_time(t text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS
$$
    SELECT CASE WHEN tablemap.is_time(t)
        THEN substr(t, 9, 2)::int <= extract(day FROM make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, 1)
                                                      + interval '1 month - 1 day')::int
        ELSE false END
$$;

CREATE OR REPLACE FUNCTION tablemap.check_stamp() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
    IF NEW.hlc !~ '^[0-9]{16}-[0-9]{5}-[0-9a-f]{16}$' THEN
        RAISE EXCEPTION 'the clock stamp % is malformed', NEW.hlc USING ERRCODE = '22023';
    END IF;
    IF left(NEW.hlc, 16)::bigint > (extract(epoch FROM now()) * 1000)::bigint + 86400000 THEN
        PERFORM tablemap.not_ahead('the change', left(NEW.hlc, 16)::bigint);
    END IF;
    RETURN NEW;
END
$$;
ALTER FUNCTION tablemap.check_stamp() RESET search_path;
ALTER FUNCTION tablemap.touch_txid() RESET search_path;
ALTER FUNCTION tablemap.not_ahead(text, bigint) RESET search_path;
ALTER FUNCTION tablemap.strict_time(text, text) RESET search_path;
ALTER FUNCTION tablemap.check_times() RESET search_path;
