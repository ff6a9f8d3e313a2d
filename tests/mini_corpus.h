// The mini corpus in tests/data/mini_squad.json (60 Wikipedia passages from
// CMRC 2018 and DRCD, see tests/data/ATTRIBUTION.md), loaded the way
// `askio eval` loads it: one document per passage, source
// "mini_squad.json#<passage id>", title = the article title.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "askio/engine.h"
#include "test_util.h"

namespace askio::testing {

struct MiniQuestion {
  std::string question;
  std::string source;  // the passage it was written from
  std::vector<std::string> answers;
};

struct MiniCorpus {
  std::vector<DocumentInput> passages;
  std::vector<MiniQuestion> questions;
};

inline std::string MiniCorpusPath() { return TestDataPath("mini_squad.json"); }

inline MiniCorpus LoadMiniCorpus() {
  std::ifstream in(MiniCorpusPath());
  if (!in) throw std::runtime_error("cannot open " + MiniCorpusPath());
  const nlohmann::json root = nlohmann::json::parse(in);
  MiniCorpus c;
  for (const auto& article : root.at("data")) {
    for (const auto& para : article.at("paragraphs")) {
      const std::string source = "mini_squad.json#" + para.at("id").get<std::string>();
      c.passages.push_back({source, article.at("title").get<std::string>(), "text",
                            para.at("context").get<std::string>()});
      for (const auto& qa : para.at("qas")) {
        MiniQuestion q{qa.at("question").get<std::string>(), source, {}};
        for (const auto& a : qa.at("answers")) q.answers.push_back(a.at("text").get<std::string>());
        c.questions.push_back(std::move(q));
      }
    }
  }
  return c;
}

// A knowledge base holding the mini corpus, in its own temporary directory.
class MiniKnowledgeBase {
 public:
  MiniKnowledgeBase() : corpus_(LoadMiniCorpus()) {
    auto kb = KnowledgeBase::Open(dir_.path(), "mini", KnowledgeBase::OpenMode::kCreateIfMissing);
    if (!kb) throw std::runtime_error(kb.error().message());
    kb_ = std::move(*kb);
    auto report = kb_->IngestDocuments(corpus_.passages, IngestOptions{});
    if (!report) throw std::runtime_error(report.error().message());
    if (report->failed != 0 || report->added != static_cast<int64_t>(corpus_.passages.size()))
      throw std::runtime_error("mini corpus did not ingest cleanly");
  }
  KnowledgeBase& kb() { return *kb_; }
  const MiniCorpus& corpus() const { return corpus_; }

 private:
  TempDir dir_;
  MiniCorpus corpus_;
  std::unique_ptr<KnowledgeBase> kb_;
};

// A fixture whose tests share one MiniKnowledgeBase per suite (building it
// takes a moment; the tests only read it).
class MiniCorpusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { mini_ = std::make_unique<MiniKnowledgeBase>(); }
  static void TearDownTestSuite() { mini_.reset(); }
  static inline std::unique_ptr<MiniKnowledgeBase> mini_;
};

}  // namespace askio::testing
