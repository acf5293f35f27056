-- Retention (`store::retention`): visit notes older than the person chose are blanked. Visits
-- stay append-only otherwise; the flag row `retention` exists only inside that transaction, and
-- even then only the note may change.
DROP TRIGGER visits_append_only_update;
CREATE TRIGGER visits_append_only_update BEFORE UPDATE ON visits
WHEN NOT EXISTS (SELECT 1 FROM sync_state WHERE key = 'retention')
    OR new.note IS NOT NULL
    OR new.id IS NOT old.id OR new.restaurant_id IS NOT old.restaurant_id
    OR new.volunteer_id IS NOT old.volunteer_id OR new.visited_at IS NOT old.visited_at
    OR new.recorded_at IS NOT old.recorded_at OR new.outcome IS NOT old.outcome
    OR new.stickers_left IS NOT old.stickers_left OR new.follow_up_on IS NOT old.follow_up_on
    OR new.corrects IS NOT old.corrects
BEGIN SELECT RAISE(ABORT, 'visits are append-only: record a correction instead'); END;
