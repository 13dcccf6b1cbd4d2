-- User names differing only in case are one name. The insert checks it,
-- but two inserts at once on PostgreSQL both saw no match: the index makes
-- the database refuse the second.
CREATE UNIQUE INDEX clearance_users_username_case ON clearance_users (lower(username));
