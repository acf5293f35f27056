-- The dashboard and `tablemap report` read the visits of a period: an index by time, covering
-- what they count (outcome, restaurant, volunteer, id), so a month of visits is read from the
-- index alone rather than from every visit.
CREATE INDEX visits_by_time ON visits (visited_at, outcome, restaurant_id, volunteer_id, id);
-- A restaurant's visits in order, with what a status replay and "who owes this follow-up" read:
-- the index of migration 0001 (restaurant, time), widened so those reads need no table row.
DROP INDEX visits_restaurant;
CREATE INDEX visits_restaurant ON visits (restaurant_id, visited_at, id, volunteer_id, outcome, follow_up_on);
