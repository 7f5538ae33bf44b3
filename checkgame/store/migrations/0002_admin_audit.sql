-- 0002: the audit log of administrators' actions (kick, end, notice, reveal, drain).
--
-- Rows are only ever inserted. ``id`` numbers them in insertion order, which is the order the
-- audit is read back in (newest first). ``admin_name`` is copied at the time of the action so
-- the log still reads right after a rename. ``details`` is a JSON object (TEXT).

CREATE TABLE admin_audit (
    id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    at         TEXT    NOT NULL,
    admin_id   TEXT    NOT NULL,
    admin_name TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    target     TEXT    NOT NULL,
    details    TEXT    NOT NULL
);
