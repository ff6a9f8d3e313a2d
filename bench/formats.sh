#!/usr/bin/env bash
# Format benchmark: how fast askio ingests real PDFs (pages/s, text layer),
# HTML and DOCX (MB/s), and OCR (pages/s), each against a widely used
# extractor run on the same files in the same run:
#   PDF  -> pdftotext (poppler-utils; the same library askio uses)
#   HTML -> pandoc -t plain
#   DOCX -> pandoc -t plain
# askio's figures are end to end (detect, parse, chunk, analyse, store,
# index); the peers only extract text.
#
#   bash bench/formats.sh [RUNS] [PEER_RUNS]   # default 3 and 3; medians reported
# (pandoc takes minutes per pass over the HTML and DOCX folders: PEER_RUNS=1
# keeps a full run under ten minutes.)
#
# Corpus (Debian packages, installed here): the R manuals (r-doc-pdf) and the
# Asymptote manual (asymptote-doc) as PDFs; the Python 3.11 library reference
# HTML (python3.11-doc); the same HTML pages converted to DOCX by pandoc
# (cached); and pdf-scan.pdf from the test fixtures for OCR.
# Writes bench/results/formats-latest.json and prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
peer_runs=${2:-$runs}

source bench/lib.sh
bench_install r-doc-pdf asymptote-doc python3.11-doc pandoc poppler-utils time python3
bench_build

corpus=bench/.corpus-formats
if [[ ! -f $corpus/.done ]]; then
  rm -rf "$corpus" && mkdir -p "$corpus/pdf" "$corpus/html" "$corpus/docx" "$corpus/ocr"
  cp /usr/share/doc/r-doc-pdf/manual/*.pdf /usr/share/doc/asymptote/asymptote.pdf "$corpus/pdf/"
  cp /usr/share/doc/python3.11/html/library/*.html "$corpus/html/"
  for f in "$corpus"/html/*.html; do
    pandoc -f html -t docx "$f" -o "$corpus/docx/$(basename "${f%.html}").docx" 2>/dev/null || true
  done
  for i in 1 2 3 4 5 6 7 8; do cp tests/data/formats/pdf-scan.pdf "$corpus/ocr/scan-$i.pdf"; done
  touch "$corpus/.done"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# askio: ingest one folder into a fresh KB; prints "seconds pages bytes".
askio_run() {
  local dir=$1 flags=$2
  rm -rf "$work/data"
  build/askio --data-dir "$work/data" --json ingest --kb bench $flags "$dir" > "$work/out.json"
  python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["seconds"]["total"], r["pages"], r["bytes"], r["failed"])' "$work/out.json"
}
# A peer over every file of a folder; prints seconds.
peer_run() {
  local dir=$1; shift
  local start end
  start=$(date +%s.%N)
  for f in "$dir"/*; do "$@" "$f" > /dev/null 2>&1 || true; done
  end=$(date +%s.%N)
  python3 -c "print($end - $start)"
}

declare -A results
for kind in pdf html docx ocr; do
  dir="$corpus/$kind"
  flags="--no-ocr"; [[ $kind == ocr ]] && flags=""
  for i in $(seq 1 "$runs"); do
    results[$kind.askio.$i]=$(askio_run "$dir" "$flags")
    if ((i > peer_runs)); then
      results[$kind.peer.$i]=${results[$kind.peer.1]}
    else
    case $kind in
      pdf) results[$kind.peer.$i]=$(peer_run "$dir" sh -c 'pdftotext "$0" -') ;;
      html) results[$kind.peer.$i]=$(peer_run "$dir" pandoc -f html -t plain) ;;
      docx) results[$kind.peer.$i]=$(peer_run "$dir" pandoc -f docx -t plain) ;;
      ocr) results[$kind.peer.$i]=0 ;;
    esac
    fi
    echo "$kind run $i: askio ${results[$kind.askio.$i]} (s pages bytes failed); peer ${results[$kind.peer.$i]} s" >&2
  done
done

{
  echo "{"
  first=1
  for key in "${!results[@]}"; do
    [[ $first == 1 ]] || echo ","
    first=0
    printf '  "%s": "%s"' "$key" "${results[$key]}"
  done
  echo ""
  echo "}"
} > bench/results/formats-latest.json

python3 - "$runs" bench/results/formats-latest.json <<'PY'
import json, statistics, sys
runs = int(sys.argv[1])
r = json.load(open(sys.argv[2]))
def med(values): return statistics.median(values)
print("| corpus | files' size | pages | askio (s, median) | askio rate | peer | peer (s, median) | askio speed ÷ peer speed |")
print("|---|---|---|---|---|---|---|---|")
names = {"pdf": "pdftotext", "html": "pandoc", "docx": "pandoc", "ocr": "—"}
for kind in ("pdf", "html", "docx", "ocr"):
    a = [list(map(float, r[f"{kind}.askio.{i}"].split())) for i in range(1, runs + 1)]
    p = [float(r[f"{kind}.peer.{i}"]) for i in range(1, runs + 1)]
    secs = med([x[0] for x in a]); pages = a[0][1]; mb = a[0][2] / 2**20
    if kind in ("pdf", "ocr"):
        rate = f"{pages / secs:.1f} pages/s"
        prate = f"{pages / med(p):.1f} pages/s" if med(p) > 0 else "—"
    else:
        rate = f"{mb / secs:.1f} MB/s"
        prate = f"{mb / med(p):.1f} MB/s" if med(p) > 0 else "—"
    ratio = f"{med(p) / secs:.2f}×" if med(p) > 0 else "—"
    print(f"| {kind} | {mb:.1f} MB | {int(pages)} | {secs:.2f} | {rate} | {names[kind]} | "
          f"{med(p):.2f} ({prate}) | {ratio} |")
PY
