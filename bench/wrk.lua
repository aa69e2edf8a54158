-- wrk script for bench/bench.py. Modes, chosen by the arguments after `--`:
--   get                      plain wrk requests (headers come from -H); figures only
--   post <csrf_token> <run>  htmx POST /submit, each with its own request_id; the
--                            HX-Push-Url of every 2xx answer is written to $BENCH_ACKED
--   cycle <n> <path> <hx>... GETs round-robin over the paths (hx "1" adds HX-Request),
--                            stopping after n responses
-- Every mode prints one JSON line of figures when done.

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  count = 0
  acked = {}
  if mode == "post" then
    token = args[2]
    run = args[3]
  elseif mode == "cycle" then
    limit = tonumber(args[2])
    paths = {}
    for i = 3, #args, 2 do
      local headers = {}
      if args[i + 1] == "1" then headers["HX-Request"] = "true" end
      table.insert(paths, wrk.format("GET", args[i], headers))
    end
  end
end

function request()
  count = count + 1
  if mode == "post" then
    local body = "csrf_token=" .. token .. "&user_input=bench+" .. id .. "+" .. count
      .. "&request_id=bench-" .. run .. "-" .. id .. "-" .. count
    return wrk.format("POST", "/submit", nil, body)
  elseif mode == "cycle" then
    return paths[(count % #paths) + 1]
  end
  return wrk.request()
end

if os.getenv("BENCH_RESPONSES") then
  function response(status, headers, body)
    responses = (responses or 0) + 1
    if mode == "post" and status >= 200 and status < 300 then
      table.insert(acked, headers["hx-push-url"] or headers["HX-Push-Url"] or "")
    elseif mode == "cycle" and responses >= limit then
      wrk.thread:stop()
    end
  end
end

function done(summary, latency, requests)
  local path = os.getenv("BENCH_ACKED")
  if path then
    local out = assert(io.open(path, "w"))
    for _, thread in ipairs(threads) do
      for _, url in ipairs(thread:get("acked")) do out:write(url, "\n") end
    end
    out:close()
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"bad_status": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
