-- An administrator may disable an account: it can no longer log in or refresh a login.
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT false;
