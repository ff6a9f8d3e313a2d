#!/usr/bin/env bash
# README command 1: installs what is missing, builds, then runs askio's main
# job on the embedded default (no model needed): ingests the sample corpus in
# samples/ into the knowledge base "sample" and answers a few questions with
# citations, then serves the knowledge base with the web UI on 127.0.0.1 and
# prints the address to open (Ctrl-C stops it; ASKIO_QUICKSTART_SERVE=0 skips
# serving). Idempotent: a second run skips unchanged files.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

askio=build/askio
kb=${ASKIO_SAMPLE_KB:-sample}
echo
echo "== askio ingest --kb $kb samples/zh-wikipedia samples/sqlite-docs samples/office"
"$askio" ingest --kb "$kb" samples/zh-wikipedia samples/sqlite-docs samples/office

echo
echo "== askio search --kb $kb \"network filesystem\" -k 3"
"$askio" search --kb "$kb" "network filesystem" -k 3

questions=(
  "非洲的猴面包树果实有多长？"
  "芙蓉洞位于什么地方？"
  "Does WAL work over a network filesystem?"
  "What does SQLite compete with?"
  "公司的报销流程是什么？"
  "香蕉的价格是多少？"
  "上海的餐补是多少？"
)
for q in "${questions[@]}"; do
  echo
  echo "== askio ask --kb $kb \"$q\""
  "$askio" ask --kb "$kb" "$q"
done

echo
echo "Try your own: $askio ask --kb $kb \"...\""
if [[ ${ASKIO_QUICKSTART_SERVE:-1} == 0 ]]; then
  exit 0
fi
port=${ASKIO_PORT:-8080}
# A busy port is not fatal: take any free one (askio's first line names it).
if (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "(port $port is in use; serving on a free port instead)"
  port=0
fi
echo
echo "== askio serve --port $port   (web chat, REST API and OpenAI-compatible /v1; Ctrl-C stops)"
echo "   Open the address below in a browser and pick the knowledge base '$kb'."
echo "   OpenAI clients: base URL <address>/v1, model kb:$kb, any API key while none is configured."
exec "$askio" serve --port "$port"
