#include "index/lexical_index.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "test_util.h"

namespace askio::index {
namespace {

using askio::testing::TempDir;

std::vector<int64_t> Ids(const std::vector<LexicalMatch>& matches) {
  std::vector<int64_t> out;
  for (const LexicalMatch& m : matches) out.push_back(m.chunk_id);
  return out;
}

Result<std::vector<LexicalMatch>> Query(const LexicalIndex& index, const std::string& q,
                                        size_t limit = 10) {
  return index.Search(text::Analyzer().QueryTerms(q), limit, Bm25Params{});
}

TEST(Bm25Params, ParseAndPrintRoundTrip) {
  auto p = Bm25Params::Parse("bm25 k1=0.9 b=0.4");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_DOUBLE_EQ(p->k1, 0.9);
  EXPECT_DOUBLE_EQ(p->b, 0.4);
  EXPECT_EQ(p->ToString(), "bm25 k1=0.9 b=0.4");
  auto again = Bm25Params::Parse(p->ToString());
  ASSERT_TRUE(again);
  EXPECT_DOUBLE_EQ(again->k1, 0.9);
  auto defaults = Bm25Params::Parse("bm25");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->ToString(), Bm25Params{}.ToString());
  EXPECT_EQ(Bm25Params{}.ToString(), "bm25 k1=1.2 b=0.75");
}

TEST(Bm25Params, BadSchemesAreRejected) {
  for (const char* bad : {"", "tfidf", "bm25 k1", "bm25 k1=abc", "bm25 b=1.5", "bm25 b=-0.1",
                          "bm25 k1=-1", "bm25 z=1"}) {
    auto p = Bm25Params::Parse(bad);
    EXPECT_FALSE(p) << bad;
    if (!p) {
      EXPECT_EQ(p.error().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(ChunkTerms, IncludeTitleAndHeadings) {
  const text::TermCounts terms = ChunkTerms("Travel Policy", {"报销", "Flights"}, "正文内容");
  EXPECT_EQ(terms.count(text::Analyzer::WordTerm("travel")), 1u);
  EXPECT_EQ(terms.count(text::Analyzer::WordTerm("flights")), 1u);
  EXPECT_EQ(terms.count("报销"), 1u);
  EXPECT_EQ(terms.count("正文"), 1u);
}

class LexicalIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto w = LexicalIndex::Open(dir_ / "lexical", LexicalIndex::Mode::kWritable);
    ASSERT_TRUE(w) << w.error().message();
    writer_ = std::move(*w);
  }
  void AddChunk(int64_t id, const std::string& text, const std::string& title = "") {
    ASSERT_TRUE(writer_->Add(id, ChunkTerms(title, {}, text)).ok());
  }

  TempDir dir_;
  std::unique_ptr<LexicalIndex> writer_;
};

TEST_F(LexicalIndexTest, FreshIndexIsEmptyAtPositionZero) {
  EXPECT_TRUE(writer_->writable());
  EXPECT_EQ(writer_->applied_seq(), 0);
  EXPECT_EQ(writer_->doc_count(), 0u);
  auto r = Query(*writer_, "anything");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST_F(LexicalIndexTest, RanksTheBestMatchFirst) {
  AddChunk(1, "北京是中国的首都，也是政治中心。");
  AddChunk(2, "上海是中国最大的城市，经济中心。");
  AddChunk(3, "The quick brown fox jumps over the lazy dog.");
  AddChunk(4, "Foxes are running in the forest; a fox runs fast.");
  ASSERT_TRUE(writer_->Commit(4).ok());
  EXPECT_EQ(writer_->applied_seq(), 4);
  EXPECT_EQ(writer_->doc_count(), 4u);

  auto r = Query(*writer_, "中国的首都是哪里？");
  ASSERT_TRUE(r);
  ASSERT_GE(r->size(), 2u);
  EXPECT_EQ((*r)[0].chunk_id, 1);
  EXPECT_GT((*r)[0].score, (*r)[1].score);

  r = Query(*writer_, "running foxes");
  ASSERT_TRUE(r);
  ASSERT_GE(r->size(), 1u);
  EXPECT_EQ((*r)[0].chunk_id, 4);

  r = Query(*writer_, "zebra");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());

  // The limit is honoured; scores come sorted.
  r = Query(*writer_, "中国 fox", 2);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 2u);
  EXPECT_GE((*r)[0].score, (*r)[1].score);
}

TEST_F(LexicalIndexTest, TitlesAreSearchable) {
  AddChunk(1, "正文没有关键词。", "年假制度");
  AddChunk(2, "另一段正文。", "差旅规定");
  ASSERT_TRUE(writer_->Commit(2).ok());
  auto r = Query(*writer_, "年假");
  ASSERT_TRUE(r);
  EXPECT_EQ(Ids(*r), (std::vector<int64_t>{1}));
}

TEST_F(LexicalIndexTest, RemoveIsIdempotentAndReplaceOverwrites) {
  AddChunk(1, "apples and pears");
  AddChunk(2, "bananas");
  ASSERT_TRUE(writer_->Commit(2).ok());
  ASSERT_TRUE(writer_->Remove(1).ok());
  ASSERT_TRUE(writer_->Remove(1).ok());    // a replayed delete
  ASSERT_TRUE(writer_->Remove(999).ok());  // never existed
  AddChunk(2, "cherries");                 // same id: replaces
  ASSERT_TRUE(writer_->Commit(5).ok());
  EXPECT_EQ(writer_->doc_count(), 1u);
  EXPECT_TRUE(Query(*writer_, "apples")->empty());
  EXPECT_TRUE(Query(*writer_, "bananas")->empty());
  EXPECT_EQ(Ids(*Query(*writer_, "cherries")), (std::vector<int64_t>{2}));
  EXPECT_EQ(writer_->term_freq(text::Analyzer::WordTerm("cherries")), 1u);
  EXPECT_EQ(writer_->term_freq(text::Analyzer::WordTerm("apples")), 0u);
}

TEST_F(LexicalIndexTest, ReadersSeeCommitsAfterReopen) {
  AddChunk(1, "first commit");
  ASSERT_TRUE(writer_->Commit(1).ok());
  auto reader = LexicalIndex::Open(dir_ / "lexical", LexicalIndex::Mode::kReadOnly);
  ASSERT_TRUE(reader) << reader.error().message();
  EXPECT_FALSE((*reader)->writable());
  EXPECT_EQ((*reader)->applied_seq(), 1);
  EXPECT_EQ((*reader)->doc_count(), 1u);
  EXPECT_EQ((*reader)->Add(5, {}).code(), StatusCode::kInternal);  // read-only
  AddChunk(2, "second commit");
  ASSERT_TRUE(writer_->Commit(2).ok());
  ASSERT_TRUE((*reader)->Reopen().ok());
  EXPECT_EQ((*reader)->applied_seq(), 2);
  EXPECT_EQ((*reader)->doc_count(), 2u);
  EXPECT_EQ(Ids(*Query(**reader, "second")), (std::vector<int64_t>{2}));
}

TEST_F(LexicalIndexTest, PositionOnlyAdvancesWithCommit) {
  AddChunk(1, "committed");
  ASSERT_TRUE(writer_->Commit(1).ok());
  AddChunk(2, "not committed");
  EXPECT_EQ(writer_->applied_seq(), 1);
  writer_.reset();
  // Whatever Xapian flushed on close, the recorded position is still that of
  // the last Commit, so the engine replays everything after it.
  auto reader = LexicalIndex::Open(dir_ / "lexical", LexicalIndex::Mode::kReadOnly);
  ASSERT_TRUE(reader);
  EXPECT_EQ((*reader)->applied_seq(), 1);
}

TEST_F(LexicalIndexTest, SecondWriterIsRefusedWhileTheFirstHoldsTheLock) {
  auto second = LexicalIndex::Open(dir_ / "lexical", LexicalIndex::Mode::kWritable);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), StatusCode::kIOError);
  EXPECT_NE(second.error().message().find("locked"), std::string::npos) << second.error().message();
  writer_.reset();
  EXPECT_TRUE(LexicalIndex::Open(dir_ / "lexical", LexicalIndex::Mode::kWritable));
}

TEST(LexicalIndexOpen, MissingIndexIsNotFoundWhenReadOnly) {
  TempDir dir;
  auto r = LexicalIndex::Open(dir / "nothing-here", LexicalIndex::Mode::kReadOnly);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kNotFound);
}

TEST_F(LexicalIndexTest, HugeTokensAreIndexable) {
  AddChunk(1, std::string(5000, 'a') + " " + std::string(300, 'z') + " 中文");
  ASSERT_TRUE(writer_->Commit(1).ok());
  EXPECT_EQ(Ids(*Query(*writer_, "中文")), (std::vector<int64_t>{1}));
}

TEST_F(LexicalIndexTest, EmptyQueryOrZeroLimitFindsNothing) {
  AddChunk(1, "something");
  ASSERT_TRUE(writer_->Commit(1).ok());
  EXPECT_TRUE(writer_->Search({}, 10, Bm25Params{})->empty());
  EXPECT_TRUE(Query(*writer_, "something", 0)->empty());
}

}  // namespace
}  // namespace askio::index

namespace askio::index {
namespace {

// Sharding must be invisible: the same chunks give the same ids and the same
// BM25 scores whatever the shard count, and the recorded position is the
// lowest any shard committed.
TEST(LexicalIndexShards, RankingAndIdsDoNotDependOnShardCount) {
  const std::vector<std::string> texts = {"报销需要提交发票原件和审批单。",
                                          "出差期间的住宿费用按标准报销。",
                                          "Expense claims need the original receipt.",
                                          "年假申请需要提前两周提交。",
                                          "The travel policy covers flights and hotels.",
                                          "发票丢失时需要写情况说明。",
                                          "审批单由部门经理签字。",
                                          "Hotels above the limit are not reimbursed."};
  std::vector<std::vector<LexicalMatch>> results;
  for (int shards : {1, 3}) {
    TempDir dir;
    auto w = LexicalIndex::Open(dir / "lexical", LexicalIndex::Mode::kWritable, shards);
    ASSERT_TRUE(w) << w.error().message();
    ASSERT_EQ((*w)->shard_count(), shards);
    std::vector<text::TermCounts> terms;
    for (const std::string& t : texts) terms.push_back(ChunkTerms("", {}, t));
    std::vector<std::pair<int64_t, const text::TermCounts*>> batch;
    for (size_t i = 0; i < terms.size(); ++i)
      batch.emplace_back(static_cast<int64_t>(i) + 1, &terms[i]);
    ASSERT_TRUE((*w)->AddBatch(batch).ok());
    ASSERT_TRUE((*w)->Remove(2).ok());
    ASSERT_TRUE((*w)->Commit(17).ok());
    EXPECT_EQ((*w)->doc_count(), texts.size() - 1);
    w->reset();

    auto r = LexicalIndex::Open(dir / "lexical", LexicalIndex::Mode::kReadOnly);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ((*r)->shard_count(), shards) << "the shard count is read from disk";
    EXPECT_EQ((*r)->applied_seq(), 17);
    auto m =
        (*r)->Search(text::Analyzer().QueryTerms("报销 发票 receipt hotels"), 10, Bm25Params{});
    ASSERT_TRUE(m) << m.error().message();
    results.push_back(*m);
  }
  ASSERT_EQ(results[0].size(), results[1].size());
  ASSERT_FALSE(results[0].empty());
  for (size_t i = 0; i < results[0].size(); ++i) {
    EXPECT_EQ(results[0][i].chunk_id, results[1][i].chunk_id) << "rank " << i;
    EXPECT_NEAR(results[0][i].score, results[1][i].score, 1e-9) << "rank " << i;
    EXPECT_NE(results[0][i].chunk_id, 2) << "a removed chunk is never returned";
  }
}

TEST(LexicalIndexShards, UnknownLayoutIsCorruption) {
  TempDir dir;
  std::filesystem::create_directories(dir / "lexical");
  askio::testing::WriteFile(dir / "lexical/stray-file", "not an index");
  auto w = LexicalIndex::Open(dir / "lexical", LexicalIndex::Mode::kWritable);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace askio::index

namespace askio::index {
namespace {

TEST(LexicalIndexFeedback, ExpansionFindsDocumentsThatShareTheTopHitsVocabulary) {
  TempDir dir;
  auto w = LexicalIndex::Open(dir / "lexical", LexicalIndex::Mode::kWritable, 2);
  ASSERT_TRUE(w) << w.error().message();
  const std::vector<std::string> texts = {"报销需要发票和审批单", "发票审批单财务部签收",
                                          "年假提前两周申请", "食堂中午十二点开饭"};
  for (size_t i = 0; i < texts.size(); ++i)
    ASSERT_TRUE((*w)->Add(static_cast<int64_t>(i) + 1, ChunkTerms("", {}, texts[i])).ok());
  ASSERT_TRUE((*w)->Commit(1).ok());
  const auto terms = text::Analyzer().QueryTerms("报销");
  auto plain = (*w)->Search(terms, 10, Bm25Params{});
  ASSERT_TRUE(plain);
  EXPECT_EQ(Ids(*plain), std::vector<int64_t>{1});
  auto expanded = (*w)->Search(terms, 10, Bm25Params{}, Feedback{1, 10, 0.3});
  ASSERT_TRUE(expanded);
  ASSERT_GE(expanded->size(), 2u);
  EXPECT_EQ((*expanded)[0].chunk_id, 1) << "the original match stays first";
  EXPECT_EQ((*expanded)[1].chunk_id, 2) << "found through 发票/审批单 from the top hit";
  for (const LexicalMatch& m : *expanded) EXPECT_NE(m.chunk_id, 4);
}

}  // namespace
}  // namespace askio::index
