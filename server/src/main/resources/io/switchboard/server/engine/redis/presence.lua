-- A channel's presence: one hash of entries by connection id, one sorted set of their expiry times and
-- one hash counting each user's connections, so that 'online' goes out for a user's first connection and
-- 'offline' for its last, whichever node they are on. Entries that were not renewed in time are removed
-- (and announced) first, on every call that asks for it (ARGV[7] = '1'): a node that has just reconnected
-- to Redis does not sweep, so that after an outage every node gets to renew its own entries first. A join
-- renews its own entry even when it is overdue, so an owner's renewal never announces its own leave.
-- KEYS[1] entries (clientId -> userId '\n' nodeId '\n' info)   KEYS[2] expiry zset   KEYS[3] user counts
-- ARGV[1] 'join' | 'leave' | 'sweep' | 'read'   ARGV[2] pub/sub channel ('' = the caller announces)
-- ARGV[3] clientId   ARGV[4] userId   ARGV[5] entry   ARGV[6] TTL (ms)   ARGV[7] '1' to sweep, '0' not to
-- Returns {{announcement...}, {clientId, entry, ...}} with announcement = 'p' ('1'|'0') '\n' ts '\n' userId.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local said = {}
local function announce(user, online)
  local msg = 'p' .. online .. '\n' .. now .. '\n' .. user
  if ARGV[2] ~= '' then
    redis.call('PUBLISH', ARGV[2], msg)
  end
  table.insert(said, msg)
end
local function remove(id)
  local entry = redis.call('HGET', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  if not entry then
    return
  end
  redis.call('HDEL', KEYS[1], id)
  local user = string.match(entry, '^([^\n]*)')
  if redis.call('HINCRBY', KEYS[3], user, -1) <= 0 then
    redis.call('HDEL', KEYS[3], user)
    announce(user, '0')
  end
end
local op = ARGV[1]
if ARGV[7] == '1' then
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
    if op ~= 'join' or id ~= ARGV[3] then
      remove(id)
    end
  end
end
if op == 'join' then
  local ttl = tonumber(ARGV[6])
  local known = redis.call('ZSCORE', KEYS[2], ARGV[3])
  redis.call('ZADD', KEYS[2], now + ttl, ARGV[3])
  redis.call('HSET', KEYS[1], ARGV[3], ARGV[5])
  if not known and redis.call('HINCRBY', KEYS[3], ARGV[4], 1) == 1 then
    announce(ARGV[4], '1')
  end
  -- The keys outlive every entry, and an outage of Redis itself (whose clock runs on while it is down);
  -- a channel whose nodes all died is forgotten by Redis itself.
  for i = 1, 3 do
    redis.call('PEXPIRE', KEYS[i], 2 * ttl + 30000)
  end
elseif op == 'leave' then
  remove(ARGV[3])
elseif op == 'read' then
  return {said, redis.call('HGETALL', KEYS[1])}
end
return {said, {}}
