-- The backend's event queues (EventQueue), every step one script so that it is atomic. All keys live on the
-- first Redis server and start with ARGV[2] (the prefix): q:<queue> and dl:<queue> streams of events (fields
-- i id, k ordering key, s sequence, t ms when appended, b body), seq:<key> sequence counters, cnt:<name>
-- occupancy counters, conns:<node> hashes of connection records, owners (nodes that have records),
-- alive:<node> liveness marks, claim:<node> who claimed a dead node, lease:<queue> who delivers a queue.
-- ARGV[1] is the step: append | settle | claim | lease | remove | replay.
-- Events are given as a count followed by six values each: id, key, queues ('\n'-separated), body,
-- counter ('' for none), delta.
local op = ARGV[1]
local P = ARGV[2]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- A key's sequence starts again at 1 after a week without events.
local SEQ_TTL = 604800000

local function crossed(counter, delta)
  local k = P .. 'cnt:' .. counter
  local before = tonumber(redis.call('GET', k) or '0')
  local after = before + delta
  if after <= 0 then
    redis.call('DEL', k)
  else
    redis.call('SET', k, after)
  end
  if delta > 0 then
    return before <= 0 and after > 0
  end
  return before > 0 and after <= 0
end

local function append(i)
  local n = tonumber(ARGV[i])
  i = i + 1
  for _ = 1, n do
    local id, key, queues, body, counter, delta = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], tonumber(ARGV[i + 5])
    i = i + 6
    if counter == '' or crossed(counter, delta) then
      local sk = P .. 'seq:' .. key
      local seq = redis.call('INCR', sk)
      redis.call('PEXPIRE', sk, SEQ_TTL)
      for q in string.gmatch(queues, '[^\n]+') do
        redis.call('XADD', P .. 'q:' .. q, '*', 'i', id, 'k', key, 's', seq, 't', now, 'b', body)
      end
    end
  end
end

if op == 'append' then
  -- ARGV[3] record count, then node, connection, '+' .. state or '-' (forget) each; then the events.
  local n = tonumber(ARGV[3])
  local i = 4
  for _ = 1, n do
    local node, conn, st = ARGV[i], ARGV[i + 1], ARGV[i + 2]
    i = i + 3
    if string.sub(st, 1, 1) == '-' then
      redis.call('HDEL', P .. 'conns:' .. node, conn)
    else
      redis.call('HSET', P .. 'conns:' .. node, conn, string.sub(st, 2))
      redis.call('SADD', P .. 'owners', node)
    end
  end
  append(i)
  return 1
elseif op == 'settle' then
  -- ARGV[3] dead node, ARGV[4] claimer, then the events.
  if redis.call('GET', P .. 'claim:' .. ARGV[3]) ~= ARGV[4] then
    return 0
  end
  append(5)
  redis.call('DEL', P .. 'conns:' .. ARGV[3], P .. 'claim:' .. ARGV[3])
  redis.call('SREM', P .. 'owners', ARGV[3])
  return 1
elseif op == 'claim' then
  -- ARGV[3] claimer. Returns {node, {connection, state, ...}} or {}.
  for _, node in ipairs(redis.call('SMEMBERS', P .. 'owners')) do
    if redis.call('EXISTS', P .. 'conns:' .. node) == 0 then
      redis.call('SREM', P .. 'owners', node)
      redis.call('DEL', P .. 'claim:' .. node)
    elseif redis.call('EXISTS', P .. 'alive:' .. node) == 0 then
      local by = redis.call('GET', P .. 'claim:' .. node)
      if (not by) or by == ARGV[3] or redis.call('EXISTS', P .. 'alive:' .. by) == 0 then
        redis.call('SET', P .. 'claim:' .. node, ARGV[3])
        return {node, redis.call('HGETALL', P .. 'conns:' .. node)}
      end
    end
  end
  return {}
elseif op == 'lease' then
  -- ARGV[3] queue, ARGV[4] holder, ARGV[5] TTL in ms.
  local k = P .. 'lease:' .. ARGV[3]
  local holder = redis.call('GET', k)
  if (not holder) or holder == ARGV[4] then
    redis.call('SET', k, ARGV[4], 'PX', ARGV[5])
    return 1
  end
  return 0
elseif op == 'remove' then
  -- ARGV[3] queue, ARGV[4] '1' to dead-letter, then stream ids.
  local q = P .. 'q:' .. ARGV[3]
  for i = 5, #ARGV do
    if ARGV[4] == '1' then
      local e = redis.call('XRANGE', q, ARGV[i], ARGV[i])
      if #e > 0 then
        redis.call('XADD', P .. 'dl:' .. ARGV[3], '*', unpack(e[1][2]))
      end
    end
    redis.call('XDEL', q, ARGV[i])
  end
  return 1
elseif op == 'replay' then
  -- ARGV[3] queue, then event ids (none: all). Returns how many moved.
  local dl = P .. 'dl:' .. ARGV[3]
  local want = {}
  for i = 4, #ARGV do
    want[ARGV[i]] = true
  end
  local moved = 0
  for _, e in ipairs(redis.call('XRANGE', dl, '-', '+')) do
    local f = e[2]
    local id = ''
    for j = 1, #f, 2 do
      if f[j] == 'i' then
        id = f[j + 1]
      end
    end
    if #ARGV < 4 or want[id] then
      redis.call('XADD', P .. 'q:' .. ARGV[3], '*', unpack(f))
      redis.call('XDEL', dl, e[1])
      moved = moved + 1
    end
  end
  return moved
end
return redis.error_reply('unknown step ' .. tostring(op))
