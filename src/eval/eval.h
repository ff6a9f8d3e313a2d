// `askio eval`: the evaluation protocol of ../shared/data/README.md.
// Corpus = every passage of the corpus files in a fresh temporary KB;
// questions = those of the query files; Hit@k / MRR@10 on retrieval and
// CMRC 2018 EM / F1 on the answers.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "askio/engine.h"
#include "askio/options.h"
#include "askio/status.h"

namespace askio::eval {

struct EvalOptions {
  std::vector<std::string> corpus_files;
  std::vector<std::string> query_files;  // empty: the corpus files
  IngestOptions ingest;
  AskOptions ask;
  std::string weighting;     // empty: the engine's default
  size_t max_questions = 0;  // 0: all
  Models models;             // none: lexical retrieval and the extractive reader
  bool graph = false;        // build the knowledge graph before asking (its stage then runs)
};

struct EvalResult {
  int64_t questions = 0;
  int64_t passages = 0;
  int64_t chunks = 0;
  double hit_at_1 = 0, hit_at_5 = 0, mrr_at_10 = 0;
  double em = 0, f1 = 0;  // percent
  double answered = 0;    // share of questions the reader did not abstain on
  // Share of questions whose answer sentence (the reader's evidence)
  // contains a gold answer: the ceiling for span extraction.
  double evidence_has_answer = 0;
  double ingest_seconds = 0;
  double graph_seconds = 0;  // building the graph, when EvalOptions::graph
  double latency_ms_p50 = 0, latency_ms_p99 = 0;
};

using EvalProgressFn = std::function<void(size_t done, size_t total)>;

Result<EvalResult> RunEval(const EvalOptions& options, const EvalProgressFn& progress = {});

}  // namespace askio::eval
