#!/usr/bin/env bash
# Builds askio's fuzz targets (fuzz/, a CMake project of its own) into
# build-fuzz/ and fuzzes each document loader for a few seconds with AFL++.
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 5, or $ASKIO_FUZZ_SECONDS)
#
# Every target first replays its seed corpus (the fixtures under tests/data
# and samples/, picked by extension, plus fuzz/seeds/ and the reproducers in
# fuzz/regressions/) under ASan+UBSan, then runs afl-fuzz for the given time.
# One line per target: executions, rate, corpus size, crashes, hangs. Exits 1
# when any seed fails or the fuzzer saves a crash or a hang, printing the input
# and the command that reproduces it; 2 when the build fails.
#
# Environment:
#   ASKIO_FUZZ_SECONDS     seconds per target (the argument wins)
#   ASKIO_FUZZ_TARGETS     space-separated subset, e.g. "pdf docx_parts archive";
#                          "http" is the HTTP surface (a real server; builds
#                          all of askio in the fuzz tree)
#   ASKIO_FUZZ_ENGINE      auto (default: afl when AFL++ is installed), afl, or
#                          replay (seeds only, no fuzzing engine needed)
#   ASKIO_FUZZ_JOBS        targets fuzzed at once (default: number of CPUs)
#   ASKIO_FUZZ_TIMEOUT_MS  one input running longer is a hang (default 10000;
#                          the targets give loaders a 5 s time budget)
#   ASKIO_FUZZ_DIR         build and output folder (default build-fuzz)
#   ASKIO_FUZZ_KEEP_CORPUS 1: start from the previous run's corpus as well
#   ASKIO_FUZZ_CMAKE_ARGS  extra arguments for configuring fuzz/, e.g.
#                          -DASKIO_FUZZ_EXTRA_FLAGS=-fno-sanitize=bool
#   ASKIO_FUZZ_LENIENT_UTF8  1: the targets do not check that loaded text is
#                          UTF-8 (to look for other bugs while one is open)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-${ASKIO_FUZZ_SECONDS:-5}}
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "usage: bash scripts/fuzz.sh [SECONDS_PER_TARGET]" >&2
  exit 2
fi
root=${ASKIO_FUZZ_DIR:-build-fuzz}
jobs=${ASKIO_FUZZ_JOBS:-$(nproc)}
timeout_ms=${ASKIO_FUZZ_TIMEOUT_MS:-10000}
afl_lib=/usr/lib/afl
all_targets=(text markdown html json jsonl csv tsv pdf docx xlsx pptx epub
             docx_parts xlsx_parts pptx_parts epub_parts archive notion detect http)
read -r -a targets <<<"${ASKIO_FUZZ_TARGETS:-${all_targets[*]}}"
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz: unknown target '$t' (${all_targets[*]})" >&2; exit 2; }
done

bash scripts/setup-deps.sh

engine=${ASKIO_FUZZ_ENGINE:-auto}
if [[ $engine == auto ]]; then
  if command -v afl-fuzz >/dev/null && [[ -f $afl_lib/afl-compiler-rt.o && -f $afl_lib/libAFLDriver.a ]]; then
    engine=afl
  else
    engine=replay
    echo "fuzz: AFL++ is not installed (Debian package afl++): replaying the seeds only" >&2
  fi
fi

# --- build -------------------------------------------------------------------
build=$root/$engine
mkdir -p "$root"
log=$root/build-$engine.log
generator=()
[[ -f $build/CMakeCache.txt ]] || { command -v ninja >/dev/null && generator=(-G Ninja); }
echo "fuzz: building the targets ($engine engine, ASan+UBSan) in $build" >&2
# Only the targets asked for: http links all of askio, which the loaders don't.
build_targets=(askio_fuzz_pack)
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
read -r -a cmake_args <<<"${ASKIO_FUZZ_CMAKE_ARGS:-}"
if ! { cmake -S fuzz -B "$build" "${generator[@]}" -DASKIO_FUZZ_ENGINE="$engine" "${cmake_args[@]}" &&
       cmake --build "$build" -j "$(nproc)" --target "${build_targets[@]}"; } >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "fuzz: build failed (full log: $log)" >&2
  exit 2
fi
bin=$build/bin

# --- seeds -------------------------------------------------------------------
# Fixtures by extension. AFL++ takes inputs up to 1 MiB; larger ones are left
# out (so are they from the replay, which mirrors what is fuzzed).
seeds=$root/seeds
rm -rf "$seeds"
fixtures() {  # fixtures PATTERN...: matching files under the fixture folders
  local args=()
  for p in "$@"; do args+=(-o -iname "$p"); done
  find tests/data samples -type f -size -1048577c \( "${args[@]:1}" \) 2>/dev/null | sort
}
add() {  # add TARGET FILE...
  local dir=$seeds/$1 f
  shift
  mkdir -p "$dir"
  for f in "$@"; do cp "$f" "$dir/$(echo "$f" | tr '/ ' '__')"; done
}
patterns_of() {
  case $1 in
    text) echo '*.txt *.text' ;;
    markdown) echo '*.md *.markdown' ;;
    html) echo '*.html *.htm *.xhtml' ;;
    json) echo '*.json' ;;
    jsonl) echo '*.jsonl *.ndjson' ;;
    csv) echo '*.csv' ;;
    tsv) echo '*.tsv *.tab' ;;
    pdf) echo '*.pdf' ;;
    docx | docx_parts) echo '*.docx' ;;
    xlsx | xlsx_parts) echo '*.xlsx' ;;
    pptx | pptx_parts) echo '*.pptx' ;;
    epub | epub_parts) echo '*.epub' ;;
    archive) echo '*.zip *.tar *.tar.gz *.tgz *.tar.bz2 *.tar.xz *.7z' ;;
    notion) echo '*.zip' ;;
    detect) echo '*' ;;
    http) echo '*.http' ;;
  esac
}
dict_of() {
  case $1 in
    markdown) echo markdown ;;
    html | epub_parts) echo html ;;
    json | jsonl) echo json ;;
    csv | tsv) echo csv ;;
    pdf) echo pdf ;;
    docx_parts | xlsx_parts | pptx_parts) echo xml ;;
    docx | xlsx | pptx | epub | archive | notion | detect) echo zip ;;
    http) echo http ;;
  esac
}
for t in "${targets[@]}"; do
  set -f
  # shellcheck disable=SC2046
  mapfile -t files < <(fixtures $(patterns_of "$t"))
  set +f
  base=${t%_parts}
  [[ -d fuzz/seeds/$base && $t != *_parts ]] && mapfile -t -O "${#files[@]}" files < <(find "fuzz/seeds/$base" -type f | sort)
  case $t in
    *_parts)
      mkdir -p "$seeds/$t"
      for f in "${files[@]}"; do
        "$bin/askio_fuzz_pack" "$f" "$seeds/$t/$(basename "$f").parts" 2>/dev/null ||
          rm -f "$seeds/$t/$(basename "$f").parts"
      done ;;
    detect)
      mapfile -t -O "${#files[@]}" files < <(find fuzz/seeds -type f | sort)
      mkdir -p "$seeds/$t"
      for f in "${files[@]}"; do
        { printf '%s\n' "$(basename "$f")"; cat "$f"; } >"$seeds/$t/$(echo "$f" | tr '/ ' '__')"
      done ;;
    archive)
      add "$t" "${files[@]}"
      tar -czf "$seeds/$t/bundle.tar.gz" -C fuzz/seeds markdown html csv ;;
    *)
      add "$t" "${files[@]}" ;;
  esac
  if [[ -d fuzz/regressions/$t ]]; then
    mapfile -t regressions < <(find "fuzz/regressions/$t" -type f ! -name '*.md' | sort)
    add "$t" "${regressions[@]}"
  fi
  if [[ ${ASKIO_FUZZ_KEEP_CORPUS:-0} == 1 && -d $root/out/$t/default/queue ]]; then
    mkdir -p "$seeds/$t"
    find "$root/out/$t/default/queue" -maxdepth 1 -type f -size -1048577c -exec cp {} "$seeds/$t/" \;
  fi
  mkdir -p "$seeds/$t"
  [[ -n $(ls -A "$seeds/$t") ]] || printf 'x' >"$seeds/$t/minimal"
done

# --- run -----------------------------------------------------------------------
results=$root/results
rm -rf "$results"
mkdir -p "$results" "$root/out"

stat_of() {  # stat_of FILE KEY
  sed -n "s/^$2 *: *//p" "$1" | head -n 1
}

run_target() {  # writes $results/$t.line and, on failure, $results/$t.fail
  set +e  # runs in its own subshell; every outcome is written down, none aborts
  local t=$1 exe=$bin/fuzz_$1 out=$root/out/$1 replay_log=$results/$1.replay.log
  # 1. The seeds, once each, with leak checking (afl-fuzz turns it off): all
  # in one process, and when that fails, one by one to name the culprit.
  # A seed running past the hang limit (plus start-up) fails too. (Xapian's
  # own checker trips new_delete_type_mismatch in the http target: scripts/test.sh.)
  local replay_env=(env ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:new_delete_type_mismatch=0}"
                    UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}")
  local one_limit=$(((timeout_ms + 999) / 1000 + 5))
  if ! find "$seeds/$t" -type f -print0 | sort -z |
       timeout -k 5 1800 xargs -0 "${replay_env[@]}" "$exe" >"$replay_log" 2>&1; then
    local input="" f shown=$replay_log one_log=$results/$t.replay-one.log
    while IFS= read -r -d '' f; do
      # (the braces keep bash's "Aborted" job report out of the output)
      { timeout -k 5 "$one_limit" "${replay_env[@]}" "$exe" "$f" >"$one_log" 2>&1; } 2>/dev/null
      local rc=$?
      if ((rc != 0)); then
        ((rc == 124)) && echo "askio fuzz: timed out after ${one_limit}s" >>"$one_log"
        input=$f shown=$one_log
        break
      fi
    done < <(find "$seeds/$t" -type f -print0 | sort -z)
    printf '%-12s seed replay FAILED\n' "$t" >"$results/$t.line"
    {
      if [[ -n $input ]]; then
        echo "== fuzz_$t: a seed fails: $input"
      else  # e.g. uninitialised memory that only some heap or stack state exposes
        echo "== fuzz_$t: the seeds fail when replayed together (each one alone passes)"
      fi
      grep -m 12 -E 'askio fuzz|ERROR|SUMMARY|runtime error|#[0-9]+ ' "$shown" | sed 's/^/   /' ||
        tail -n 12 "$shown"
      echo "   reproduce: $exe ${input:-$seeds/$t/*}"
      echo "   full log:  $shown"
    } >"$results/$t.fail"
    return
  fi
  if [[ $engine != afl ]]; then
    printf '%-12s %3d seeds replayed, no failures (no fuzzing: %s engine)\n' \
      "$t" "$(find "$seeds/$t" -type f | wc -l)" "$engine" >"$results/$t.line"
    return
  fi
  # 2. afl-fuzz. A seed that crashes stops it at the dry run, which the replay
  # has already ruled out; any other failure to start means AFL++ cannot run
  # here, and the seeds replay is what this run checked.
  rm -rf "$out"
  local dict=() d
  d=$(dict_of "$t")
  [[ -n $d && -f fuzz/dicts/$d.dict ]] && dict=(-x "fuzz/dicts/$d.dict")
  if ! AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
       AFL_FAST_CAL=1 AFL_IGNORE_UNKNOWN_ENVS=1 \
       afl-fuzz -V "$seconds" -m none -t "$timeout_ms" "${dict[@]}" -i "$seeds/$t" -o "$out" \
       -- "$exe" >"$results/$t.afl.log" 2>&1; then
    printf '%-12s seeds OK; afl-fuzz did not run: %s\n' "$t" \
      "$(grep -a -m1 'PROGRAM ABORT' "$results/$t.afl.log" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g; s/.*PROGRAM ABORT : *//')" \
      >"$results/$t.line"
    if grep -a 'PROGRAM ABORT' "$results/$t.afl.log" | grep -aq -i -E 'crash|timeout|hang'; then
      echo "== fuzz_$t: afl-fuzz stopped on a seed that crashes or hangs (see $results/$t.afl.log)" >"$results/$t.fail"
    else
      touch "$results/$t.noafl"
    fi
    return
  fi
  local stats=$out/default/fuzzer_stats crashes hangs
  crashes=$(find "$out/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
  hangs=$(find "$out/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
  printf '%-12s %9s execs %7s/s  corpus %5s  crashes %s  hangs %s\n' "$t" \
    "$(stat_of "$stats" execs_done)" "$(stat_of "$stats" execs_per_sec | cut -d. -f1)" \
    "$(stat_of "$stats" corpus_count)" "$crashes" "$hangs" >"$results/$t.line"
  if ((crashes + hangs > 0)); then
    {
      local f
      for f in $(find "$out/default/crashes" "$out/default/hangs" -type f -name 'id:*' | sort | head -n 5); do
        echo "== fuzz_$t: $([[ $f == */hangs/* ]] && echo "hang (over ${timeout_ms} ms)" || echo crash): $f"
        echo "   reproduce: $exe '$f'"
      done
      echo "   minimise:  afl-tmin -m none -i INPUT -o fuzz/regressions/$t/NAME -- $exe"
    } >"$results/$t.fail"
  fi
}

start=$SECONDS
if [[ $engine == afl ]]; then
  echo "fuzz: ${#targets[@]} targets, ${seconds}s each, $jobs at a time" >&2
else
  echo "fuzz: ${#targets[@]} targets, seeds replayed only ($engine engine)" >&2
fi
for t in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  run_target "$t" &
done
wait

status=0
for t in "${targets[@]}"; do
  cat "$results/$t.line" 2>/dev/null || echo "$t: no result"
done
for t in "${targets[@]}"; do
  if [[ -f $results/$t.fail ]]; then
    cat "$results/$t.fail"
    status=1
  fi
done
if compgen -G "$results/*.noafl" >/dev/null; then
  echo "fuzz: WARNING: afl-fuzz could not run here (see $results/*.afl.log); only the seeds were checked" >&2
fi
echo "fuzz: $((SECONDS - start))s; $([[ $status == 0 ]] && echo "no crashes" || echo "FAILURES above")" >&2
exit $status
