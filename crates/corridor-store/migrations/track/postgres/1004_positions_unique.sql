-- One row per (mmsi, time), as on SQLite (open finding 9 of 2026-11-29): a
-- report delivered again, or one transmission heard by two receivers, was
-- stored twice, and down-sampling kept both. Of repeats already stored, a
-- thinned one is kept (else the last written): one pass numbering each
-- key's rows, so a large table is read once. The unique index replaces
-- the plain one on the same columns (building it blocks writes to the
-- table until it is done); the insert path falls back to
-- `ON CONFLICT DO NOTHING` when a batch repeats a stored row.
DELETE FROM track_positions t
USING (
    SELECT ctid FROM (
        SELECT ctid, row_number() OVER (
            PARTITION BY mmsi, time ORDER BY downsampled DESC, ctid DESC
        ) AS n
        FROM track_positions
    ) numbered
    WHERE n > 1
) repeats
WHERE t.ctid = repeats.ctid;
CREATE UNIQUE INDEX track_positions_key ON track_positions (mmsi, time);
DROP INDEX IF EXISTS track_positions_mmsi_time;
