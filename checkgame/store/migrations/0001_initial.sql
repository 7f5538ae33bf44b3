-- 0001: accounts, refresh tokens, sessions, finished games, statistics (DESIGN.md §3).
--
-- Portable subset of SQL, meant to run unchanged on SQLite and PostgreSQL:
--   * TEXT, INTEGER and BIGINT only; booleans are INTEGER 0/1 guarded by a CHECK.
--   * Timestamps are TEXT holding ISO-8601 UTC with microseconds and a "+00:00" offset
--     ("2026-01-31T12:00:00.000000+00:00"): fixed width, so text order is time order.
--     A PostgreSQL backend may prefer TIMESTAMPTZ and keep its own copy of these files.
--   * JSON documents are TEXT (players, placements, actions).
--   * Case-insensitive uniqueness uses *_key columns holding the backend-computed
--     lower-case form, not lower() in an index: SQLite's lower() folds ASCII only,
--     so an expression index would behave differently from PostgreSQL's.
--   * No transaction control here: the runner wraps each file in its own transaction.

CREATE TABLE users (
    id            TEXT    NOT NULL PRIMARY KEY,
    username      TEXT    NOT NULL,
    username_key  TEXT    NOT NULL UNIQUE,
    email         TEXT    NOT NULL,
    email_key     TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);
CREATE INDEX users_created_at ON users (created_at, id);

CREATE TABLE refresh_tokens (
    jti        TEXT    NOT NULL PRIMARY KEY,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family     TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),
    revoked    INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id);

CREATE TABLE sessions (
    id          TEXT    NOT NULL PRIMARY KEY,
    code        TEXT    NOT NULL,
    code_key    TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    creator_id  TEXT    NOT NULL,
    max_players INTEGER NOT NULL,
    is_private  INTEGER NOT NULL CHECK (is_private IN (0, 1)),
    status      TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    finished_at TEXT,
    winner_id   TEXT
);
CREATE INDEX sessions_created_at ON sessions (created_at, id);
CREATE INDEX sessions_status_created_at ON sessions (status, created_at, id);

CREATE TABLE session_players (
    session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    player_id  TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    seat       INTEGER NOT NULL,
    user_id    TEXT    REFERENCES users (id),
    joined_at  TEXT    NOT NULL,
    final_rank INTEGER,
    PRIMARY KEY (session_id, player_id)
);
CREATE INDEX session_players_user_id ON session_players (user_id);

CREATE TABLE games (
    id           TEXT    NOT NULL PRIMARY KEY,
    session_id   TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    seed         BIGINT  NOT NULL,
    hand_size    INTEGER NOT NULL,
    players      TEXT    NOT NULL,
    first_player TEXT    NOT NULL,
    started_at   TEXT    NOT NULL,
    finished_at  TEXT    NOT NULL,
    loser        TEXT    NOT NULL,
    placements   TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    UNIQUE (session_id, number)
);

CREATE TABLE game_actions (
    game_id TEXT    NOT NULL REFERENCES games (id) ON DELETE CASCADE,
    idx     INTEGER NOT NULL,
    action  TEXT    NOT NULL,
    PRIMARY KEY (game_id, idx)
);

CREATE TABLE player_stats (
    user_id            TEXT    NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    total_games        INTEGER NOT NULL DEFAULT 0,
    wins               INTEGER NOT NULL DEFAULT 0,
    losses             INTEGER NOT NULL DEFAULT 0,
    tournaments_played INTEGER NOT NULL DEFAULT 0,
    tournaments_won    INTEGER NOT NULL DEFAULT 0
);
