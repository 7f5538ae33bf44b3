-- 0002 (PostgreSQL): the audit log of administrators' actions, as migrations/0002_admin_audit.sql
-- in native types: an identity column numbers the rows in insertion order, TIMESTAMPTZ, JSONB details.

CREATE TABLE admin_audit (
    id         BIGINT      GENERATED ALWAYS AS IDENTITY,
    at         TIMESTAMPTZ NOT NULL,
    admin_id   TEXT        NOT NULL,
    admin_name TEXT        NOT NULL,
    action     TEXT        NOT NULL,
    target     TEXT        NOT NULL,
    details    JSONB       NOT NULL
);
ALTER TABLE admin_audit ADD CONSTRAINT admin_audit_pkey PRIMARY KEY (id);
