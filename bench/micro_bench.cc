// Micro benchmarks of the hot paths: analysis and chunking.
#include <benchmark/benchmark.h>

#include <string>

#include "ingest/chunker.h"
#include "ingest/loaders.h"
#include "text/analyzer.h"

namespace {

std::string SampleText(size_t repeat) {
  std::string s;
  for (size_t i = 0; i < repeat; ++i)
    s += "报销需要提交发票原件和审批单。Expense claims need the original receipt and an approved "
         "form! 出差期间的住宿费用按标准报销；超标部分自理。\n\n";
  return s;
}

void BM_AnalyzeIndexTerms(benchmark::State& state) {
  const std::string text = SampleText(64);
  for (auto _ : state) {
    askio::text::TermCounts terms;
    askio::text::Analyzer::AddIndexTerms(text, terms);
    benchmark::DoNotOptimize(terms);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_AnalyzeIndexTerms);

void BM_ChunkDocument(benchmark::State& state) {
  const askio::ingest::LaidOutDocument doc =
      askio::ingest::LayOut(askio::ingest::ParsePlainText(SampleText(256)));
  for (auto _ : state) {
    auto chunks = askio::ingest::ChunkDocument(doc, askio::ChunkOptions{});
    benchmark::DoNotOptimize(chunks);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * doc.text.size()));
}
BENCHMARK(BM_ChunkDocument);

}  // namespace

BENCHMARK_MAIN();
