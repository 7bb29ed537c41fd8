-- A channel's presence: one hash of entries by connection id, one sorted set of their expiry times, one
-- sorted set of the ids alone (all scores 0, so ordered by id: pages are ranges of it) and one hash
-- counting each user's connections, so that 'online' goes out for a user's first connection and
-- 'offline' for its last, whichever node they are on. Every operation but 'page' touches O(1) entries
-- (O(log n) each): nothing here reads the whole channel per join or leave.
-- Entries that were not renewed in time are removed (and announced) first, on every call that asks for it
-- (ARGV[7] = '1'): a node that has just reconnected to Redis does not sweep, so that after an outage every
-- node gets to renew its own entries first. A join renews its own entry even when it is overdue, so an
-- owner's renewal never announces its own leave.
-- KEYS[1] entries (clientId -> userId '\n' nodeId '\n' info)   KEYS[2] expiry zset   KEYS[3] user counts
-- KEYS[4] ids in lexical order
-- ARGV[1] 'join' | 'leave' | 'sweep' | 'page'   ARGV[2] pub/sub channel ('' = the caller announces)
-- ARGV[3] clientId ('page': start after it; '' = from the first)   ARGV[4] userId ('page': the limit)
-- ARGV[5] entry   ARGV[6] TTL (ms)   ARGV[7] '1' to sweep, '0' not to
-- Returns {{announcement...}, page} with announcement = 'p' ('1'|'0') '\n' ms '\n' µs '\n' users '\n' userId
-- (µs orders the announcements of one channel) and, for 'page', page = {users, clients, next, id, entry, ...}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local micros = t[1] .. string.format('%06d', tonumber(t[2]))
local said = {}
local function announce(user, online)
  local msg = 'p' .. online .. '\n' .. now .. '\n' .. micros .. '\n' .. redis.call('HLEN', KEYS[3]) .. '\n' .. user
  if ARGV[2] ~= '' then
    redis.call('PUBLISH', ARGV[2], msg)
  end
  table.insert(said, msg)
end
local function remove(id)
  local entry = redis.call('HGET', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZREM', KEYS[4], id)
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
  redis.call('ZADD', KEYS[4], 0, ARGV[3])
  redis.call('HSET', KEYS[1], ARGV[3], ARGV[5])
  if not known and redis.call('HINCRBY', KEYS[3], ARGV[4], 1) == 1 then
    announce(ARGV[4], '1')
  end
  -- The keys outlive every entry, and an outage of Redis itself (whose clock runs on while it is down);
  -- a channel whose nodes all died is forgotten by Redis itself.
  for i = 1, 4 do
    redis.call('PEXPIRE', KEYS[i], 2 * ttl + 30000)
  end
elseif op == 'leave' then
  remove(ARGV[3])
elseif op == 'page' then
  local limit = tonumber(ARGV[4])
  local from = ARGV[3] == '' and '-' or '(' .. ARGV[3]
  local ids = redis.call('ZRANGEBYLEX', KEYS[4], from, '+', 'LIMIT', 0, limit + 1)
  local next = ''
  if #ids > limit then
    ids[#ids] = nil
    next = ids[#ids]
  end
  local out = {redis.call('HLEN', KEYS[3]), redis.call('HLEN', KEYS[1]), next}
  if #ids > 0 then
    local entries = redis.call('HMGET', KEYS[1], unpack(ids))
    for i, id in ipairs(ids) do
      if entries[i] then
        table.insert(out, id)
        table.insert(out, entries[i])
      end
    end
  end
  return {said, out}
end
return {said, {}}
