-- Tablemap's team server, schema 8: the same checks, cheaper. `is_real_time` (schema 5) caught
-- an impossible day (2026-02-30) with an EXCEPTION block, which opens a subtransaction on every
-- call: two per visit, a thousand in a batch of 500, past the 64 a backend keeps track of
-- cheaply. It now works the last day of the month out instead, with no exception to catch.
CREATE OR REPLACE FUNCTION tablemap.is_real_time(t text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS
$$
    SELECT CASE WHEN tablemap.is_time(t)
        THEN substr(t, 9, 2)::int <= extract(day FROM make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, 1)
                                                      + interval '1 month - 1 day')::int
        ELSE false END
$$;
