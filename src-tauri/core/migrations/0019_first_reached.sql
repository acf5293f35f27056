-- When each restaurant first reached each stage of the report's funnel, by the visits that
-- stand (a visit, an agreement, a sticker placed), kept beside its status by
-- `store::status::refresh` (`domain::status::first_reached`; `tablemap doctor` checks them). A
-- report whose period begins before every visit (the whole campaign) counts its funnel from
-- these instead of reading every visit.
ALTER TABLE restaurant_status ADD COLUMN first_visit_at TEXT;
ALTER TABLE restaurant_status ADD COLUMN first_agreed_at TEXT;
ALTER TABLE restaurant_status ADD COLUMN first_placed_at TEXT;
UPDATE restaurant_status SET
    first_visit_at = f.visit, first_agreed_at = f.agreed, first_placed_at = f.placed
FROM (
    SELECT v.restaurant_id AS id, min(v.visited_at) AS visit,
           min(CASE WHEN v.outcome IN ('agreed', 'sticker_placed') THEN v.visited_at END) AS agreed,
           min(CASE WHEN v.outcome = 'sticker_placed' THEN v.visited_at END) AS placed
    FROM visits v WHERE NOT EXISTS (SELECT 1 FROM visits c WHERE c.corrects = v.id)
    GROUP BY v.restaurant_id
) AS f
WHERE restaurant_status.restaurant_id = f.id;
