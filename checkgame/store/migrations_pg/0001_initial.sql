-- 0001 (PostgreSQL): accounts, refresh tokens, sessions, finished games, statistics (DESIGN.md §3).
--
-- The same tables, columns and constraints as migrations/0001_initial.sql, in PostgreSQL's own types:
--   * TIMESTAMPTZ for times (microsecond precision, like the ISO text SQLite keeps).
--   * BOOLEAN for flags.
--   * TEXT[] for the ordered player ids of a game (players, placements); JSONB for each action.
--     JSONB keeps values, not the text: key order and spacing of an action are not preserved,
--     and a NUL character (\u0000) is refused. Actions are compared as dicts, so this is fine.
--   * Case-insensitive uniqueness uses *_key columns computed in Python (str.lower), exactly as on
--     SQLite, so both backends agree on which names clash.
--   * Unique constraints are named: checkgame/store/_pg_conn.py maps these names to the field a
--     client can correct (DuplicateError.field). Rename one there too.
--   * PostgreSQL checks unique constraints in the order their indexes were created; SQLite checks
--     the last-declared first and the primary key last. So here the unique constraints come in
--     the reverse order of migrations/0001 and each primary key is added after its table: a row
--     clashing on several fields (username and email) is reported on the same field by both.
--   * No transaction control here: the runner wraps each file in its own transaction.

CREATE TABLE users (
    id            TEXT        NOT NULL,
    username      TEXT        NOT NULL,
    username_key  TEXT        NOT NULL,
    email         TEXT        NOT NULL,
    email_key     TEXT        NOT NULL,
    password_hash TEXT        NOT NULL,
    role          TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT users_email_key_unique UNIQUE (email_key),
    CONSTRAINT users_username_key_unique UNIQUE (username_key)
);
ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
CREATE INDEX users_created_at ON users (created_at, id);

CREATE TABLE refresh_tokens (
    jti        TEXT        NOT NULL,
    user_id    TEXT        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family     TEXT        NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used       BOOLEAN     NOT NULL DEFAULT false,
    revoked    BOOLEAN     NOT NULL DEFAULT false
);
ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_pkey PRIMARY KEY (jti);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id);

CREATE TABLE sessions (
    id          TEXT        NOT NULL,
    code        TEXT        NOT NULL,
    code_key    TEXT        NOT NULL,
    name        TEXT        NOT NULL,
    creator_id  TEXT        NOT NULL,
    max_players INTEGER     NOT NULL,
    is_private  BOOLEAN     NOT NULL,
    status      TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    winner_id   TEXT,
    CONSTRAINT sessions_code_key_unique UNIQUE (code_key)
);
ALTER TABLE sessions ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);
CREATE INDEX sessions_created_at ON sessions (created_at, id);
CREATE INDEX sessions_status_created_at ON sessions (status, created_at, id);

CREATE TABLE session_players (
    session_id TEXT        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    player_id  TEXT        NOT NULL,
    name       TEXT        NOT NULL,
    seat       INTEGER     NOT NULL,
    user_id    TEXT        REFERENCES users (id),
    joined_at  TIMESTAMPTZ NOT NULL,
    final_rank INTEGER
);
ALTER TABLE session_players ADD CONSTRAINT session_players_pkey PRIMARY KEY (session_id, player_id);
CREATE INDEX session_players_user_id ON session_players (user_id);

CREATE TABLE games (
    id           TEXT        NOT NULL,
    session_id   TEXT        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    number       INTEGER     NOT NULL,
    seed         BIGINT      NOT NULL,
    hand_size    INTEGER     NOT NULL,
    players      TEXT[]      NOT NULL,
    first_player TEXT        NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ NOT NULL,
    loser        TEXT        NOT NULL,
    placements   TEXT[]      NOT NULL,
    reason       TEXT        NOT NULL,
    CONSTRAINT games_session_number_unique UNIQUE (session_id, number)
);
ALTER TABLE games ADD CONSTRAINT games_pkey PRIMARY KEY (id);

CREATE TABLE game_actions (
    game_id TEXT    NOT NULL REFERENCES games (id) ON DELETE CASCADE,
    idx     INTEGER NOT NULL,
    action  JSONB   NOT NULL
);
ALTER TABLE game_actions ADD CONSTRAINT game_actions_pkey PRIMARY KEY (game_id, idx);

CREATE TABLE player_stats (
    user_id            TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    total_games        INTEGER NOT NULL DEFAULT 0,
    wins               INTEGER NOT NULL DEFAULT 0,
    losses             INTEGER NOT NULL DEFAULT 0,
    tournaments_played INTEGER NOT NULL DEFAULT 0,
    tournaments_won    INTEGER NOT NULL DEFAULT 0
);
ALTER TABLE player_stats ADD CONSTRAINT player_stats_pkey PRIMARY KEY (user_id);
