-- The voyage record. Dates are ISO 8601 text (YYYY-MM-DD), times RFC 3339 UTC text.
-- Tonnages are integer kilograms so sums are exact.

CREATE TABLE countries (
    iso3 TEXT PRIMARY KEY,
    iso2 TEXT NOT NULL,
    name TEXT NOT NULL,
    income_group TEXT,
    world_bank_region TEXT,
    un_region TEXT,
    development_category TEXT,
    least_developed INTEGER
);

CREATE TABLE ports (
    locode TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE vessels (
    imo INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    mmsi INTEGER,
    flag TEXT,
    flag_name TEXT,
    vessel_type TEXT,
    dwt_kg INTEGER,
    imo_check_ok INTEGER NOT NULL
);
CREATE INDEX vessels_mmsi ON vessels(mmsi);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    format TEXT NOT NULL,
    as_of TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    voyages_new INTEGER NOT NULL,
    voyages_updated INTEGER NOT NULL,
    voyages_unchanged INTEGER NOT NULL,
    history_added INTEGER NOT NULL
);

CREATE TABLE voyages (
    id INTEGER PRIMARY KEY,
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    seq INTEGER NOT NULL,
    imo INTEGER NOT NULL REFERENCES vessels(imo),
    vessel_name TEXT NOT NULL,
    flag_name TEXT NOT NULL,
    flag TEXT,
    port TEXT NOT NULL REFERENCES ports(locode),
    departure TEXT NOT NULL,
    inspection_cleared TEXT,
    status TEXT NOT NULL,
    as_of TEXT NOT NULL,
    source TEXT NOT NULL,
    UNIQUE (direction, seq)
);
CREATE INDEX voyages_departure ON voyages(departure);
CREATE INDEX voyages_imo ON voyages(imo);

CREATE TABLE cargo_lines (
    voyage_id INTEGER NOT NULL REFERENCES voyages(id),
    line_no INTEGER NOT NULL,
    commodity TEXT NOT NULL,
    tonnes_kg INTEGER NOT NULL CHECK (tonnes_kg >= 0),
    destination TEXT NOT NULL,
    destination_iso3 TEXT NOT NULL,
    income_group TEXT NOT NULL,
    world_bank_region TEXT NOT NULL,
    un_region TEXT NOT NULL,
    development_category TEXT NOT NULL,
    wfp INTEGER,
    PRIMARY KEY (voyage_id, line_no)
);

-- Values that lost to a newer snapshot (or came from an older one). Never updated or deleted.
CREATE TABLE voyage_history (
    id INTEGER PRIMARY KEY,
    voyage_id INTEGER NOT NULL REFERENCES voyages(id),
    field TEXT NOT NULL,
    old_value TEXT,
    old_source TEXT NOT NULL,
    old_as_of TEXT NOT NULL,
    new_value TEXT,
    new_source TEXT NOT NULL,
    new_as_of TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES imports(id)
);
CREATE UNIQUE INDEX voyage_history_once ON voyage_history (
    voyage_id, field, COALESCE(old_value, '∅'), old_source, old_as_of, COALESCE(new_value, '∅'), new_source, new_as_of
);

CREATE TRIGGER voyage_history_no_update BEFORE UPDATE ON voyage_history
BEGIN SELECT RAISE(ABORT, 'voyage_history is append-only'); END;
CREATE TRIGGER voyage_history_no_delete BEFORE DELETE ON voyage_history
BEGIN SELECT RAISE(ABORT, 'voyage_history is append-only'); END;
