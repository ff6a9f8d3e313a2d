// `askio eval` on the mini corpus: the protocol of ../shared/data/README.md.
#include "eval/eval.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "mini_corpus.h"

namespace askio::eval {
namespace {

using askio::testing::MiniCorpusPath;
using askio::testing::TempDir;
using askio::testing::WriteFile;

int64_t CountQuestionsWithAnswers(const std::string& path) {
  const nlohmann::json root = nlohmann::json::parse(askio::testing::ReadFile(path));
  int64_t n = 0;
  for (const auto& article : root["data"])
    for (const auto& para : article["paragraphs"])
      for (const auto& qa : para["qas"]) n += !qa["answers"].empty();
  return n;
}

// Points TMPDIR at a private folder while alive, so a test can see what a
// run leaves behind in the temporary directory.
class ScopedTmpdir {
 public:
  explicit ScopedTmpdir(const std::string& dir) {
    if (const char* old = getenv("TMPDIR")) saved_ = old;
    had_ = getenv("TMPDIR") != nullptr;
    setenv("TMPDIR", dir.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (had_) {
      setenv("TMPDIR", saved_.c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
  }

 private:
  std::string saved_;
  bool had_ = false;
};

TEST(Eval, MiniCorpusMeetsTheBar) {
  TempDir tmp;
  EvalResult r;
  {
    ScopedTmpdir scoped(tmp.path());
    EvalOptions o;
    o.corpus_files = {MiniCorpusPath()};
    size_t last_done = 0, last_total = 0;
    auto result = RunEval(o, [&](size_t done, size_t total) {
      EXPECT_GT(done, last_done);
      last_done = done;
      last_total = total;
    });
    ASSERT_TRUE(result) << result.error().message();
    r = *result;
    EXPECT_EQ(last_done, last_total);
    EXPECT_EQ(static_cast<int64_t>(last_total), r.questions);
  }
  EXPECT_EQ(r.questions, CountQuestionsWithAnswers(MiniCorpusPath()));
  EXPECT_EQ(r.questions, 210);
  EXPECT_EQ(r.passages, 60);
  EXPECT_GE(r.chunks, r.passages);
  EXPECT_GE(r.hit_at_1, 0.0);
  EXPECT_LE(r.hit_at_1, 1.0);
  EXPECT_GT(r.hit_at_1, 0.8);
  EXPECT_GE(r.hit_at_5, r.hit_at_1);
  EXPECT_LE(r.hit_at_5, 1.0);
  EXPECT_GE(r.mrr_at_10, r.hit_at_1);
  EXPECT_LE(r.mrr_at_10, 1.0);
  EXPECT_GE(r.em, 0.0);
  EXPECT_LE(r.em, 100.0);
  EXPECT_GE(r.f1, r.em);  // an exact match has F1 1
  EXPECT_LE(r.f1, 100.0);
  EXPECT_GT(r.f1, 0.0);
  EXPECT_GT(r.answered, 0.0);
  EXPECT_LE(r.answered, 1.0);
  EXPECT_GE(r.ingest_seconds, 0.0);
  EXPECT_LE(r.latency_ms_p50, r.latency_ms_p99);
  // The temporary knowledge base is gone.
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
}

TEST(Eval, IsDeterministic) {
  EvalOptions o;
  o.corpus_files = {MiniCorpusPath()};
  o.max_questions = 40;
  auto a = RunEval(o);
  auto b = RunEval(o);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->questions, 40);
  EXPECT_DOUBLE_EQ(a->hit_at_1, b->hit_at_1);
  EXPECT_DOUBLE_EQ(a->mrr_at_10, b->mrr_at_10);
  EXPECT_DOUBLE_EQ(a->em, b->em);
  EXPECT_DOUBLE_EQ(a->f1, b->f1);
}

TEST(Eval, QueryFilesAreSeparateFromTheCorpus) {
  TempDir dir;
  // Two questions about passages of the mini corpus, in a file of their own
  // whose passages are not part of the corpus. Hit@k needs the hit's source
  // to be the question's passage ("queries.json#..."), which is not in the
  // corpus: so these count as misses, whatever is retrieved.
  const std::string queries = dir / "queries.json";
  WriteFile(queries, R"({"data": [{"title": "q", "paragraphs": [{"id": "p1", "context": "x",
      "qas": [{"question": "山东女子学院图书馆藏书量是多少？", "answers": [{"text": "81.6万册"}]},
              {"question": "no answers here", "answers": []},
              {"question": "玩家用什么泡封敌人？", "answers": [{"text": "水枪"}]}]}]}]})");
  EvalOptions o;
  o.corpus_files = {MiniCorpusPath()};
  o.query_files = {queries};
  auto r = RunEval(o);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->questions, 2);  // the question without answers is skipped
  EXPECT_EQ(r->passages, 60);  // the query file adds no passages
  EXPECT_DOUBLE_EQ(r->hit_at_1, 0.0);
  EXPECT_GT(r->f1, 0.0);  // the answers still come from the corpus
}

TEST(Eval, OneAnswerableQuestionScoresPerfectRetrieval) {
  TempDir dir;
  const std::string file = dir / "one.json";
  WriteFile(file, R"({"data": [{"title": "手册", "paragraphs": [
      {"id": "a", "context": "报销需要发票和审批单。年假每年十天。",
       "qas": [{"question": "报销需要什么材料？", "answers": [{"text": "发票和审批单"}]}]},
      {"id": "b", "context": "食堂中午十二点开门。", "qas": []}]}]})");
  EvalOptions o;
  o.corpus_files = {file};
  auto r = RunEval(o);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->questions, 1);
  EXPECT_EQ(r->passages, 2);
  EXPECT_DOUBLE_EQ(r->hit_at_1, 1.0);
  EXPECT_DOUBLE_EQ(r->hit_at_5, 1.0);
  EXPECT_DOUBLE_EQ(r->mrr_at_10, 1.0);
  EXPECT_DOUBLE_EQ(r->answered, 1.0);
  EXPECT_GT(r->f1, 0.0);
}

TEST(Eval, BadInputsAreUserErrors) {
  TempDir dir;
  EvalOptions none;
  auto r = RunEval(none);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);

  EvalOptions missing;
  missing.corpus_files = {dir / "missing.json"};
  r = RunEval(missing);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kNotFound);

  WriteFile(dir / "broken.json", "{not json");
  EvalOptions broken;
  broken.corpus_files = {dir / "broken.json"};
  r = RunEval(broken);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);

  WriteFile(dir / "other.json", R"({"rows": []})");
  EvalOptions other;
  other.corpus_files = {dir / "other.json"};
  r = RunEval(other);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("SQuAD"), std::string::npos);

  EvalOptions bad_weighting;
  bad_weighting.corpus_files = {MiniCorpusPath()};
  bad_weighting.weighting = "tfidf";
  r = RunEval(bad_weighting);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace askio::eval
