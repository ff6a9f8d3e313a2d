#!/usr/bin/env bash
# Installs askio's build and test dependencies from Debian 12 packages, by name.
# Idempotent: packages already present are not touched, so a second run costs
# one dpkg query. Run as root or with sudo available.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libsqlite3-dev sqlite3 libxxhash-dev
  libxapian-dev
  libopencc-dev libopencc-data
  libicu-dev
  libstemmer-dev
  libcmark-gfm-dev libcmark-gfm-extensions-dev
  libgumbo-dev
  libpoppler-cpp-dev
  libtesseract-dev libleptonica-dev tesseract-ocr-eng tesseract-ocr-chi-sim
  libarchive-dev
  libcurl4-openssl-dev
  libpugixml-dev
  libmagic-dev
  libcpp-httplib-dev libssl-dev  # askio serve
  libfaiss-dev libopenblas-pthread-dev  # vector index (FAISS over OpenBLAS)
  libtomlplusplus-dev  # askio.toml
  python3-jieba  # knowledge graph: jieba's POS-tagged dictionary (read at run time)
  libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us  # voice: offline speech-to-text
  espeak-ng libespeak-ng-dev  # voice: offline text-to-speech (English, Mandarin)
  libsndfile1-dev libsoxr-dev sox libopus-dev libmp3lame-dev  # voice: audio in and out
  asymptote-doc camlidl-doc  # real PDF manuals (196 and 26 pages) the format tests read
  afl++  # fuzzing (scripts/fuzz.sh, docs/fuzzing.md)
  nlohmann-json3-dev
  libcli11-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "askio setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
