"""The Lua scripts of the Redis live store (see :mod:`checkgame.live.redis` for the key layout).

Each script is one atomic step, so a move costs one round trip and no other
client ever sees half of a commit. Versions and sequence numbers travel as
decimal strings and are compared as strings (Python writes them with ``str(int)``).
The state hash has four fields: ``v`` version, ``q`` seq of the last entry,
``s`` the state's JSON, ``c`` the id of the commit that wrote it.
"""

from __future__ import annotations

__all__ = [
    "CLAIM_DUE",
    "COMMIT",
    "CREATE",
    "ENTRIES_SINCE",
    "LEADERBOARD_GET",
    "LEADERBOARD_PUT",
    "POOL_CLAIM",
    "POOL_HANDOVER",
    "POOL_RELEASE",
    "POOL_RESERVE",
    "POOL_UNRESERVE",
    "RATE_LIMIT_HIT",
    "SESSION_IDS",
]

COMMIT = """
-- KEYS: state hash, log list, deadlines zset (of the session's bucket: all three in one hash slot)
-- ARGV: 1 expected version, 2 new version, 3 new seq, 4 state JSON, 5 wake_at ('' = none),
--       6 ttl ms (0 = none), 7 log size, 8 channel (in the same slot), 9 session id, 10 commit id,
--       11 PUBLISH, or SPUBLISH on a Redis Cluster (a shard channel), 12.. entries JSON
local current = redis.call('HMGET', KEYS[1], 'v', 'c')
if current[1] ~= ARGV[1] then
  -- A retry of this very commit after a lost reply (the client retries on connection errors):
  -- it was applied, and must not look like a lost race that the caller would apply again.
  if current[1] == ARGV[2] and current[2] == ARGV[10] then return 1 end
  return 0
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'q', ARGV[3], 's', ARGV[4], 'c', ARGV[10])
if #ARGV > 11 then
  redis.call('RPUSH', KEYS[2], unpack(ARGV, 12))
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[7]), -1)
end
if ARGV[5] == '' then
  redis.call('ZREM', KEYS[3], ARGV[9])
else
  redis.call('ZADD', KEYS[3], ARGV[5], ARGV[9])
end
local ttl = tonumber(ARGV[6])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
-- Published even without entries, with the new state: other nodes replace their cached state, so a move
-- there after one here costs one round trip too (the commit), not a read first.
local entries = table.concat(ARGV, ',', 12)
redis.call(ARGV[11], ARGV[8], '{"v":' .. ARGV[2] .. ',"s":' .. ARGV[4] .. ',"e":[' .. entries .. ']}')
return 1
"""

CREATE = """
-- KEYS: state hash, log list, deadlines zset, sessions set (all four of the session's bucket: one hash slot)
-- ARGV: 1 version, 2 seq, 3 state JSON, 4 wake_at ('' = none), 5 ttl ms (0 = none), 6 session id
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'q', ARGV[2], 's', ARGV[3], 'c', '')
if ARGV[4] == '' then
  redis.call('ZREM', KEYS[3], ARGV[6])
else
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[6])
end
redis.call('SADD', KEYS[4], ARGV[6])
if tonumber(ARGV[5]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
end
return 1
"""

CLAIM_DUE = """
-- KEYS: one bucket's deadlines zset
-- ARGV: 1 now, 2 most sessions to claim, 3 lease end, 4 the bucket's state key prefix
-- A claimed session is not removed but pushed to the lease end: if the claimer dies before its
-- Tick commits (which files the next wake-up), another node claims it again then.
-- Sessions whose state expired are dropped instead. The EXISTS keys are computed here: they are in
-- the bucket's hash slot, which Redis Cluster allows (a key of another slot would be refused).
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local claimed = {}
for _, id in ipairs(due) do
  if redis.call('EXISTS', ARGV[4] .. id) == 1 then
    redis.call('ZADD', KEYS[1], ARGV[3], id)
    claimed[#claimed + 1] = id
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return claimed
"""

CLAIM_DEAD_NODES = """
-- KEYS: nodes zset (node -> last heartbeat)
-- ARGV: 1 heartbeats older than this are dead, 2 prefix of the per-node session sets (same hash tag)
-- Each dead node is removed as it is returned, so exactly one caller gets it.
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local claimed = {}
for _, node in ipairs(dead) do
  redis.call('ZREM', KEYS[1], node)
  local key = ARGV[2] .. node
  claimed[#claimed + 1] = {node, redis.call('SMEMBERS', key)}
  redis.call('DEL', key)
end
return claimed
"""

ENTRIES_SINCE = """
-- KEYS: state hash, log list
-- ARGV: 1 seq already seen
-- The log holds the entries numbered q-n+1 .. q (n = its length): commits append contiguous seqs.
-- Returns nil for an unknown session or when entry seq+1 was trimmed.
local q = redis.call('HGET', KEYS[1], 'q')
if not q then return false end
q = tonumber(q)
local after = tonumber(ARGV[1])
if after >= q then return {} end
local n = redis.call('LLEN', KEYS[2])
if n == 0 or q - n > after then return false end
return redis.call('LRANGE', KEYS[2], after - q + n, -1)
"""

SESSION_IDS = """
-- KEYS: one bucket's sessions set
-- ARGV: 1 the bucket's state key prefix
-- Forgets sessions whose keys expired, on the way.
local live = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. id) == 1 then
    live[#live + 1] = id
  else
    redis.call('SREM', KEYS[1], id)
  end
end
return live
"""

RATE_LIMIT_HIT = """
-- KEYS: the key's sliding log (zset of accepted hit times)
-- ARGV: 1 now, 2 window s, 3 limit, 4 unique member, 5 ttl ms
-- Returns nil when the hit is accepted, else the time (as Redis prints the score, exactly) of the
-- counted hit that must leave the window before another one is accepted. A hit leaves the window
-- when time + window <= now, computed in doubles exactly as the memory backend does.
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
while true do
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #oldest == 0 or tonumber(oldest[2]) + window > now then break end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
end
local count = redis.call('ZCARD', KEYS[1])
local limit = tonumber(ARGV[3])
if count >= limit then
  return redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')[2]
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return false
"""

LEADERBOARD_PUT = """
-- KEYS: the board's sorted set (member user id, score rating) and its rows hash (user id -> row JSON;
--       the field '' marks a board that is cached, even an empty one), in one hash slot
-- ARGV: 1 ttl ms, then (user id, rating, row JSON) for each row
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[2], '', '1')
for i = 2, #ARGV, 3 do
  redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 2])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1
"""

LEADERBOARD_GET = """
-- KEYS: as LEADERBOARD_PUT's. ARGV: 1 rows wanted.
-- Returns false when the board is not cached, else its best rows' JSON, best first (ties: higher user id first).
if redis.call('EXISTS', KEYS[2]) == 0 then return false end
local ids = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #ids == 0 then return {} end
return redis.call('HMGET', KEYS[2], unpack(ids))
"""

POOL_CLAIM = """
-- KEYS: the claim's string key
-- ARGV: 1 holder, 2 ttl ms
-- Returns nil when the caller now holds it, else the current holder.
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
"""

POOL_HANDOVER = """
-- KEYS: the claim's string key
-- ARGV: 1 expected holder, 2 successor, 3 ttl ms
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""

POOL_RELEASE = """
-- KEYS: the claim's string key
-- ARGV: 1 expected holder
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""

POOL_RESERVE = """
-- KEYS: the open tables of one size (zset: table -> seats reserved)
-- ARGV: 1 table size, 2 a new table's id
-- Returns {table, 0} for a seat reserved at the fullest table with one free, else {new table, 1}: filed with
-- its first seat reserved, for the caller to open.
local fullest = redis.call('ZREVRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '-inf', 'LIMIT', 0, 1)
if #fullest == 1 then
  redis.call('ZINCRBY', KEYS[1], 1, fullest[1])
  return {fullest[1], 0}
end
redis.call('ZADD', KEYS[1], 1, ARGV[2])
return {ARGV[2], 1}
"""

POOL_UNRESERVE = """
-- KEYS: the open tables of one size
-- ARGV: 1 table id
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('ZINCRBY', KEYS[1], -1, ARGV[1]) end
return 1
"""
