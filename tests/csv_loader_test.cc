// CSV/TSV: RFC 4180 quoting, ragged rows, and rows as self-contained records.
#include "ingest/csv_loader.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "test_util.h"

namespace askio::ingest {
namespace {

using Kind = Block::Kind;

// (text, location) of every table row, in order.
std::vector<std::pair<std::string, std::string>> Rows(const ParsedDocument& doc) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Block& b : doc.blocks)
    if (b.kind == Kind::kTableRow) out.emplace_back(b.text, b.location);
  return out;
}

using RowList = std::vector<std::pair<std::string, std::string>>;

TEST(CsvLoader, QuotingFixtureFromRfc4180) {
  // CRLF, a BOM, a quoted delimiter in the header, doubled quotes, a line
  // break inside quotes, a blank line, an empty quoted field, a ragged row.
  const std::string text = testing::ReadFile(testing::TestDataPath("formats/table-quoting.csv"));
  const ParsedDocument doc = ParseDelimited(text, ',', "");
  EXPECT_EQ(doc.type, "csv");
  EXPECT_EQ(Rows(doc), (RowList{
                           {"产品 | 价格 | 备注, 说明", "row 1"},
                           {"产品: 苹果 | 价格: 5.5 | 备注, 说明: 产地：\"烟台\"", "row 2"},
                           {"产品: 香蕉 | 价格: 3.2 | 备注, 说明: 第一行 第二行", "row 3"},
                           {"产品: 橙子 | 备注, 说明: 缺货", "row 5"},
                           {"产品: 西瓜 | 价格: 12 | 备注, 说明: 夏季 | 额外列", "row 6"},
                       }));
  for (const Block& b : doc.blocks) {
    EXPECT_EQ(b.kind, Kind::kTableRow);
    EXPECT_EQ(b.text.find('\r'), std::string::npos);
    EXPECT_EQ(b.text.find("\xEF\xBB\xBF"), std::string::npos) << "the BOM is not text";
  }
}

TEST(CsvLoader, TsvFixtureWithSheetName) {
  const std::string text = testing::ReadFile(testing::TestDataPath("formats/table-cities.tsv"));
  const ParsedDocument doc = ParseDelimited(text, '\t', "城市");
  EXPECT_EQ(doc.type, "tsv");
  ASSERT_FALSE(doc.blocks.empty());
  EXPECT_EQ(doc.blocks[0].kind, Kind::kHeading);
  EXPECT_EQ(doc.blocks[0].level, 1);
  EXPECT_EQ(doc.blocks[0].text, "城市");
  EXPECT_EQ(Rows(doc),
            (RowList{
                {"城市 | 人口（万） | 备注", "sheet 城市, row 1"},
                {"城市: 北京 | 人口（万）: 2189 | 备注: 首都", "sheet 城市, row 2"},
                {"城市: 上海 | 人口（万）: 2487 | 备注: 含\"浦东\"新区", "sheet 城市, row 3"},
                {"城市: 深圳 | 人口（万）: 1768", "sheet 城市, row 4"},
            }));
}

TEST(CsvLoader, LibreOfficeCsvKeepsSpreadsheetRowNumbers) {
  // Written by LibreOffice from office-products.xlsx: all fields quoted or
  // not, an all-empty row (",,,,,,") that must be skipped but counted.
  const std::string text =
      testing::ReadFile(testing::TestDataPath("formats/table-libreoffice.csv"));
  const RowList rows = Rows(ParseDelimited(text, ',', ""));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].first, "类别 | 产品 | 价格 | 库存 | 上架日期 | 折扣 | 在售");
  EXPECT_EQ(rows[1].first,
            "类别: 水果 | 产品: 苹果 | 价格: 5.5 | 库存: 120 | 上架日期: 2024-03-01 | 折扣: 10% | "
            "在售: TRUE");
  EXPECT_EQ(rows[3], (std::pair<std::string, std::string>{
                         "类别: 蔬菜 | 产品: 白菜 | 上架日期: 2024-04-02", "row 5"}));
  EXPECT_EQ(rows[4].first, "类别: 饮料 | 产品: 可乐, 330ml \"经典\" | 价格: 2.5 | 库存: 48");
}

TEST(CsvLoader, EdgeCases) {
  // No final line break, CR-only line ends.
  EXPECT_EQ(Rows(ParseDelimited("a,b\rx,y", ',', "")),
            (RowList{{"a | b", "row 1"}, {"a: x | b: y", "row 2"}}));
  // Text after a closing quote is kept; an unterminated quote runs to the end.
  EXPECT_EQ(Rows(ParseDelimited("h1,h2\n\"ab\"c,\"open\nstill open", ',', "")),
            (RowList{{"h1 | h2", "row 1"}, {"h1: abc | h2: open still open", "row 2"}}));
  // A quote inside an unquoted field is an ordinary character.
  EXPECT_EQ(Rows(ParseDelimited("h\n5\" disk\n", ',', "")),
            (RowList{{"h", "row 1"}, {"h: 5\" disk", "row 2"}}));
  // Only a header; nothing at all.
  EXPECT_EQ(Rows(ParseDelimited("only,header\n", ',', "")), (RowList{{"only | header", "row 1"}}));
  EXPECT_TRUE(ParseDelimited("", ',', "").blocks.empty());
  EXPECT_TRUE(ParseDelimited("\n\n,,\n", ',', "").blocks.empty());
  EXPECT_TRUE(ParseDelimited(" , \n", ',', "空表").blocks.empty()) << "no heading for no table";
  // Semicolons (European Excel) when the caller says so.
  EXPECT_EQ(Rows(ParseDelimited("名称;数量\n螺丝;100\n", ';', "")),
            (RowList{{"名称 | 数量", "row 1"}, {"名称: 螺丝 | 数量: 100", "row 2"}}));
}

TEST(CsvLoader, LeadingBlankRowsAndHeaderGaps) {
  // The header is the first non-empty row; a column without a header
  // contributes its bare value.
  EXPECT_EQ(Rows(ParseDelimited("\n,,\n名称,,单价\n笔,黑色,2\n", ',', "")),
            (RowList{{"名称 | 单价", "row 3"}, {"名称: 笔 | 黑色 | 单价: 2", "row 4"}}));
}

TEST(AppendRecords, TitleRowAboveAWiderHeaderIsAParagraph) {
  ParsedDocument doc;
  AppendRecords({{"2024年价格表"}, {}, {"产品", "价格", "库存"}, {"苹果", "5", "10"}}, "价格", doc);
  ASSERT_EQ(doc.blocks.size(), 4u);
  EXPECT_EQ(doc.blocks[0].kind, Kind::kHeading);
  EXPECT_EQ(doc.blocks[0].location, "sheet 价格");
  EXPECT_EQ(doc.blocks[1].kind, Kind::kParagraph);
  EXPECT_EQ(doc.blocks[1].text, "2024年价格表");
  EXPECT_EQ(doc.blocks[1].location, "sheet 价格, row 1");
  EXPECT_EQ(doc.blocks[2].text, "产品 | 价格 | 库存");
  EXPECT_EQ(doc.blocks[2].location, "sheet 价格, row 3");
  EXPECT_EQ(doc.blocks[3].text, "产品: 苹果 | 价格: 5 | 库存: 10");

  // A two-column table whose second header is blank keeps its first row.
  ParsedDocument narrow;
  AppendRecords({{"姓名", ""}, {"张三", "30"}}, "", narrow);
  EXPECT_EQ(Rows(narrow), (RowList{{"姓名", "row 1"}, {"姓名: 张三 | 30", "row 2"}}));
}

TEST(AppendTable, SparseRowsPlacementAndWhitespace) {
  ParsedDocument doc;
  TablePlacement placement;
  placement.place = "slide 3";
  placement.number_rows = false;
  placement.page = 3;
  AppendTable({{1, {{0, "型号"}, {2, "价格"}}},
               {7, {{0, "标准版\n(2024)"}, {1, "  "}, {2, "299元"}, {5, "备注"}}}},
              placement, doc);
  ASSERT_EQ(doc.blocks.size(), 2u);
  EXPECT_EQ(doc.blocks[1].text, "型号: 标准版 (2024) | 价格: 299元 | 备注");
  for (const Block& b : doc.blocks) {
    EXPECT_EQ(b.page, 3);
    EXPECT_EQ(b.location, "slide 3");
  }
}

}  // namespace
}  // namespace askio::ingest
