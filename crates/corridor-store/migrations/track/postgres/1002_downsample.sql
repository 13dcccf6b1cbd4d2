-- Down-sampling of old positions (issue 4).
-- Positions that are evidence of an alert are never thinned: the alert sink
-- records them here (MMSI, Unix milliseconds) when it stores the alert.
CREATE TABLE IF NOT EXISTS track_evidence (
    mmsi        BIGINT NOT NULL,
    time        BIGINT NOT NULL,
    PRIMARY KEY (mmsi, time)
);
-- How far down-sampling has gone (one row, id 1): each run only reads the
-- positions after this point (and one bucket before it, for context).
CREATE TABLE IF NOT EXISTS track_downsample (
    id          INTEGER PRIMARY KEY,
    done_until  BIGINT NOT NULL        -- Unix milliseconds (event time)
);
