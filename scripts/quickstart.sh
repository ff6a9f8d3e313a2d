#!/usr/bin/env bash
# README command 1: installs what is missing, builds, then runs askio's main
# job on the embedded default (no model needed): ingests the sample corpus in
# samples/ into the knowledge base "sample" and answers a few questions with
# citations. Idempotent: a second run skips unchanged files.
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
echo "Done. Try your own: $askio ask --kb $kb \"...\"   (data in $("$askio" kb stats "$kb" --json | sed -n 's/.*"path": "\(.*\)".*/\1/p'))"
