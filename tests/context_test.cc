// Source recall and context compression.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "askio/engine.h"
#include "common/utf8.h"
#include "retrieve/compress.h"
#include "retrieve/recall.h"
#include "test_util.h"

namespace askio::retrieve {
namespace {

// Code-point slice of s.
std::string Slice(const std::string& s, int64_t begin, int64_t end) {
  const size_t b = utf8::ByteOffsetOf(s, static_cast<size_t>(begin));
  const size_t e = utf8::ByteOffsetOf(s, static_cast<size_t>(end));
  return s.substr(b, e - b);
}

// A document of `n` ten-character chunks "c0........" separated by blank
// lines; chunks [0, split) under heading A, the rest under heading B.
DocumentView MakeDoc(int64_t id, int n, int split) {
  DocumentView d;
  d.id = id;
  d.title = "doc" + std::to_string(id);
  d.source = "src" + std::to_string(id);
  for (int i = 0; i < n; ++i) {
    if (i) d.text += "\n\n";
    Chunk c;
    c.id = id * 100 + i;
    c.document_id = id;
    c.ordinal = i;
    c.char_start = static_cast<int64_t>(utf8::CodePointCount(d.text));
    c.text = "块" + std::to_string(i) + std::string(8 - std::to_string(i).size(), '.');
    d.text += c.text;
    c.char_end = static_cast<int64_t>(utf8::CodePointCount(d.text));
    c.heading_path = {i < split ? "A" : "B"};
    d.chunks.push_back(c);
  }
  return d;
}

SearchHit HitOf(const DocumentView& d, int ordinal, double score) {
  SearchHit h;
  h.chunk = d.chunks[static_cast<size_t>(ordinal)];
  h.document_title = d.title;
  h.document_source = d.source;
  h.score = score;
  return h;
}

TEST(Recall, GrowsWithinTheSectionUpToTheBudget) {
  const DocumentView doc = MakeDoc(1, 8, 5);  // chunks 0-4 under A, 5-7 under B
  auto lookup = [&](int64_t id) { return id == 1 ? &doc : nullptr; };
  // Budget 34 chars: three 9-char chunks plus two 2-char gaps = 31 fit, four do not.
  auto passages = RecallPassages({HitOf(doc, 2, 5.0)}, lookup, 34);
  ASSERT_EQ(passages.size(), 1u);
  const RecalledPassage& p = passages[0];
  EXPECT_EQ(p.char_start, doc.chunks[1].char_start);
  EXPECT_EQ(p.char_end, doc.chunks[3].char_end);
  EXPECT_EQ(p.text, Slice(doc.text, p.char_start, p.char_end));
  EXPECT_EQ(p.chunk_ids, std::vector<int64_t>{102});
  EXPECT_EQ(p.heading_path, std::vector<std::string>{"A"});

  // A large budget still stops at the section boundary (chunk 4 is the last of A).
  auto wide = RecallPassages({HitOf(doc, 3, 1.0)}, lookup, 10000);
  ASSERT_EQ(wide.size(), 1u);
  EXPECT_EQ(wide[0].char_start, doc.chunks[0].char_start);
  EXPECT_EQ(wide[0].char_end, doc.chunks[4].char_end);
}

TEST(Recall, MergesOverlappingHitsOfOneDocumentAndKeepsOthersApart) {
  const DocumentView a = MakeDoc(1, 8, 8), b = MakeDoc(2, 3, 3);
  auto lookup = [&](int64_t id) { return id == 1 ? &a : (id == 2 ? &b : nullptr); };
  auto passages =
      RecallPassages({HitOf(a, 2, 9.0), HitOf(b, 1, 8.0), HitOf(a, 3, 7.0)}, lookup, 20);
  ASSERT_EQ(passages.size(), 2u);
  EXPECT_EQ(passages[0].document_id, 1);
  EXPECT_EQ(passages[0].chunk_ids, (std::vector<int64_t>{102, 103}));
  EXPECT_DOUBLE_EQ(passages[0].score, 9.0);
  EXPECT_EQ(passages[0].text, Slice(a.text, passages[0].char_start, passages[0].char_end));
  EXPECT_EQ(passages[1].document_id, 2);
}

TEST(Recall, VanishedDocumentsAreSkipped) {
  const DocumentView a = MakeDoc(1, 3, 3);
  auto passages = RecallPassages(
      {HitOf(a, 0, 1.0)}, [](int64_t) { return nullptr; }, 100);
  EXPECT_TRUE(passages.empty());
}

std::vector<WeightedTerm> Question(std::initializer_list<std::pair<const char*, double>> terms) {
  std::vector<WeightedTerm> out;
  for (auto [t, w] : terms) out.push_back({t, true, w});
  return out;
}

RecalledPassage Passage(std::string text, int64_t start) {
  RecalledPassage p;
  p.text = std::move(text);
  p.char_start = start;
  p.char_end = start + static_cast<int64_t>(utf8::CodePointCount(p.text));
  return p;
}

TEST(Compress, KeepsTheAnswerSentenceWithinTheBudgetInReadingOrder) {
  const auto q = Question({{"报销", 2.0}, {"发票", 1.0}, {"原件", 1.0}});
  const std::vector<RecalledPassage> passages = {
      Passage("公司成立于一九九八年。报销需要提交发票原件。天气很好。", 100),
      Passage("发票丢失时需要写情况说明。报销流程见附件。", 0)};
  size_t tokens = 0;
  auto kept = CompressContext(q, passages, 1000, &tokens);
  std::vector<std::string> texts;
  for (const auto& s : kept) texts.push_back(s.text);
  // Sentences covering nothing ("公司成立…", "天气很好") are never kept.
  EXPECT_EQ(texts, (std::vector<std::string>{"报销需要提交发票原件。", "发票丢失时需要写情况说明。",
                                             "报销流程见附件。"}));
  EXPECT_EQ(kept[0].passage, 0);
  EXPECT_EQ(kept[0].char_start, 100 + 11);  // after "公司成立于一九九八年。"
  EXPECT_EQ(kept[0].char_end, kept[0].char_start + 11);
  EXPECT_DOUBLE_EQ(kept[0].relevance, 1.0);
  EXPECT_GT(tokens, 0u);

  // A budget that fits only the best sentence keeps exactly that one.
  const size_t best_tokens = EstimateTokens("报销需要提交发票原件。");
  auto tight = CompressContext(q, passages, best_tokens, &tokens);
  ASSERT_EQ(tight.size(), 1u);
  EXPECT_EQ(tight[0].text, "报销需要提交发票原件。");
  EXPECT_LE(tokens, best_tokens);
  EXPECT_TRUE(CompressContext(q, passages, 0, &tokens).empty());
}

TEST(Compress, DropsSentencesThatRepeatWhatIsKept) {
  const auto q = Question({{"报销", 1.0}, {"发票", 1.0}});
  const std::vector<RecalledPassage> passages = {Passage("报销需要发票。", 0),
                                                 Passage("报销需要发票。", 50)};
  auto kept = CompressContext(q, passages, 1000, nullptr);
  EXPECT_EQ(kept.size(), 1u);
}

TEST(BuildContext, OffsetsSliceTheDocumentText) {
  askio::testing::TempDir dir;
  auto kb = KnowledgeBase::Open(dir.path(), "ctx", KnowledgeBase::OpenMode::kCreateIfMissing);
  ASSERT_TRUE(kb) << kb.error().message();
  std::string body = "# 制度\n\n## 报销\n\n";
  for (int i = 0; i < 12; ++i) body += "第" + std::to_string(i) + "条：差旅费用按标准执行。\n\n";
  body += "报销需要提交发票原件和审批单。\n\n## 年假\n\n年假需要提前两周申请。\n";
  ASSERT_TRUE((*kb)->IngestDocuments({{"policy.md", "制度", "markdown", body}}, [] {
    IngestOptions o;
    o.chunking.target_chars = 40;
    o.chunking.overlap_chars = 0;
    return o;
  }()));
  auto ctx = (*kb)->BuildContext("报销需要哪些材料？", ContextOptions{});
  ASSERT_TRUE(ctx) << ctx.error().message();
  ASSERT_FALSE(ctx->passages.empty());
  auto docs = (*kb)->ListDocuments();
  ASSERT_TRUE(docs && docs->size() == 1u);
  auto text = (*kb)->DocumentText(docs->front().id);
  ASSERT_TRUE(text);
  for (const auto& p : ctx->passages) {
    EXPECT_EQ(p.text, Slice(*text, p.char_start, p.char_end));
    const bool both =
        p.text.find("发票") != std::string::npos && p.text.find("年假") != std::string::npos;
    EXPECT_FALSE(both) << "recall crossed from one section into another: " << p.text;
  }
  bool has_answer = false;
  for (const auto& s : ctx->sentences) {
    EXPECT_EQ(s.text, Slice(*text, s.char_start, s.char_end));
    has_answer = has_answer || s.text.find("发票原件") != std::string::npos;
  }
  EXPECT_TRUE(has_answer);
  EXPECT_LE(ctx->tokens, ContextOptions{}.token_budget);
}

}  // namespace
}  // namespace askio::retrieve
