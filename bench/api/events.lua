-- wrk: sends `submit` to a different write-test item with each request (E-000000, E-000001, ...),
-- each thread taking its own share of the ids, with If-Match "1" and a fresh Idempotency-Key.
local token = "Bearer " .. os.getenv("WRITER")
local body = '{"evidence":["整改照片.jpg"]}'
local nthreads = tonumber(os.getenv("THREADS") or "2")
local pool = tonumber(os.getenv("WRITE_ITEMS") or "20000")
local counter = 0
local next_index = 0

setup = function(thread)
  thread:set("thread_index", next_index)
  next_index = next_index + 1
end

request = function()
  local id = thread_index + counter * nthreads
  counter = counter + 1
  if id >= pool then id = id % pool end
  local path = string.format("/api/v1/items/E-%06d/events/submit", id)
  return wrk.format("POST", path, {
    ["Authorization"] = token,
    ["Content-Type"] = "application/json",
    ["If-Match"] = '"1"',
    ["Idempotency-Key"] = string.format("bench-%d-%d", thread_index, counter),
  }, body)
end
