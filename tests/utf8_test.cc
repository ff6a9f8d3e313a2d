#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace askio::utf8 {
namespace {

TEST(Utf8, NextDecodesOneToFourByteSequences) {
  const std::string s = "a\u00e9\u4e2d\U0001F600";  // a é 中 😀
  size_t i = 0;
  EXPECT_EQ(Next(s, i), U'a');
  EXPECT_EQ(i, 1u);
  EXPECT_EQ(Next(s, i), U'\u00e9');
  EXPECT_EQ(i, 3u);
  EXPECT_EQ(Next(s, i), U'\u4e2d');
  EXPECT_EQ(i, 6u);
  EXPECT_EQ(Next(s, i), U'\U0001F600');
  EXPECT_EQ(i, 10u);
}

TEST(Utf8, NextRejectsMalformedSequencesOneByteAtATime) {
  struct Case {
    const char* name;
    std::string bytes;
  } cases[] = {
      {"continuation byte alone", "\x80"},     {"overlong slash", "\xC0\xAF"},
      {"overlong three-byte", "\xE0\x80\xAF"}, {"overlong four-byte", "\xF0\x8F\xBF\xBF"},
      {"surrogate", "\xED\xA0\x80"},           {"past U+10FFFF", "\xF4\x90\x80\x80"},
      {"truncated at end", "\xE4\xB8"},        {"bad continuation", "\xE4\x41\x41"},
      {"invalid lead byte", "\xFF"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    size_t i = 0;
    EXPECT_EQ(Next(c.bytes, i), kReplacement);
    EXPECT_EQ(i, 1u);
    EXPECT_FALSE(IsValid(c.bytes));
  }
}

TEST(Utf8, AppendRoundTripsThroughNext) {
  for (char32_t c : {U'\0', U'A', U'\u007f', U'\u0080', U'\u07ff', U'\u0800', U'\u4e2d', U'\uffff',
                     U'\U00010000', U'\U0010FFFF'}) {
    std::string s;
    Append(s, c);
    size_t i = 0;
    EXPECT_EQ(Next(s, i), c);
    EXPECT_EQ(i, s.size());
  }
  std::string s;
  Append(s, U'\u4e2d');
  EXPECT_EQ(s, "\xE4\xB8\xAD");
}

TEST(Utf8, IsValidReportsFirstBadOffset) {
  EXPECT_TRUE(IsValid(""));
  EXPECT_TRUE(IsValid("plain ascii"));
  EXPECT_TRUE(IsValid("中文和English混合😀"));
  // A literal U+FFFD is valid text, not a decoding error.
  EXPECT_TRUE(IsValid("\xEF\xBF\xBD"));
  size_t offset = 999;
  EXPECT_FALSE(IsValid("ab\xE4\xB8\xAD\xFFzz", &offset));
  EXPECT_EQ(offset, 5u);
  EXPECT_FALSE(IsValid("\xE4\xB8", &offset));
  EXPECT_EQ(offset, 0u);
}

TEST(Utf8, CountsAndOffsetsAreInCodePoints) {
  const std::string s = "a中😀b";  // 1 + 3 + 4 + 1 bytes
  EXPECT_EQ(CodePointCount(s), 4u);
  EXPECT_EQ(ByteOffsetOf(s, 0), 0u);
  EXPECT_EQ(ByteOffsetOf(s, 1), 1u);
  EXPECT_EQ(ByteOffsetOf(s, 2), 4u);
  EXPECT_EQ(ByteOffsetOf(s, 3), 8u);
  EXPECT_EQ(ByteOffsetOf(s, 4), s.size());
  EXPECT_EQ(ByteOffsetOf(s, 100), s.size());  // clamped
}

TEST(Utf8, TruncateBytesNeverSplitsACodePoint) {
  const std::string s = "中文字";  // 9 bytes
  EXPECT_EQ(TruncateBytes(s, 100), s);
  EXPECT_EQ(TruncateBytes(s, 9), s);
  EXPECT_EQ(TruncateBytes(s, 8), "中文");
  EXPECT_EQ(TruncateBytes(s, 6), "中文");
  EXPECT_EQ(TruncateBytes(s, 5), "中");
  EXPECT_EQ(TruncateBytes(s, 2), "");
  for (size_t n = 0; n <= s.size(); ++n) EXPECT_TRUE(IsValid(TruncateBytes(s, n))) << n;
}

TEST(Utf8, MakeValidReplacesOnlyMalformedSequences) {
  EXPECT_EQ(MakeValid("plain 中文"), "plain 中文");
  EXPECT_EQ(MakeValid("caf\xE9 au lait"), "caf\xEF\xBF\xBD au lait");  // Latin-1 é
  EXPECT_EQ(MakeValid("\xD0"), "\xEF\xBF\xBD");                        // a lone lead byte
  EXPECT_EQ(MakeValid("ok\xE4\xB8"), "ok\xEF\xBF\xBD\xEF\xBF\xBD");    // cut short
  EXPECT_TRUE(IsValid(MakeValid("\xFF\xFE\x80\xC0\xAF")));
}

}  // namespace
}  // namespace askio::utf8
