#include "ingest/chunker.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "askio/engine.h"
#include "common/utf8.h"
#include "ingest/loaders.h"
#include "test_util.h"
#include "text/sentences.h"

namespace askio::ingest {
namespace {

using askio::testing::SliceCodePoints;
using askio::testing::TempDir;

ChunkOptions Options(size_t target, size_t overlap, size_t max) {
  ChunkOptions o;
  o.target_chars = target;
  o.overlap_chars = overlap;
  o.max_chars = max;
  return o;
}

std::string TextOf(const LaidOutDocument& doc, const ChunkSpan& c) {
  return doc.text.substr(c.byte_begin, c.byte_end - c.byte_begin);
}

int64_t Chars(const std::string& s) { return static_cast<int64_t>(utf8::CodePointCount(s)); }

// Checks the invariants every chunk of every document must satisfy.
void ExpectConsistentOffsets(const LaidOutDocument& doc, const std::vector<ChunkSpan>& chunks) {
  for (size_t i = 0; i < chunks.size(); ++i) {
    SCOPED_TRACE("chunk " + std::to_string(i));
    const ChunkSpan& c = chunks[i];
    ASSERT_LT(c.byte_begin, c.byte_end);
    ASSERT_LE(c.byte_end, doc.text.size());
    ASSERT_LT(c.char_begin, c.char_end);
    const std::string text = TextOf(doc, c);
    EXPECT_TRUE(utf8::IsValid(text));
    EXPECT_EQ(SliceCodePoints(doc.text, c.char_begin, c.char_end), text);
    EXPECT_EQ(c.char_end - c.char_begin, Chars(text));
    if (i > 0) {
      EXPECT_GT(c.char_begin, chunks[i - 1].char_begin);  // always moves forward
    }
  }
}

std::vector<ChunkSpan> ChunkText(const std::string& text, const ChunkOptions& o,
                                 LaidOutDocument* laid_out) {
  *laid_out = LayOut(ParsePlainText(text));
  return ChunkDocument(*laid_out, o);
}

TEST(ChunkOptionsValidation, RejectsInconsistentSizes) {
  EXPECT_TRUE(ValidateChunkOptions(ChunkOptions{}).ok());
  EXPECT_EQ(ValidateChunkOptions(Options(8, 0, 100)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateChunkOptions(Options(100, 10, 50)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateChunkOptions(Options(100, 100, 200)).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateChunkOptions(Options(100, 0, 100)).ok());
}

TEST(Chunker, ChineseChunksEndAtSentenceTerminators) {
  // Twelve sentences of 8-9 characters with each of 。！？； as terminator.
  std::string text;
  const char* ends[] = {"。", "！", "？", "；"};
  for (int i = 0; i < 12; ++i) text += "第" + std::to_string(i % 10) + "句话在这里说" + ends[i % 4];
  LaidOutDocument doc;
  const std::vector<ChunkSpan> chunks = ChunkText(text, Options(20, 0, 40), &doc);
  ASSERT_GT(chunks.size(), 3u);
  ExpectConsistentOffsets(doc, chunks);
  std::string joined;
  for (const ChunkSpan& c : chunks) {
    const std::string t = TextOf(doc, c);
    EXPECT_LE(Chars(t), 20) << t;
    const std::string last = t.substr(t.size() - 3);
    EXPECT_TRUE(last == "。" || last == "！" || last == "？" || last == "；") << t;
    joined += t;
  }
  EXPECT_EQ(joined, text);  // no overlap: the chunks tile the text
}

TEST(Chunker, LatinChunksEndAtSentenceEndsButNotInsideNumbersOrAbbreviations) {
  const std::string text =
      "The price rose to 3.5 dollars. Analysts cited e.g.x as a cause! Was it fair? "
      "Nobody knows for sure. The board met again on 1.2.2024 at noon. Then it rained.";
  LaidOutDocument doc;
  const std::vector<ChunkSpan> chunks = ChunkText(text, Options(40, 0, 80), &doc);
  ASSERT_GT(chunks.size(), 2u);
  ExpectConsistentOffsets(doc, chunks);
  bool saw_decimal = false, saw_abbrev = false, saw_date = false;
  for (const ChunkSpan& c : chunks) {
    const std::string t = TextOf(doc, c);
    const char last = t.back();
    EXPECT_TRUE(last == '.' || last == '!' || last == '?') << t;
    EXPECT_FALSE(t.ends_with(" 3.") || t.ends_with("e.g.") || t.ends_with(" 1.")) << t;
    saw_decimal |= t.find("3.5 dollars") != std::string::npos;
    saw_abbrev |= t.find("e.g.x as") != std::string::npos;
    saw_date |= t.find("1.2.2024") != std::string::npos;
  }
  EXPECT_TRUE(saw_decimal && saw_abbrev && saw_date);
}

TEST(Chunker, NeverSplitsMidSentenceWhenSentencesFit) {
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += i % 3 == 0
                ? "这是一个比较长的中文句子，里面有逗号，但只在句号处结束。"
                : (i % 3 == 1 ? "A short English sentence with a comma, and an end. " : "短句！");
  }
  LaidOutDocument doc;
  for (const ChunkOptions& o :
       {Options(60, 0, 100), Options(120, 40, 200), Options(600, 100, 1000)}) {
    const std::vector<ChunkSpan> chunks = ChunkText(text, o, &doc);
    ExpectConsistentOffsets(doc, chunks);
    std::set<size_t> starts, ends;
    for (const text::Span& s : text::SplitSentences(doc.text)) {
      starts.insert(s.begin);
      ends.insert(s.end);
    }
    for (const ChunkSpan& c : chunks) {
      EXPECT_TRUE(starts.count(c.byte_begin)) << TextOf(doc, c);
      EXPECT_TRUE(ends.count(c.byte_end)) << TextOf(doc, c);
      EXPECT_LE(c.char_end - c.char_begin, static_cast<int64_t>(o.target_chars));
    }
    // Every sentence is inside some chunk.
    for (const text::Span& s : text::SplitSentences(doc.text)) {
      bool inside = false;
      for (const ChunkSpan& c : chunks) inside |= c.byte_begin <= s.begin && s.end <= c.byte_end;
      EXPECT_TRUE(inside) << doc.text.substr(s.begin, s.end - s.begin);
    }
  }
}

TEST(Chunker, SentenceLongerThanMaxIsCutIntoPiecesNoLongerThanMax) {
  // 2,500 characters without a sentence end; a comma every 50 characters.
  std::string text;
  for (int i = 0; i < 50; ++i) {
    for (int k = 0; k < 49; ++k) text += "长";
    text += "，";
  }
  text += "完。";
  LaidOutDocument doc;
  const ChunkOptions o = Options(600, 0, 1000);
  const std::vector<ChunkSpan> chunks = ChunkText(text, o, &doc);
  ExpectConsistentOffsets(doc, chunks);
  ASSERT_GE(chunks.size(), 3u);
  int64_t covered = 0;
  for (const ChunkSpan& c : chunks) {
    EXPECT_LE(c.char_end - c.char_begin, static_cast<int64_t>(o.max_chars));
    EXPECT_EQ(c.char_begin, covered);  // pieces tile the sentence
    covered = c.char_end;
  }
  EXPECT_EQ(covered, Chars(text));
  // Cuts prefer a comma near the end of a piece.
  const std::string first = TextOf(doc, chunks[0]);
  EXPECT_TRUE(first.ends_with("，")) << first.substr(first.size() - 9);
  EXPECT_GE(Chars(first), 667);
}

TEST(Chunker, LongSentenceWithoutBreaksIsCutAtMax) {
  std::string text(2500, 'x');  // one 2,500-letter "word"
  LaidOutDocument doc;
  const std::vector<ChunkSpan> chunks = ChunkText(text, Options(100, 0, 300), &doc);
  ExpectConsistentOffsets(doc, chunks);
  int64_t total = 0;
  for (const ChunkSpan& c : chunks) {
    EXPECT_LE(c.char_end - c.char_begin, 300);
    total += c.char_end - c.char_begin;
  }
  EXPECT_EQ(total, 2500);
}

TEST(Chunker, OverlapRepeatsWholeTrailingSentences) {
  // Sentences of exactly 10 characters.
  std::string text;
  for (int i = 0; i < 30; ++i) text += "甲乙丙丁戊己庚辛" + std::to_string(i % 10) + "。";
  LaidOutDocument doc;
  const ChunkOptions o = Options(50, 25, 100);
  const std::vector<ChunkSpan> chunks = ChunkText(text, o, &doc);
  ExpectConsistentOffsets(doc, chunks);
  ASSERT_GT(chunks.size(), 3u);
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    const ChunkSpan &a = chunks[i], &b = chunks[i + 1];
    // The next chunk starts inside this one ...
    EXPECT_LT(b.char_begin, a.char_end);
    // ... by whole sentences (10 characters each) within the overlap budget.
    const int64_t overlap = a.char_end - b.char_begin;
    EXPECT_EQ(overlap % 10, 0);
    EXPECT_GT(overlap, 0);
    EXPECT_LE(overlap, static_cast<int64_t>(o.overlap_chars));
    EXPECT_LE(a.char_end - a.char_begin, static_cast<int64_t>(o.target_chars));
  }
  EXPECT_EQ(chunks.back().char_end, Chars(text));
}

TEST(Chunker, ZeroOverlapMeansDisjointChunks) {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "甲乙丙丁戊己庚辛" + std::to_string(i % 10) + "。";
  LaidOutDocument doc;
  const std::vector<ChunkSpan> chunks = ChunkText(text, Options(50, 0, 100), &doc);
  for (size_t i = 0; i + 1 < chunks.size(); ++i)
    EXPECT_EQ(chunks[i + 1].char_begin, chunks[i].char_end);
}

TEST(Chunker, ChunksNeverCrossHeadingsAndCarryTheHeadingPath) {
  const std::string md =
      "# 员工手册\n\n总则内容。\n\n## 报销\n\n报销需要发票。报销需要审批。\n\n"
      "### 差旅\n\n差旅费按标准报销。\n\n## 假期\n\n年假五天。\n\n# Appendix\n\nSee also.\n";
  const LaidOutDocument doc = LayOut(ParseMarkdown(md));
  // A target large enough that, without headings, everything would be one chunk.
  const std::vector<ChunkSpan> chunks = ChunkDocument(doc, Options(600, 100, 1000));
  ExpectConsistentOffsets(doc, chunks);
  using Path = std::vector<std::string>;
  ASSERT_EQ(chunks.size(), 5u);
  EXPECT_EQ(TextOf(doc, chunks[0]), "总则内容。");
  EXPECT_EQ(chunks[0].heading_path, (Path{"员工手册"}));
  EXPECT_EQ(TextOf(doc, chunks[1]), "报销需要发票。报销需要审批。");
  EXPECT_EQ(chunks[1].heading_path, (Path{"员工手册", "报销"}));
  EXPECT_EQ(TextOf(doc, chunks[2]), "差旅费按标准报销。");
  EXPECT_EQ(chunks[2].heading_path, (Path{"员工手册", "报销", "差旅"}));
  EXPECT_EQ(TextOf(doc, chunks[3]), "年假五天。");
  EXPECT_EQ(chunks[3].heading_path, (Path{"员工手册", "假期"}));  // "差旅" closed by level 2
  EXPECT_EQ(TextOf(doc, chunks[4]), "See also.");
  EXPECT_EQ(chunks[4].heading_path, (Path{"Appendix"}));
  // No chunk contains a heading's text range.
  for (const auto& block : doc.blocks) {
    if (block.kind != Block::Kind::kHeading) continue;
    for (const ChunkSpan& c : chunks)
      EXPECT_FALSE(c.byte_begin <= block.begin && block.end <= c.byte_end);
  }
}

TEST(Chunker, ParagraphsOfOneSectionShareAChunkWhenTheyFit) {
  const LaidOutDocument doc = LayOut(ParsePlainText("第一段。\n\n第二段。\n\n第三段。"));
  const std::vector<ChunkSpan> chunks = ChunkDocument(doc, ChunkOptions{});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(TextOf(doc, chunks[0]), "第一段。\n\n第二段。\n\n第三段。");
  EXPECT_TRUE(chunks[0].heading_path.empty());
}

TEST(Chunker, OffsetsAreCodePointsInMixedScriptText) {
  std::string text;
  for (int i = 0; i < 20; ++i)
    text += "Emoji 😀 and café, 中文句子第" + std::to_string(i) + "句。 Ünïcödé ✓ done!\n\n";
  LaidOutDocument doc;
  const std::vector<ChunkSpan> chunks = ChunkText(text, Options(70, 30, 140), &doc);
  ASSERT_GT(chunks.size(), 5u);
  ExpectConsistentOffsets(doc, chunks);
}

TEST(Chunker, EmptyDocumentHasNoChunks) {
  EXPECT_TRUE(ChunkDocument(LayOut(ParsedDocument{}), ChunkOptions{}).empty());
}

// The same invariant end to end: chunk offsets stored in the catalogue slice
// the stored document text back to the chunk text.
TEST(Chunker, StoredChunkOffsetsSliceTheStoredDocumentText) {
  TempDir dir;
  auto kb = KnowledgeBase::Open(dir.path(), "offsets", KnowledgeBase::OpenMode::kCreateIfMissing);
  ASSERT_TRUE(kb) << kb.error().message();
  std::string md = "---\ntitle: 手册\n---\n# 第一章\n\n";
  for (int i = 0; i < 30; ++i)
    md += "第" + std::to_string(i) + "条：员工😀报销 café 需要提交发票。Is 3.5 ok? Yes.\n\n";
  md += "## 表格\n\n| 项目 | 金额 |\n|---|---|\n| 机票 | 1200 |\n\n";
  md += "# Chapter 2\r\n\r\nCRLF line ends\r\nare normalised. e\u0301 becomes é.\r\n";
  std::string txt;
  for (int i = 0; i < 50; ++i) txt += "纯文本段落" + std::to_string(i) + "。Plain 😀 text.\n\n";
  IngestOptions options;
  options.chunking = Options(80, 20, 160);
  auto report = (*kb)->IngestDocuments(
      {{"doc.md", "", "markdown", md}, {"doc.txt", "Plain", "text", txt}}, options);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->failed, 0);
  auto docs = (*kb)->ListDocuments();
  ASSERT_TRUE(docs);
  ASSERT_EQ(docs->size(), 2u);
  int64_t total_chunks = 0;
  for (const DocumentInfo& d : *docs) {
    SCOPED_TRACE(d.source);
    auto text = (*kb)->DocumentText(d.id);
    ASSERT_TRUE(text);
    auto chunks = (*kb)->DocumentChunks(d.id);
    ASSERT_TRUE(chunks);
    ASSERT_GT(chunks->size(), 3u);
    EXPECT_EQ(d.chunk_count, static_cast<int64_t>(chunks->size()));
    total_chunks += static_cast<int64_t>(chunks->size());
    for (size_t i = 0; i < chunks->size(); ++i) {
      const Chunk& c = (*chunks)[i];
      EXPECT_EQ(c.ordinal, static_cast<int64_t>(i));
      EXPECT_EQ(c.document_id, d.id);
      EXPECT_EQ(SliceCodePoints(*text, c.char_start, c.char_end), c.text);
    }
    if (d.source == "doc.md") {
      EXPECT_EQ(d.title, "手册");
      EXPECT_EQ(chunks->front().heading_path, (std::vector<std::string>{"第一章"}));
      EXPECT_EQ(chunks->back().heading_path, (std::vector<std::string>{"Chapter 2"}));
      EXPECT_EQ(text->find('\r'), std::string::npos);
      EXPECT_NE(text->find("are normalised. é becomes é."), std::string::npos);
      bool table_row = false;
      for (const Chunk& c : *chunks) {
        table_row |= c.text.find("机票 | 1200") != std::string::npos;
        if (c.text.find("机票") != std::string::npos) {
          EXPECT_EQ(c.heading_path, (std::vector<std::string>{"第一章", "表格"}));
        }
      }
      EXPECT_TRUE(table_row);
    } else {
      EXPECT_EQ(d.title, "Plain");
    }
  }
  auto stats = (*kb)->Stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->chunks, total_chunks);
}

TEST(ChunkPlaces, EachStretchOfAChunkKnowsItsPlace) {
  ParsedDocument doc;
  doc.blocks.push_back({Block::Kind::kHeading, 1, "Sheet1", 1, ""});
  for (int row = 2; row <= 4; ++row)
    doc.blocks.push_back({Block::Kind::kTableRow, 0,
                          "Name: item" + std::to_string(row) + " | Price: " + std::to_string(row),
                          1, "sheet Sheet1, row " + std::to_string(row)});
  const LaidOutDocument laid = LayOut(doc);
  const std::vector<ChunkSpan> spans = ChunkDocument(laid, ChunkOptions{});
  ASSERT_EQ(spans.size(), 1u);
  const ChunkSpan& span = spans[0];
  EXPECT_EQ(span.page, 1);
  ASSERT_EQ(span.places.size(), 3u);
  EXPECT_EQ(span.places[0].offset, 0);
  EXPECT_EQ(span.places[0].location, "sheet Sheet1, row 2");
  EXPECT_EQ(span.places[2].location, "sheet Sheet1, row 4");
  // The second row starts where its text does in the chunk.
  const std::string chunk_text = laid.text.substr(span.byte_begin, span.byte_end - span.byte_begin);
  EXPECT_EQ(static_cast<size_t>(span.places[1].offset), chunk_text.find("Name: item3"));

  Chunk chunk;
  chunk.places = span.places;
  EXPECT_EQ(LocationOf(chunk, span.places[1].offset, span.places[1].offset + 5),
            "sheet Sheet1, row 3");
  EXPECT_EQ(LocationOf(chunk, 0, span.places[2].offset + 1),
            "sheet Sheet1, row 2 – sheet Sheet1, row 4");
  EXPECT_EQ(LocationOf(Chunk{}, 0, 10), "");
}

TEST(ChunkPlaces, DocumentsWithoutPlacesHaveNone) {
  const ParsedDocument doc = ParsePlainText("One paragraph.\n\nAnother one.");
  const LaidOutDocument laid = LayOut(doc);
  for (const ChunkSpan& span : ChunkDocument(laid, ChunkOptions{})) {
    EXPECT_TRUE(span.places.empty());
    EXPECT_EQ(span.page, 0);
  }
}

}  // namespace
}  // namespace askio::ingest
