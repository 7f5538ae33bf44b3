-- 0003: why a session ended when nobody won it.
--
-- NULL for a session still open or won. Otherwise a stable code: ``ended_by_admin`` (an operator ended it) or
-- ``live_state_lost`` (its live state vanished, e.g. Redis restarted without persistence or an embedded node
-- restarted, and a node's sweep finished it; see checkgame/rooms/sweeper.py).

ALTER TABLE sessions ADD COLUMN end_reason TEXT;
