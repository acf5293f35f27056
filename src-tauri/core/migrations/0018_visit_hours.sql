-- Visits counted per UTC hour and volunteer, as they stand (a corrected visit is replaced by its
-- correction): what the report's weeks and its per-volunteer figures add up, read for a whole
-- campaign from a few thousand rows instead of a million visits. Kept by the triggers below on
-- every path that adds or removes a visit (a visit logged, a correction, a sync pull, an erase,
-- a refused change dropped); visits are never updated in a counted column (migration 0014).
-- `tablemap doctor` counts them again from the visits and compares. An hour's row stays at zero
-- when its visits go.
CREATE TABLE visit_hours (
    hour         TEXT NOT NULL,   -- the UTC hour, 'YYYY-MM-DDTHH'
    volunteer_id TEXT NOT NULL,
    visits       INTEGER NOT NULL,
    agreed       INTEGER NOT NULL,   -- outcome agreed or sticker placed
    placed       INTEGER NOT NULL,   -- outcome sticker placed
    PRIMARY KEY (hour, volunteer_id)
) STRICT, WITHOUT ROWID;

INSERT INTO visit_hours (hour, volunteer_id, visits, agreed, placed)
SELECT substr(v.visited_at, 1, 13), v.volunteer_id, count(*),
       sum(v.outcome IN ('agreed', 'sticker_placed')), sum(v.outcome = 'sticker_placed')
FROM visits v WHERE NOT EXISTS (SELECT 1 FROM visits c WHERE c.corrects = v.id)
GROUP BY 1, 2;

-- A new visit counts; the visit it corrects (if any) no longer does.
CREATE TRIGGER visit_hours_insert AFTER INSERT ON visits BEGIN
    INSERT INTO visit_hours (hour, volunteer_id, visits, agreed, placed)
    VALUES (substr(new.visited_at, 1, 13), new.volunteer_id, 1,
            new.outcome IN ('agreed', 'sticker_placed'), new.outcome = 'sticker_placed')
    ON CONFLICT (hour, volunteer_id) DO UPDATE SET visits = visits + 1,
        agreed = agreed + excluded.agreed, placed = placed + excluded.placed;
    UPDATE visit_hours SET visits = visits - 1,
        agreed = agreed - (SELECT c.outcome IN ('agreed', 'sticker_placed') FROM visits c WHERE c.id = new.corrects),
        placed = placed - (SELECT c.outcome = 'sticker_placed' FROM visits c WHERE c.id = new.corrects)
    WHERE new.corrects IS NOT NULL
      AND (hour, volunteer_id) = (SELECT substr(c.visited_at, 1, 13), c.volunteer_id FROM visits c WHERE c.id = new.corrects);
END;

-- A visit removed stops counting if it stood; the visit it corrected (if still here) stands again.
CREATE TRIGGER visit_hours_delete AFTER DELETE ON visits BEGIN
    UPDATE visit_hours SET visits = visits - 1,
        agreed = agreed - (old.outcome IN ('agreed', 'sticker_placed')),
        placed = placed - (old.outcome = 'sticker_placed')
    WHERE hour = substr(old.visited_at, 1, 13) AND volunteer_id = old.volunteer_id
      AND NOT EXISTS (SELECT 1 FROM visits c WHERE c.corrects = old.id);
    UPDATE visit_hours SET visits = visits + 1,
        agreed = agreed + (SELECT c.outcome IN ('agreed', 'sticker_placed') FROM visits c WHERE c.id = old.corrects),
        placed = placed + (SELECT c.outcome = 'sticker_placed' FROM visits c WHERE c.id = old.corrects)
    WHERE old.corrects IS NOT NULL
      AND (hour, volunteer_id) = (SELECT substr(c.visited_at, 1, 13), c.volunteer_id FROM visits c WHERE c.id = old.corrects);
END;
