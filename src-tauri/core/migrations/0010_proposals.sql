-- Volunteers propose the restaurants they find on the street; an organiser confirms or rejects
-- them. Every restaurant before this is confirmed.
--   standing:    'proposed' (a volunteer's, not decided yet), 'confirmed', or 'rejected' (off the
--                map, its visits kept). Only confirmed restaurants reach an export or the public map.
--   proposed_by: the volunteer who proposed it; NULL for everything else.
ALTER TABLE restaurants ADD COLUMN standing TEXT NOT NULL DEFAULT 'confirmed'
    CHECK (standing IN ('proposed', 'confirmed', 'rejected'));
ALTER TABLE restaurants ADD COLUMN proposed_by TEXT;
