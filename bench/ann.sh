#!/usr/bin/env bash
# ANN benchmark of the vector index: recall@10 of HNSW and HNSW+SQ8 against
# exact search, single-threaded queries/s over an ef_search sweep, build
# time and memory per vector (bench/ann_bench.cc says how each is measured).
#
#   bash bench/ann.sh [CASE...]
#
# A CASE is N:DIM:DATA[:KINDS], DATA random or clustered, KINDS a comma list
# of hnsw and sq8 (default both). Without cases it runs the default set:
# 100k x 384 and 100k x 1024 (random and clustered), 1M x 384 (random and
# clustered, HNSW; SQ8 on clustered). Environment: ANN_QUERIES (1000),
# ANN_PASSES (5 timed passes after a warm-up; the median is reported),
# ANN_M (32), ANN_EFC (128), ANN_EF (the ef_search sweep), ASKIO_BUILD_DIR
# (build), ANN_OUT (bench/results).
#
# Writes $ANN_OUT/ann-latest.json (one object per case and index kind) and
# $ANN_OUT/ann-DATE.txt (the raw lines, the log and the Markdown table), and
# prints the table. 1M x 384 needs ~5 GB of RAM; 1M x 1024 ~13 GB.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${ASKIO_BUILD_DIR:-build}
out=${ANN_OUT:-bench/results}
queries=${ANN_QUERIES:-1000}
passes=${ANN_PASSES:-5}
m=${ANN_M:-32}
efc=${ANN_EFC:-128}
ef=${ANN_EF:-16,24,32,48,64,96,128,192,256,384,512}
cases=("$@")
if ((${#cases[@]} == 0)); then
  cases=(100000:384:random 100000:384:clustered 100000:1024:random 100000:1024:clustered
         1000000:384:random:hnsw 1000000:384:clustered)
fi

bash scripts/setup-deps.sh
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${ASKIO_BUILD_TYPE:-RelWithDebInfo} >/dev/null
cmake --build "$build_dir" --target askio_bench_ann >/dev/null

mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for c in "${cases[@]}"; do
  IFS=: read -r n dim data kinds <<<"$c"
  echo "== $n x $dim $data (${kinds:-hnsw,sq8})" >&2
  /usr/bin/time -f '%e %M' -o "$work/time" \
    "$build_dir/bench/askio_bench_ann" --n "$n" --dim "$dim" --data "$data" \
      --kinds "${kinds:-hnsw,sq8}" --queries "$queries" --passes "$passes" --m "$m" \
      --efc "$efc" --ef "$ef" >>"$work/results.jsonl" 2> >(tee -a "$work/log" >&2)
  echo "   wall s, peak RSS KB: $(cat "$work/time")" | tee -a "$work/log" >&2
done

python3 - "$work" "$out" <<'PY'
import json, os, platform, subprocess, sys, datetime
work, out = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in open(f"{work}/results.jsonl") if l.strip()]
machine = f"{os.cpu_count()} cores, {platform.machine()}, {subprocess.run(['uname','-r'],capture_output=True,text=True).stdout.strip()}"
json.dump({"machine": machine, "date": datetime.date.today().isoformat(), "results": rows},
          open(f"{out}/ann-latest.json", "w"), indent=1)
lines = ["| vectors | data | index | build | bytes/vector (x raw) | RSS Δ/vector | ef_search for recall@10 ≥ 0.95 | recall@10 | queries/s (1 thread) | p50 / p99 µs | exact queries/s |",
         "|---|---|---|---|---|---|---|---|---|---|---|"]
for r in rows:
    n = f"{r['n']//1000}k" if r['n'] < 10**6 else f"{r['n']/1e6:g}M"
    if r["chosen_ef"] > 0:
        ef, rec, qps, lat = str(r["chosen_ef"]), f"{r['chosen_recall']:.3f}", f"{r['chosen_qps']:,.0f}", f"{r['chosen_p50_us']:.0f} / {r['chosen_p99_us']:.0f}"
    else:
        last = r["sweep"][-1]
        ef, rec, qps, lat = f"not reached (max {last['ef']})", f"{last['recall']:.3f}", f"{last['qps']:,.0f}", f"{last['p50_us']:.0f} / {last['p99_us']:.0f}"
    lines.append(f"| {n} × {r['dim']} | {r['data']} | {r['kind'].replace('_', '+').upper()} M={r['m']} efC={r['ef_construction']} | {r['build_s']:.0f} s | "
                 f"{r['bytes_per_vector']:.0f} ({r['memory_ratio']:.2f}×) | {r['rss_delta_bytes_per_vector']:.0f} | {ef} | {rec} | {qps} | {lat} | {r['exact_qps']:.1f} |")
sweeps = ["", "ef_search sweeps (recall@10 / queries/s):", ""]
for r in rows:
    sweeps.append(f"- {r['n']} × {r['dim']} {r['data']} {r['kind']}: " + ", ".join(f"ef {s['ef']}: {s['recall']:.3f} / {s['qps']:,.0f}" for s in r["sweep"]))
omp = ["", "OpenMP threads per search (queries/s at the chosen ef; 1 searcher / 2 concurrent searchers):", ""]
for r in rows:
    o = r["omp"]
    omp.append(f"- {r['n']} × {r['dim']} {r['data']} {r['kind']} ef {o['ef']}: 1 thread {o['qps_1_thread']:,.0f} / {o['qps_2_searchers_1_thread']:,.0f}; "
               f"OpenMP default ({o['omp_default_threads']}) {o['qps_omp_default']:,.0f} / {o['qps_2_searchers_omp_default']:,.0f}")
table = "\n".join(lines + sweeps + omp)
stamp = datetime.date.today().isoformat()
with open(f"{out}/ann-{stamp}.txt", "w") as f:
    f.write(f"machine: {machine}\n\n")
    f.write(open(f"{work}/log").read())
    f.write("\n")
    for l in open(f"{work}/results.jsonl"):
        f.write(l)
    f.write("\n" + table + "\n")
print(table)
PY
