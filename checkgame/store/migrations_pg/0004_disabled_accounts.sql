-- An administrator may disable an account (issue 3/7): it can no longer log in or refresh a login.
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT false;
