#!/usr/bin/env python3
"""Error analysis for the extractive reader: ingests the passages of SQuAD
files as text files into a scratch knowledge base, asks a random sample of
their questions with `askio ask --json`, and sorts each answer into: span
right, sentence right but span wrong, sentence wrong, abstained.

usage: answer_sample.py [--n 120] [--seed 1] [--show] FILE.json...
"""
import argparse
import json
import os
import random
import subprocess
import tempfile

ASKIO = os.path.join(os.path.dirname(__file__), "..", "..", "build", "askio")

ap = argparse.ArgumentParser()
ap.add_argument("files", nargs="+")
ap.add_argument("--n", type=int, default=120)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--show", action="store_true", help="print the misses")
args = ap.parse_args()

with tempfile.TemporaryDirectory() as tmp:
    corpus = os.path.join(tmp, "corpus")
    os.makedirs(corpus)
    questions = []
    for f in args.files:
        for article in json.load(open(f, encoding="utf-8"))["data"]:
            for p in article["paragraphs"]:
                with open(os.path.join(corpus, p["id"] + ".txt"), "w", encoding="utf-8") as out:
                    out.write(p["context"])
                for q in p["qas"]:
                    questions.append((q["question"], [a["text"] for a in q["answers"]]))
    random.seed(args.seed)
    random.shuffle(questions)
    data = os.path.join(tmp, "data")
    subprocess.run([ASKIO, "--data-dir", data, "ingest", "--kb", "sample", corpus],
                   check=True, capture_output=True)
    counts = {"span right": 0, "sentence right, span wrong": 0, "sentence wrong": 0, "abstained": 0}
    for question, golds in questions[: args.n]:
        r = json.loads(subprocess.run([ASKIO, "--data-dir", data, "--json", "ask", "--kb", "sample",
                                       question], capture_output=True, text=True).stdout)
        if not r["found"]:
            kind = "abstained"
        elif not any(g in r["evidence"] for g in golds):
            kind = "sentence wrong"
        elif any(g in r["span"] for g in golds) and len(r["span"]) <= 2 * max(map(len, golds)) + 4:
            kind = "span right"
        else:
            kind = "sentence right, span wrong"
        counts[kind] += 1
        if args.show and kind != "span right":
            print(f"[{kind}] {question}\n  gold: {golds[0]}\n  span: {r.get('span')}\n  evidence: {r.get('evidence')}")
    n = sum(counts.values())
    for k, v in counts.items():
        print(f"{k}: {v} ({100 * v / n:.1f}%)")
