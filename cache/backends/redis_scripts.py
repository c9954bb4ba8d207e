"""The Lua scripts the Redis backend runs where one command is not enough.

Redis runs a script to completion before it serves any other client, so each of these is
one atomic step on the server, the property the simulated store gives every call. Keys are
always passed in ``KEYS`` (never built inside a script), so every key a script touches is
visible to the caller and stays under the run's namespace.
"""

from __future__ import annotations

__all__ = [
    "FILL_IF_LEASE",
    "FILL_IF_NEWER",
    "FILL_IF_SAME",
    "INCR_RMW",
    "LEASE_PREFIX",
    "READ_UNLESS_LOCKED",
    "REBUILD",
    "TOMBSTONE_PREFIX",
    "UNLOCK_IF_OWNER",
]

# A lease or a tombstone is the entry's own value, a marker string, so that a plain DEL or
# SET of the entry voids it in the same command, as memcache's delete voids a lease.
LEASE_PREFIX = "L:"
TOMBSTONE_PREFIX = "T:"

# KEYS[1] = the primary, KEYS[2..] = its related entries.
# Derive every related entry from the primary as it is now; if the primary is absent, the
# related entries go too (a derived view of nothing is stale by definition). Returns the
# primary's value (nil if absent). Reading and writing in one script is what keeps a
# read-through fill from deriving an entry from a primary that changed in between.
REBUILD = """
local value = redis.call('GET', KEYS[1])
for i = 2, #KEYS do
  if value then
    redis.call('SET', KEYS[i], value)
  else
    redis.call('DEL', KEYS[i])
  end
end
return value
"""

# KEYS[1] = the lock, KEYS[2] = the primary, KEYS[3..] = its related entries.
# Checking the lock and reading in one step: with two round trips an update could take the
# lock and set the primary between the check and the read, and the reader would see
# exactly the torn state the lock exists to hide. Returns {1} while locked, else
# {0, {primary, related...}} (absent values come back as nil).
READ_UNLESS_LOCKED = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {1}
end
return {0, redis.call('MGET', unpack(KEYS, 2))}
"""

# KEYS[1] = the lock, ARGV[1] = the caller's token.
# Compare-and-delete: a holder whose lock expired (and was taken by someone else) must not
# release the new owner's lock. GET then DEL from the client would have that race.
UNLOCK_IF_OWNER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS[1] = a cache entry, ARGV[1] = the version to fill in.
# Set-if-not-newer: refuse over an equal or newer value, and under a tombstone whose
# version is newer (the versioned delete that superseded what the filler read). Reading and
# writing in one script is the point: GET, compare and SET from the client would leave the
# same window the fill is meant to close. Returns 1 if the fill landed.
FILL_IF_NEWER = """
local current = redis.call('GET', KEYS[1])
local version = tonumber(ARGV[1])
if current then
  local dead = string.match(current, '^T:(%-?%d+)$')
  if dead then
    if tonumber(dead) > version then return 0 end
  elseif string.sub(current, 1, 2) ~= 'L:' then
    local held = tonumber(current)
    if held and held >= version then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""

# KEYS[1] = a cache entry, ARGV[1] = the version, ARGV[2] = the filler's lease token.
# A lease fill: only while the entry still holds this lease. A delete (or any write) of the
# entry since the miss removed the lease, and the fill is refused. Returns 1 if it landed.
FILL_IF_LEASE = """
if redis.call('GET', KEYS[1]) == 'L:' .. ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[1])
  return 1
end
return 0
"""

# KEYS[1] = a cache entry, ARGV[1] = the value the caller read from it.
# Compare-and-rewrite: refresh the entry only while it still holds what was read; after an
# update deleted or replaced it, the refresh does nothing. Returns 1 if it rewrote.
FILL_IF_SAME = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1])
  return 1
end
return 0
"""

# KEYS[1] = a counter. The read-modify-write the broken client does in two round trips,
# done in one script: nothing can run between the GET and the SET. Returns the new value.
INCR_RMW = """
local value = tonumber(redis.call('GET', KEYS[1]) or '0') + 1
redis.call('SET', KEYS[1], value)
return value
"""
