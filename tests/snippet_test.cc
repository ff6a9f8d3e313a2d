#include "retrieve/snippet.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/utf8.h"

namespace askio::retrieve {
namespace {

QueryTermSet Query(std::string_view q) { return QueryTermSet(text::Analyzer().QueryTerms(q)); }

std::vector<std::string> Marked(std::string_view text, const std::vector<Highlight>& hs) {
  std::vector<std::string> out;
  for (const Highlight& h : hs) {
    EXPECT_LT(h.begin, h.end);
    EXPECT_LE(h.end, text.size());
    out.emplace_back(text.substr(h.begin, h.end - h.begin));
  }
  return out;
}

using Strings = std::vector<std::string>;

TEST(Highlights, StemmedEnglishWordsMatch) {
  const std::string text = "He runs fast. Running is fun; the runner rests.";
  EXPECT_EQ(Marked(text, FindHighlights(text, Query("running"))), (Strings{"runs", "Running"}));
}

TEST(Highlights, AdjacentMatchesMergeIntoPhrases) {
  const std::string text = "Deep machine learning models. Machine shops. Learning curves.";
  EXPECT_EQ(Marked(text, FindHighlights(text, Query("machine learning"))),
            (Strings{"machine learning", "Machine", "Learning"}));
}

TEST(Highlights, CjkBigramsMarkWholePhrases) {
  const std::string text = "我在北京大学学习，大学生活很好。北京很大。";
  EXPECT_EQ(Marked(text, FindHighlights(text, Query("北京大学"))),
            (Strings{"北京大学", "大学", "北京"}));
}

TEST(Highlights, SingleCharactersOnlyWhenTheQueryIsOne) {
  const std::string text = "大家好，这是大学。";
  // A one-character query lights up that character ...
  EXPECT_EQ(Marked(text, FindHighlights(text, Query("大"))), (Strings{"大", "大"}));
  // ... but in a multi-character query, stray single characters do not.
  EXPECT_EQ(Marked(text, FindHighlights(text, Query("大学"))), (Strings{"大学"}));
}

TEST(Highlights, CaseAndWidthFoldedMatches) {
  const std::string text = "Ｔｏｋｙｏ and TOKYO and tokyo";
  EXPECT_EQ(Marked(text, FindHighlights(text, Query("Tokyo"))).size(), 3u);
}

TEST(Snippet, ShortTextIsKeptWhole) {
  const std::string text = "报销需要发票。\n请按时提交。";
  const Snippet s = MakeSnippet(text, Query("发票"), 160);
  EXPECT_EQ(s.text, "报销需要发票。 请按时提交。");  // newline shown as a space
  EXPECT_EQ(Marked(s.text, s.highlights), (Strings{"发票"}));
}

TEST(Snippet, LongTextIsWindowedAroundTheMatch) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "无关的内容。";
  const size_t match_at = text.size();
  text += "关键的报销发票规定在这里。";
  for (int i = 0; i < 100; ++i) text += "更多无关内容。";
  const size_t max_chars = 60;
  const Snippet s = MakeSnippet(text, Query("报销发票"), max_chars);
  ASSERT_LT(match_at, text.size());
  EXPECT_TRUE(utf8::IsValid(s.text));
  EXPECT_TRUE(s.text.starts_with("…"));
  EXPECT_TRUE(s.text.ends_with("…"));
  EXPECT_LE(utf8::CodePointCount(s.text), max_chars + 2);
  EXPECT_NE(s.text.find("报销发票"), std::string::npos);
  EXPECT_EQ(Marked(s.text, s.highlights), (Strings{"报销发票"}));
  // The match has some lead-in rather than starting the window.
  EXPECT_FALSE(s.text.starts_with("…报销"));
}

TEST(Snippet, WithoutMatchesTheStartIsShown) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "Sentence number " + std::to_string(i) + ". ";
  const Snippet s = MakeSnippet(text, Query("zebra"), 40);
  EXPECT_TRUE(s.text.starts_with("Sentence number 0."));
  EXPECT_TRUE(s.text.ends_with("…"));
  EXPECT_TRUE(s.highlights.empty());
  EXPECT_EQ(utf8::CodePointCount(s.text), 41u);
}

TEST(Snippet, WindowPrefersTheDensestCluster) {
  std::string text = "alpha once. ";
  for (int i = 0; i < 60; ++i) text += "filler words here. ";
  text += "alpha beta gamma together. ";
  for (int i = 0; i < 60; ++i) text += "more filler text. ";
  const Snippet s = MakeSnippet(text, Query("alpha beta gamma"), 80);
  EXPECT_NE(s.text.find("alpha beta gamma"), std::string::npos) << s.text;
}

}  // namespace
}  // namespace askio::retrieve
