#!/usr/bin/env bash
# Soak test: askio serve on 127.0.0.1 under steady open-loop queries while
# documents are uploaded and deleted (bench/soak.mjs). Reports error rate,
# p99 against an idle baseline, RSS and open files over time, and the time
# from an acknowledged upload (202) to the document being searchable.
#
#   bash bench/soak.sh [SECONDS] [RATE]     # default 600 s at 40 queries/s; 60 for a short run
#
# Writes bench/results/soak-latest.json.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
rate=${2:-40}
[[ -x build/askio ]] || bash scripts/build.sh
work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi
  # The server's own output, for a crash: kept beside the results.
  [[ -f $work/server.out ]] && cp "$work/server.out" bench/results/soak-server.log
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p bench/results
build/askio --data-dir "$work/data" ingest --kb soak samples/ >/dev/null
# Queries: the sample corpus's section titles.
python3 - "$work/data/soak/catalog.sqlite" > "$work/queries.txt" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
seen = []
for (h,) in db.execute("SELECT heading_path FROM chunks ORDER BY id"):
    t = (h or "").split("\x1f")[-1].strip()
    if t and t not in seen: seen.append(t)
print("\n".join(seen[:200] or ["sqlite"]))
PY
build/askio --data-dir "$work/data" serve --port 0 > "$work/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do grep -q serving "$work/server.out" 2>/dev/null && break; sleep 0.05; done
url=$(head -1 "$work/server.out" | sed 's/askio: serving //')
node bench/soak.mjs "$url" "$server_pid" "$seconds" "$rate" "$work/queries.txt" | tee bench/results/soak-latest.json
# The server must have survived the whole run.
kill -0 "$server_pid" || { echo "soak: askio serve died during the run" >&2; exit 1; }
