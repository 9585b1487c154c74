# Shared by scripts/bench and the bench/*.sh runs: every figure that is not a Google Benchmark row
# (wrk runs, openssl speed, sizes, RSS) is appended as one JSON line to $ONSHI_BENCH_RECORDS, so
# that scripts/bench-ratios can set it beside its limit from the same run (bench/ratios.toml).
# Source it; it needs python3 for the JSON.
: "${ONSHI_BENCH_RECORDS:=build-bench/bench-records.jsonl}"
export ONSHI_BENCH_RECORDS

# record NAME KEY=VALUE...: one JSON line; numeric values are stored as numbers.
record() {
  /usr/bin/python3 - "$@" >>"$ONSHI_BENCH_RECORDS" <<'PY'
import json, sys
row = {"name": sys.argv[1]}
for pair in sys.argv[2:]:
    key, _, value = pair.partition("=")
    try:
        row[key] = int(value)
    except ValueError:
        try:
            row[key] = float(value)
        except ValueError:
            row[key] = value
print(json.dumps(row, ensure_ascii=False))
PY
}

# wrk_ms VALUE: wrk's latency ("812.00us", "4.59ms", "1.20s") in milliseconds.
wrk_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
    printf "%.3f", n }'
}

# wrk_record NAME WRK_ARGS...: runs `wrk --latency WRK_ARGS`, prints its output, fails if any answer
# was not 2xx/3xx or a socket error other than the final timeouts occurred, and records
# requests_per_second, p50_ms, p90_ms, p99_ms, requests and the wrk command line.
wrk_record() {
  local name=$1
  shift
  local out
  out=$(wrk --latency "$@")
  echo "$out"
  if grep -q "Non-2xx" <<<"$out"; then
    echo "bench: $name had non-2xx answers under load" >&2
    return 1
  fi
  if grep -qE "Socket errors: connect [1-9]|read [1-9]|write [1-9]" <<<"$out"; then
    echo "bench: $name had socket errors under load" >&2
    return 1
  fi
  local rps p50 p90 p99 requests
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(wrk_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
  p90=$(wrk_ms "$(awk '$1 == "90%" {print $2}' <<<"$out")")
  p99=$(wrk_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  record "$name" requests_per_second="$rps" p50_ms="$p50" p90_ms="$p90" p99_ms="$p99" \
    requests="$requests" command="wrk --latency $*"
}

# rss_record NAME PID: the process's resident set size now (VmRSS), in KiB.
rss_record() {
  local kib
  kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$2/status")
  record "$1" rss_kib="$kib"
  echo "  RSS ($1): $((kib / 1024)) MiB"
}

# start_server BIN DATA: `BIN --data DATA serve` on a free loopback port, as ./scripts/run starts
# it but with no mail server (mails wait in the outbox); sets server_pid and base, and returns once
# /healthz answers (or fails with the server's log). The caller's EXIT trap calls stop_server.
server_pid=""
start_server() {
  local bin=$1 data=$2 port
  port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  "$bin" --data "$data" serve --listen "127.0.0.1:$port" --base-url "$base" \
    --smtp-url smtp://127.0.0.1:9 >"$data/serve.stdout.log" 2>"$data/serve.stderr.log" &
  server_pid=$!
  for attempt in $(seq 200); do
    curl -fsS -o /dev/null --max-time 1 "$base/healthz" 2>/dev/null && return 0
    if ! kill -0 "$server_pid" 2>/dev/null || [ "$attempt" = 200 ]; then
      echo "bench: onshi serve ($data) did not come up; its log:" >&2
      cat "$data/serve.stderr.log" >&2
      return 1
    fi
    sleep 0.1
  done
}

# stop_server: ends the server start_server started, if it still runs.
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
