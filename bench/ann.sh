#!/usr/bin/env bash
# ANN benchmark of the vector index: recall@10 of HNSW and HNSW+SQ8 against
# exact search, single-threaded queries/s over an ef_search sweep, build
# time and memory per vector (bench/ann_bench.cc says how each is measured).
#
#   bash bench/ann.sh [CASE...]
#
# A CASE is N:DIM:DATA[:KINDS[:M:EFC]]: DATA random or clustered, KINDS a
# comma list of hnsw and sq8 (default both), M and EFC the HNSW parameters
# (default ANN_M, ANN_EFC). Without cases it runs the set reported in
# docs/benchmarks.md. Environment: ANN_QUERIES (1000), ANN_PASSES (3 timed
# passes; the median is reported), ANN_M (16), ANN_EFC (100), ANN_EF (the
# ef_search sweep), ASKIO_BUILD_DIR (build), ANN_OUT (bench/results).
#
# Each case's JSON line is appended to $ANN_OUT/ann-DATE.jsonl and its log
# to $ANN_OUT/ann-DATE.log, so a long set can be run in several sittings (the
# 1M builds take 10-30 minutes each on 2 cores); the table is made from the
# latest line of each (vectors, dimension, data, index, M, efC) of the day:
# $ANN_OUT/ann-latest.json, and $ANN_OUT/ann-DATE.txt (log, lines, table).
# Memory: 1M x 384 needs ~5 GB of RAM, 1M x 1024 ~13 GB.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${ASKIO_BUILD_DIR:-build}
out=${ANN_OUT:-bench/results}
queries=${ANN_QUERIES:-1000}
passes=${ANN_PASSES:-3}
m=${ANN_M:-16}
efc=${ANN_EFC:-100}
ef=${ANN_EF:-16,24,32,48,64,96,128,160,192,256,384,512,1024}
stamp=$(date +%F)
cases=("$@")
if ((${#cases[@]} == 0)); then
  cases=(100000:384:clustered 100000:384:random 100000:1024:clustered 100000:1024:random:hnsw
         100000:384:clustered:hnsw:32:128 100000:384:random:hnsw:32:128
         1000000:384:clustered 1000000:384:random:hnsw 250000:1024:clustered:hnsw)
fi

bash scripts/setup-deps.sh
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${ASKIO_BUILD_TYPE:-RelWithDebInfo} >/dev/null
cmake --build "$build_dir" --target askio_bench_ann >/dev/null

mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for c in "${cases[@]}"; do
  IFS=: read -r n dim data kinds cm cefc <<<"$c"
  echo "== $(date +%T) $n x $dim $data (${kinds:-hnsw,sq8}, M=${cm:-$m} efC=${cefc:-$efc})" | tee -a "$out/ann-$stamp.log" >&2
  /usr/bin/time -f '%e %M' -o "$work/time" \
    "$build_dir/bench/askio_bench_ann" --n "$n" --dim "$dim" --data "$data" \
      --kinds "${kinds:-hnsw,sq8}" --queries "$queries" --passes "$passes" --m "${cm:-$m}" \
      --efc "${cefc:-$efc}" --ef "$ef" >>"$out/ann-$stamp.jsonl" 2> >(tee -a "$out/ann-$stamp.log" >&2)
  echo "   wall s, peak RSS KB: $(cat "$work/time")" | tee -a "$out/ann-$stamp.log" >&2
done

python3 - "$out" "$stamp" <<'PY'
import json, os, platform, subprocess, sys, datetime
out, stamp = sys.argv[1], sys.argv[2]
latest = {}
for l in open(f"{out}/ann-{stamp}.jsonl"):
    if l.strip():
        r = json.loads(l)
        latest[(r["n"], r["dim"], r["data"], r["kind"], r["m"], r["ef_construction"])] = r
rows = sorted(latest.values(), key=lambda r: (r["n"], r["dim"], r["data"], r["m"], r["kind"]))
machine = f"{os.cpu_count()} cores, {platform.machine()}, {subprocess.run(['uname','-r'],capture_output=True,text=True).stdout.strip()}"
json.dump({"machine": machine, "date": stamp, "results": rows},
          open(f"{out}/ann-latest.json", "w"), indent=1)
lines = ["| vectors | data | index | build | bytes/vector (x raw) | RSS Δ/vector | ef_search for recall@10 ≥ 0.95 | recall@10 | queries/s (1 thread) | p50 / p99 µs | exact queries/s (askio / FAISS scan) |",
         "|---|---|---|---|---|---|---|---|---|---|---|"]
for r in rows:
    n = f"{r['n']//1000}k" if r['n'] < 10**6 else f"{r['n']/1e6:g}M"
    if r["chosen_ef"] > 0:
        ef, rec, qps, lat = str(r["chosen_ef"]), f"{r['chosen_recall']:.3f}", f"{r['chosen_qps']:,.0f}", f"{r['chosen_p50_us']:.0f} / {r['chosen_p99_us']:.0f}"
    else:
        last = r["sweep"][-1]
        ef, rec, qps, lat = f"not reached (max {last['ef']})", f"{last['recall']:.3f}", f"{last['qps']:,.0f}", f"{last['p50_us']:.0f} / {last['p99_us']:.0f}"
    lines.append(f"| {n} × {r['dim']} | {r['data']} | {r['kind'].replace('_', '+').upper()} M={r['m']} efC={r['ef_construction']} | {r['build_s']:.0f} s | "
                 f"{r['bytes_per_vector']:.0f} ({r['memory_ratio']:.2f}×) | {r['rss_delta_bytes_per_vector']:.0f} | {ef} | {rec} | {qps} | {lat} | {r['exact_qps']:.1f} / {r.get('faiss_exact_qps', 0):.1f} |")
sweeps = ["", "ef_search sweeps (recall@10 / queries/s):", ""]
for r in rows:
    sweeps.append(f"- {r['n']} × {r['dim']} {r['data']} {r['kind']} M={r['m']}: " + ", ".join(f"ef {s['ef']}: {s['recall']:.3f} / {s['qps']:,.0f}" for s in r["sweep"]))
omp = ["", "OpenMP threads per search (queries/s at the chosen ef; 1 searcher / 2 concurrent searchers):", ""]
for r in rows:
    o = r["omp"]
    omp.append(f"- {r['n']} × {r['dim']} {r['data']} {r['kind']} M={r['m']} ef {o['ef']}: 1 thread {o['qps_1_thread']:,.0f} / {o['qps_2_searchers_1_thread']:,.0f}; "
               f"OpenMP default ({o['omp_default_threads']}) {o['qps_omp_default']:,.0f} / {o['qps_2_searchers_omp_default']:,.0f}")
table = "\n".join(lines + sweeps + omp)
with open(f"{out}/ann-{stamp}.txt", "w") as f:
    f.write(f"machine: {machine}\n\n")
    f.write(open(f"{out}/ann-{stamp}.log").read())
    f.write("\n")
    for r in rows:
        f.write(json.dumps(r) + "\n")
    f.write("\n" + table + "\n")
print(table)
PY
