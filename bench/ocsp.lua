-- wrk script for the OCSP benchmark (./scripts/bench): POSTs real OCSP requests without nonce
-- (hex DER, one per line of the file in OCSP_REQUESTS, written by onshi_ocsp_seed), each
-- connection taking the next one, so that many certificates are asked about in turn. No
-- response() callback: reading each body in Lua would slow wrk on the same 2 cores; ./scripts/bench
-- checks the answers with openssl before the load.
local requests = {}
local next_index = 1

local function from_hex(h)
  return (h:gsub("..", function(byte) return string.char(tonumber(byte, 16)) end))
end

function init(args)
  local file = assert(io.open(os.getenv("OCSP_REQUESTS"), "r"))
  for line in file:lines() do
    if #line > 0 then requests[#requests + 1] = from_hex(line) end
  end
  file:close()
  -- Threads start at different places of the list.
  next_index = (math.random(#requests))
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/ocsp-request"
end

function request()
  local body = requests[next_index]
  next_index = next_index % #requests + 1
  return wrk.format(nil, "/pki/ocsp", nil, body)
end
