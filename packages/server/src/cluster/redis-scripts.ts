// The Lua scripts of the cluster log (docs/architecture.md#cluster-mode). Each runs atomically in Redis, which is what makes the seq global,
// the append exactly-once and the epoch a fence (docs/architecture.md "Cluster mode").

/**
 * Append n events once.
 *
 * 1. Fence: the epoch key must hold the epoch the node believes in, and the seq counter must not be below the
 *    node's head; otherwise the shared log was lost or rolled back and the append is refused (`EPOCH`, `BEHIND`).
 * 2. Dedupe: KEYS[4] names this append (the producer's Idempotency-Key, or the first event's id so a command the
 *    Redis client re-sends after a reconnect is recognised). When it exists, its stored answer is returned and
 *    nothing is appended; with another fingerprint the key was reused for a different request (`IDEMCONFLICT`).
 * 3. Deadline: a command reaching Redis after ARGV[4] (ms, Redis clock) is refused (`EXPIRED`): the node has already
 *    told its caller the outcome is unknown, and the dedupe key only has to outlive the deadline.
 * 4. Reserve n seqs with one INCRBY and XADD each event as stream entry `<seq>-1`, so the stream's own order is the
 *    seq order and `XREAD` from `<seq>-1` resumes exactly after `seq`; remember the answer under KEYS[4].
 *
 * KEYS: seq counter, stream, epoch, dedupe key.
 * ARGV: epoch, node head, max length (approximate trim), deadline ms (0: none), dedupe TTL s, fingerprint,
 * then topic, id, ts, data for each event.
 * Returns "<first seq> <id>,<id>,…".
 */
export const APPEND_SCRIPT = `
local epoch = redis.call('GET', KEYS[3])
if epoch ~= ARGV[1] then return redis.error_reply('EPOCH ' .. (epoch or 'none')) end
local seen = redis.call('GET', KEYS[4])
if seen then
  local sep = string.find(seen, ' ', 1, true)
  if string.sub(seen, 1, sep - 1) ~= ARGV[6] then return redis.error_reply('IDEMCONFLICT') end
  return string.sub(seen, sep + 1)
end
local counter = tonumber(redis.call('GET', KEYS[1]) or '0')
if counter < tonumber(ARGV[2]) then return redis.error_reply('BEHIND ' .. counter) end
if tonumber(ARGV[4]) > 0 then
  local t = redis.call('TIME')
  if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(ARGV[4]) then
    return redis.error_reply('EXPIRED')
  end
end
local n = (#ARGV - 6) / 4
local last = redis.call('INCRBY', KEYS[1], n)
local first = last - n + 1
local ids = {}
for i = 0, n - 1 do
  local b = 7 + i * 4
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], tostring(first + i) .. '-1',
    'topic', ARGV[b], 'id', ARGV[b + 1], 'ts', ARGV[b + 2], 'data', ARGV[b + 3])
  ids[i + 1] = ARGV[b + 1]
end
local answer = tostring(first) .. ' ' .. table.concat(ids, ',')
redis.call('SET', KEYS[4], ARGV[6] .. ' ' .. answer, 'EX', ARGV[5])
return answer
`;

/**
 * Keep the newest projection snapshot of the current epoch only: write `seq` and `state` unless the epoch moved on
 * or the stored one is as new or newer.
 * KEYS: snapshot hash, epoch. ARGV: epoch, seq, state JSON. Returns 1 when written.
 */
export const SAVE_SNAPSHOT_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
local current = 0
if redis.call('HGET', KEYS[1], 'epoch') == ARGV[1] then
  current = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
end
if tonumber(ARGV[2]) > current then
  redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'seq', ARGV[2], 'state', ARGV[3])
  return 1
end
return 0
`;

/**
 * The shared log looked lost to a node (epoch key missing or changed, counter below the node's head): agree on the
 * cluster's next epoch. Re-checks atomically, so a false alarm changes nothing and two nodes noticing at once end
 * on the same epoch: the first to run this creates it, the others adopt it.
 *
 * - epoch is the node's and the counter is not behind: nothing was lost → {'intact', epoch}
 * - epoch is another one (a node already moved on, or a node booting on the empty Redis set one) → {'adopt', epoch}
 * - epoch missing, or the node's with the counter behind: start ARGV[2] from the node's projections (ARGV[3]) as
 *   its snapshot at seq 0 and its genesis (the state before its seq 1, which nodes joining later start from), with
 *   an empty stream and counter → {'created', ARGV[2]}
 *
 * KEYS: epoch, seq counter, stream, snapshot, genesis. ARGV: node's epoch, candidate epoch, node's state JSON, node's head.
 */
export const RESET_EPOCH_SCRIPT = `
local epoch = redis.call('GET', KEYS[1])
if epoch == ARGV[1] and tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[4]) then
  return {'intact', epoch}
end
if epoch and epoch ~= ARGV[1] then return {'adopt', epoch} end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
redis.call('HSET', KEYS[4], 'epoch', ARGV[2], 'seq', '0', 'state', ARGV[3])
redis.call('HSET', KEYS[5], 'epoch', ARGV[2], 'state', ARGV[3])
redis.call('SET', KEYS[1], ARGV[2])
return {'created', ARGV[2]}
`;
