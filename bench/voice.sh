#!/usr/bin/env bash
# Voice latency (docs/benchmarks.md, Voice): speech-to-text real-time factor
# of pocketsphinx on espeak-ng speech, text-to-speech time to the first
# audio byte (sentence-streamed WAV against a whole MP3) and the voice-ask
# round trip over HTTP, each the median of VOICE_RUNS runs (default 5).
#
#   bash bench/voice.sh
#
# Environment: ASKIO_BUILD_DIR (build), VOICE_RUNS (5), VOICE_OUT
# (bench/results). Results: $VOICE_OUT/voice-DATE.json and .txt.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${ASKIO_BUILD_DIR:-build}
runs=${VOICE_RUNS:-5}
out=${VOICE_OUT:-bench/results}
stamp=$(date +%F)
askio="$build_dir/askio"
[[ -x $askio ]] || { echo "build first: ASKIO_BUILD_DIR=$build_dir bash scripts/build.sh" >&2; exit 1; }
mkdir -p "$out"
work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# 1. Speech-to-text: 4 sentences (12 s with pauses) spoken by espeak-ng's
# en-us+klatt2, transcribed by pocketsphinx; the model load is not counted.
voice=en-us+klatt2
sentences=("The meeting room is on the third floor of the main building."
           "Please send your travel receipts to the finance office by Friday."
           "The library opens at nine in the morning and closes at six."
           "New employees receive a laptop and a badge on their first day.")
parts=()
for i in "${!sentences[@]}"; do
  "$askio" voice speak --voice "$voice" "${sentences[$i]}" -o "$work/s$i.wav" 2>/dev/null
  sox -q -n -r 22050 -c 1 -b 16 "$work/p$i.wav" trim 0 1.0
  parts+=("$work/s$i.wav" "$work/p$i.wav")
done
sox -q "${parts[@]}" "$work/speech.wav"
speech_seconds=$(soxi -D "$work/speech.wav")
rtfs=()
for ((r = 0; r < runs; r++)); do
  rtfs+=("$("$askio" --json voice transcribe "$work/speech.wav" | python3 -c 'import json,sys; print(json.load(sys.stdin)["real_time_factor"])')")
done
rtf=$(printf '%s\n' "${rtfs[@]}" | median)
transcript=$("$askio" voice transcribe "$work/speech.wav")

# 2. The server: a KB holding the sentences, the offline engines.
export ASKIO_DATA_DIR="$work/data"
printf '# Office guide\n\n%s\n\n%s\n\n%s\n\n%s\n' "${sentences[@]}" > "$work/office.md"
"$askio" ingest --kb office "$work/office.md" >/dev/null
port=$((20000 + RANDOM % 20000))
"$askio" serve --port "$port" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/api/ready" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port"
answer="The meeting room is on the third floor of the main building [1]. It is next to the library, which opens at nine in the morning [2]. Bring your badge, since the door is locked after six [3]. Ask the front desk if you need a projector [4]. Rooms can be booked for up to two hours [5]."
# Time to the first audio byte (after the WAV header) and to the last, per
# format: WAV and PCM stream sentence by sentence, MP3 and Opus are encoded
# whole.
read -r tts_wav_first tts_wav_total tts_pcm_first tts_mp3_first tts_opus_first answer_seconds < <(
python3 - "$port" "$answer" "$runs" <<'PY'
import http.client, json, statistics, sys, time
port, text, runs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def run(fmt, first):
    c = http.client.HTTPConnection('127.0.0.1', port)
    t0 = time.monotonic()
    c.request('POST', '/v1/audio/speech', json.dumps({"model": "tts-1", "input": text, "response_format": fmt}),
              {'Content-Type': 'application/json'})
    r = c.getresponse()
    got = r.read(first)
    t1 = time.monotonic()
    rest = r.read()
    return t1 - t0, time.monotonic() - t0, len(got) + len(rest)
run("wav", 46)  # warm up
out = {}
for fmt, first in (("wav", 46), ("pcm", 2), ("mp3", 1), ("opus", 1)):
    res = [run(fmt, first) for _ in range(runs)]
    out[fmt] = (statistics.median(r[0] for r in res), statistics.median(r[1] for r in res), res[0][2])
print(out["wav"][0], out["wav"][1], out["pcm"][0], out["mp3"][0], out["opus"][0], (out["wav"][2] - 44) / 2 / 22050)
PY
)

# 3. Voice ask: the question spoken, uploaded; the whole JSON answer, and
# the streamed one (time to its first audio event).
"$askio" voice speak --voice "$voice" "Where is the meeting room?" -o "$work/q.wav" 2>/dev/null
curl -s -o /dev/null --data-binary @"$work/q.wav" -H 'Content-Type: audio/wav' "$url/api/kbs/office/voice/ask"
ask_total=() ask_first_audio=() stt_ms=() ask_ms=() tts_ms=()
for ((r = 0; r < runs; r++)); do
  json=$(curl -s --data-binary @"$work/q.wav" -H 'Content-Type: audio/wav' -w '\n%{time_total}' "$url/api/kbs/office/voice/ask")
  ask_total+=("$(tail -1 <<<"$json")")
  read -r s a t found heard < <(head -1 <<<"$json" | python3 -c 'import json,sys; r=json.load(sys.stdin); j=r["timings_ms"]; print(j["speech_to_text"], j["ask"], j["text_to_speech"], r["answer"]["found"], r["transcript"]["text"])')
  stt_ms+=("$s") ask_ms+=("$a") tts_ms+=("$t")
  ask_first_audio+=("$(python3 - "$url" "$work/q.wav" <<'PY'
import sys, time, urllib.request
url, path = sys.argv[1], sys.argv[2]
data = open(path, 'rb').read()
req = urllib.request.Request(url + '/api/kbs/office/voice/ask?stream=true', data=data,
                             headers={'Content-Type': 'audio/wav'})
start = time.monotonic()
with urllib.request.urlopen(req) as r:
    for line in r:
        if line.startswith(b'event: audio'):
            print(round(time.monotonic() - start, 4))
            break
PY
)")
done
voice_total=$(printf '%s\n' "${ask_total[@]}" | median)
voice_first=$(printf '%s\n' "${ask_first_audio[@]}" | median)
voice_stt=$(printf '%s\n' "${stt_ms[@]}" | median)
voice_ask=$(printf '%s\n' "${ask_ms[@]}" | median)
voice_tts=$(printf '%s\n' "${tts_ms[@]}" | median)

python3 - "$out/voice-$stamp.json" <<PY
import json, sys
r = {"date": "$stamp", "runs": $runs, "cores": $(nproc), "load_average": "$(cut -d' ' -f1-3 /proc/loadavg)",
     "stt": {"engine": "pocketsphinx en-us", "voice": "$voice", "audio_seconds": $speech_seconds,
             "real_time_factor": $rtf, "transcript": """$transcript"""},
     "tts": {"engine": "espeak-ng", "answer_seconds": $answer_seconds,
             "first_audio_byte_wav_streamed_s": $tts_wav_first, "last_byte_wav_s": $tts_wav_total,
             "first_audio_byte_pcm_streamed_s": $tts_pcm_first,
             "first_byte_mp3_whole_s": $tts_mp3_first, "first_byte_opus_whole_s": $tts_opus_first},
     "voice_ask": {"heard": "$heard", "found": "$found", "json_total_s": $voice_total, "stream_first_audio_s": $voice_first,
                   "stt_ms": $voice_stt, "ask_ms": $voice_ask, "tts_ms": $voice_tts}}
json.dump(r, open(sys.argv[1], "w"), indent=2)
print(json.dumps(r, indent=2))
PY
