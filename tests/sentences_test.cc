#include "text/sentences.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace askio::text {
namespace {

std::vector<std::string> Sentences(std::string_view text) {
  std::vector<std::string> out;
  for (const Span& s : SplitSentences(text)) {
    EXPECT_LE(s.begin, s.end);
    EXPECT_LE(s.end, text.size());
    out.emplace_back(text.substr(s.begin, s.end - s.begin));
  }
  return out;
}

using Strings = std::vector<std::string>;

TEST(Sentences, ChineseTerminators) {
  EXPECT_EQ(Sentences("今天下雨。明天晴天！后天呢？先这样；再说吧"),
            (Strings{"今天下雨。", "明天晴天！", "后天呢？", "先这样；", "再说吧"}));
}

TEST(Sentences, ChineseCommasDoNotEndSentences) {
  EXPECT_EQ(Sentences("虽然下雨，但是我们出门了、还买了伞：很好。"),
            (Strings{"虽然下雨，但是我们出门了、还买了伞：很好。"}));
}

TEST(Sentences, LatinTerminators) {
  EXPECT_EQ(Sentences("It rained. Then it stopped! Did it? Yes"),
            (Strings{"It rained.", "Then it stopped!", "Did it?", "Yes"}));
}

TEST(Sentences, PeriodsInsideNumbersAbbreviationsAndHostsDoNotEndSentences) {
  EXPECT_EQ(Sentences("It costs 3.5 dollars. See e.g.x or www.example.com for more."),
            (Strings{"It costs 3.5 dollars.", "See e.g.x or www.example.com for more."}));
}

TEST(Sentences, ClosingQuotesAndRepeatedTerminatorsStayWithTheSentence) {
  EXPECT_EQ(Sentences("他说：“好。”然后走了。真的吗？！是的"),
            (Strings{"他说：“好。”", "然后走了。", "真的吗？！", "是的"}));
  EXPECT_EQ(Sentences("Wait... what? (Really.) Fine"),
            (Strings{"Wait...", "what?", "(Really.)", "Fine"}));
  EXPECT_EQ(Sentences("He said \"Stop.\" Then he left."),
            (Strings{"He said \"Stop.\"", "Then he left."}));
}

TEST(Sentences, BlankLineEndsASentence) {
  EXPECT_EQ(Sentences("A heading\n\nBody text goes here"),
            (Strings{"A heading", "Body text goes here"}));
  // A single newline does not.
  EXPECT_EQ(Sentences("one line\nand the next."), (Strings{"one line\nand the next."}));
}

TEST(Sentences, SpansCoverEveryNonSpaceCharacterOnce) {
  const std::string text =
      "  第一句。 Second one! \n\n第三句没有句号\n\nFourth 3.5 e.g.x?  最后一句；  ";
  const std::vector<Span> spans = SplitSentences(text);
  ASSERT_FALSE(spans.empty());
  std::vector<int> covered(text.size(), 0);
  size_t prev_end = 0;
  for (const Span& s : spans) {
    EXPECT_GE(s.begin, prev_end);  // in order, not overlapping
    prev_end = s.end;
    EXPECT_NE(text[s.begin], ' ');  // no leading or trailing spaces
    EXPECT_NE(text[s.end - 1], ' ');
    EXPECT_NE(text[s.end - 1], '\n');
    for (size_t i = s.begin; i < s.end; ++i) ++covered[i];
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ' || text[i] == '\n') continue;
    EXPECT_EQ(covered[i], 1) << "byte " << i;
  }
}

TEST(Sentences, EmptyAndBlankText) {
  EXPECT_TRUE(SplitSentences("").empty());
  EXPECT_TRUE(SplitSentences("   \n\n\t ").empty());
}

}  // namespace
}  // namespace askio::text
