-- wrk script: 60 s of mixed traffic at full speed, every grant and endpoint, checked for 5xx.
--   wrk -t2 -c32 -d60s -s mixed.lua http://127.0.0.1:PORT -- TOKENS_FILE
-- Writes a sample of the access tokens it was issued to TOKENS_FILE, one per line, for checking afterwards.
local FORM = "application/x-www-form-urlencoded"
local BUDGETIFY = "Basic YnVkZ2V0aWZ5OmJ1ZGdldGlmeS1zZWNyZXQ="   -- budgetify:budgetify-secret
local RECONCILER = "Basic cmVjb25jaWxlcjpyZWNvbmNpbGVyLXNlY3JldA==" -- reconciler:reconciler-secret
local CALLBACK = "http%3A%2F%2Flocalhost%3A3000%2Fcallback"

local threads = {}
function setup(thread) table.insert(threads, thread) end

function init(args)
  tokens_file = args[1]
  counts, server_errors, access, refresh, codes, sample = {}, 0, {}, {}, {}, {}
  pending = nil
end

local function post(path, auth, body)
  return wrk.format("POST", path, {["Content-Type"] = FORM, ["Authorization"] = auth}, body)
end

local function pick(list) if #list > 0 then return list[math.random(#list)] end end

-- wrk calls request() for whichever connection is free, and response() carries no connection: requests are counted
-- here, and a response is recognised by what it contains.
function request()
  local r = next_request()
  counts[pending] = (counts[pending] or 0) + 1
  return r
end

function next_request()
  local roll = math.random(100)
  if #codes > 0 and roll <= 15 then
    pending = "code"
    return post("/token", BUDGETIFY, "grant_type=authorization_code&redirect_uri=" .. CALLBACK .. "&code=" .. table.remove(codes))
  elseif roll <= 25 then
    pending = "authorize"
    return wrk.format("GET", "/authorize?response_type=code&client_id=budgetify&redirect_uri=" .. CALLBACK .. "&scope=openid%20email")
  elseif roll <= 40 then
    pending = "client_credentials"
    return post("/token", RECONCILER, "grant_type=client_credentials")
  elseif roll <= 50 then
    pending = "password"
    return post("/token", BUDGETIFY, "grant_type=password&username=bob&password=bob-password&scope=openid%20offline_access")
  elseif roll <= 60 and #refresh > 0 then
    pending = "refresh"
    return post("/token", BUDGETIFY, "grant_type=refresh_token&refresh_token=" .. table.remove(refresh))
  elseif roll <= 75 and #access > 0 then
    pending = "userinfo"
    return wrk.format("GET", "/userinfo", {["Authorization"] = "Bearer " .. pick(access)})
  elseif roll <= 88 and #access > 0 then
    pending = "introspect"
    return post("/introspect", RECONCILER, "token=" .. pick(access))
  elseif roll <= 92 then
    pending = "device"
    return wrk.format("POST", "/device_authorization", {["Content-Type"] = FORM}, "client_id=budgetify-tv")
  elseif roll <= 94 then
    pending = "debug"
    return wrk.format("GET", "/debug?client_id=planner")
  elseif roll <= 97 then
    pending = "debug_requests"
    return wrk.format("GET", "/debug/requests")
  else
    pending = "discovery"
    return wrk.format("GET", "/.well-known/openid-configuration")
  end
end

function response(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1 end
  if status == 302 then
    local code = string.match(headers["Location"] or headers["location"] or "", "[?&]code=([^&]+)")
    if code then table.insert(codes, code) end
  elseif status == 200 and string.find(body, '"token_type":"Bearer"', 1, true) then
    local token = string.match(body, '"access_token":"([^"]+)"')
    local rt = string.match(body, '"refresh_token":"([^"]+)"')
    local user_token = string.find(body, '"scope":"openid', 1, true) ~= nil
    if token then
      if user_token then
        table.insert(access, token)
        if #access > 200 then table.remove(access, 1) end
      end
      if #sample < 1000 and math.random(10) == 1 then table.insert(sample, token) end
    end
    if rt then table.insert(refresh, rt) end
  end
end

function done(summary, latency, requests)
  local total_errors, merged = 0, {}
  local file = io.open(threads[1]:get("tokens_file"), "w")
  for _, thread in ipairs(threads) do
    total_errors = total_errors + thread:get("server_errors")
    for kind, count in pairs(thread:get("counts")) do merged[kind] = (merged[kind] or 0) + count end
    for _, token in ipairs(thread:get("sample")) do file:write(token, "\n") end
  end
  file:close()
  for kind, count in pairs(merged) do io.write(string.format("requests %s: %d\n", kind, count)) end
  io.write(string.format("5xx responses: %d\n", total_errors))
end
