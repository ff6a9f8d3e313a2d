#!/usr/bin/env bash
# HTTP benchmark: wrk against askio serve on a knowledge base of ~100k chunks
# (the corpus of bench/run.sh), on this machine's loopback.
#
#   bash bench/serve.sh [RUNS] [SECONDS]   # default 3 runs of 15 s; medians reported
#
# 1. Sustained load: GET /api/kbs/bench/search?q=... and GET /api/kbs/bench/ask?q=...
#    (extractive answer), 16 connections, 2 wrk threads: requests/s, p50/p99.
# 2. Past saturation: 256 connections on /search against a server with the
#    default query queue: how many 429s, whether any request errors or times
#    out, and the server's memory before, during and after.
# wrk and the server share this machine's cores, so the figures are a floor.
# Writes bench/results/serve-latest.json and prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
seconds=${2:-15}
source bench/lib.sh
bench_install wrk python3 time
bench_build
bench_corpus

out=bench/results
mkdir -p "$out"
work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The KB, built once and cached (bench/run.sh measures ingestion).
data=bench/.serve-data
if [[ ! -f $data/.done ]]; then
  rm -rf "$data"
  build/askio --data-dir "$data" ingest --kb bench "${BENCH_SOURCES[@]}" >/dev/null
  touch "$data/.done"
fi
chunks=$(build/askio --data-dir "$data" --json kb stats bench | python3 -c 'import json,sys; print(json.load(sys.stdin)["chunks"])')

# 300 queries: section titles of the corpus (what people search for), picked
# with a fixed seed, URL-encoded.
python3 - "$data/bench/catalog.sqlite" > "$work/queries.txt" <<'PY'
import random, sqlite3, sys, urllib.parse
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
titles = sorted({r[0].split("\x1f")[-1].strip() for r in db.execute("SELECT heading_path FROM chunks") if r[0]})
titles = [t for t in titles if 2 <= len(t.split()) <= 6]
random.Random(42).shuffle(titles)
for t in titles[:300]:
    print(urllib.parse.quote(t))
PY

start_server() {  # extra args...
  build/askio --data-dir "$data" serve --port 0 "$@" > "$work/server.out" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do
    grep -q "serving" "$work/server.out" 2>/dev/null && break
    sleep 0.05
  done
  url=$(head -1 "$work/server.out" | sed 's/askio: serving //')
  # Warm the readers and the page cache.
  for q in $(head -50 "$work/queries.txt"); do curl -s "$url/api/kbs/bench/search?q=$q" >/dev/null; done
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$server_pid/status"; }

run_wrk() {  # name path connections
  PATH_PREFIX="$2" QUERIES_FILE="$work/queries.txt" \
    wrk -t2 -c"$3" -d"${seconds}s" --timeout 10s --latency -s bench/wrk-queries.lua "$url" > "$work/$1.txt"
}

start_server
for i in $(seq 1 "$runs"); do
  run_wrk "search.$i" "/api/kbs/bench/search?q=" 16
  run_wrk "ask.$i" "/api/kbs/bench/ask?q=" 16
  echo "run $i: search $(grep Requests/sec "$work/search.$i.txt"), ask $(grep Requests/sec "$work/ask.$i.txt")" >&2
done
stop_server

# Past saturation: 256 connections; the server admits cores-many queries at
# once and queues 64, and refuses the rest with 429 instead of queueing them.
start_server --threads 320
rss_before=$(rss_mb)
( while sleep 0.5; do rss_mb; echo; done ) > "$work/rss-during.txt" 2>/dev/null &
sampler=$!
run_wrk saturate "/api/kbs/bench/search?q=" 256
kill "$sampler"
rss_after=$(rss_mb)
stop_server

python3 - "$work" "$runs" "$chunks" "$rss_before" "$rss_after" "$out/serve-latest.json" <<'PY'
import json, os, platform, re, statistics, subprocess, sys
work, runs, chunks, rss_before, rss_after, dest = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6]

def ms(v):
    n, unit = re.match(r"([\d.]+)(\w+)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

def parse(path):
    t = open(path).read()
    out = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)),
           # The latency distribution lines ("     50%    8.08ms"), not the
           # "Req/Sec ... 72.50%" column that also ends in 50%.
           "p50_ms": ms(re.search(r"^\s+50%[ \t]+(\S+)", t, re.M).group(1)),
           "p99_ms": ms(re.search(r"^\s+99%[ \t]+(\S+)", t, re.M).group(1)),
           "requests": int(re.search(r"(\d+) requests in", t).group(1))}
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    out["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
    out["socket_errors"] = sum(map(int, m.groups())) if m else 0
    return out

med = statistics.median
res = {"machine": f"{os.cpu_count()} cores, {platform.machine()}", "chunks": chunks, "runs": runs}
for name in ("search", "ask"):
    r = [parse(f"{work}/{name}.{i}.txt") for i in range(1, runs + 1)]
    res[name] = {k: med(x[k] for x in r) for k in ("rps", "p50_ms", "p99_ms")}
    res[name]["errors"] = sum(x["socket_errors"] + x["non_2xx"] for x in r)
sat = parse(f"{work}/saturate.txt")
during = [float(l) for l in open(f"{work}/rss-during.txt") if l.strip()]
res["saturation"] = dict(sat, rss_mb_before=rss_before, rss_mb_max_during=max(during or [0]), rss_mb_after=rss_after)
json.dump(res, open(dest, "w"), indent=2)
print(json.dumps(res, indent=2))
s, a, x = res["search"], res["ask"], res["saturation"]
print()
print(f"KB: {chunks} chunks. wrk -t2, {runs} runs; medians.")
print()
print("| endpoint | connections | requests/s | p50 | p99 | errors |")
print("|---|---|---|---|---|---|")
print(f"| GET /search | 16 | {s['rps']:.0f} | {s['p50_ms']:.2f} ms | {s['p99_ms']:.2f} ms | {s['errors']} |")
print(f"| GET /ask (extractive) | 16 | {a['rps']:.0f} | {a['p50_ms']:.2f} ms | {a['p99_ms']:.2f} ms | {a['errors']} |")
print(f"| GET /search, past saturation | 256 | {x['rps']:.0f} ({x['requests'] - x['non_2xx']} answered, {x['non_2xx']} × 429) | {x['p50_ms']:.2f} ms | {x['p99_ms']:.2f} ms | {x['socket_errors']} socket errors |")
print()
print(f"Server RSS: {x['rss_mb_before']:.0f} MB before saturation, {x['rss_mb_max_during']:.0f} MB at most during, {x['rss_mb_after']:.0f} MB after.")
PY
