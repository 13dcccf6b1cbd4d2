#!/usr/bin/env bash
# The databases' own floor for corridor's record: how long SQLite and
# PostgreSQL take to store the rows corridor writes for N synthetic JCC rows,
# with no corridor code running at all, next to the bulk load of the same
# file into one all-text table (what `run.sh` compares corridor with).
#
#   SQLite: the sqlite3 shell copies corridor's tables from an imported file
#   (ATTACH … INSERT … SELECT: typed values, no parsing) into a new file with
#   corridor's schema, primary and unique keys kept during the load, foreign
#   keys checked as corridor's connections do, and the secondary indexes
#   built after it, in one transaction, in WAL mode with corridor's page size
#   and import cache.
#   PostgreSQL: psql sends corridor's rows (COPY text format, as corridor
#   sends them) into tables without keys, then adds the keys, indexes and
#   foreign keys, in one transaction: the cheapest way the server can end up
#   with corridor's checked record.
#
# If the floor is at or above 2x of the bulk load, no client can reach 2x.
#
#   bash bench/import/floor.sh [ROWS]
set -euo pipefail
source "$(dirname "$0")/common.sh"
trap 'rm -rf "$TMP"; psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS corridor_floor" 2>/dev/null || true' EXIT

# Wall seconds of a command (its output discarded).
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); python3 -c "print(f'{$e - $s:.2f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
echo "load before: $(uptime)"

# SQLite. corridor's file gives the rows and the schema (as it was migrated).
"$BIN" --database "$TMP/corridor.db" import jcc "$TMP/rows.csv" >/dev/null 2>&1
ddl() { sqlite3 "$TMP/corridor.db" "SELECT sql || ';' FROM sqlite_master WHERE tbl_name IN ('ports', 'vessels', 'voyages', 'cargo_lines') AND type = '$1' AND sql IS NOT NULL ORDER BY rowid"; }
cat >"$TMP/floor.sql" <<SQL
PRAGMA page_size = 16384;
PRAGMA journal_mode = WAL;
PRAGMA cache_size = -262144;
PRAGMA foreign_keys = ON;
$(ddl table)
ATTACH '$TMP/corridor.db' AS src;
BEGIN;
INSERT INTO main.ports SELECT * FROM src.ports;
INSERT INTO main.vessels SELECT * FROM src.vessels;
INSERT INTO main.voyages SELECT * FROM src.voyages ORDER BY id;
INSERT INTO main.cargo_lines SELECT * FROM src.cargo_lines ORDER BY voyage_id, line_no;
$(ddl index)
COMMIT;
SQL
floor=$(secs sqlite3 "$TMP/floor.db" <"$TMP/floor.sql")
bulk_sqlite "$TMP/bulk.db"
bulk=$(secs "${BULK[@]}")
echo "sqlite: corridor's tables by the shell alone ${floor} s; .import of the file ${bulk} s; floor = $(ratio "$floor" "$bulk")x the bulk load"

# PostgreSQL. corridor's own import gives the rows; they are copied out in
# COPY's text format and loaded again into a second schema.
psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS corridor_floor" -c "CREATE DATABASE corridor_floor"
DB="$PGURL/corridor_floor"
"$BIN" --database "$DB" import jcc "$TMP/rows.csv" >/dev/null 2>&1
psql -q "$DB" -c "\\copy voyages TO '$TMP/voyages.tsv'" -c "\\copy cargo_lines TO '$TMP/cargo_lines.tsv'"
cat >"$TMP/floor-pg.sql" <<SQL
\set ON_ERROR_STOP on
BEGIN;
CREATE SCHEMA floor;
CREATE TABLE floor.voyages (LIKE public.voyages INCLUDING CONSTRAINTS);
CREATE TABLE floor.cargo_lines (LIKE public.cargo_lines INCLUDING CONSTRAINTS);
\\copy floor.voyages FROM '$TMP/voyages.tsv'
\\copy floor.cargo_lines FROM '$TMP/cargo_lines.tsv'
ALTER TABLE floor.voyages ADD PRIMARY KEY (id), ADD UNIQUE (direction, seq);
ALTER TABLE floor.cargo_lines ADD PRIMARY KEY (voyage_id, line_no);
CREATE INDEX ON floor.voyages (departure);
CREATE INDEX ON floor.voyages (imo);
ALTER TABLE floor.voyages ADD FOREIGN KEY (imo) REFERENCES public.vessels (imo),
    ADD FOREIGN KEY (port) REFERENCES public.ports (locode);
ALTER TABLE floor.cargo_lines ADD FOREIGN KEY (voyage_id) REFERENCES floor.voyages (id);
COMMIT;
SQL
floor=$(secs psql -q "$DB" -f "$TMP/floor-pg.sql")
bulk_postgres "$DB"
bulk=$(secs "${BULK[@]}")
echo "postgres: corridor's tables by psql alone ${floor} s; COPY of the file ${bulk} s; floor = $(ratio "$floor" "$bulk")x the bulk load"
echo "load after: $(uptime)"
