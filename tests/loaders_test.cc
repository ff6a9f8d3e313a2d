#include "ingest/loaders.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ingest/document.h"

namespace askio::ingest {
namespace {

using Kind = Block::Kind;

std::vector<std::string> TextsOf(const ParsedDocument& doc, Kind kind) {
  std::vector<std::string> out;
  for (const Block& b : doc.blocks)
    if (b.kind == kind) out.push_back(b.text);
  return out;
}

std::string AllText(const ParsedDocument& doc) {
  std::string out;
  for (const Block& b : doc.blocks) out += b.text + "\n";
  return out;
}

using Strings = std::vector<std::string>;

TEST(FileTypes, NamedByExtension) {
  EXPECT_EQ(TypeFromExtension("a/b/notes.md"), FileType::kMarkdown);
  EXPECT_EQ(TypeFromExtension("README.MD"), FileType::kMarkdown);
  EXPECT_EQ(TypeFromExtension("x.markdown"), FileType::kMarkdown);
  EXPECT_EQ(TypeFromExtension("notes.txt"), FileType::kText);
  EXPECT_EQ(TypeFromExtension("NOTES.TXT"), FileType::kText);
  EXPECT_EQ(TypeFromExtension("report.pdf"), FileType::kPdf);
  EXPECT_EQ(TypeFromExtension("Report.DOCX"), FileType::kDocx);
  EXPECT_EQ(TypeFromExtension("backup.tar.gz"), FileType::kArchive);
  EXPECT_EQ(TypeFromExtension("scan.jpeg"), FileType::kImage);
  EXPECT_EQ(TypeFromExtension("Makefile"), FileType::kUnknown);
  EXPECT_EQ(TypeFromExtension("archive.md.gz"), FileType::kUnknown);
  EXPECT_EQ(TypeFromExtension("old.doc"), FileType::kUnknown);
  for (FileType t : {FileType::kMarkdown, FileType::kText, FileType::kPdf, FileType::kXlsx,
                     FileType::kArchive, FileType::kJsonLines})
    EXPECT_EQ(FileTypeFromName(FileTypeName(t)), t);
  EXPECT_EQ(FileTypeFromName("doc"), FileType::kUnknown);
}

TEST(PlainText, ParagraphsAreSeparatedByBlankLines) {
  const ParsedDocument doc =
      ParsePlainText("第一段第一行\n第一段第二行\n\n  \n\t\n第二段\n\n\n第三段  \n");
  EXPECT_EQ(doc.type, "text");
  EXPECT_EQ(TextsOf(doc, Kind::kParagraph),
            (Strings{"第一段第一行\n第一段第二行", "第二段", "第三段"}));
  EXPECT_EQ(doc.blocks.size(), 3u);
}

TEST(Markdown, HeadingsBecomeHeadingBlocksWithLevels) {
  const ParsedDocument doc = ParseMarkdown(
      "# 员工手册\n\n简介。\n\n## 报销 *流程*\n\n正文。\n\nSetext "
      "Heading\n--------------\n\nMore.\n");
  EXPECT_EQ(doc.type, "markdown");
  ASSERT_GE(doc.blocks.size(), 6u);
  EXPECT_EQ(doc.blocks[0].kind, Kind::kHeading);
  EXPECT_EQ(doc.blocks[0].level, 1);
  EXPECT_EQ(doc.blocks[0].text, "员工手册");
  EXPECT_EQ(doc.blocks[2].kind, Kind::kHeading);
  EXPECT_EQ(doc.blocks[2].level, 2);
  EXPECT_EQ(doc.blocks[2].text, "报销 流程");  // emphasis markup gone, text kept
  EXPECT_EQ(doc.blocks[4].kind, Kind::kHeading);
  EXPECT_EQ(doc.blocks[4].level, 2);
  EXPECT_EQ(doc.blocks[4].text, "Setext Heading");
  // Without front matter, the first level-1 heading is the title.
  EXPECT_EQ(doc.title, "员工手册");
}

TEST(Markdown, FrontMatterTitleWinsAndFrontMatterIsNotText) {
  const ParsedDocument doc = ParseMarkdown(
      "---\ntitle: \"Travel Policy\"\nauthor: someone\n---\n# Heading One\n\nBody text.\n");
  EXPECT_EQ(doc.title, "Travel Policy");
  const std::string all = AllText(doc);
  EXPECT_EQ(all.find("author"), std::string::npos);
  EXPECT_EQ(all.find("someone"), std::string::npos);
  EXPECT_NE(all.find("Body text."), std::string::npos);

  EXPECT_EQ(ParseMarkdown("---\ntitle: 'Single quoted'\n---\ntext\n").title, "Single quoted");
  EXPECT_EQ(ParseMarkdown("---\ntitle: 无引号标题\n---\ntext\n").title, "无引号标题");
  EXPECT_EQ(ParseMarkdown("no front matter, no heading\n").title, "");
}

TEST(Markdown, TablesBecomeOneRowPerBlock) {
  const ParsedDocument doc = ParseMarkdown(
      "| 项目 | 金额 | 备注 |\n|---|---:|---|\n| 机票 | 1200 | **经济舱** |\n"
      "| 酒店 | 500 | 每晚 |\n");
  EXPECT_EQ(TextsOf(doc, Kind::kTableRow),
            (Strings{"项目 | 金额 | 备注", "机票 | 1200 | 经济舱", "酒店 | 500 | 每晚"}));
  EXPECT_EQ(AllText(doc).find("---"), std::string::npos);
}

TEST(Markdown, HtmlIsDropped) {
  const ParsedDocument doc = ParseMarkdown(
      "<div class=\"nav\">menu secret</div>\n\n<script>alert('x')</script>\n\n"
      "Visible <span style=\"color:red\">inline</span> text.\n\n<!-- a comment -->\n");
  const std::string all = AllText(doc);
  for (const char* gone : {"<div", "menu secret", "script", "alert", "<span", "style", "comment"})
    EXPECT_EQ(all.find(gone), std::string::npos) << gone << " in " << all;
  EXPECT_EQ(TextsOf(doc, Kind::kParagraph), (Strings{"Visible inline text."}));
}

TEST(Markdown, ListsQuotesCodeAndLinksKeepTheirText) {
  const ParsedDocument doc = ParseMarkdown(
      "- 第一项\n- 第二项 with [a link](https://example.com)\n\n> 引用的话\n\n"
      "```\ncode line\n```\n\n![alt text](img.png) and `inline code`.\n\n---\n\nAfter rule.\n");
  EXPECT_EQ(TextsOf(doc, Kind::kListItem), (Strings{"第一项", "第二项 with a link"}));
  EXPECT_EQ(TextsOf(doc, Kind::kQuote), (Strings{"引用的话"}));
  EXPECT_EQ(TextsOf(doc, Kind::kCode), (Strings{"code line"}));
  EXPECT_EQ(TextsOf(doc, Kind::kParagraph), (Strings{"alt text and inline code.", "After rule."}));
  EXPECT_EQ(AllText(doc).find("https://"), std::string::npos);
}

TEST(LoadDocument, DecodesNormalisesAndParses) {
  // UTF-8 BOM, CRLF line ends, decomposed é.
  auto doc =
      LoadDocument("\xEF\xBB\xBF# Title\r\n\r\nCaf\x65\xCC\x81 menu.\r\n", FileType::kMarkdown);
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ(doc->title, "Title");
  EXPECT_EQ(TextsOf(*doc, Kind::kParagraph), (Strings{"Café menu."}));  // NFC é
}

TEST(LoadDocument, EmptyDocumentsAreRejected) {
  for (const char* input : {"", "   \n\n\t\n", "# Only a heading\n", "<div>only html</div>\n",
                            "---\ntitle: front matter only\n---\n"}) {
    SCOPED_TRACE(input);
    auto doc = LoadDocument(input, FileType::kMarkdown);
    ASSERT_FALSE(doc);
    EXPECT_EQ(doc.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(doc.error().message().find("empty"), std::string::npos);
  }
  auto txt = LoadDocument("\n\n   \n", FileType::kText);
  ASSERT_FALSE(txt);
  EXPECT_NE(txt.error().message().find("empty"), std::string::npos);
}

TEST(LoadDocument, UndecodableAndUnknownInputsFail) {
  auto bad = LoadDocument("abc\xFF\xFF", FileType::kText);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), StatusCode::kInvalidArgument);
  auto binary = LoadDocument(std::string("a\0b", 3), FileType::kText);
  ASSERT_FALSE(binary);
  EXPECT_EQ(binary.error().code(), StatusCode::kUnsupported);
  auto unknown = LoadDocument("some text", FileType::kUnknown);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code(), StatusCode::kUnsupported);
}

TEST(LayOut, JoinsBlocksWithBlankLinesAndRecordsTheirRanges) {
  ParsedDocument doc;
  doc.blocks = {
      {Kind::kHeading, 1, "标题"}, {Kind::kParagraph, 0, ""}, {Kind::kParagraph, 0, "正文"}};
  const LaidOutDocument laid = LayOut(doc);
  EXPECT_EQ(laid.text, "标题\n\n正文");
  ASSERT_EQ(laid.blocks.size(), 2u);  // the empty block is skipped
  EXPECT_EQ(laid.text.substr(laid.blocks[0].begin, laid.blocks[0].end - laid.blocks[0].begin),
            "标题");
  EXPECT_EQ(laid.blocks[0].kind, Kind::kHeading);
  EXPECT_EQ(laid.blocks[0].level, 1);
  EXPECT_EQ(laid.text.substr(laid.blocks[1].begin, laid.blocks[1].end - laid.blocks[1].begin),
            "正文");
}

}  // namespace
}  // namespace askio::ingest
