// The Lua scripts of the cluster log (SPEC §11). Each runs atomically in Redis, which is what makes the seq global.

/**
 * Append n events: reserve n seqs with one INCRBY and XADD each event as stream entry `<seq>-1`, so the stream's own
 * order is the seq order and `XREAD` from `<seq>-1` resumes exactly after `seq`.
 * KEYS: seq counter, stream. ARGV: max length (approximate trim), then topic, id, ts, data for each event.
 * Returns the first seq.
 */
export const APPEND_SCRIPT = `
local n = (#ARGV - 1) / 4
local last = redis.call('INCRBY', KEYS[1], n)
local first = last - n + 1
for i = 0, n - 1 do
  local b = 2 + i * 4
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], tostring(first + i) .. '-1',
    'topic', ARGV[b], 'id', ARGV[b + 1], 'ts', ARGV[b + 2], 'data', ARGV[b + 3])
end
return first
`;

/**
 * Keep the newest projection snapshot only: write `seq` and `state` unless the stored one is as new or newer.
 * KEYS: snapshot hash. ARGV: seq, state JSON. Returns 1 when written.
 */
export const SAVE_SNAPSHOT_SCRIPT = `
local current = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
if tonumber(ARGV[1]) > current then
  redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'state', ARGV[2])
  return 1
end
return 0
`;
