# Shared by the benchmark scripts: installs Debian packages they need (by
# name, once) and builds askio. Source it: `source bench/lib.sh`.

# bench_install PACKAGE... : installs the packages not yet installed.
bench_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    local sudo_cmd=()
    [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# bench_build : askio's dependencies and a release build in build/.
bench_build() {
  bash scripts/setup-deps.sh
  ASKIO_BUILD_DIR=build bash scripts/build.sh >/dev/null
}

# The ~100k-chunk corpus of bench/run.sh: Linux kernel and Python docs
# (.rst.txt sources as shipped), PostgreSQL and SQLite HTML manuals converted
# to Markdown once (cached in bench/.corpus). Sets BENCH_SOURCES.
bench_corpus() {
  bench_install linux-doc-6.1 python3.11-doc postgresql-doc-15 sqlite3-doc python3
  local corpus=bench/.corpus
  if [[ ! -f $corpus/.done ]]; then
    rm -rf "$corpus" && mkdir -p "$corpus"
    python3 scripts/data/html_to_markdown.py "$corpus/postgresql" /usr/share/doc/postgresql-doc-15/html/*.html
    find /usr/share/doc/sqlite3 -name '*.html' -print0 |
      xargs -0 python3 scripts/data/html_to_markdown.py "$corpus/sqlite"
    touch "$corpus/.done"
  fi
  BENCH_SOURCES=(/usr/share/doc/linux-doc-6.1/html/_sources /usr/share/doc/python3.11/html/_sources
                 "$corpus/postgresql" "$corpus/sqlite")
}
