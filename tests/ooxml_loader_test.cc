// DOCX, XLSX and PPTX: real files written by pandoc and LibreOffice (see
// scripts/data/make-office-fixtures.sh), hand-written XML for the cases those
// writers do not produce, and hostile packages (XXE, billion laughs).
#include "ingest/ooxml_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "test_util.h"

namespace askio::ingest {
namespace {

using Kind = Block::Kind;

Result<ParsedDocument> LoadFixture(const std::string& name,
                                   Result<ParsedDocument> (*parse)(const ArchiveContents&,
                                                                   const LoadOptions&),
                                   const LoadOptions& options = {}) {
  const std::string bytes = testing::ReadFile(testing::TestDataPath("formats/" + name));
  auto archive = ReadArchive(bytes, options.archive);
  if (!archive) return Err(archive.error());
  return parse(*archive, options);
}

ArchiveContents Package(std::vector<std::pair<std::string, std::string>> parts) {
  ArchiveContents a;
  for (auto& [name, bytes] : parts) a.members.push_back({std::move(name), std::move(bytes)});
  return a;
}

const Block* FindBlock(const ParsedDocument& doc, const std::string& text) {
  for (const Block& b : doc.blocks)
    if (b.text == text) return &b;
  return nullptr;
}

bool Mentions(const ParsedDocument& doc, const std::string& needle) {
  for (const Block& b : doc.blocks)
    if (b.text.find(needle) != std::string::npos) return true;
  return false;
}

int Count(const ParsedDocument& doc, const std::string& needle) {
  int n = 0;
  for (const Block& b : doc.blocks)
    if (b.text.find(needle) != std::string::npos) ++n;
  return n;
}

std::vector<std::pair<int, std::string>> Headings(const ParsedDocument& doc) {
  std::vector<std::pair<int, std::string>> out;
  for (const Block& b : doc.blocks)
    if (b.kind == Kind::kHeading) out.emplace_back(b.level, b.text);
  return out;
}

using HeadingList = std::vector<std::pair<int, std::string>>;

// Listing the blocks on failure makes a changed rendering quick to see.
::testing::AssertionResult HasBlock(const ParsedDocument& doc, Kind kind, const std::string& text) {
  const Block* b = FindBlock(doc, text);
  if (b && b->kind == kind) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure();
  if (b)
    failure << "\"" << text << "\" is kind " << static_cast<int>(b->kind) << ", want "
            << static_cast<int>(kind);
  else
    failure << "no block \"" << text << "\" among:";
  for (const Block& block : doc.blocks)
    failure << "\n  [" << static_cast<int>(block.kind) << "] " << block.text;
  return failure;
}

#define EXPECT_BLOCK(doc, kind, text) EXPECT_TRUE(HasBlock(doc, kind, text))

constexpr const char* kW =
    R"(xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main")";

std::string WordDocument(const std::string& body) {
  return std::string(R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document )") +
         kW +
         R"( xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>)" +
         body + "</w:body></w:document>";
}

// ----------------------------------------------------------------- DOCX ----

TEST(DocxLoader, PandocDocumentStructure) {
  auto doc = LoadFixture("office-pandoc.docx", ParseDocx);
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_EQ(doc->type, "docx");
  EXPECT_EQ(doc->title, "员工手册 Employee Handbook") << "from docProps/core.xml";
  EXPECT_EQ(Headings(*doc), (HeadingList{{1, "员工手册 Employee Handbook"},
                                         {1, "第一章 总则 General Provisions"},
                                         {2, "1.1 工作时间 Working Hours"},
                                         {2, "1.2 报销标准 Expense Limits"},
                                         {3, "1.2.1 例外 Exceptions"},
                                         {1, "第二章 假期 Leave"},
                                         {1, "Footnotes"}}));
  EXPECT_BLOCK(*doc, Kind::kParagraph,
               "本手册适用于公司全体员工。This handbook applies to all employees.[1]");
  EXPECT_BLOCK(*doc, Kind::kListItem, "弹性工作需经主管批准。");
  EXPECT_BLOCK(*doc, Kind::kListItem, "Remote work requires written approval.");
  EXPECT_BLOCK(*doc, Kind::kListItem, "主管审批 Manager approval");
  EXPECT_BLOCK(*doc, Kind::kTableRow, "城市 | 住宿上限 | 餐补");
  EXPECT_BLOCK(*doc, Kind::kTableRow, "城市: 北京 | 住宿上限: 600元 | 餐补: 100元");
  EXPECT_BLOCK(*doc, Kind::kTableRow, "城市: 成都 | 住宿上限: 400元 | 餐补: 80元");
  EXPECT_BLOCK(*doc, Kind::kParagraph,
               "First line of the exception\nsecond line after a hard break.");
}

TEST(DocxLoader, PandocTrackedChangesAndFootnotes) {
  auto doc = LoadFixture("office-pandoc.docx", ParseDocx);
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_TRUE(Mentions(*doc, "标准工作时间为周一至周五 9:00–18:00。午休一小时。"))
      << "an insertion is part of the text";
  EXPECT_FALSE(Mentions(*doc, "午休两小时")) << "a deletion is not";
  // Footnotes come last, numbered as referenced, under their own heading.
  const auto footnotes = std::find_if(doc->blocks.begin(), doc->blocks.end(), [](const Block& b) {
    return b.kind == Kind::kHeading && b.text == "Footnotes";
  });
  ASSERT_NE(footnotes, doc->blocks.end());
  ASSERT_EQ(doc->blocks.end() - footnotes, 3);
  EXPECT_EQ(footnotes[1].text, "[1] 本手册自2024年1月1日起施行。");
  EXPECT_EQ(footnotes[2].text, "[2] Annual leave is prorated in the first year.");
  EXPECT_TRUE(Mentions(*doc, "年假为每年十五天。[2]"));
}

TEST(DocxLoader, LibreOfficeDocumentWithChineseStylesMergedCellsAndChanges) {
  auto doc = LoadFixture("office-libreoffice.docx", ParseDocx);
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_EQ(doc->title, "报销制度 Expense Policy");
  // Styles named 一级标题 / 二级标题: headings only through their outline level.
  EXPECT_EQ(Headings(*doc),
            (HeadingList{{1, "报销制度"}, {2, "所需材料"}, {2, "报销标准"}, {1, "Footnotes"}}));
  EXPECT_BLOCK(*doc, Kind::kParagraph, "员工应在出差结束后十个工作日内提交报销申请。[1]");
  EXPECT_FALSE(Mentions(*doc, "三十个自然日")) << "deleted in a tracked change";
  EXPECT_FALSE(Mentions(*doc, "法务确认")) << "comments are not document text";
  EXPECT_BLOCK(*doc, Kind::kListItem, "发票原件");
  EXPECT_BLOCK(*doc, Kind::kListItem, "行程单");
  EXPECT_BLOCK(*doc, Kind::kParagraph, "联系人： 财务部\n电话：8001") << "a tab and a line break";
  // A row span repeats its value in each row; a column span counts once.
  EXPECT_BLOCK(*doc, Kind::kTableRow, "类别 | 项目 | 上限");
  EXPECT_BLOCK(*doc, Kind::kTableRow, "类别: 交通 | 项目: 出租车 | 上限: 200元");
  EXPECT_BLOCK(*doc, Kind::kTableRow, "类别: 交通 | 项目: 高铁 | 上限: 二等座");
  EXPECT_BLOCK(*doc, Kind::kTableRow, "类别: 住宿（每晚） | 上限: 500元");
  EXPECT_BLOCK(*doc, Kind::kParagraph, "超出标准的部分由个人承担。");
  EXPECT_BLOCK(*doc, Kind::kParagraph, "[1] 以财务部最新通知为准。");
}

TEST(DocxLoader, StylesInheritOutlineLevelsAndNumbering) {
  const std::string styles = std::string("<w:styles ") + kW + R"(>
    <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
    <w:style w:type="paragraph" w:styleId="a1"><w:name w:val="章标题"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
    <w:style w:type="paragraph" w:styleId="a2"><w:name w:val="节标题"/><w:basedOn w:val="a1"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
    <w:style w:type="paragraph" w:styleId="a3"><w:name w:val="节标题（红）"/><w:basedOn w:val="a2"/></w:style>
    <w:style w:type="paragraph" w:styleId="H3"><w:name w:val="heading 3"/></w:style>
    <w:style w:type="paragraph" w:styleId="My3"><w:name w:val="My Heading"/><w:basedOn w:val="H3"/></w:style>
    <w:style w:type="paragraph" w:styleId="H9"><w:name w:val="heading 9"/></w:style>
    <w:style w:type="paragraph" w:styleId="T"><w:name w:val="Title"/></w:style>
    <w:style w:type="paragraph" w:styleId="LoopA"><w:name w:val="Loop A"/><w:basedOn w:val="LoopB"/></w:style>
    <w:style w:type="paragraph" w:styleId="LoopB"><w:name w:val="Loop B"/><w:basedOn w:val="LoopA"/></w:style>
    <w:style w:type="paragraph" w:styleId="LB"><w:name w:val="List Bullet"/><w:pPr><w:numPr><w:numId w:val="3"/></w:numPr></w:pPr></w:style>
    <w:style w:type="paragraph" w:styleId="LB2"><w:name w:val="List Bullet 2"/><w:basedOn w:val="LB"/></w:style>
    <w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/></w:style>
    <w:style w:type="character" w:styleId="C1"><w:name w:val="heading 1 Char"/></w:style>
  </w:styles>)";
  auto p = [](const std::string& style, const std::string& text, const std::string& ppr = "") {
    return "<w:p><w:pPr>" + (style.empty() ? "" : "<w:pStyle w:val=\"" + style + "\"/>") + ppr +
           "</w:pPr><w:r><w:t>" + text + "</w:t></w:r></w:p>";
  };
  const std::string body =
      p("T", "手册标题") + p("a1", "第一章") + p("a3", "继承的二级标题") + p("My3", "基于标题3") +
      p("H9", "九级标题") + p("LoopA", "循环样式不会卡住") +
      p("", "直接设置大纲级别", "<w:outlineLvl w:val=\"3\"/>") +
      p("a1", "正文级别覆盖样式", "<w:outlineLvl w:val=\"9\"/>") + p("LB", "继承编号的列表项") +
      p("LB2", "二级继承") + p("LB", "取消编号", "<w:numPr><w:numId w:val=\"0\"/></w:numPr>") +
      p("", "直接编号", "<w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"7\"/></w:numPr>") +
      p("TOC1", "第一章 ........ 1") + p("Missing", "未定义的样式");
  auto doc = ParseDocx(
      Package({{"word/document.xml", WordDocument(body)}, {"word/styles.xml", styles}}), {});
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_EQ(doc->title, "手册标题") << "no core properties: the Title paragraph";
  EXPECT_EQ(Headings(*doc), (HeadingList{{1, "手册标题"},
                                         {1, "第一章"},
                                         {2, "继承的二级标题"},
                                         {3, "基于标题3"},
                                         {6, "九级标题"},
                                         {4, "直接设置大纲级别"}}));
  EXPECT_BLOCK(*doc, Kind::kParagraph, "循环样式不会卡住");
  EXPECT_BLOCK(*doc, Kind::kParagraph, "正文级别覆盖样式");
  EXPECT_BLOCK(*doc, Kind::kListItem, "继承编号的列表项");
  EXPECT_BLOCK(*doc, Kind::kListItem, "二级继承");
  EXPECT_BLOCK(*doc, Kind::kParagraph, "取消编号");
  EXPECT_BLOCK(*doc, Kind::kListItem, "直接编号");
  EXPECT_BLOCK(*doc, Kind::kParagraph, "未定义的样式");
  EXPECT_FALSE(Mentions(*doc, "........")) << "table-of-contents lines are left out";
}

TEST(DocxLoader, InlineContentFieldsTextBoxesAndRuby) {
  const std::string body = R"(
    <w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/></w:docPartObj></w:sdtPr>
      <w:sdtContent><w:p><w:r><w:t>目录 Contents</w:t></w:r></w:p></w:sdtContent></w:sdt>
    <w:sdt><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>内容控件里的段落</w:t></w:r></w:p></w:sdtContent></w:sdt>
    <w:p><w:r><w:t>Hello</w:t></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r><w:r><w:t>world</w:t></w:r>
      <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> HYPERLINK "http://example.com" </w:instrText></w:r>
      <w:r><w:fldChar w:fldCharType="separate"/></w:r><w:hyperlink><w:r><w:t xml:space="preserve">, link text</w:t></w:r></w:hyperlink>
      <w:r><w:fldChar w:fldCharType="end"/></w:r>
      <w:ins w:id="1" w:author="a"><w:r><w:t>!</w:t></w:r></w:ins>
      <w:del w:id="2" w:author="a"><w:r><w:delText>DELETED</w:delText></w:r></w:del>
      <w:moveFrom w:id="3" w:author="a"><w:r><w:t>MOVED AWAY</w:t></w:r></w:moveFrom>
      <w:commentRangeStart w:id="0"/><w:r><w:commentReference w:id="0"/></w:r></w:p>
    <w:p><w:r><w:t>Anchor paragraph.</w:t></w:r><w:r><mc:AlternateContent>
      <mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx>
        <w:txbxContent><w:p><w:r><w:t>文本框内容</w:t></w:r></w:p></w:txbxContent>
      </wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>
      <mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>文本框内容</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>
    </mc:AlternateContent></w:r></w:p>
    <w:p><w:r><w:ruby><w:rubyPr/><w:rt><w:r><w:t>zhù</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>注</w:t></w:r></w:rubyBase></w:ruby></w:r><w:r><w:t>音</w:t><w:noBreakHyphen/><w:t>A</w:t></w:r></w:p>
  )";
  auto doc = ParseDocx(Package({{"word/document.xml", WordDocument(body)}}), {});
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_FALSE(Mentions(*doc, "目录")) << "a table-of-contents control is left out";
  EXPECT_BLOCK(*doc, Kind::kParagraph, "内容控件里的段落");
  EXPECT_BLOCK(*doc, Kind::kParagraph, "Hello world, link text!")
      << "space-only runs kept; field codes, deletions and moved-away text dropped";
  EXPECT_BLOCK(*doc, Kind::kParagraph, "Anchor paragraph.");
  EXPECT_EQ(Count(*doc, "文本框内容"), 1) << "alternate content is read once";
  EXPECT_BLOCK(*doc, Kind::kParagraph, "注音-A") << "ruby guide text is not base text";
}

TEST(DocxLoader, TablesHeaderRowsSpansAndLayoutBoxes) {
  auto tc = [](const std::string& text, const std::string& props = "") {
    return "<w:tc><w:tcPr>" + props + "</w:tcPr><w:p><w:r><w:t>" + text +
           "</w:t></w:r></w:p></w:tc>";
  };
  const std::string header = "<w:trPr><w:tblHeader/></w:trPr>";
  const std::string body =
      "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"
      "<w:tr>" +
      header + tc("地区", "<w:vMerge w:val=\"restart\"/>") +
      tc("销售额", "<w:gridSpan w:val=\"2\"/>") + "</w:tr>" + "<w:tr>" + header +
      tc("", "<w:vMerge/>") + tc("2023") + tc("2024") + "</w:tr>" + "<w:tr>" + tc("华东") +
      tc("100") + tc("120") + "</w:tr>" + "<w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>" +
      tc("90") + tc("95") + "</w:tr>" +
      "</w:tbl>"
      // A one-cell table is a box around text, not data.
      "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>注意：本规定自发布之日起施行。</w:t></w:r></w:p>"
      "<w:p><w:r><w:t>第二段。</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
      // A cell with two paragraphs and a nested table reads as one value.
      "<w:tbl><w:tr>" +
      tc("项目") + tc("说明") + "</w:tr><w:tr>" + tc("A") +
      "<w:tc><w:p><w:r><w:t>第一行</w:t></w:r></w:p><w:p><w:r><w:t>第二行</w:t></w:r></w:p></w:tc>"
      "</w:tr></w:tbl>";
  auto doc = ParseDocx(Package({{"word/document.xml", WordDocument(body)}}), {});
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_BLOCK(*doc, Kind::kTableRow, "地区 | 销售额 2023 | 销售额 2024");
  EXPECT_BLOCK(*doc, Kind::kTableRow, "地区: 华东 | 销售额 2023: 100 | 销售额 2024: 120");
  EXPECT_BLOCK(*doc, Kind::kTableRow, "销售额 2023: 90 | 销售额 2024: 95")
      << "w:gridBefore shifts the cells right";
  EXPECT_BLOCK(*doc, Kind::kParagraph, "注意：本规定自发布之日起施行。");
  EXPECT_BLOCK(*doc, Kind::kParagraph, "第二段。");
  EXPECT_BLOCK(*doc, Kind::kTableRow, "项目: A | 说明: 第一行 第二行");
}

TEST(DocxLoader, NotesNumberedByFirstReference) {
  const std::string body =
      R"(<w:p><w:r><w:t>甲</w:t></w:r><w:r><w:footnoteReference w:id="5"/></w:r>)"
      R"(<w:r><w:t>乙</w:t></w:r><w:r><w:footnoteReference w:id="2"/></w:r>)"
      R"(<w:r><w:t>丙</w:t></w:r><w:r><w:endnoteReference w:id="1"/></w:r></w:p>)";
  const std::string footnotes = std::string("<w:footnotes ") + kW + R"(>
    <w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
    <w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:t>SEPARATOR</w:t></w:r></w:p></w:footnote>
    <w:footnote w:id="2"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> 第二个脚注</w:t></w:r></w:p></w:footnote>
    <w:footnote w:id="5"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t>第一个脚注</w:t></w:r></w:p><w:p><w:r><w:t>续段</w:t></w:r></w:p></w:footnote>
  </w:footnotes>)";
  const std::string endnotes =
      std::string("<w:endnotes ") + kW +
      R"(><w:endnote w:id="1"><w:p><w:r><w:t>尾注内容</w:t></w:r></w:p></w:endnote></w:endnotes>)";
  auto doc = ParseDocx(Package({{"word/document.xml", WordDocument(body)},
                                {"word/footnotes.xml", footnotes},
                                {"word/endnotes.xml", endnotes}}),
                       {});
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_BLOCK(*doc, Kind::kParagraph, "甲[1]乙[2]丙[i]");
  EXPECT_BLOCK(*doc, Kind::kParagraph, "[1] 第一个脚注 续段");
  EXPECT_BLOCK(*doc, Kind::kParagraph, "[2] 第二个脚注");
  EXPECT_BLOCK(*doc, Kind::kParagraph, "[i] 尾注内容");
  EXPECT_FALSE(Mentions(*doc, "SEPARATOR"));
  EXPECT_EQ(Headings(*doc), (HeadingList{{1, "Footnotes"}, {1, "Endnotes"}}));
}

TEST(DocxLoader, MainPartFoundThroughRelationships) {
  // Not at word/document.xml: found through _rels/.rels, as is its styles
  // part through its own relationships (a relative target with "..").
  const std::string rels =
      R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
      R"(<Relationship Id="rId1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" Target="/content/main.xml"/>)"
      R"(<Relationship Id="rId2" Type="http://x/ext" Target="https://example.com/" TargetMode="External"/></Relationships>)";
  const std::string doc_rels =
      R"(<Relationships><Relationship Id="s" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="../shared/./st.xml"/></Relationships>)";
  const std::string styles =
      std::string("<w:styles ") + kW +
      R"(><w:style w:type="paragraph" w:styleId="X"><w:name w:val="heading 2"/></w:style></w:styles>)";
  auto doc = ParseDocx(
      Package(
          {{"_rels/.rels", rels},
           {"content/main.xml",
            WordDocument(
                R"(<w:p><w:pPr><w:pStyle w:val="X"/></w:pPr><w:r><w:t>找到了</w:t></w:r></w:p>)")},
           {"content/_rels/main.xml.rels", doc_rels},
           {"shared/st.xml", styles}}),
      {});
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_EQ(Headings(*doc), (HeadingList{{2, "找到了"}}));
}

// ------------------------------------------------------------- hostile ----

TEST(OoxmlSecurity, ExternalEntityIsRefusedAndNeverRead) {
  auto doc = LoadFixture("hostile-xxe.docx", ParseDocx);
  ASSERT_FALSE(doc) << "a DTD in an OOXML part is refused";
  EXPECT_NE(doc.error().message().find("word/document.xml"), std::string::npos)
      << doc.error().message();
  EXPECT_NE(doc.error().message().find("DTD"), std::string::npos) << doc.error().message();
  EXPECT_EQ(doc.error().message().find("root:"), std::string::npos);
}

TEST(OoxmlSecurity, BillionLaughsIsRefusedWithoutExpansion) {
  auto doc = LoadFixture("hostile-billion-laughs.docx", ParseDocx);
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().message().find("DTD"), std::string::npos) << doc.error().message();
  EXPECT_LT(doc.error().message().size(), 1000u);
}

TEST(OoxmlSecurity, DtdInAnyPartIsRefused) {
  const std::string dtd =
      R"(<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>)";
  auto docx = ParseDocx(Package({{"word/document.xml", WordDocument("<w:p/>")},
                                 {"word/styles.xml", dtd + "<w:styles " + kW + ">&e;</w:styles>"}}),
                        {});
  ASSERT_FALSE(docx);
  EXPECT_NE(docx.error().message().find("word/styles.xml"), std::string::npos);
  auto xlsx = ParseXlsx(Package({{"xl/workbook.xml", "<workbook><sheets/></workbook>"},
                                 {"xl/sharedStrings.xml", dtd + "<sst><si><t>&e;</t></si></sst>"}}),
                        {});
  ASSERT_FALSE(xlsx);
  EXPECT_NE(xlsx.error().message().find("xl/sharedStrings.xml"), std::string::npos);
}

TEST(OoxmlSecurity, UndeclaredEntitiesStayLiteral) {
  // Without a DTD there is nothing to expand; pugixml leaves an unknown
  // reference as written and only decodes the five predefined ones.
  auto doc = ParseDocx(
      Package({{"word/document.xml",
                WordDocument("<w:p><w:r><w:t>a &amp; b &#x4E2D; &e;</w:t></w:r></w:p>")}}),
      {});
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_BLOCK(*doc, Kind::kParagraph, "a & b 中 &e;");
}

TEST(OoxmlSecurity, DeepNestingIsCutOffNotAStackOverflow) {
  // Hundreds of thousands of nested elements: well-formed XML that a naive
  // recursive walk would overflow the stack on.
  constexpr int kDepth = 300000;
  std::string deep;
  for (int i = 0; i < kDepth; ++i) deep += "<w:hyperlink>";
  deep += "<w:r><w:t>深处</w:t></w:r>";
  for (int i = 0; i < kDepth; ++i) deep += "</w:hyperlink>";
  auto docx =
      ParseDocx(Package({{"word/document.xml",
                          WordDocument("<w:p><w:r><w:t>表面</w:t></w:r>" + deep + "</w:p>")}}),
                {});
  ASSERT_TRUE(docx) << docx.error().ToString();
  EXPECT_BLOCK(*docx, Kind::kParagraph, "表面");

  std::string groups;
  for (int i = 0; i < kDepth; ++i) groups += "<p:grpSp>";
  for (int i = 0; i < kDepth; ++i) groups += "</p:grpSp>";
  auto pptx = ParsePptx(
      Package(
          {{"ppt/presentation.xml",
            R"(<p:presentation><p:sldIdLst><p:sldId r:id="a"/></p:sldIdLst></p:presentation>)"},
           {"ppt/_rels/presentation.xml.rels",
            R"(<Relationships><Relationship Id="a" Type="x/slide" Target="slides/s.xml"/></Relationships>)"},
           {"ppt/slides/s.xml",
            "<p:sld><p:cSld><p:spTree>" + groups + "</p:spTree></p:cSld></p:sld>"}}),
      {});
  ASSERT_TRUE(pptx) << pptx.error().ToString();
  EXPECT_EQ(pptx->pages, 1);
}

TEST(OoxmlErrors, MalformedXmlNamesThePart) {
  auto doc = LoadFixture("hostile-malformed.docx", ParseDocx);
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code(), StatusCode::kCorruption);
  EXPECT_TRUE(doc.error().message().starts_with("word/document.xml: malformed XML"))
      << doc.error().message();
}

TEST(OoxmlErrors, MissingMainPartIsAClearError) {
  auto docx = LoadFixture("hostile-no-document.docx", ParseDocx);
  ASSERT_FALSE(docx);
  EXPECT_TRUE(docx.error().message().starts_with("word/document.xml: missing"))
      << docx.error().message();
  auto xlsx = ParseXlsx(Package({{"docProps/core.xml", "<x/>"}}), {});
  ASSERT_FALSE(xlsx);
  EXPECT_NE(xlsx.error().message().find("xl/workbook.xml"), std::string::npos);
  auto pptx = ParsePptx(Package({}), {});
  ASSERT_FALSE(pptx);
  EXPECT_NE(pptx.error().message().find("ppt/presentation.xml"), std::string::npos);
  auto no_body = ParseDocx(Package({{"word/document.xml", "<w:document/>"}}), {});
  ASSERT_FALSE(no_body);
  EXPECT_NE(no_body.error().message().find("w:body"), std::string::npos);
}

// ----------------------------------------------------------------- XLSX ----

TEST(XlsxLoader, LibreOfficeWorkbookSheetsAndRecords) {
  auto doc = LoadFixture("office-products.xlsx", ParseXlsx);
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_EQ(doc->type, "xlsx");
  EXPECT_EQ(doc->title, "产品目录 Product Catalogue");
  EXPECT_EQ(doc->pages, 2);
  EXPECT_EQ(Headings(*doc), (HeadingList{{1, "产品"}, {1, "Sales 2024"}}));

  struct Expected {
    Kind kind;
    std::string text, location;
    int page;
  };
  const std::vector<Expected> expected = {
      {Kind::kHeading, "产品", "sheet 产品", 1},
      {Kind::kTableRow, "类别 | 产品 | 价格 | 库存 | 上架日期 | 折扣 | 在售", "sheet 产品, row 1",
       1},
      {Kind::kTableRow,
       "类别: 水果 | 产品: 苹果 | 价格: 5.5 | 库存: 120 | 上架日期: 2024-03-01 | 折扣: 10% | 在售: "
       "TRUE",
       "sheet 产品, row 2", 1},
      // 水果 is merged down over rows 2-3; 库存 is empty in row 3.
      {Kind::kTableRow,
       "类别: 水果 | 产品: 香蕉 | 价格: 3.2 | 上架日期: 2024-03-15 | 折扣: 5% | 在售: FALSE",
       "sheet 产品, row 3", 1},
      // Row 4 is blank; row 5 skips columns C and D.
      {Kind::kTableRow, "类别: 蔬菜 | 产品: 白菜 | 上架日期: 2024-04-02", "sheet 产品, row 5", 1},
      // Rich-text runs make one string.
      {Kind::kTableRow, "类别: 饮料 | 产品: 可乐, 330ml \"经典\" | 价格: 2.5 | 库存: 48",
       "sheet 产品, row 6", 1},
      {Kind::kHeading, "Sales 2024", "sheet Sales 2024", 2},
      // A merged title row above the header is a paragraph, not the header.
      {Kind::kParagraph, "2024 Quarterly Sales (万元)", "sheet Sales 2024, row 1", 2},
      {Kind::kTableRow, "Region | Q1 | Q2 | Total", "sheet Sales 2024, row 3", 2},
      {Kind::kTableRow, "Region: 华东 East | Q1: 120.5 | Q2: 98 | Total: 218.5",
       "sheet Sales 2024, row 4", 2},
      {Kind::kTableRow, "Region: 华南 South | Q1: 0.1 | Q2: 0.2 | Total: 0.3",
       "sheet Sales 2024, row 5", 2},
  };
  ASSERT_EQ(doc->blocks.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(doc->blocks[i].kind, expected[i].kind);
    EXPECT_EQ(doc->blocks[i].text, expected[i].text);
    EXPECT_EQ(doc->blocks[i].location, expected[i].location);
    EXPECT_EQ(doc->blocks[i].page, expected[i].page);
  }
}

TEST(XlsxLoader, MaxPagesStopsAtThatManySheets) {
  LoadOptions options;
  options.max_pages = 1;
  auto doc = LoadFixture("office-products.xlsx", ParseXlsx, options);
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_EQ(doc->pages, 2) << "the workbook's sheet count";
  EXPECT_EQ(Headings(*doc), (HeadingList{{1, "产品"}}));
  EXPECT_FALSE(Mentions(*doc, "Region"));
}

constexpr const char* kSheetRels =
    R"(<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/data.xml"/>)"
    R"(<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/../worksheets/second.xml"/>)"
    R"(<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/absent.xml"/></Relationships>)";

TEST(XlsxLoader, CellTypesFormatsAndSparseColumns) {
  const std::string workbook =
      R"(<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr date1904="1"/>)"
      R"(<sheets><sheet name="数据_x0020_表" sheetId="1" r:id="rId1"/><sheet name="Absent" r:id="rId3"/>)"
      R"(<sheet name="Second" sheetId="2" r:id="rId2"/></sheets></workbook>)";
  const std::string styles =
      R"(<styleSheet><numFmts><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>)"
      R"(<numFmt numFmtId="165" formatCode="h:mm"/><numFmt numFmtId="166" formatCode="0.00%"/>)"
      R"(<numFmt numFmtId="167" formatCode="#,##0.00 &quot;元&quot;;[Red]\-#,##0.00"/></numFmts>)"
      R"(<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/>)"
      R"(<xf numFmtId="14"/><xf numFmtId="167"/><xf numFmtId="22"/></cellXfs></styleSheet>)";
  const std::string strings =
      R"(<sst><si><t>名称</t></si>)"
      R"(<si><r><rPr><b/></rPr><t>单</t></r><r><t>价</t></r><rPh sb="0" eb="2"><t>タンカ</t></rPh></si>)"
      R"(<si><t>行1_x000D_
行2</t></si><si><t>_x005F_x000D_ is literal</t></si>)"
      R"(<si><r><t>Unit</t></r><r><t xml:space="preserve"> </t></r><r><t>price</t></r></si></sst>)";
  const std::string sheet =
      R"(<worksheet><sheetData>)"
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c>)"
      R"(<c r="D1" t="inlineStr"><is><t>日期</t></is></c><c r="E1" t="inlineStr"><is><r><t>时</t></r><r><t>间</t></r></is></c>)"
      R"(<c t="inlineStr"><is><t>比例</t></is></c><c t="inlineStr"><is><t>说明</t></is></c></row>)"
      R"(<row r="2"><c r="A2" t="inlineStr"><is><t>螺丝</t></is></c><c r="B2"><v>7</v></c>)"
      R"(<c r="C2" s="0"><v>0.30000000000000004</v></c><c r="D2" s="1"><v>43000</v></c>)"
      R"(<c r="E2" s="2"><v>0.5625</v></c><c r="F2" s="3"><v>0.1234</v></c><c r="G2" t="s"><v>2</v></c></row>)"
      R"(<row r="4"><c r="A4" t="b"><v>1</v></c><c r="C4" t="e"><v>#DIV/0!</v></c><c r="D4" t="str"><f>A1</f><v>公式结果</v></c>)"
      R"(<c r="E4" t="s"><v>99</v></c><c r="F4" s="5"><v>1234.5</v></c><c r="G4" t="s"><v>3</v></c></row>)"
      R"(<row><c r="A5"><f>1+1</f></c><c r="C5" s="4"><v>-5</v></c><c r="D5" s="6"><v>1e400</v></c></row>)"
      R"(<row r="8"><c r="A8" t="s"><v>4</v></c></row>)"
      R"(<row r="7"><c r="C7"><v>1</v></c><c r="A7" t="inlineStr"><is><t>乱序</t></is></c><c r="C7"><v>2</v></c></row>)"
      R"(</sheetData></worksheet>)";
  const ArchiveContents package = Package(
      {{"xl/workbook.xml", workbook},
       {"xl/_rels/workbook.xml.rels", kSheetRels},
       {"xl/styles.xml", styles},
       {"xl/sharedStrings.xml", strings},
       {"xl/worksheets/data.xml", sheet},
       {"xl/worksheets/second.xml",
        R"(<worksheet><sheetData><row r="3"><c r="B3" t="inlineStr"><is><t>唯一</t></is></c></row></sheetData></worksheet>)"}});
  auto doc = ParseXlsx(package, {});
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_EQ(doc->pages, 3);
  EXPECT_EQ(Headings(*doc), (HeadingList{{1, "数据 表"}, {1, "Second"}}));
  EXPECT_BLOCK(*doc, Kind::kTableRow, "名称 | 单价 | 日期 | 时间 | 比例 | 说明");
  // B has no header: its value stands alone; float noise is rounded; the
  // 1904 date system; a time; a percentage; an escaped line break.
  EXPECT_BLOCK(*doc, Kind::kTableRow,
               "名称: 螺丝 | 7 | 单价: 0.3 | 日期: 2021-09-23 | 时间: 13:30 | 比例: 12.34% | 说明: "
               "行1 行2");
  // Booleans, errors, cached formula strings; a missing shared string is
  // left out; a currency format keeps the stored number.
  EXPECT_BLOCK(
      *doc, Kind::kTableRow,
      "名称: TRUE | 单价: #DIV/0! | 日期: 公式结果 | 比例: 1234.5 | 说明: _x000D_ is literal");
  // No cached value: nothing; a negative serial under a date format stays a
  // number, as does one past year 9999.
  EXPECT_BLOCK(*doc, Kind::kTableRow, "单价: -5 | 日期: 1e400");
  const Block* row5 = FindBlock(*doc, "单价: -5 | 日期: 1e400");
  ASSERT_NE(row5, nullptr);
  EXPECT_EQ(row5->location, "sheet 数据 表, row 5") << "a row without r follows the previous";
  EXPECT_BLOCK(*doc, Kind::kTableRow, "名称: 乱序 | 单价: 2") << "cells out of order, one repeated";
  EXPECT_BLOCK(*doc, Kind::kTableRow, "名称: Unit price") << "a space-only run is kept";
  const Block* only = FindBlock(*doc, "唯一");
  ASSERT_NE(only, nullptr);
  EXPECT_EQ(only->location, "sheet Second, row 3");
  EXPECT_EQ(only->page, 3) << "the page is the sheet's position, a missing sheet included";
}

TEST(XlsxLoader, Dates1900SystemIncludingTheLeapYearBug) {
  const std::string workbook =
      R"(<workbook><sheets><sheet name="D" r:id="rId1"/></sheets></workbook>)";
  const std::string sheet =
      R"(<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>d</t></is></c></row>)"
      R"(<row r="2"><c r="A2" s="1"><v>1</v></c></row><row r="3"><c r="A3" s="1"><v>59</v></c></row>)"
      R"(<row r="4"><c r="A4" s="1"><v>60</v></c></row><row r="5"><c r="A5" s="1"><v>61</v></c></row>)"
      R"(<row r="6"><c r="A6" s="2"><v>45352.75</v></c></row><row r="7"><c r="A7" s="3"><v>45352.9999999</v></c></row>)"
      R"(</sheetData></worksheet>)";
  const std::string styles =
      R"(<styleSheet><numFmts><numFmt numFmtId="170" formatCode="[$-F800]dddd, mmmm dd, yyyy"/>)"
      R"(<numFmt numFmtId="171" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>)"
      R"(<cellXfs><xf numFmtId="0"/><xf numFmtId="170"/><xf numFmtId="22"/><xf numFmtId="171"/></cellXfs></styleSheet>)";
  auto doc = ParseXlsx(Package({{"xl/workbook.xml", workbook},
                                {"xl/_rels/workbook.xml.rels", kSheetRels},
                                {"xl/styles.xml", styles},
                                {"xl/worksheets/data.xml", sheet}}),
                       {});
  ASSERT_TRUE(doc) << doc.error().ToString();
  for (const char* want : {"d: 1900-01-01", "d: 1900-02-28", "d: 1900-02-29", "d: 1900-03-01",
                           "d: 2024-03-01 18:00", "d: 2024-03-02 00:00:00"})
    EXPECT_BLOCK(*doc, Kind::kTableRow, want);
}

TEST(XlsxLoader, LargeSheetWithPrefixedElementsLosesNoRow) {
  // Several megabytes of rows (read a few megabytes at a time), written with
  // an "x:" prefix as some generators do.
  constexpr int kRows = 70000;
  const std::string pad(80, 'p');
  std::string sheet =
      R"(<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
      R"(<x:dimension ref="A1:B70000"/><x:sheetData>)"
      R"(<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>编号</x:t></x:is></x:c>)"
      R"(<x:c r="B1" t="inlineStr"><x:is><x:t>说明</x:t></x:is></x:c></x:row>)";
  for (int i = 2; i <= kRows; ++i) {
    const std::string n = std::to_string(i);
    sheet += "<x:row r=\"" + n + "\"><x:c r=\"A" + n + "\"><x:v>" + n + "</x:v></x:c>";
    if (i != 3)
      sheet += "<x:c r=\"B" + n + "\" t=\"inlineStr\"><x:is><x:t>" + pad + "</x:t></x:is></x:c>";
    sheet += "</x:row>";
  }
  sheet +=
      R"(</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="B2:B3"/></x:mergeCells></x:worksheet>)";
  ASSERT_GT(sheet.size(), 9u << 20);
  const std::string workbook =
      R"(<x:workbook xmlns:x="s" xmlns:r="r"><x:sheets><x:sheet name="S" r:id="rId1"/></x:sheets></x:workbook>)";
  auto doc = ParseXlsx(Package({{"xl/workbook.xml", workbook},
                                {"xl/_rels/workbook.xml.rels", kSheetRels},
                                {"xl/worksheets/data.xml", sheet}}),
                       {});
  ASSERT_TRUE(doc) << doc.error().ToString();
  ASSERT_EQ(doc->blocks.size(), static_cast<size_t>(kRows) + 1);
  EXPECT_EQ(doc->blocks[1].text, "编号 | 说明");
  for (int i = 2; i <= kRows; ++i) {
    const Block& b = doc->blocks[i];
    ASSERT_EQ(b.location, "sheet S, row " + std::to_string(i));
    ASSERT_EQ(b.text, "编号: " + std::to_string(i) + " | 说明: " + pad)
        << "row 3 gets its value from the merge above it";
  }

  // An error past the first piece still names the part and the file offset.
  std::string broken = sheet;
  const size_t late = broken.rfind("<x:row ");
  broken.insert(late + 1, "<");
  auto failed = ParseXlsx(Package({{"xl/workbook.xml", workbook},
                                   {"xl/_rels/workbook.xml.rels", kSheetRels},
                                   {"xl/worksheets/data.xml", broken}}),
                          {});
  ASSERT_FALSE(failed);
  EXPECT_TRUE(failed.error().message().starts_with(
      "xl/worksheets/data.xml: malformed XML at byte " + std::to_string(late + 1)))
      << failed.error().message();
}

// ----------------------------------------------------------------- PPTX ----

TEST(PptxLoader, PandocDeckSlidesTablesAndNotes) {
  auto doc = LoadFixture("office-slides.pptx", ParsePptx);
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_EQ(doc->type, "pptx");
  EXPECT_EQ(doc->pages, 4);
  EXPECT_EQ(doc->title, "2024年度产品发布 Product Launch");
  EXPECT_EQ(Headings(*doc), (HeadingList{{1, "2024年度产品发布 Product Launch"},
                                         {1, "产品概览 Overview"},
                                         {1, "价格 Pricing"},
                                         {1, "路线图 Roadmap"}}));
  for (const Block& b : doc->blocks) {
    EXPECT_GE(b.page, 1) << b.text;
    EXPECT_EQ(b.location, "slide " + std::to_string(b.page)) << b.text;
  }
  auto page_of = [&](const std::string& text) {
    const Block* b = FindBlock(*doc, text);
    return b ? b->page : -1;
  };
  EXPECT_EQ(page_of("2024年度产品发布 Product Launch"), 1);
  EXPECT_EQ(page_of("市场部"), 1);
  EXPECT_BLOCK(*doc, Kind::kListItem, "新一代智能音箱");
  EXPECT_EQ(page_of("Battery life: 20 hours"), 2);
  EXPECT_BLOCK(*doc, Kind::kParagraph,
               "Notes: 强调续航是竞品的两倍。Mention the two-year warranty.");
  EXPECT_EQ(page_of("Notes: 强调续航是竞品的两倍。Mention the two-year warranty."), 2);
  EXPECT_BLOCK(*doc, Kind::kTableRow, "型号 | 价格 | 上市时间");
  EXPECT_BLOCK(*doc, Kind::kTableRow, "型号: 标准版 | 价格: 299元 | 上市时间: 3月");
  EXPECT_EQ(page_of("型号: 专业版 | 价格: 499元 | 上市时间: 5月"), 3);
  EXPECT_EQ(page_of("第三季度推出海外版本。"), 4);
  EXPECT_EQ(page_of("Notes: 海外版本先在新加坡上市。"), 4);
  EXPECT_FALSE(Mentions(*doc, "Notes: 2")) << "the notes page's slide-number field";
  // Slide order: each slide's blocks follow its heading.
  const auto index_of = [&](const std::string& text) {
    return FindBlock(*doc, text) - doc->blocks.data();
  };
  EXPECT_LT(index_of("价格 Pricing"), index_of("型号 | 价格 | 上市时间"));
  EXPECT_LT(index_of("型号 | 价格 | 上市时间"), index_of("路线图 Roadmap"));
}

TEST(PptxLoader, SlidesWithoutTitlesGroupsMergedCellsAndMaxPages) {
  const std::string presentation =
      R"(<p:presentation><p:sldIdLst><p:sldId id="256" r:id="rId7"/><p:sldId id="257" r:id="rId8"/>)"
      R"(<p:sldId id="258" r:id="rId9"/><p:sldId id="259" r:id="rIdMissing"/></p:sldIdLst></p:presentation>)";
  const std::string rels =
      R"(<Relationships><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/a.xml"/>)"
      R"(<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/b.xml"/>)"
      R"(<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/gone.xml"/></Relationships>)";
  auto sp = [](const std::string& ph, const std::string& paragraphs) {
    return "<p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"x\"/><p:cNvSpPr/><p:nvPr>" + ph +
           "</p:nvPr></p:nvSpPr><p:txBody><a:bodyPr/>" + paragraphs + "</p:txBody></p:sp>";
  };
  auto para = [](const std::string& text, const std::string& ppr = "") {
    return "<a:p>" + ppr + "<a:r><a:rPr lang=\"zh-CN\"/><a:t>" + text + "</a:t></a:r></a:p>";
  };
  auto tc = [](const std::string& text, const std::string& attrs = "") {
    return "<a:tc" + attrs + "><a:txBody><a:bodyPr/><a:p><a:r><a:t>" + text +
           "</a:t></a:r></a:p></a:txBody></a:tc>";
  };
  const std::string slide_a =
      "<p:sld><p:cSld><p:spTree><p:grpSp>" +
      sp("",
         para("组合里的文字") + para("• 手动项目符号", "<a:pPr><a:buChar char=\"•\"/></a:pPr>")) +
      "</p:grpSp>" +
      "<p:graphicFrame><a:graphic><a:graphicData><a:tbl><a:tblGrid><a:gridCol/><a:gridCol/"
      "><a:gridCol/></a:tblGrid>"
      "<a:tr>" +
      tc("区域") + tc("指标", " gridSpan=\"2\"") + tc("", " hMerge=\"1\"") + "</a:tr>" + "<a:tr>" +
      tc("华北", " rowSpan=\"2\"") + tc("收入") + tc("12") + "</a:tr>" + "<a:tr>" +
      tc("", " vMerge=\"1\"") + tc("利润") + tc("3") + "</a:tr>" +
      "</a:tbl></a:graphicData></a:graphic></p:graphicFrame>" +
      sp("<p:ph type=\"ftr\"/>", para("Confidential")) + sp("<p:ph type=\"sldNum\"/>", para("1")) +
      "</p:spTree></p:cSld></p:sld>";
  const std::string slide_b =
      "<p:sld><p:cSld><p:spTree>" + sp("<p:ph type=\"body\" idx=\"1\"/>", para("正文要点")) +
      sp("<p:ph type=\"title\"/>",
         para("第二页") + "<a:p><a:r><a:t>标题</a:t></a:r><a:br/></a:p>") +
      sp("<p:ph type=\"body\" idx=\"2\"/>", para("不是列表", "<a:pPr><a:buNone/></a:pPr>")) +
      "</p:spTree></p:cSld></p:sld>";
  const ArchiveContents package = Package({{"ppt/presentation.xml", presentation},
                                           {"ppt/_rels/presentation.xml.rels", rels},
                                           {"ppt/slides/a.xml", slide_a},
                                           {"ppt/slides/b.xml", slide_b}});
  auto doc = ParsePptx(package, {});
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_EQ(doc->pages, 4);
  EXPECT_EQ(doc->title, "第二页 标题") << "the first slide title";
  EXPECT_EQ(Headings(*doc), (HeadingList{{1, "Slide 1"}, {1, "第二页 标题"}}));
  EXPECT_BLOCK(*doc, Kind::kParagraph, "组合里的文字");
  EXPECT_BLOCK(*doc, Kind::kListItem, "• 手动项目符号");
  EXPECT_BLOCK(*doc, Kind::kTableRow, "区域 | 指标");
  EXPECT_BLOCK(*doc, Kind::kTableRow, "区域: 华北 | 指标: 收入 | 12");
  EXPECT_BLOCK(*doc, Kind::kTableRow, "区域: 华北 | 指标: 利润 | 3");
  EXPECT_FALSE(Mentions(*doc, "Confidential")) << "footers are layout, not content";
  EXPECT_BLOCK(*doc, Kind::kListItem, "正文要点");
  EXPECT_BLOCK(*doc, Kind::kParagraph, "不是列表");
  // The title comes first even when the shape tree lists it later.
  EXPECT_LT(FindBlock(*doc, "第二页 标题"), FindBlock(*doc, "正文要点"));
  EXPECT_EQ(FindBlock(*doc, "正文要点")->location, "slide 2");

  LoadOptions one;
  one.max_pages = 1;
  auto first = ParsePptx(package, one);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->pages, 4);
  EXPECT_EQ(Headings(*first), (HeadingList{{1, "Slide 1"}}));
}

}  // namespace
}  // namespace askio::ingest
