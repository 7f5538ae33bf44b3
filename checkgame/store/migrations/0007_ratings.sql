-- Skill ratings of registered players (checkgame/store/rating.py) and the history of every change.
-- Ratings start with the first game recorded after this migration: games already recorded are not rated.
CREATE TABLE player_ratings (
    user_id    TEXT    NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    mu         REAL    NOT NULL,
    sigma      REAL    NOT NULL,
    rating     REAL    NOT NULL,  -- mu - 3 * sigma: what is shown and ranked
    games      INTEGER NOT NULL,
    updated_at TEXT    NOT NULL
);
-- The all-time leaderboard: best first, ties broken by user id (the order Redis' ZREVRANGE gives).
CREATE INDEX player_ratings_rank ON player_ratings (rating DESC, user_id DESC);

-- One row per rated player of a rated game: the primary key is a second guard against rating a game twice.
CREATE TABLE rating_history (
    game_id       TEXT    NOT NULL REFERENCES games (id) ON DELETE CASCADE,
    user_id       TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id    TEXT    NOT NULL,
    rated_at      TEXT    NOT NULL,  -- when the game finished
    place         INTEGER NOT NULL,  -- among the rated players of the game
    rated_players INTEGER NOT NULL,
    mu            REAL    NOT NULL,
    sigma         REAL    NOT NULL,
    rating        REAL    NOT NULL,
    delta         REAL    NOT NULL,
    PRIMARY KEY (game_id, user_id)
);
CREATE INDEX rating_history_user ON rating_history (user_id, rated_at DESC);
CREATE INDEX rating_history_month ON rating_history (rated_at, user_id);
