-- Live tracking (issue 4): position history, alerts, registered MMSIs.
-- Numbered from 1001: the record's own migrations stay below 1000.
CREATE TABLE IF NOT EXISTS track_positions (
    mmsi        BIGINT NOT NULL,
    time        BIGINT NOT NULL,           -- Unix milliseconds (event time)
    lat         DOUBLE PRECISION NOT NULL,
    lon         DOUBLE PRECISION NOT NULL,
    sog         REAL,
    cog         REAL,
    heading     INTEGER,
    nav_status  INTEGER NOT NULL,
    downsampled BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX IF NOT EXISTS track_positions_mmsi_time ON track_positions (mmsi, time);
CREATE INDEX IF NOT EXISTS track_positions_time ON track_positions (time);

CREATE TABLE IF NOT EXISTS track_alerts (
    key         TEXT PRIMARY KEY,          -- run id ':' the monitor's alert id
    kind        TEXT NOT NULL,
    mmsi        BIGINT NOT NULL,
    start_ms    BIGINT NOT NULL,
    end_ms      BIGINT NOT NULL,
    open        BOOLEAN NOT NULL,
    body        TEXT NOT NULL              -- the alert as JSON (place, evidence, detail)
);
CREATE INDEX IF NOT EXISTS track_alerts_start ON track_alerts (start_ms);

CREATE TABLE IF NOT EXISTS track_registry (
    mmsi        BIGINT PRIMARY KEY,
    imo         BIGINT,
    name        TEXT,
    source      TEXT NOT NULL
);
