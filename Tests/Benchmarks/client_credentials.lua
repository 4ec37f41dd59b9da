-- wrk script: client_credentials token requests, one signature each.
--   wrk -t2 -c32 -d15s --latency -s client_credentials.lua http://127.0.0.1:PORT [-- MAX_REQUESTS_PER_THREAD]
wrk.method = "POST"
wrk.path = "/token"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic cmVjb25jaWxlcjpyZWNvbmNpbGVyLXNlY3JldA==" -- reconciler:reconciler-secret
wrk.body = "grant_type=client_credentials&scope=transactions%3Aread"

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  failures, issued = 0, 0
  limit = tonumber(args[1] or "0")
end
function response(status, headers, body)
  if status == 200 then issued = issued + 1 else failures = failures + 1 end
  if limit > 0 and issued >= limit then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local failed, total = 0, 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
    total = total + thread:get("issued")
  end
  io.write(string.format("tokens issued: %d\nnon-200 responses: %d\n", total, failed))
end
