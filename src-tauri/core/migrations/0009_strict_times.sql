-- Times are text in one form, `2026-06-01T10:00:00.000Z`, so ordering them as text orders them
-- in time. Before the pull checked each row, a teammate's consent stamped 'epoch' (or another
-- word PostgreSQL reads as a time) could land here and outrank every real answer: such
-- records are set aside with their reason (shown in the team dialog, as held rows are), and from
-- now on a record whose time is not in that form cannot be stored.
INSERT OR REPLACE INTO sync_parked (kind, id, body, reason)
SELECT 'consent', id,
       json_object('id', id, 'restaurant_id', restaurant_id, 'kind', kind, 'answer', answer,
                   'recorded_by', recorded_by, 'recorded_at', recorded_at),
       'its recorded_at (' || substr(recorded_at, 1, 40) || ') is not a time'
FROM consent_records
WHERE recorded_at NOT GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z';

DROP TRIGGER consent_append_only_delete;
DELETE FROM consent_records WHERE id IN (SELECT id FROM sync_parked WHERE kind = 'consent' AND reason IS NOT NULL);
CREATE TRIGGER consent_append_only_delete BEFORE DELETE ON consent_records
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;

CREATE TRIGGER consent_time_form BEFORE INSERT ON consent_records
WHEN NEW.recorded_at NOT GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
BEGIN SELECT RAISE(ABORT, 'a consent record''s time must look like 2026-06-01T10:00:00.000Z'); END;
CREATE TRIGGER visit_time_form BEFORE INSERT ON visits
WHEN NEW.visited_at NOT GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
  OR NEW.recorded_at NOT GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
BEGIN SELECT RAISE(ABORT, 'a visit''s times must look like 2026-06-01T10:00:00.000Z'); END;
