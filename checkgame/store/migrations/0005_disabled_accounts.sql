-- An administrator may disable an account: it can no longer log in or refresh a login.
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));
