-- wrk script: complete authorization-code + PKCE flows (GET /authorize, then POST /token with the code).
--   wrk -t2 -c32 -d15s -s flows.lua http://127.0.0.1:PORT -- VERIFIER CHALLENGE
-- Each connection alternates: an authorize request, then the token request for the code it returned.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  verifier, challenge = args[1], args[2]
  flows, failures, codes = 0, 0, {}
  authorize = wrk.format("GET", "/authorize?response_type=code&client_id=budgetify" ..
    "&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&scope=openid%20profile&state=s" ..
    "&code_challenge=" .. challenge .. "&code_challenge_method=S256")
end
function request()
  local code = table.remove(codes)
  if code == nil then return authorize end
  return wrk.format("POST", "/token", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = "Basic YnVkZ2V0aWZ5OmJ1ZGdldGlmeS1zZWNyZXQ=", -- budgetify:budgetify-secret
  }, "grant_type=authorization_code&code=" .. code ..
     "&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&code_verifier=" .. verifier)
end
function response(status, headers, body)
  if status == 302 then
    local location = headers["Location"] or headers["location"] or ""
    local code = string.match(location, "[?&]code=([^&]+)")
    if code then table.insert(codes, code) else failures = failures + 1 end
  elseif status == 200 then
    flows = flows + 1
  else
    failures = failures + 1
  end
end
function done(summary, latency, requests)
  local total, failed = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("flows")
    failed = failed + thread:get("failures")
  end
  io.write(string.format("flows completed: %d\nflows per second: %.1f\nfailed responses: %d\n",
    total, total / (summary.duration / 1e6), failed))
end
