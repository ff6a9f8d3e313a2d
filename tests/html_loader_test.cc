// HTML: main content only, structure kept, charset honoured.
#include "ingest/html_loader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "askio/engine.h"
#include "ingest/loaders.h"
#include "test_util.h"

namespace askio::ingest {
namespace {

constexpr const char* kPage = R"(<!DOCTYPE html>
<html><head><title>报销制度 | 公司手册</title>
<style>body { color: red }</style><script>var tracking = "报销机器人";</script></head>
<body>
<nav><a href="/">首页</a> <a href="/hr">人事</a></nav>
<div class="sidebar">热门链接：食堂菜单</div>
<main>
  <h1>报销制度</h1>
  <p>员工出差回来后，应在<b>十个工作日</b>内提交报销申请。详见<a href="/form">报销单</a>。</p>
  <h2>交通费</h2>
  <table>
    <tr><th>城市</th><th>每日上限</th></tr>
    <tr><td>北京</td><td>300元</td></tr>
    <tr><td>成都</td><td>200元</td></tr>
  </table>
  <h2>住宿费</h2>
  <ul><li>一线城市每晚不超过600元。</li><li>其他城市每晚不超过400元。</li></ul>
  <pre>报销单编号格式：BX-2026-0001</pre>
</main>
<footer>版权所有 © 2026 示例公司</footer>
</body></html>)";

std::vector<std::string> Texts(const ParsedDocument& doc) {
  std::vector<std::string> out;
  for (const Block& b : doc.blocks) out.push_back(b.text);
  return out;
}

bool Contains(const ParsedDocument& doc, const std::string& needle) {
  for (const Block& b : doc.blocks)
    if (b.text.find(needle) != std::string::npos) return true;
  return false;
}

TEST(HtmlLoader, KeepsMainContentAndDropsBoilerplate) {
  const ParsedDocument doc = ParseHtml(kPage);
  EXPECT_EQ(doc.type, "html");
  EXPECT_EQ(doc.title, "报销制度 | 公司手册");
  for (const char* gone : {"首页", "食堂菜单", "版权所有", "tracking", "color: red", "报销机器人"})
    EXPECT_FALSE(Contains(doc, gone)) << gone;
  EXPECT_TRUE(Contains(doc, "应在十个工作日内提交报销申请。详见报销单。"))
      << "inline markup and links keep their text";
  EXPECT_TRUE(Contains(doc, "报销单编号格式：BX-2026-0001"));
}

TEST(HtmlLoader, BoilerplateIsNamedByWholeWordsNotSubstrings) {
  const ParsedDocument doc = ParseHtml(
      "<html><body>"
      "<section id=\"module-http.cookies\"><h1>http.cookies</h1>"
      "<p>Cookie objects keep HTTP state.</p></section>"
      "<div class=\"unavailable\"><p>Not available on WebAssembly platforms.</p></div>"
      "<div class=\"site-footer\"><p>Copyright footer text.</p></div>"
      "<div id=\"nav-main\"><p>Navigation links.</p></div>"
      "<div role=\"navigation\"><p>More navigation.</p></div>"
      "<div class=\"cookie-banner\"><p>We use cookies.</p></div>"
      "</body></html>");
  std::string text;
  for (const Block& b : doc.blocks) text += b.text + "\n";
  EXPECT_NE(text.find("Cookie objects keep HTTP state."), std::string::npos) << text;
  EXPECT_NE(text.find("Not available on WebAssembly"), std::string::npos) << text;
  EXPECT_EQ(text.find("Copyright footer"), std::string::npos) << text;
  EXPECT_EQ(text.find("Navigation links"), std::string::npos) << text;
  EXPECT_EQ(text.find("More navigation"), std::string::npos) << text;
  EXPECT_EQ(text.find("We use cookies"), std::string::npos) << text;
}

TEST(HtmlLoader, HeadingsTablesAndListsKeepTheirStructure) {
  const ParsedDocument doc = ParseHtml(kPage);
  std::vector<std::pair<Block::Kind, std::string>> got;
  for (const Block& b : doc.blocks) got.emplace_back(b.kind, b.text);
  auto has = [&](Block::Kind k, const std::string& t) {
    return std::find(got.begin(), got.end(), std::make_pair(k, t)) != got.end();
  };
  EXPECT_TRUE(has(Block::Kind::kHeading, "报销制度"));
  EXPECT_TRUE(has(Block::Kind::kHeading, "交通费"));
  EXPECT_TRUE(has(Block::Kind::kTableRow, "城市 | 每日上限"));
  EXPECT_TRUE(has(Block::Kind::kTableRow, "城市: 成都 | 每日上限: 200元"))
      << "rows are records with their column headers";
  EXPECT_TRUE(has(Block::Kind::kListItem, "一线城市每晚不超过600元。"));
  EXPECT_TRUE(has(Block::Kind::kCode, "报销单编号格式：BX-2026-0001"));
  for (const Block& b : doc.blocks) {
    if (b.kind == Block::Kind::kHeading) {
      EXPECT_GE(b.level, 1);
    }
  }
}

TEST(HtmlLoader, DeclaredCharsetIsHonoured) {
  // "<meta charset=gbk>" and 中文 encoded in GBK (D6 D0 CE C4).
  const std::string gbk =
      "<html><head><meta "
      "charset=\"GBK\"><title>t</title></head><body><p>\xD6\xD0\xCE\xC4</p></body></html>";
  EXPECT_EQ(DeclaredHtmlCharset(gbk), "gbk");
  EXPECT_EQ(
      DeclaredHtmlCharset("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Big5\">"),
      "big5");
  EXPECT_EQ(DeclaredHtmlCharset("<p>no declaration</p>"), "");
  auto doc = LoadDocument(gbk, FileType::kHtml);
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ(Texts(*doc), std::vector<std::string>{"中文"});
}

TEST(HtmlLoader, EmptyOrBoilerplateOnlyPagesAreRefused) {
  auto doc = LoadDocument("<html><body><nav>菜单</nav><script>x()</script></body></html>",
                          FileType::kHtml);
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code(), StatusCode::kInvalidArgument);
}

TEST(HtmlLoader, ATableCellIsAnsweredWithItsCitation) {
  askio::testing::TempDir dir;
  askio::testing::WriteFile(dir / "policy.html", kPage);
  auto kb = KnowledgeBase::Open(dir / "data", "html", KnowledgeBase::OpenMode::kCreateIfMissing);
  ASSERT_TRUE(kb) << kb.error().message();
  auto report = (*kb)->Ingest({dir / "policy.html"}, IngestOptions{});
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->added, 1);
  auto answer = (*kb)->Ask("成都的交通费每日上限是多少？", AskOptions{});
  ASSERT_TRUE(answer) << answer.error().message();
  ASSERT_TRUE(answer->found) << answer->reason;
  EXPECT_NE(answer->evidence.find("200元"), std::string::npos) << answer->evidence;
  ASSERT_FALSE(answer->citations.empty());
  const Citation& c = answer->citations.front();
  EXPECT_EQ(c.document_title, "报销制度 | 公司手册");
  ASSERT_FALSE(c.heading_path.empty());
  EXPECT_EQ(c.heading_path.back(), "交通费");
}

}  // namespace
}  // namespace askio::ingest
