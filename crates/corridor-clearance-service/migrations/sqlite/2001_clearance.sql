-- corridor clearance (issue 5). The log is the record; every other table is
-- either derived from it (applications, party keys) or outside it (users,
-- tokens, documents' bytes, checkpoints, the log's checkpoint key).

CREATE TABLE clearance_log (
    seq         INTEGER PRIMARY KEY,
    prev_hash   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    time        TEXT NOT NULL,
    event       TEXT NOT NULL,
    signature   TEXT,
    entry_hash  TEXT NOT NULL
);

-- Append-only: the database refuses changes. Someone who drops these
-- triggers can still edit rows, which `corridor verify` then names.
CREATE TRIGGER clearance_log_no_update BEFORE UPDATE ON clearance_log
BEGIN SELECT RAISE(ABORT, 'clearance_log is append-only'); END;
CREATE TRIGGER clearance_log_no_delete BEFORE DELETE ON clearance_log
BEGIN SELECT RAISE(ABORT, 'clearance_log is append-only'); END;

CREATE TABLE clearance_applications (
    id            TEXT PRIMARY KEY,
    company       TEXT NOT NULL,
    status        TEXT NOT NULL,
    content       TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX clearance_applications_company ON clearance_applications (company);

CREATE TABLE clearance_documents (
    application_id  TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    filename        TEXT NOT NULL,
    size_bytes      INTEGER NOT NULL,
    content         BLOB NOT NULL,
    uploaded_by     TEXT NOT NULL,
    uploaded_at     TEXT NOT NULL,
    PRIMARY KEY (application_id, sha256)
);

CREATE TABLE clearance_users (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL,
    created_at     TEXT NOT NULL
);

CREATE TABLE clearance_tokens (
    token_sha256  TEXT PRIMARY KEY,
    token_id      TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES clearance_users (id),
    label         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);

CREATE TABLE clearance_party_keys (
    key_id       TEXT PRIMARY KEY,
    party        TEXT NOT NULL,
    public_key   TEXT NOT NULL,
    valid_from   TEXT NOT NULL,
    valid_until  TEXT
);

CREATE TABLE clearance_checkpoints (
    size       INTEGER PRIMARY KEY,
    origin     TEXT NOT NULL,
    root       TEXT NOT NULL,
    time       TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    signature  TEXT NOT NULL
);

CREATE TABLE clearance_log_key (
    key_id           TEXT PRIMARY KEY,
    private_key_pem  TEXT NOT NULL,
    public_key       TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
