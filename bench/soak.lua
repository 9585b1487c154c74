-- wrk script for bench/soak.sh: each request takes the next of SOAK_PATHS (space-separated), with
-- the clinic's session cookie (SOAK_COOKIE), so one run mixes public pages, マイページ, a PDF,
-- the CRL and the health checks the way a day's traffic would.
local paths = {}
local i = 0

function init(args)
  for p in string.gmatch(os.getenv("SOAK_PATHS"), "%S+") do paths[#paths + 1] = p end
  i = math.random(#paths)
  wrk.headers["Cookie"] = os.getenv("SOAK_COOKIE")
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
