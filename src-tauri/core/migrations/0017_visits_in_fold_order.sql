-- A restaurant's visits in the order the status fold takes them (time, then when recorded,
-- then id), with everything a replay reads: replaying a month's end for the restaurants
-- visited since reads this index alone (it read each visit's row for `recorded_at` before).
DROP INDEX visits_restaurant;
CREATE INDEX visits_restaurant ON visits (restaurant_id, visited_at, recorded_at, id, volunteer_id, outcome, follow_up_on);
