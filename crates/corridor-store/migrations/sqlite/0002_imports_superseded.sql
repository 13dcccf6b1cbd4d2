-- Voyages of an import whose values lost to a newer snapshot (kept in the
-- history only); counted with the unchanged ones before.
ALTER TABLE imports ADD COLUMN voyages_superseded INTEGER NOT NULL DEFAULT 0;
