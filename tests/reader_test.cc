// The extractive reader: answers with citations that point back into the
// documents, and an explicit "not found" when the evidence is weak.
#include "model/extractive_reader.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mini_corpus.h"

namespace askio {
namespace {

using askio::testing::MiniKnowledgeBase;
using askio::testing::SliceCodePoints;

class Reader : public askio::testing::MiniCorpusTest {};

struct AnswerCase {
  const char* question;
  const char* source;  // passage that holds the answer
  const char* title;
  const char* gold;  // must appear in the first citation's quote
};

TEST_F(Reader, AnswersCiteTheRightPassageAndSliceBackToTheDocument) {
  const AnswerCase cases[] = {
      {"陸特和漢斯雷頓開創了哪一地區對梵語的學術研究？", "mini_squad.json#1147-5", "梵文", "歐洲"},
      {"山东女子学院图书馆藏书量是多少？", "mini_squad.json#TRIAL_589", "山东女子学院", "81.6万册"},
      {"下薩克森邦最高的山位在哪一山脈內？", "mini_squad.json#1174-1", "下萨克森州", "哈爾茨山脈"},
      {"玩家用什么泡封敌人？", "mini_squad.json#TRIAL_800", "泡泡战士", "水枪"},
  };
  const AskOptions options;
  for (const AnswerCase& c : cases) {
    SCOPED_TRACE(c.question);
    std::vector<SearchHit> retrieved;
    auto answer = mini_->kb().Ask(c.question, options, &retrieved);
    ASSERT_TRUE(answer) << answer.error().message();
    ASSERT_TRUE(answer->found) << answer->reason;
    EXPECT_TRUE(answer->reason.empty());
    EXPECT_GE(answer->confidence, options.min_confidence);
    EXPECT_LE(answer->confidence, 1.0);
    ASSERT_FALSE(answer->citations.empty());
    EXPECT_LE(answer->citations.size(), options.max_citations);
    EXPECT_NE(answer->text.find("[1]"), std::string::npos) << answer->text;
    EXPECT_FALSE(retrieved.empty());

    const Citation& first = answer->citations[0];
    EXPECT_EQ(first.document_source, c.source);
    EXPECT_EQ(first.document_title, c.title);
    EXPECT_NE(first.quote.find(c.gold), std::string::npos) << first.quote;

    for (size_t i = 0; i < answer->citations.size(); ++i) {
      const Citation& cite = answer->citations[i];
      SCOPED_TRACE("citation " + std::to_string(i + 1));
      EXPECT_EQ(cite.number, static_cast<int>(i + 1));
      // The quote is a substring of the chunk it cites ...
      const SearchHit* hit = nullptr;
      for (const SearchHit& h : retrieved)
        if (h.chunk.id == cite.chunk_id) hit = &h;
      ASSERT_NE(hit, nullptr) << "cited chunk was not among the retrieved ones";
      EXPECT_NE(hit->chunk.text.find(cite.quote), std::string::npos);
      EXPECT_EQ(hit->document_source, cite.document_source);
      EXPECT_GE(cite.char_start, hit->chunk.char_start);
      EXPECT_LE(cite.char_end, hit->chunk.char_end);
      // ... and its offsets slice the stored document text to the quote.
      auto text = mini_->kb().DocumentText(hit->chunk.document_id);
      ASSERT_TRUE(text);
      EXPECT_EQ(SliceCodePoints(*text, cite.char_start, cite.char_end), cite.quote);
      // Each cited chunk appears once.
      for (size_t j = 0; j < i; ++j) EXPECT_NE(answer->citations[j].chunk_id, cite.chunk_id);
    }
  }
}

TEST_F(Reader, AbsentAnswersAreNotFoundWithAReason) {
  for (const char* question : {"火星探测器的燃料是什么？", "企鹅的平均寿命是多少年？",
                               "What is the boiling point of liquid nitrogen?",
                               "How do I configure a Kubernetes ingress controller?", "什么？"}) {
    SCOPED_TRACE(question);
    auto answer = mini_->kb().Ask(question, AskOptions{});
    ASSERT_TRUE(answer) << answer.error().message();
    EXPECT_FALSE(answer->found) << answer->text;
    EXPECT_FALSE(answer->reason.empty());
    EXPECT_TRUE(answer->citations.empty());
    EXPECT_LT(answer->confidence, AskOptions{}.min_confidence);
  }
}

TEST_F(Reader, ThresholdControlsAbstention) {
  const char* question = "火星探测器的燃料是什么？";  // weak, partial evidence only
  AskOptions lenient;
  lenient.min_confidence = 0.0;
  auto answer = mini_->kb().Ask(question, lenient);
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->found);
  AskOptions strict;
  strict.min_confidence = 1.01;  // nothing can cover more than all of the question
  answer = mini_->kb().Ask("陸特和漢斯雷頓開創了哪一地區對梵語的學術研究？", strict);
  ASSERT_TRUE(answer);
  EXPECT_FALSE(answer->found);
  EXPECT_FALSE(answer->reason.empty());
}

TEST_F(Reader, EmptyQuestionIsAnError) {
  auto answer = mini_->kb().Ask("  ", AskOptions{});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code(), StatusCode::kInvalidArgument);
}

// ReadAnswer on hand-made hits, independent of ranking.
SearchHit MakeHit(int64_t id, const std::string& text, int64_t char_start) {
  SearchHit h;
  h.chunk.id = id;
  h.chunk.document_id = 1;
  h.chunk.text = text;
  h.chunk.char_start = char_start;
  h.chunk.char_end = char_start + static_cast<int64_t>(utf8::CodePointCount(text));
  h.chunk.heading_path = {"第一章"};
  h.document_title = "Doc " + std::to_string(id);
  h.document_source = "src" + std::to_string(id);
  return h;
}

std::vector<model::WeightedTerm> Terms(std::initializer_list<const char*> terms) {
  std::vector<model::WeightedTerm> out;
  for (const char* t : terms) out.push_back({t, false, 1.0});
  return out;
}

TEST(ReadAnswer, PicksTheSentenceCoveringTheQuestionAndComputesOffsets) {
  // Question terms are index terms (here CJK bigrams), weighted equally.
  const auto question = Terms({"报销", "发票", "审批"});
  const std::vector<SearchHit> hits = {
      MakeHit(7, "公司概况。报销需要发票和审批单。其他事项。", 100)};
  const auto answer = model::ReadAnswer(question, hits, model::ReaderOptions{});
  ASSERT_TRUE(answer.found) << answer.reason;
  EXPECT_DOUBLE_EQ(answer.confidence, 1.0);
  ASSERT_EQ(answer.citations.size(), 1u);
  const Citation& c = answer.citations[0];
  EXPECT_EQ(c.quote, "报销需要发票和审批单。");
  EXPECT_EQ(c.number, 1);
  EXPECT_EQ(c.chunk_id, 7);
  EXPECT_EQ(c.document_title, "Doc 7");
  EXPECT_EQ(c.heading_path, (std::vector<std::string>{"第一章"}));
  EXPECT_EQ(c.char_start, 105);  // "公司概况。" is 5 code points
  EXPECT_EQ(c.char_end, 116);
  EXPECT_NE(answer.text.find("[1]"), std::string::npos) << answer.text;
}

TEST(ReadAnswer, AbstainsBelowTheCoverageThreshold) {
  // One of four equally weighted terms: coverage 0.25 < 0.4.
  const auto question = Terms({"报销", "火星", "燃料", "探测"});
  const auto answer =
      model::ReadAnswer(question, {MakeHit(1, "报销需要发票。", 0)}, model::ReaderOptions{});
  EXPECT_FALSE(answer.found);
  EXPECT_DOUBLE_EQ(answer.confidence, 0.25);
  EXPECT_TRUE(answer.citations.empty());
  EXPECT_FALSE(answer.reason.empty());
}

TEST(ReadAnswer, NoHitsOrNoTermsMeansNotFound) {
  auto none = model::ReadAnswer(Terms({"x"}), {}, model::ReaderOptions{});
  EXPECT_FALSE(none.found);
  EXPECT_FALSE(none.reason.empty());
  auto no_terms = model::ReadAnswer({}, {MakeHit(1, "text.", 0)}, model::ReaderOptions{});
  EXPECT_FALSE(no_terms.found);
  EXPECT_FALSE(no_terms.reason.empty());
}

TEST(ReadAnswer, CitesSeveralChunksUpToTheLimit) {
  const auto question = Terms({"报销", "发票"});
  const std::vector<SearchHit> hits = {
      MakeHit(1, "报销需要发票。", 0), MakeHit(2, "无关内容。报销凭发票办理。", 50),
      MakeHit(3, "发票与报销规定。", 90), MakeHit(4, "完全无关的句子。", 120)};
  model::ReaderOptions o;
  o.max_citations = 2;
  auto answer = model::ReadAnswer(question, hits, o);
  ASSERT_TRUE(answer.found);
  ASSERT_EQ(answer.citations.size(), 2u);
  EXPECT_EQ(answer.citations[0].chunk_id, 1);
  EXPECT_EQ(answer.citations[1].number, 2);
  EXPECT_NE(answer.citations[1].chunk_id, 1);
  for (const Citation& c : answer.citations) EXPECT_NE(c.chunk_id, 4);
  o.max_citations = 5;
  answer = model::ReadAnswer(question, hits, o);
  EXPECT_EQ(answer.citations.size(), 3u);  // chunk 4 covers nothing
}

TEST(ReadAnswer, OnlyTheFirstCandidateChunksAreRead) {
  const auto question = Terms({"报销", "发票"});
  const std::vector<SearchHit> hits = {MakeHit(1, "无关。", 0), MakeHit(2, "报销需要发票。", 10)};
  model::ReaderOptions o;
  o.candidate_chunks = 1;
  EXPECT_FALSE(model::ReadAnswer(question, hits, o).found);
  o.candidate_chunks = 2;
  EXPECT_TRUE(model::ReadAnswer(question, hits, o).found);
}

TEST(ReadAnswer, CoverageIsTheShareOfTermWeightPresent) {
  std::vector<model::WeightedTerm> q = {{"报销", true, 3.0}, {"发票", true, 1.0}};
  EXPECT_DOUBLE_EQ(retrieve::Coverage(q, "报销流程"), 0.75);
  EXPECT_DOUBLE_EQ(retrieve::Coverage(q, "发票"), 0.25);
  EXPECT_DOUBLE_EQ(retrieve::Coverage(q, "报销发票"), 1.0);
  EXPECT_DOUBLE_EQ(retrieve::Coverage(q, "无关"), 0.0);
  EXPECT_DOUBLE_EQ(retrieve::Coverage({}, "anything"), 0.0);
}

// Abstention through the engine on a small KB of unrelated encyclopaedia
// passages: an answer it holds comes with its span and evidence; one it does
// not hold is withheld with a reason and a confidence under the threshold.
class ReaderAbstention : public ::testing::Test {
 protected:
  void SetUp() override {
    auto kb = KnowledgeBase::Open(dir_.path(), "wiki", KnowledgeBase::OpenMode::kCreateIfMissing);
    ASSERT_TRUE(kb) << kb.error().message();
    kb_ = std::move(*kb);
    const std::vector<DocumentInput> docs = {
        {"wiki/gangdise.txt", "岡底斯山脈", "text",
         "岡底斯山脈位於中國西藏自治區西南部，為東西走向，西起喀喇崑崙山脈東南部，東至念青唐古拉山"
         "脈。"
         "岡底斯山脈最高峰羅波峰海拔7095米，著名佛教聖山岡仁波齊峰海拔6656米。"
         "山脈南側為雅魯藏布江谷地，北側為藏北高原。"},
        {"wiki/wuxu.txt", "戊戌選試", "text",
         "窩闊台在位期間重用耶律楚材，推行漢法。"
         "並且於1238年以術忽德和劉中舉辦戊戌選試，此次科舉取士錄取4030人。"
         "這是蒙古帝國首次以考試選拔儒士。"},
        {"wiki/paopao.txt", "泡泡战士", "text",
         "玩家以水枪、小枪、锤子或是水炸弹泡封敌人，即为一泡封，将水泡击破为一踢爆。"
         "每次泡封会减少生命数，生命数耗完即算为踢爆。以踢爆数计分较多者获胜。"},
        {"wiki/qinling.txt", "秦岭", "text",
         "秦岭是中国中部东西走向的山脉，主体位于陕西省中南部。"
         "秦岭是长江与黄河两大水系的分水岭，也是中国南北气候的分界线。"},
    };
    auto report = kb_->IngestDocuments(docs, IngestOptions{});
    ASSERT_TRUE(report) << report.error().message();
    ASSERT_EQ(report->added, static_cast<int64_t>(docs.size()));
  }

  testing::TempDir dir_;
  std::unique_ptr<KnowledgeBase> kb_;
};

TEST_F(ReaderAbstention, PresentAnswerIsASpanOfItsEvidence) {
  struct Case {
    const char* question;
    const char* span;
    const char* source;
  };
  for (const Case& c : {Case{"岡底斯山脈的最高峰海拔多少米？", "7095米", "wiki/gangdise.txt"},
                        Case{"生命数耗完即算为什么？", "踢爆", "wiki/paopao.txt"}}) {
    SCOPED_TRACE(c.question);
    const AskOptions options;
    auto answer = kb_->Ask(c.question, options);
    ASSERT_TRUE(answer) << answer.error().message();
    ASSERT_TRUE(answer->found) << answer->reason;
    EXPECT_TRUE(answer->reason.empty()) << answer->reason;
    EXPECT_GE(answer->confidence, options.min_confidence);
    EXPECT_EQ(answer->span, c.span) << answer->evidence;
    EXPECT_NE(answer->evidence.find(answer->span), std::string::npos) << answer->evidence;
    ASSERT_FALSE(answer->citations.empty());
    EXPECT_EQ(answer->evidence, answer->citations[0].quote);
    EXPECT_EQ(answer->citations[0].document_source, c.source);
    EXPECT_TRUE(utf8::IsValid(answer->span));
    EXPECT_EQ(answer->text.rfind(answer->span, 0), 0u) << answer->text;  // the span, then [1]
  }
}

TEST_F(ReaderAbstention, AbsentAnswerIsWithheldWithAReason) {
  for (const char* question :
       {"报销流程需要哪些材料？", "差旅报销的审批流程是什么？", "員工報銷流程有哪些步驟？"}) {
    SCOPED_TRACE(question);
    auto answer = kb_->Ask(question, AskOptions{});
    ASSERT_TRUE(answer) << answer.error().message();
    EXPECT_FALSE(answer->found) << answer->text;
    EXPECT_FALSE(answer->reason.empty());
    EXPECT_LT(answer->confidence, AskOptions{}.min_confidence);
    EXPECT_TRUE(answer->citations.empty());
    EXPECT_TRUE(answer->span.empty()) << answer->span;
  }
}

}  // namespace
}  // namespace askio
