-- TRUNCATE does not fire row triggers: refuse it too, as clearance_log does.
CREATE TRIGGER voyage_history_no_truncate BEFORE TRUNCATE ON voyage_history
FOR EACH STATEMENT EXECUTE FUNCTION voyage_history_append_only();
