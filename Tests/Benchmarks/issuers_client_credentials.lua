-- wrk script: client_credentials token requests spread round-robin over several issuers' token endpoints.
--   wrk -t2 -c32 -d15s -s issuers_client_credentials.lua http://127.0.0.1:PORT -- /issuer-1 /issuer-2 ...
-- With no arguments it asks the root issuer's /token.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic cmVjb25jaWxlcjpyZWNvbmNpbGVyLXNlY3JldA==" -- reconciler:reconciler-secret
wrk.body = "grant_type=client_credentials&scope=transactions%3Aread"

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  failures, issued, next_path = 0, 0, 0
  paths = {}
  for i, mount in ipairs(args) do paths[i] = mount .. "/token" end
  if #paths == 0 then paths[1] = "/token" end
end
function request()
  next_path = next_path % #paths + 1
  return wrk.format(nil, paths[next_path])
end
function response(status, headers, body)
  if status == 200 then issued = issued + 1 else failures = failures + 1 end
end
function done(summary, latency, requests)
  local failed, total = 0, 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
    total = total + thread:get("issued")
  end
  io.write(string.format("tokens issued: %d\nnon-200 responses: %d\n", total, failed))
end
