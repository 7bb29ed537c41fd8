-- Reads a channel's stream; a channel without one gets a new, empty stream (offset 0, new epoch).
-- KEYS[1] stream meta hash   KEYS[2] the stream
-- ARGV[1] after (-1 = from the oldest kept)   ARGV[2] limit (0 = position only)   ARGV[3] '1' = newest first
-- ARGV[4] epoch for a new stream   ARGV[5] history TTL (ms)   ARGV[6] stream TTL (ms)
-- ARGV[7] '1' = create the stream if missing; '0' = answer {'', 0, 0, {}} instead
-- Returns {epoch, offset, earliest, {message...}}.
local epoch = redis.call('HGET', KEYS[1], 'e')
if not epoch then
  if ARGV[7] ~= '1' then
    return {'', 0, 0, {}}
  end
  epoch = ARGV[4]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'e', epoch, 'o', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
end
local offset = tonumber(redis.call('HGET', KEYS[1], 'o'))
-- Drop entries older than the history TTL from the front (count is already bounded by MAXLEN).
local t = redis.call('TIME')
local oldest = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[5])
local earliest = offset + 1
while true do
  local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
  if #first == 0 then
    break
  end
  local id = first[1][1]
  local fields = first[1][2]
  local ts = 0
  for i = 1, #fields, 2 do
    if fields[i] == 't' then
      ts = tonumber(fields[i + 1])
    end
  end
  if ts > oldest then
    earliest = tonumber(string.match(id, '^(%d+)'))
    break
  end
  redis.call('XDEL', KEYS[2], id)
end
local out = {}
local limit = tonumber(ARGV[2])
if limit > 0 then
  local after = tonumber(ARGV[1])
  local from = '-'
  if after >= 0 then
    from = '(' .. after .. '-0'
  end
  local entries
  if ARGV[3] == '1' then
    entries = redis.call('XREVRANGE', KEYS[2], '+', from, 'COUNT', limit)
  else
    entries = redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', limit)
  end
  for _, e in ipairs(entries) do
    local fields = e[2]
    for i = 1, #fields, 2 do
      if fields[i] == 'd' then
        table.insert(out, fields[i + 1])
      end
    end
  end
end
return {epoch, offset, earliest, out}
