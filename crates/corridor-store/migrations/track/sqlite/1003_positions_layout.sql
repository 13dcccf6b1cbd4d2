-- Position history for batched writes (issue 4): one B-tree clustered on
-- (time, mmsi) instead of a rowid table plus a time index, so the time
-- windows (down-sampling, range scans) read the table itself and a batch
-- appends to it; the (mmsi, time) index serves the per-vessel track.
-- One row per (mmsi, time): a repeated report adds nothing (the insert is
-- INSERT OR IGNORE); of repeats already stored, a thinned one is kept.
CREATE TABLE track_positions_v2 (
    mmsi        INTEGER NOT NULL,
    time        INTEGER NOT NULL,          -- Unix milliseconds (event time)
    lat         DOUBLE PRECISION NOT NULL,
    lon         DOUBLE PRECISION NOT NULL,
    sog         REAL,
    cog         REAL,
    heading     INTEGER,
    nav_status  INTEGER NOT NULL,
    downsampled INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (time, mmsi)
) WITHOUT ROWID;
INSERT OR IGNORE INTO track_positions_v2
    (mmsi, time, lat, lon, sog, cog, heading, nav_status, downsampled)
SELECT mmsi, time, lat, lon, sog, cog, heading, nav_status, downsampled
FROM track_positions ORDER BY time, mmsi, downsampled DESC, rowid;
DROP TABLE track_positions;
ALTER TABLE track_positions_v2 RENAME TO track_positions;
CREATE INDEX track_positions_mmsi_time ON track_positions (mmsi, time);
