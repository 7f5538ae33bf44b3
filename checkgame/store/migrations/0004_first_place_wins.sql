-- A game is won by finishing first: before this migration every place but the last counted as a win.
-- Recount the wins of every player from the games already recorded.
UPDATE player_stats SET wins = (
    SELECT count(*)
    FROM session_players sp
    JOIN games g ON g.session_id = sp.session_id
    WHERE sp.user_id = player_stats.user_id AND json_extract(g.placements, '$[0]') = sp.player_id
);
