-- Tablemap's team server, schema 6: people come and go.
--   * each login's last sync, recorded by the server (`tablemap.hello()`, called at the start
--     of every sync, which also answers the login's role: a role changed by `server set-role`
--     takes effect at the person's next sync);
--   * a removed person keeps their volunteer row (what they recorded stays attributed); their
--     login can no longer log in (`server remove-user` also ends its open connections).
ALTER TABLE tablemap.people
    ADD COLUMN last_sync_at timestamptz,
    ADD COLUMN removed_at   timestamptz;

CREATE FUNCTION tablemap.hello() RETURNS text
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, tablemap AS
$$ UPDATE tablemap.people SET last_sync_at = now() WHERE login = session_user AND removed_at IS NULL RETURNING role $$;
REVOKE EXECUTE ON FUNCTION tablemap.hello() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tablemap.hello() TO tablemap_volunteer, tablemap_organiser, tablemap_coordinator;
