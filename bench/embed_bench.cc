// Embedding ingest throughput: how batching and concurrency move texts/s
// through the OpenAI-compatible client, against the fake server of the
// tests (tests/fake_openai_server.h) made to answer like a model server:
// a fixed latency per request plus a cost per text.
//
//   askio_bench_embed [TEXTS] [LATENCY_MS] [PER_TEXT_US]   (default 2048 20 500)
//
// Prints one JSON line per (batch_size, concurrency): texts/s and requests.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../tests/fake_openai_server.h"
#include "common/clock.h"
#include "model/provider.h"

int main(int argc, char** argv) {
  const size_t texts_n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2048;
  const int latency_ms = argc > 2 ? std::atoi(argv[2]) : 20;
  const int per_text_us = argc > 3 ? std::atoi(argv[3]) : 500;
  askio::testing::FakeOpenAi fake;
  askio::testing::FakeEmbeddingOptions o;
  o.dim = 384;
  o.latency = std::chrono::milliseconds(latency_ms);
  o.latency_per_text = std::chrono::microseconds(per_text_us);
  fake.SetEmbeddingOptions(o);
  std::vector<std::string> texts;
  for (size_t i = 0; i < texts_n; ++i)
    texts.push_back("Chunk " + std::to_string(i) +
                    " of a document about the tides, the harbour, the lighthouse and the "
                    "keeper who lights its lamp every evening at dusk. " +
                    std::string(400, 'x'));
  for (size_t batch : {1, 8, 32, 128}) {
    for (size_t concurrency : {1, 4, 8}) {
      if (batch == 1 && texts_n > 512) continue;  // minutes per run; the trend is clear
      askio::model::ProviderConfig c = fake.Config("bench-embed");
      c.batch_size = batch;
      c.concurrency = concurrency;
      c.timeout_seconds = 600;
      auto embedder = askio::model::MakeOpenAiEmbedder(c);
      const size_t before = fake.Count(askio::testing::FakeOpenAi::kEmbeddings);
      const askio::Stopwatch sw;
      auto r = embedder->Embed(texts);
      const double s = sw.Seconds();
      if (!r) {
        std::fprintf(stderr, "failed: %s\n", r.error().message().c_str());
        return 1;
      }
      std::printf(
          "{\"batch\": %zu, \"concurrency\": %zu, \"texts\": %zu, \"seconds\": %.3f, "
          "\"texts_per_s\": %.0f, \"requests\": %zu}\n",
          batch, concurrency, texts_n, s, texts_n / s,
          fake.Count(askio::testing::FakeOpenAi::kEmbeddings) - before);
      std::fflush(stdout);
    }
  }
  return 0;
}
