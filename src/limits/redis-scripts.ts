// The Lua that keeps the cross-instance cap atomic. Per key three structures:
//   held       sorted set of permit ids scored by lease expiry (ms, Redis clock)
//   line       sorted set of instance ids waiting for the key, scored by arrival (µs)
//   line-exp   the same instance ids scored by when their place lapses (ms)
// Time comes from Redis (TIME), never from the instances, so clock skew between
// gateway hosts cannot shorten or stretch a lease.
import { createHash } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';

export interface LuaScript {
  readonly lua: string;
  readonly sha: string;
}

function script(lua: string): LuaScript {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

const NOW_MS = `
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * Take permits, or join the line. KEYS: held, line, line-exp.
 * ARGV: limit, permitIdBase, leaseMs, instanceId, mode ('try' | 'new' | 'wait'), lineTtlMs, keyTtlMs, wanted,
 * channel, message.
 * 'try' is 'new' for a caller that will not wait: it never joins the line.
 * 'new' (nobody waits on this instance): granted only if the free permits exceed
 * everyone already in line, so a newcomer never overtakes a waiting instance.
 * 'wait' (the instance's queue): granted if the instance's place in line is within
 * the free permits; it takes up to `wanted`, leaving one for each instance behind
 * it, and gives up its place (an instance with more waiters re-joins at the back:
 * round robin between instances).
 * Not granted: the instance keeps (or takes) its place, refreshes it, and publishes
 * `message` on `channel` (other instances then hand their released permits back at once
 * instead of reusing them, see redis-semaphore.ts).
 * Returns the number of permits granted; their ids are permitIdBase.1 … permitIdBase.n.
 */
export const ACQUIRE = script(`${NOW_MS}
local limit = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', nowMs)
if #lapsed > 0 then
  redis.call('ZREM', KEYS[2], unpack(lapsed))
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', nowMs)
end
local keyTtl = tonumber(ARGV[7])
local lineLength = redis.call('ZCARD', KEYS[2])
local place = redis.call('ZRANK', KEYS[2], ARGV[4])
local waiting = ARGV[5] == 'wait' and place
local ahead = lineLength
if waiting then ahead = place end
local free = limit - redis.call('ZCARD', KEYS[1]) - ahead
if free > 0 then
  local granted = 1
  if waiting then
    granted = math.max(1, math.min(tonumber(ARGV[8]), free - (lineLength - place - 1)))
  end
  local expiry = nowMs + tonumber(ARGV[3])
  for i = 1, granted do
    redis.call('ZADD', KEYS[1], expiry, ARGV[2] .. '.' .. i)
  end
  redis.call('PEXPIRE', KEYS[1], keyTtl)
  if waiting then
    redis.call('ZREM', KEYS[2], ARGV[4])
    redis.call('ZREM', KEYS[3], ARGV[4])
  end
  return granted
end
if ARGV[5] == 'try' then return 0 end
if not place then
  -- a string score: Lua would print a 16-digit number in exponent form
  redis.call('ZADD', KEYS[2], t[1] .. string.format('%06d', tonumber(t[2])), ARGV[4])
end
-- Tell the other instances someone is in line: they stop reusing their released permits.
redis.call('PUBLISH', ARGV[9], ARGV[10])
redis.call('ZADD', KEYS[3], nowMs + tonumber(ARGV[6]), ARGV[4])
redis.call('PEXPIRE', KEYS[2], keyTtl)
redis.call('PEXPIRE', KEYS[3], keyTtl)
return 0
`);

/**
 * Give a permit back and wake the waiters of every instance. KEYS: held, line. ARGV: permitId, channel, message.
 * The wake-up goes out only when an instance is in line: an instance with waiters is always
 * in line (ACQUIRE puts it there in the same atomic step that refused it), so an empty line
 * means nobody to wake, and the common uncontended release costs no message to every instance.
 * Returns 1 (released) or 0 (not held), plus 2 when an instance is in line.
 */
export const RELEASE = script(`
local released = redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 1 then
  if released == 1 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
  return released + 2
end
return released
`);

/**
 * Extend a held permit's lease, re-adding it if it is gone (its lease lapsed during a
 * pause, or Redis restarted empty): the call it stands for is still running, so it
 * must keep counting. KEYS: held. ARGV: permitId, leaseMs, keyTtlMs.
 */
export const RENEW = script(`${NOW_MS}
redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`);

/** Give up the instance's place in line (its last waiter left). KEYS: line, line-exp. ARGV: instanceId, channel, message. */
export const LEAVE_LINE = script(`
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 1
end
return 0
`);

type Arg = string | number;

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** EVALSHA, falling back to EVAL once when Redis lost its script cache (restart, SCRIPT FLUSH). */
export async function runScript(redis: Redis, lua: LuaScript, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
  try {
    return await redis.evalsha(lua.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return redis.eval(lua.lua, keys.length, ...keys, ...args);
  }
}

/** Runs one script many times in one pipeline; rejects if any call failed. */
export async function runScriptBatch(redis: Redis, lua: LuaScript, calls: ReadonlyArray<{ keys: readonly string[]; args: readonly Arg[] }>): Promise<void> {
  if (calls.length === 0) return;
  const send = async (useSha: boolean): Promise<Array<[Error | null, unknown]>> => {
    const pipeline: ChainableCommander = redis.pipeline();
    for (const call of calls) {
      if (useSha) pipeline.evalsha(lua.sha, call.keys.length, ...call.keys, ...call.args);
      else pipeline.eval(lua.lua, call.keys.length, ...call.keys, ...call.args);
    }
    return ((await pipeline.exec()) ?? []) as Array<[Error | null, unknown]>;
  };
  let results = await send(true);
  if (results.some(([error]) => isNoScript(error))) results = await send(false);
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];
}
