-- A change can happen again: a value replaced, put back and replaced again
-- under the same snapshot (a corrected file imported under the same name
-- and date) is three history rows, not two. `recurrence` is 0 for the first
-- row of a change and the import's id for a later one (an import makes a
-- change once), so repeats of older values (re-importing an older file)
-- still add nothing.
ALTER TABLE voyage_history ADD COLUMN recurrence INTEGER NOT NULL DEFAULT 0;
DROP INDEX voyage_history_once;
CREATE UNIQUE INDEX voyage_history_once ON voyage_history (
    voyage_id, field, COALESCE(old_value, '∅'), old_source, old_as_of, COALESCE(new_value, '∅'), new_source, new_as_of, recurrence
);
