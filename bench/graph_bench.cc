// Knowledge-graph extraction throughput (model-free) and yield, on chunks
// made the engine's way (LayOut + ChunkDocument, 600/100): the passages of
// SQuAD-style JSON files (/work/shared/data) and, optionally, English text
// files under a directory (e.g. Python's .rst.txt doc sources).
//
//   askio_bench_graph [--text-dir DIR] [--max-files N] [--merges N] [FILE.json...]
//
// Prints JSON lines: per corpus, chunks/s of ExtractModelFree on one thread,
// entities/mentions/relations per 1,000 chunks, and chunks/s of extraction
// plus GraphStore::UpdateChunk into a fresh SQLite file (one transaction).
// --merges N prints N merges the store made (alias rows), for hand checking
// (docs/graph-merge-sample.md). For the SQuAD corpus it also times
// GraphStore::EntitiesInText on the files' questions (the per-query cost of
// the graph retrieval stage).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/hash.h"
#include "graph/extract.h"
#include "graph/graph_store.h"
#include "graph/lexicon.h"
#include "ingest/chunker.h"
#include "ingest/document.h"
#include "store/sqlite.h"

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void AddDocument(const std::string& title, const std::vector<std::string>& paragraphs,
                 std::vector<std::string>& chunks) {
  askio::ingest::ParsedDocument doc;
  doc.title = title;
  doc.type = "text";
  for (const auto& p : paragraphs) {
    if (p.empty()) continue;
    askio::ingest::Block b;
    b.text = p;
    doc.blocks.push_back(std::move(b));
  }
  const auto laid = askio::ingest::LayOut(doc);
  for (const auto& c : askio::ingest::ChunkDocument(laid, askio::ChunkOptions{}))
    chunks.push_back(laid.text.substr(c.byte_begin, c.byte_end - c.byte_begin));
}

// FNV-1a, to compare the store's contents and answers across builds.
constexpr uint64_t kFnvOffset = 1469598103934665603ull;
uint64_t Mix(uint64_t h, std::string_view s) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

struct Corpus {
  std::string name;
  std::vector<std::string> chunks;
  std::vector<std::string> questions;
};

void Measure(const Corpus& corpus, size_t merges) {
  using askio::graph::ExtractModelFree;
  const auto& chunks = corpus.chunks;
  if (chunks.empty()) return;
  size_t bytes = 0;
  for (const auto& c : chunks) bytes += c.size();
  // Warm-up (loads the lexicon and the script table).
  (void)ExtractModelFree(chunks[0]);
  size_t entities = 0, mentions = 0, relations = 0, cooccur = 0, attributes = 0;
  askio::Stopwatch sw;
  for (const auto& c : chunks) {
    const auto x = ExtractModelFree(c);
    for (const auto& e : x.entities) entities += e.type != askio::graph::EntityType::kConcept;
    mentions += x.mentions.size();
    for (const auto& r : x.relations)
      (r.kind == askio::graph::Relation::Kind::kStated ? relations : cooccur) += 1;
    attributes += x.attributes.size();
  }
  const double extract_s = sw.Seconds();

  // With the store.
  const std::string path =
      (std::filesystem::temp_directory_path() / ("askio-graph-bench-" + corpus.name + ".db"))
          .string();
  std::filesystem::remove(path);
  auto db = askio::store::Connection::Open(path);
  if (!db) {
    std::fprintf(stderr, "%s\n", db.error().ToString().c_str());
    return;
  }
  (void)db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  auto graph = askio::graph::GraphStore::Open(*db);
  if (!graph) {
    std::fprintf(stderr, "%s\n", graph.error().ToString().c_str());
    return;
  }
  askio::Stopwatch sw2;
  (void)db->Exec("BEGIN");
  double update_s = 0;  // in UpdateChunk alone
  for (size_t i = 0; i < chunks.size(); ++i) {
    const auto x = ExtractModelFree(chunks[i]);
    askio::Stopwatch one;
    const auto st = graph->UpdateChunk(static_cast<int64_t>(i + 1), static_cast<int64_t>(i / 4),
                                       askio::ContentHash(chunks[i]), chunks[i], x);
    update_s += one.Seconds();
    if (!st.ok()) {
      std::fprintf(stderr, "update: %s\n", st.ToString().c_str());
      return;
    }
  }
  (void)db->Exec("COMMIT");
  const double store_s = sw2.Seconds();
  // Re-ingest unchanged: HasChunk short-circuits.
  askio::Stopwatch sw3;
  size_t skipped = 0;
  for (size_t i = 0; i < chunks.size(); ++i)
    skipped += *graph->HasChunk(static_cast<int64_t>(i + 1), askio::ContentHash(chunks[i]));
  const double reingest_s = sw3.Seconds();
  // Entity recognition in questions, on the stored graph.
  size_t questions = 0, question_bytes = 0, hits = 0;
  double question_s = 0, worst_s = 0;
  uint64_t hits_digest = kFnvOffset;
  for (const auto& q : corpus.questions) {
    askio::Stopwatch one;
    const auto found = graph->EntitiesInText(q);
    const double s = one.Seconds();
    if (!found) {
      std::fprintf(stderr, "entities in text: %s\n", found.error().ToString().c_str());
      return;
    }
    question_s += s;
    worst_s = std::max(worst_s, s);
    hits += found->size();
    for (const auto& h : *found)
      hits_digest = Mix(hits_digest, std::to_string(h.entity_id) + ":" + std::to_string(h.begin) +
                                         ":" + std::to_string(h.end) + ":" + h.name);
    question_bytes += q.size();
    ++questions;
  }
  const auto stats = *graph->Stats();
  const auto exported = graph->Export(askio::graph::ExportFormat::kJson);
  const uint64_t export_digest = exported ? Mix(kFnvOffset, *exported) : 0;
  const double k = 1000.0 / static_cast<double>(chunks.size());
  std::printf(
      "{\"corpus\": \"%s\", \"chunks\": %zu, \"mb\": %.2f, \"lexicon\": %s,"
      " \"extract_chunks_per_s\": %.0f, \"extract_mb_per_s\": %.2f,"
      " \"per_1000_chunks\": {\"entities\": %.0f, \"mentions\": %.0f, \"relations\": %.0f,"
      " \"cooccurrences\": %.0f, \"attributes\": %.0f},"
      " \"extract_and_store_chunks_per_s\": %.0f, \"store_chunks_per_s\": %.0f, "
      "\"unchanged_check_chunks_per_s\": %.0f,"
      " \"skipped\": %zu, \"store\": {\"entities\": %lld, \"aliases\": %lld, \"mentions\": %lld,"
      " \"relations\": %lld, \"cooccurrences\": %lld, \"edges\": %lld}}\n",
      corpus.name.c_str(), chunks.size(), bytes / 1e6,
      askio::graph::LexiconAvailable() ? "true" : "false", chunks.size() / extract_s,
      bytes / 1e6 / extract_s, entities * k, mentions * k, relations * k, cooccur * k,
      attributes * k, chunks.size() / store_s, chunks.size() / update_s, chunks.size() / reingest_s,
      skipped, static_cast<long long>(stats.entities), static_cast<long long>(stats.aliases),
      static_cast<long long>(stats.mentions), static_cast<long long>(stats.relations),
      static_cast<long long>(stats.cooccurrences), static_cast<long long>(stats.edges));
  if (questions > 0)
    std::printf(
        "{\"corpus\": \"%s\", \"questions\": %zu, \"mean_question_bytes\": %.1f,"
        " \"entities_in_text_mean_us\": %.1f, \"entities_in_text_max_us\": %.1f,"
        " \"hits_per_question\": %.2f, \"hits_digest\": \"%016llx\","
        " \"export_digest\": \"%016llx\"}\n",
        corpus.name.c_str(), questions, static_cast<double>(question_bytes) / questions,
        question_s / questions * 1e6, worst_s * 1e6, static_cast<double>(hits) / questions,
        static_cast<unsigned long long>(hits_digest),
        static_cast<unsigned long long>(export_digest));
  std::fflush(stdout);
  if (merges > 0) {
    // Alias rows (stated aliases and cross-chunk merges), and mention
    // surfaces that differ from the entity's name (key-rule merges), sampled
    // with a fixed seed.
    auto st = db->Prepare(
        "SELECT e.name, e.type, a.alias, a.reason, a.chunk_id FROM graph_aliases a JOIN "
        "graph_entities e ON e.id = a.entity_id "
        "UNION ALL SELECT e.name, e.type, m.surface, 'rule 1/2: same key ' || m.key, "
        "MIN(m.chunk_id) FROM graph_mentions m JOIN graph_entities e ON e.id = m.entity_id "
        "WHERE m.surface != e.name AND m.key = e.key GROUP BY e.id, m.surface");
    std::vector<std::string> rows;
    while (st && *st->Step()) {
      char line[2048];
      const std::string chunk = chunks[static_cast<size_t>(st->Int(4) - 1)];
      std::snprintf(line, sizeof line, "%s\t%s\t%s\t%s\tchunk %lld", st->Text(0).c_str(),
                    st->Text(1).c_str(), st->Text(2).c_str(), st->Text(3).c_str(),
                    static_cast<long long>(st->Int(4)));
      rows.push_back(line);
    }
    std::mt19937 rng(7);
    std::shuffle(rows.begin(), rows.end(), rng);
    std::fprintf(stderr, "merges available: %zu\n", rows.size());
    for (size_t i = 0; i < rows.size() && i < merges; ++i)
      std::fprintf(stderr, "%zu\t%s\n", i + 1, rows[i].c_str());
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  std::string text_dir;
  size_t max_files = 2000, merges = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--text-dir" && i + 1 < argc)
      text_dir = argv[++i];
    else if (a == "--max-files" && i + 1 < argc)
      max_files = std::strtoul(argv[++i], nullptr, 10);
    else if (a == "--merges" && i + 1 < argc)
      merges = std::strtoul(argv[++i], nullptr, 10);
    else
      files.push_back(a);
  }
  if (files.empty() && text_dir.empty())
    files = {"/work/shared/data/cmrc2018_trial.json", "/work/shared/data/DRCD_dev.json"};
  if (!files.empty()) {
    Corpus zh{"squad-zh", {}};
    for (const auto& f : files) {
      const auto j = nlohmann::json::parse(Slurp(f), nullptr, false);
      if (j.is_discarded()) {
        std::fprintf(stderr, "cannot read %s\n", f.c_str());
        return 1;
      }
      for (const auto& article : j["data"]) {
        std::vector<std::string> paragraphs;
        for (const auto& p : article["paragraphs"]) {
          paragraphs.push_back(p["context"].get<std::string>());
          if (p.contains("qas"))
            for (const auto& qa : p["qas"])
              if (qa.contains("question") && qa["question"].is_string())
                zh.questions.push_back(qa["question"].get<std::string>());
        }
        AddDocument(article.value("title", ""), paragraphs, zh.chunks);
      }
    }
    Measure(zh, merges);
  }
  if (!text_dir.empty()) {
    Corpus en{"text-dir", {}};
    size_t n = 0;
    std::vector<std::filesystem::path> paths;
    for (const auto& e : std::filesystem::recursive_directory_iterator(text_dir))
      if (e.is_regular_file() && (e.path().extension() == ".txt" || e.path().extension() == ".md"))
        paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) {
      if (n++ >= max_files) break;
      std::vector<std::string> paragraphs;
      std::istringstream in(Slurp(p.string()));
      std::string line, para;
      while (std::getline(in, line)) {
        if (line.empty()) {
          paragraphs.push_back(para);
          para.clear();
        } else {
          para += (para.empty() ? "" : " ") + line;
        }
      }
      paragraphs.push_back(para);
      AddDocument(p.filename().string(), paragraphs, en.chunks);
    }
    Measure(en, merges);
  }
  return 0;
}
