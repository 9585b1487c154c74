#!/usr/bin/env bash
# The memory soak of ./scripts/bench (issue 20: no growth over 10 minutes of mixed traffic): a
# fresh `onshi serve` from build-bench/ on SQLite with a CA and the bench clinic
# (bench/mypage_seed.mjs), then wrk (bench/soak.lua: public pages, マイページ, a receipt PDF, the
# CRL, /healthz in turn, SOAK_WRK_ARGS, default -t2 -c16) for ONSHI_BENCH_SOAK_SECONDS (default
# 600) in one-minute rounds, the server's RSS recorded after each (bench/lib.sh). The growth is
# the last round's RSS against the first's, once the caches and arenas have warmed up.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${ONSHI_BENCH_SOAK_SECONDS:-600}
read -r -a wrk_args <<<"${SOAK_WRK_ARGS:--t2 -c16}"
bin=./build-bench/onshi
# shellcheck source=lib.sh
. bench/lib.sh

data=$(mktemp -d "${TMPDIR:-/tmp}/onshi-bench-soak-XXXXXX")
cleanup() {
  stop_server
  rm -rf "$data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export ONSHI_CA_PASSPHRASE="bench passphrase for the soak"
export ONSHI_DATABASE_URL="sqlite:$data/onshi.db"
"$bin" --data "$data" db migrate >/dev/null
"$bin" --data "$data" ca init >/dev/null
start_server "$bin" "$data"
rss_record "soak rss idle" "$server_pid"
cookie=$(ONSHI_BENCH_SEED_INFO="$data/seed.json" ONSHI_BIN="$bin" node bench/mypage_seed.mjs "$base" "$data" 5)
app=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["application"])' "$data/seed.json")
export SOAK_COOKIE=$cookie
# The clinic's pages and public ones that ignore its session (/ would redirect it to マイページ).
export SOAK_PATHS="/terminal-check /mypage /help /healthz /mypage/billing /certificate-applications/$app /pki/crl/issuing.crl /certificate-applications/$app/receipt.pdf /cpipcs /readyz"
for p in $SOAK_PATHS; do
  status=$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base$p")
  [ "$status" = 200 ] || { echo "bench/soak.sh: GET $p answered $status, not 200" >&2; exit 1; }
done

rounds=$(( (seconds + 59) / 60 ))
first=""
last=""
peak=0
total=0
echo "== soak: $rounds rounds of wrk ${wrk_args[*]} -d60s -s bench/soak.lua over: $SOAK_PATHS"
for round in $(seq "$rounds"); do
  out=$(wrk "${wrk_args[@]}" -d60s -s bench/soak.lua "$base")
  if grep -q "Non-2xx" <<<"$out"; then
    echo "$out"
    echo "bench/soak.sh: round $round had non-2xx answers" >&2
    exit 1
  fi
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  total=$((total + requests))
  kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status")
  [ -n "$first" ] || first=$kib
  last=$kib
  [ "$kib" -le "$peak" ] || peak=$kib
  record "soak rss round $round" rss_kib="$kib" requests="$requests"
  echo "  round $round: $requests requests, RSS $((kib / 1024)) MiB"
done
growth=$(awk -v a="$first" -v b="$last" 'BEGIN {printf "%.2f", (b - a) * 100 / a}')
record "soak" rounds="$rounds" requests="$total" first_rss_kib="$first" last_rss_kib="$last" \
  peak_rss_kib="$peak" growth_percent="$growth"
echo "== soak: $total requests in $rounds minutes; RSS $((first / 1024)) MiB after the first round, $((last / 1024)) MiB after the last ($growth %), peak $((peak / 1024)) MiB"
