-- Skill ratings of registered players (checkgame/store/rating.py) and the history of every change;
-- the same tables as migrations/0007_ratings.sql, in PostgreSQL's types.
-- Ratings start with the first game recorded after this migration: games already recorded are not rated.
CREATE TABLE player_ratings (
    user_id    TEXT             NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mu         DOUBLE PRECISION NOT NULL,
    sigma      DOUBLE PRECISION NOT NULL,
    rating     DOUBLE PRECISION NOT NULL,  -- mu - 3 * sigma: what is shown and ranked
    games      INTEGER          NOT NULL,
    updated_at TIMESTAMPTZ      NOT NULL
);
ALTER TABLE player_ratings ADD CONSTRAINT player_ratings_pkey PRIMARY KEY (user_id);
-- The all-time leaderboard: best first, ties broken by user id (the order Redis' ZREVRANGE gives).
CREATE INDEX player_ratings_rank ON player_ratings (rating DESC, user_id DESC);

-- One row per rated player of a rated game: the primary key is a second guard against rating a game twice.
CREATE TABLE rating_history (
    game_id       TEXT             NOT NULL REFERENCES games (id) ON DELETE CASCADE,
    user_id       TEXT             NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id    TEXT             NOT NULL,
    rated_at      TIMESTAMPTZ      NOT NULL,  -- when the game finished
    place         INTEGER          NOT NULL,  -- among the rated players of the game
    rated_players INTEGER          NOT NULL,
    mu            DOUBLE PRECISION NOT NULL,
    sigma         DOUBLE PRECISION NOT NULL,
    rating        DOUBLE PRECISION NOT NULL,
    delta         DOUBLE PRECISION NOT NULL
);
ALTER TABLE rating_history ADD CONSTRAINT rating_history_pkey PRIMARY KEY (game_id, user_id);
CREATE INDEX rating_history_user ON rating_history (user_id, rated_at DESC);
CREATE INDEX rating_history_month ON rating_history (rated_at, user_id);
