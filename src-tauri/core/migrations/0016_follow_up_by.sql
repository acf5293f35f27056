-- Who owes each follow-up (whoever logged the visit that set its date, the last visit that
-- stands), kept beside the derived status by `store::status::refresh`: the report's
-- "follow-ups they owe" read it for every restaurant instead of asking the visits of each
-- (`tablemap doctor` checks it with the status).
ALTER TABLE restaurant_status ADD COLUMN follow_up_by TEXT;
UPDATE restaurant_status SET follow_up_by = (
    SELECT v.volunteer_id FROM visits v
    WHERE v.restaurant_id = restaurant_status.restaurant_id
      AND NOT EXISTS (SELECT 1 FROM visits c WHERE c.corrects = v.id)
    ORDER BY v.visited_at DESC, v.recorded_at DESC, v.id DESC LIMIT 1
) WHERE follow_up_on IS NOT NULL;
