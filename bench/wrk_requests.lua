-- Requests for wrk from a file written by bench/wrk_mix.py: one per line, tab-separated
-- (kind, method, path, cookie, body). The two threads walk their own half of the list, from the line given after the
-- file (where the previous run over the same file stopped), so that one round does not replay another's requests.
local requests = {}
local position = 1

local function load(name)
  for line in io.lines(name) do
    local kind, method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
    local headers = { ["Host"] = "127.0.0.1", ["Cookie"] = cookie }
    if method == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      headers["X-CSRFToken"] = os.getenv("BENCH_CSRF")
      headers["HX-Request"] = "true"
    elseif kind == "card" then
      headers["HX-Request"] = "true"
    end
    requests[#requests + 1] = wrk.format(method, path, headers, body ~= "" and body or nil)
  end
end

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("number", counter)
end

function init(args)
  load(args[1])
  position = (tonumber(args[2] or "0") + ((number or 1) - 1) * math.floor(#requests / 2)) % #requests + 1
end

function request()
  local chosen = requests[position]
  position = position % #requests + 1
  return chosen
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("WRK %d %d %.0f %d %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    errors.connect + errors.read + errors.write, errors.status, errors.timeout, summary.bytes))
end
