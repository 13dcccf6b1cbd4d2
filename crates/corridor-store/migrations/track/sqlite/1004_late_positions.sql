-- Positions stored after down-sampling had passed their time (a feed that
-- fills in the past): the earliest such time per vessel, so the next run
-- thins that vessel's window again (docs/open-findings.md, finding 9).
CREATE TABLE IF NOT EXISTS track_late (
    mmsi        INTEGER PRIMARY KEY,
    since       INTEGER NOT NULL       -- Unix milliseconds (event time)
);
