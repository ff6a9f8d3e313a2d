#!/usr/bin/env bash
# End-to-end benchmark: ingest throughput and search latency on ~100k chunks
# of real text (Debian's documentation packages), with SQLite FTS5 over the
# same chunks as the peer, measured in the same run.
#
#   bash bench/run.sh [RUNS]      # default 3 runs; medians reported
#
# Writes bench/results/latest.json and prints a Markdown table for
# docs/benchmarks.md. Needs root (or sudo) once to install the corpus packages.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}

source bench/lib.sh
bench_install time python3
bench_build
bench_corpus
sources=("${BENCH_SOURCES[@]}")

out=bench/results
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for i in $(seq 1 "$runs"); do
  rm -rf "$work/data"
  /usr/bin/time -f '%e %M' -o "$work/time.$i" \
    build/askio --data-dir "$work/data" --json ingest --kb bench "${sources[@]}" > "$work/ingest.$i.json"
  echo "ingest run $i: $(cat "$work/time.$i") (wall s, max RSS KB)" >&2
done
# Re-ingest with nothing changed: the incremental path.
/usr/bin/time -f '%e %M' -o "$work/time.reingest" \
  build/askio --data-dir "$work/data" --json ingest --kb bench "${sources[@]}" > "$work/reingest.json"
for i in $(seq 1 "$runs"); do
  build/bench/askio_bench_search "$work/data" bench - 5 > "$work/search.$i.json"
  echo "search run $i: $(cat "$work/search.$i.json")" >&2
done
du -sk "$work/data/bench/catalog.sqlite" "$work/data/bench/lexical" > "$work/sizes"

python3 - "$work" "$runs" "$out/latest.json" <<'PY'
import json, statistics, sys, platform, os, subprocess
work, runs, dest = sys.argv[1], int(sys.argv[2]), sys.argv[3]
med = statistics.median
ing = [json.load(open(f"{work}/ingest.{i}.json")) for i in range(1, runs + 1)]
tim = [open(f"{work}/time.{i}").read().split() for i in range(1, runs + 1)]
sea = [json.load(open(f"{work}/search.{i}.json")) for i in range(1, runs + 1)]
re_ = json.load(open(f"{work}/reingest.json"))
re_t = open(f"{work}/time.reingest").read().split()
sizes = {l.split()[1].rsplit("/", 1)[1]: int(l.split()[0]) for l in open(f"{work}/sizes")}
mb = ing[0]["bytes"] / 2**20
res = {
    "machine": f"{os.cpu_count()} cores, {platform.machine()}, {subprocess.run(['uname','-r'],capture_output=True,text=True).stdout.strip()}",
    "runs": runs,
    "files": ing[0]["added"], "chunks": ing[0]["chunks"], "megabytes": round(mb, 2),
    "ingest_seconds_median": med(float(t[0]) for t in tim),
    "ingest_mb_per_s_median": med(mb / float(t[0]) for t in tim),
    "ingest_chunks_per_s_median": med(ing[0]["chunks"] / float(t[0]) for t in tim),
    "ingest_stage_seconds_median": {k: med(r["seconds"][k] for r in ing) for k in ("parse", "store", "index")},
    "ingest_max_rss_mb_median": med(int(t[1]) / 1024 for t in tim),
    "reingest_unchanged_seconds": float(re_t[0]), "reingest_unchanged_files": re_["unchanged"],
    "catalog_mb": sizes.get("catalog.sqlite", 0) / 1024, "lexical_index_mb": sizes.get("lexical", 0) / 1024,
    "search_queries": sea[0]["queries"],
    "search_p50_ms_median": med(s["askio_p50_ms"] for s in sea),
    "search_p99_ms_median": med(s["askio_p99_ms"] for s in sea),
    "filtered_documents": sea[0]["filtered_documents"],
    "filtered_p50_ms_median": med(s["filtered_p50_ms"] for s in sea),
    "filtered_p99_ms_median": med(s["filtered_p99_ms"] for s in sea),
    "fts5_p50_ms_median": med(s["fts5_p50_ms"] for s in sea),
    "fts5_p99_ms_median": med(s["fts5_p99_ms"] for s in sea),
    "fts5_build_seconds_median": med(s["fts5_build_seconds"] for s in sea),
}
res["search_p50_speedup_vs_fts5"] = res["fts5_p50_ms_median"] / res["search_p50_ms_median"]
json.dump(res, open(dest, "w"), indent=2)
print(json.dumps(res, indent=2))
print()
print("| metric | askio | SQLite FTS5 (same chunks) |")
print("|---|---|---|")
print(f"| corpus | {res['files']} files, {res['megabytes']:.1f} MB, {res['chunks']} chunks | same chunks |")
print(f"| ingest wall time (median of {runs}) | {res['ingest_seconds_median']:.2f} s | index build only: {res['fts5_build_seconds_median']:.2f} s |")
print(f"| ingest throughput | {res['ingest_mb_per_s_median']:.1f} MB/s, {res['ingest_chunks_per_s_median']:.0f} chunks/s | |")
print(f"| ingest peak RSS | {res['ingest_max_rss_mb_median']:.0f} MB | |")
print(f"| re-ingest, nothing changed | {res['reingest_unchanged_seconds']:.2f} s | |")
print(f"| search p50 / p99 | {res['search_p50_ms_median']:.2f} / {res['search_p99_ms_median']:.2f} ms | {res['fts5_p50_ms_median']:.2f} / {res['fts5_p99_ms_median']:.2f} ms |")
print(f"| search filtered to {res['filtered_documents']} documents, p50 / p99 | {res['filtered_p50_ms_median']:.2f} / {res['filtered_p99_ms_median']:.2f} ms | |")
PY
