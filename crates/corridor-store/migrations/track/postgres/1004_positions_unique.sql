-- One row per (mmsi, time), as on SQLite (open finding 9 of 2026-11-29): a
-- report delivered again, or one transmission heard by two receivers, was
-- stored twice, and down-sampling kept both. Of repeats already stored, a
-- thinned one is kept (else the last written). The unique index replaces
-- the plain one on the same columns; the insert path falls back to
-- `ON CONFLICT DO NOTHING` when a batch repeats a stored row.
DELETE FROM track_positions a USING track_positions b
WHERE a.mmsi = b.mmsi AND a.time = b.time
  AND (a.downsampled, a.ctid) < (b.downsampled, b.ctid);
CREATE UNIQUE INDEX track_positions_key ON track_positions (mmsi, time);
DROP INDEX IF EXISTS track_positions_mmsi_time;
