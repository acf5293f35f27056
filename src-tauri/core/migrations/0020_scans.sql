-- How often each sticker was scanned, per day (UTC), as the campaign's web service counted it
-- and team sync pulled it: a count per code and day, never who scanned. The server's count for
-- a (code, day) replaces the one here (it only grows). A code whose batch has not come yet
-- keeps its counts until it does.
CREATE TABLE scans (
    code  TEXT NOT NULL,
    day   TEXT NOT NULL,
    count INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (code, day)
) STRICT, WITHOUT ROWID;
