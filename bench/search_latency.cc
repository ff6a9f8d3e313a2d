// Search latency over an existing knowledge base, with SQLite FTS5 (BM25
// over the same chunks) measured in the same run as the peer.
//
// usage: askio_bench_search DATA_DIR KB [QUERIES] [REPEATS]
//   Queries: the last heading of 300 chunks picked with a fixed seed (real
//   section titles, e.g. "Memory management"), unless a file with one query
//   per line is given. Each query runs REPEATS times (default 5); the first
//   pass warms caches and is not counted.
// Prints one JSON object.
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "askio/engine.h"

namespace {

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

template <typename F>
double TimeMs(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// FTS5 query syntax treats punctuation specially: quote each word.
std::string Fts5Query(const std::string& q) {
  std::string out, word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!out.empty()) out += " OR ";
    out += "\"" + word + "\"";
    word.clear();
  };
  for (char c : q) {
    if (c == ' ' || c == '"' || c == '\t') {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DATA_DIR KB [QUERIES] [REPEATS]\n", argv[0]);
    return 1;
  }
  const std::string data_dir = argv[1], kb_name = argv[2];
  const int repeats = argc > 4 ? std::atoi(argv[4]) : 5;
  auto kb =
      askio::KnowledgeBase::Open(data_dir, kb_name, askio::KnowledgeBase::OpenMode::kMustExist);
  if (!kb) {
    std::fprintf(stderr, "%s\n", kb.error().ToString().c_str());
    return 2;
  }
  const std::string catalog = (*kb)->path() + "/catalog.sqlite";

  std::vector<std::string> queries;
  if (argc > 3 && std::string(argv[3]) != "-") {
    std::ifstream in(argv[3]);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) queries.push_back(line);
  } else {
    // Three consecutive words (or eight CJK characters) from 300 chunks
    // picked with a fixed seed: queries that have answers, of the length
    // people type.
    sqlite3* db = nullptr;
    sqlite3_open_v2(catalog.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT text FROM chunks WHERE id = ?", -1, &st, nullptr);
    sqlite3_stmt* max = nullptr;
    sqlite3_prepare_v2(db, "SELECT MAX(id) FROM chunks", -1, &max, nullptr);
    sqlite3_step(max);
    const int64_t max_id = sqlite3_column_int64(max, 0);
    sqlite3_finalize(max);
    std::mt19937_64 rng(42);
    for (int attempts = 0; queries.size() < 300 && attempts < 10000 && max_id > 0; ++attempts) {
      sqlite3_bind_int64(st, 1, static_cast<int64_t>(rng() % static_cast<uint64_t>(max_id)) + 1);
      if (sqlite3_step(st) == SQLITE_ROW) {
        std::vector<std::string> words;
        std::string word;
        for (const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, 0)); *p; ++p) {
          const unsigned char c = static_cast<unsigned char>(*p);
          if (std::isalnum(c) || c >= 0x80) {
            word += *p;
          } else if (!word.empty()) {
            words.push_back(word);
            word.clear();
          }
        }
        if (!word.empty()) words.push_back(word);
        if (words.size() >= 8) {
          const size_t at = rng() % (words.size() - 3);
          std::string q;
          for (size_t k = at; k < at + 3; ++k) {
            // Long runs without spaces are CJK text: keep eight characters.
            std::string w = words[k];
            size_t cps = 0, cut = 0;
            while (cut < w.size() && cps < 8) {
              ++cut;
              while (cut < w.size() && (static_cast<unsigned char>(w[cut]) & 0xC0) == 0x80) ++cut;
              ++cps;
            }
            w.resize(cut);
            q += (q.empty() ? "" : " ") + w;
          }
          queries.push_back(q);
        }
      }
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
  }

  // askio: the full search path (analysis, BM25, catalogue lookup, snippets).
  askio::SearchOptions so;
  so.limit = 10;
  std::vector<double> askio_ms;
  size_t askio_hits = 0;
  for (int r = 0; r < repeats + 1; ++r) {
    for (const std::string& q : queries) {
      size_t n = 0;
      const double ms = TimeMs([&] {
        auto hits = (*kb)->Search(q, so);
        n = hits ? hits->size() : 0;
      });
      if (r > 0) askio_ms.push_back(ms);
      if (r == 1) askio_hits += n;
    }
  }

  // The same queries restricted to every tenth document (a SearchFilter by
  // document ids, resolved in the catalogue and applied inside BM25).
  askio::SearchOptions filtered = so;
  if (auto docs = (*kb)->ListDocuments(); docs) {
    for (size_t i = 0; i < docs->size(); i += 10)
      filtered.filter.document_ids.push_back((*docs)[i].id);
  }
  std::vector<double> filtered_ms;
  size_t filtered_hits = 0;
  for (int r = 0; r < repeats + 1; ++r) {
    for (const std::string& q : queries) {
      size_t n = 0;
      const double ms = TimeMs([&] {
        auto hits = (*kb)->Search(q, filtered);
        n = hits ? hits->size() : 0;
      });
      if (r > 0) filtered_ms.push_back(ms);
      if (r == 1) filtered_hits += n;
    }
  }

  // Peer: SQLite FTS5 (unicode61 tokenizer, porter stemming) over the same
  // chunk texts, top 10 by bm25(), fetching the text like askio does.
  sqlite3* fts = nullptr;
  sqlite3_open(":memory:", &fts);
  double fts_build_ms = TimeMs([&] {
    sqlite3_exec(fts, ("ATTACH '" + catalog + "' AS kb").c_str(), nullptr, nullptr, nullptr);
    sqlite3_exec(fts, "CREATE VIRTUAL TABLE f USING fts5(text, tokenize='porter unicode61')",
                 nullptr, nullptr, nullptr);
    sqlite3_exec(fts, "INSERT INTO f(rowid, text) SELECT id, text FROM kb.chunks", nullptr, nullptr,
                 nullptr);
  });
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(fts, "SELECT rowid, text FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT 10", -1,
                     &q, nullptr);
  std::vector<double> fts_ms;
  size_t fts_hits = 0;
  for (int r = 0; r < repeats + 1; ++r) {
    for (const std::string& text : queries) {
      const std::string fq = Fts5Query(text);
      size_t n = 0;
      const double ms = TimeMs([&] {
        sqlite3_bind_text(q, 1, fq.c_str(), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(q) == SQLITE_ROW) ++n;
        sqlite3_reset(q);
      });
      if (r > 0) fts_ms.push_back(ms);
      if (r == 1) fts_hits += n;
    }
  }
  sqlite3_finalize(q);
  sqlite3_close(fts);

  auto stats = (*kb)->Stats();
  std::printf(
      "{\"chunks\": %lld, \"queries\": %zu, \"repeats\": %d, "
      "\"askio_p50_ms\": %.3f, \"askio_p99_ms\": %.3f, \"askio_mean_hits\": %.2f, "
      "\"filtered_documents\": %zu, \"filtered_p50_ms\": %.3f, \"filtered_p99_ms\": %.3f, "
      "\"filtered_mean_hits\": %.2f, "
      "\"fts5_p50_ms\": %.3f, \"fts5_p99_ms\": %.3f, \"fts5_mean_hits\": %.2f, "
      "\"fts5_build_seconds\": %.2f}\n",
      stats ? static_cast<long long>(stats->chunks) : -1LL, queries.size(), repeats,
      Percentile(askio_ms, 0.5), Percentile(askio_ms, 0.99),
      static_cast<double>(askio_hits) / static_cast<double>(std::max<size_t>(queries.size(), 1)),
      filtered.filter.document_ids.size(), Percentile(filtered_ms, 0.5),
      Percentile(filtered_ms, 0.99),
      static_cast<double>(filtered_hits) / static_cast<double>(std::max<size_t>(queries.size(), 1)),
      Percentile(fts_ms, 0.5), Percentile(fts_ms, 0.99),
      static_cast<double>(fts_hits) / static_cast<double>(std::max<size_t>(queries.size(), 1)),
      fts_build_ms / 1000);
  return 0;
}
