#!/usr/bin/env python3
"""Splits a SQuAD-format file into two halves by article, for calibrating
abstention: ingest half A, ask the questions of half B (whose passages are not
in the knowledge base), and count how often the reader still answers.

usage: split_squad.py IN.json OUT_A.json OUT_B.json
"""
import json
import sys

src, out_a, out_b = sys.argv[1:4]
with open(src, encoding="utf-8") as f:
    data = json.load(f)["data"]
half = len(data) // 2
for path, part in ((out_a, data[:half]), (out_b, data[half:])):
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"version": "split", "data": part}, f, ensure_ascii=False)
