-- Publishes one message to a channel: idempotency check, offset, stream append and live notify in one
-- atomic step, so that every node sees offsets in the same order with no hole.
-- KEYS[1] stream meta hash (e = epoch, o = last offset)   KEYS[2] the stream   KEYS[3] idempotency key
-- ARGV[1] '1' if the channel keeps history   ARGV[2] epoch to start a new stream with
-- ARGV[3] most entries kept   ARGV[4] stream TTL (ms)   ARGV[5] idempotency window (ms, '0' = no key)
-- ARGV[6] pub/sub channel to PUBLISH to ('' = the caller delivers)   ARGV[7] the encoded body
-- Returns {0, 'offset\nepoch'} for a key seen before, or {1, message} for a new publication, where
-- message = 'm' offset '\n' epoch '\n' timestamp '\n' body  (offset -1 and epoch '' without history).
if ARGV[5] ~= '0' then
  local seen = redis.call('GET', KEYS[3])
  if seen then
    return {0, seen}
  end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local offset = -1
local epoch = ''
if ARGV[1] == '1' then
  epoch = redis.call('HGET', KEYS[1], 'e')
  if not epoch then
    epoch = ARGV[2]
    redis.call('DEL', KEYS[2])
    redis.call('HSET', KEYS[1], 'e', epoch, 'o', 0)
  end
  offset = redis.call('HINCRBY', KEYS[1], 'o', 1)
end
local msg = 'm' .. offset .. '\n' .. epoch .. '\n' .. now .. '\n' .. ARGV[7]
if ARGV[1] == '1' then
  redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], offset .. '-0', 't', now, 'd', msg)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
if ARGV[5] ~= '0' then
  redis.call('SET', KEYS[3], offset .. '\n' .. epoch, 'PX', ARGV[5])
end
if ARGV[6] ~= '' then
  redis.call('PUBLISH', ARGV[6], msg)
end
return {1, msg}
