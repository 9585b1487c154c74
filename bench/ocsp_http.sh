#!/usr/bin/env bash
# The OCSP responder under load (issue 16's target, docs/benchmarks.md), run by ./scripts/bench
# after its own HTTP runs: a fresh data dir with a CA, ONSHI_BENCH_OCSP_CERTS (default 100,000)
# real certificates seeded by build-bench/bench/onshi_ocsp_seed, `onshi serve` from build-bench/
# until its scheduler has pre-produced a response for every one, then wrk POSTing 1,000 different
# real requests (bench/ocsp.lua) and GET /healthz, each at OCSP_WRK_ARGS (default -t2 -c64 -d10s),
# recorded (bench/lib.sh) for scripts/bench-ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
# start_server, stop_server and the records; before anything uses them (it also empties server_pid).
# shellcheck source=lib.sh
. bench/lib.sh
certs=${ONSHI_BENCH_OCSP_CERTS:-100000}
read -r -a wrk_args <<<"${OCSP_WRK_ARGS:--t2 -c64 -d10s}"
bin=./build-bench/onshi

data=$(mktemp -d "${TMPDIR:-/tmp}/onshi-bench-ocsp-XXXXXX")
cleanup() {
  stop_server
  rm -rf "$data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export ONSHI_CA_PASSPHRASE="bench passphrase for the OCSP run"
"$bin" --data "$data" db migrate >/dev/null
"$bin" --data "$data" ca init >/dev/null
started=$(date +%s)
./build-bench/bench/onshi_ocsp_seed "$data" "$certs" "$data/requests.hex" 1000
echo "seeded $certs certificates in $(( $(date +%s) - started )) s"

start_server "$bin" "$data"
started=$(date +%s)
# The scheduler's first run signs every missing response; requests before it would sign live.
for attempt in $(seq 600); do
  n=$(sqlite3 "$data/onshi.db" "SELECT count(*) FROM ocsp_responses" 2>/dev/null || echo 0)
  [ "$n" -ge "$certs" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null || [ "$attempt" = 600 ]; then
    echo "bench/ocsp_http.sh: $n of $certs responses pre-produced; the server's log:" >&2
    tail -20 "$data/serve.stderr.log" >&2
    exit 1
  fi
  sleep 1
done
echo "pre-produced $n responses in $(( $(date +%s) - started )) s"

# One request checked as a relying party would before the load.
python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(open(sys.argv[1]).readline().strip()))' \
  "$data/requests.hex" >"$data/one.der"
curl -fsS -H 'Content-Type: application/ocsp-request' --data-binary "@$data/one.der" \
  -o "$data/one.resp" "$base/pki/ocsp"
openssl ocsp -respin "$data/one.resp" -CAfile "$data/ca/root.crt" -verify_other "$data/ca/issuing.crt" \
  -resp_text 2>&1 |
  grep -E "Cert Status|Response verify" | sed 's/^ */  /'

rss_record "rss idle, OCSP run ($certs certificates)" "$server_pid"
run() {
  local name=$1
  shift
  echo
  echo "== wrk ${wrk_args[*]} --latency $* ($name)"
  wrk_record "$name" "${wrk_args[@]}" "$@"
  rss_record "rss after $name" "$server_pid"
}
OCSP_REQUESTS="$data/requests.hex" run "wrk POST /pki/ocsp" -s bench/ocsp.lua "$base/pki/ocsp"
run "wrk GET /healthz (OCSP run)" "$base/healthz"
