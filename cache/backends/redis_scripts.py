"""The Lua scripts the Redis backend runs where one command is not enough.

Redis runs a script to completion before it serves any other client, so each of these is
one atomic step on the server, the property the simulated store gives every call. Keys are
always passed in ``KEYS`` (never built inside a script), so every key a script touches is
visible to the caller and stays under the run's namespace.
"""

from __future__ import annotations

__all__ = ["READ_UNLESS_LOCKED", "REBUILD", "UNLOCK_IF_OWNER"]

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
