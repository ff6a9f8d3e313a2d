#include "ingest/decode.h"

#include <gtest/gtest.h>

#include <string>

namespace askio::ingest {
namespace {

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

// UTF-16 code units to bytes, little or big endian, with a BOM.
std::string Utf16(std::u16string_view units, bool little_endian) {
  std::string out = little_endian ? "\xFF\xFE" : "\xFE\xFF";
  for (char16_t u : units) {
    const char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
    out.push_back(little_endian ? lo : hi);
    out.push_back(little_endian ? hi : lo);
  }
  return out;
}

TEST(Decode, Utf8PassesThrough) {
  auto r = DecodeText("中文 and English 😀");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->utf8, "中文 and English 😀");
  EXPECT_EQ(r->encoding, "UTF-8");
}

TEST(Decode, Utf8BomIsStripped) {
  auto r = DecodeText("\xEF\xBB\xBF标题\nbody");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->utf8, "标题\nbody");
  EXPECT_EQ(r->encoding, "UTF-8");
}

TEST(Decode, EmptyInputIsEmptyUtf8) {
  auto r = DecodeText("");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->utf8, "");
}

TEST(Decode, Utf16LittleEndianWithBom) {
  // 中文 abc 😀 (U+1F600 as the surrogate pair D83D DE00)
  auto r = DecodeText(Utf16(u"中文 abc \U0001F600", true));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->utf8, "中文 abc 😀");
  EXPECT_EQ(r->encoding, "UTF-16LE");
  // Byte-level check of the same thing, so the helper cannot hide a bug.
  auto r2 = DecodeText(FromHex("fffe2d4e87652000610062006300"));
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->utf8, "中文 abc");
}

TEST(Decode, Utf16BigEndianWithBom) {
  auto r = DecodeText(Utf16(u"中文 abc \U0001F600", false));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->utf8, "中文 abc 😀");
  EXPECT_EQ(r->encoding, "UTF-16BE");
  auto r2 = DecodeText(FromHex("feff4e2d65870020006100620063"));
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->utf8, "中文 abc");
}

TEST(Decode, MalformedUtf16IsRejected) {
  // A lone high surrogate.
  auto r =
      DecodeText(Utf16(u"ab\xD83D"
                       u"c",
                       true));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("UTF-16"), std::string::npos) << r.error().message();
  // An odd number of bytes after the BOM.
  auto odd =
      DecodeText(std::string("\xFF\xFE"
                             "a\x00"
                             "b",
                             5));
  EXPECT_FALSE(odd);
}

TEST(Decode, Gb18030IsDetectedAndConverted) {
  // `printf '中国大陆由盛大游戏运营，这是时隔六年再次授予其游戏运营权。' | iconv -t GB18030`
  const std::string bytes = FromHex(
      "d6d0b9fab4f3c2bdd3c9caa2b4f3d3cecfb7d4cbd3aaa3acd5e2cac7cab1b8f4c1f9c4ead4d9b4cecadad3e8c6"
      "e4d3cecfb7d4cbd3aac8a8a1a3");
  auto r = DecodeText(bytes);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->utf8, "中国大陆由盛大游戏运营，这是时隔六年再次授予其游戏运营权。");
  EXPECT_EQ(r->encoding, "GB18030");
}

TEST(Decode, Gb18030FourByteSequences) {
  // The same sentence followed by "é😀" (A8A6, and 9439FC36: a four-byte
  // sequence that only GB18030 has).
  const std::string bytes = FromHex(
      "d6d0b9fab4f3c2bdd3c9caa2b4f3d3cecfb7d4cbd3aaa3acd5e2cac7cab1b8f4c1f9c4ead4d9b4cecadad3e8c6"
      "e4d3cecfb7d4cbd3aac8a8a1a3a8a69439fc36");
  auto r = DecodeText(bytes);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->utf8, "中国大陆由盛大游戏运营，这是时隔六年再次授予其游戏运营权。é😀");
  EXPECT_EQ(r->encoding, "GB18030");
}

TEST(Decode, Big5IsDetectedAndConverted) {
  // `printf '梵語的學術研究由德國學者開創。後來威廉發現印歐語系，也要歸功於對梵語的研究。'
  //  | iconv -t BIG5`
  const std::string bytes = FromHex(
      "b1ebbb79aababec7b34eace3a873a5d1bc77b0eabec7aaccb67db3d0a143abe1a8d3abc2b747b56fb27ba64cbc"
      "dabb79a874a141a45dad6ec26ba55ca9f3b9efb1ebbb79aabaace3a873a143");
  auto r = DecodeText(bytes);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->utf8,
            "梵語的學術研究由德國學者開創。後來威廉發現印歐語系，也要歸功於對梵語的研究。");
  EXPECT_EQ(r->encoding, "Big5");
}

TEST(Decode, InvalidBytesAreRejectedNotGuessed) {
  // 0xFF is not a lead byte in UTF-8, GB18030 or Big5.
  auto r = DecodeText("valid start \xFF\xFF then junk \x80\xFF");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("UTF-8"), std::string::npos) << r.error().message();
  // The message points at the first bad byte.
  EXPECT_NE(r.error().message().find("12"), std::string::npos) << r.error().message();
}

TEST(Decode, NulBytesMeanBinary) {
  auto r = DecodeText(std::string("text\0more text", 14));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.error().message().find("NUL"), std::string::npos);
  // Also when the rest is not UTF-8 either.
  auto r2 = DecodeText(std::string("\x89PNG\r\n\x1A\n\0\0\0\rIHDR\xFF", 17));
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace askio::ingest
