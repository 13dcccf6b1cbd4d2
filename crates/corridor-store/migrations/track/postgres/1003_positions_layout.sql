-- Position history for batched writes (issue 4): positions arrive in time
-- order, so a BRIN index on time (one min/max summary per 128 pages) serves
-- the time windows (down-sampling, range scans) at a fraction of a btree's
-- cost per insert; the (mmsi, time) btree serves the per-vessel track.
DROP INDEX IF EXISTS track_positions_time;
CREATE INDEX IF NOT EXISTS track_positions_time_brin ON track_positions USING brin (time);
