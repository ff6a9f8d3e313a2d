// The ingest command line for real-world files: formats, the per-type table,
// include/exclude/jobs, --no-ocr, and --url with its SSRF policy.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_util.h"
#include "http_test_server.h"
#include "test_util.h"

namespace askio {
namespace {

namespace fs = std::filesystem;
using askio::testing::CommandResult;
using askio::testing::RunCommand;
using askio::testing::TempDir;
using json = nlohmann::json;

std::string FixturePath(const std::string& name) {
  return std::string(ASKIO_TEST_DATA_DIR) + "/formats/" + name;
}

class CliFormats : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* f : {"pdf-handbook.pdf", "office-products.xlsx", "office-slides.pptx",
                          "table-cities.tsv", "hostile-bomb.zip"})
      fs::copy_file(FixturePath(f), docs_ / f);
  }
  CommandResult Askio(std::vector<std::string> args) {
    return askio::testing::RunAskioIn(data_.path(), std::move(args));
  }
  static json Json(const CommandResult& r) { return askio::testing::ParseJsonOutput(r); }

  TempDir data_, docs_;
};

TEST_F(CliFormats, SummaryTablePerTypeAndFailuresNamed) {
  const CommandResult r = Askio({"ingest", "--kb", "kb", "--no-ocr", docs_.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The table: a header and one line per type with files, failures, pages.
  EXPECT_NE(r.out.find("type"), std::string::npos);
  EXPECT_NE(r.out.find("pages"), std::string::npos);
  bool pdf_line = false;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream cols(line);
    std::string type;
    long files = -1, failed = -1, pages = -1;
    cols >> type >> files >> failed >> pages;
    if (type == "pdf") {
      pdf_line = true;
      EXPECT_EQ(files, 1);
      EXPECT_EQ(failed, 0);
      EXPECT_EQ(pages, 3);
    }
  }
  EXPECT_TRUE(pdf_line) << r.out;
  EXPECT_NE(r.err.find("hostile-bomb.zip"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("archive bomb"), std::string::npos) << r.err;
}

TEST_F(CliFormats, JsonReportHasTypesPagesAndPlaces) {
  const CommandResult r =
      Askio({"--json", "ingest", "--kb", "kb", "--jobs", "1", "--no-ocr", docs_.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Json(r);
  EXPECT_EQ(j["by_type"]["pdf"]["pages"], 3);
  EXPECT_EQ(j["by_type"]["xlsx"]["files"], 1);
  EXPECT_EQ(j["failed"], 1);
  bool xlsx = false;
  for (const json& f : j["files"])
    if (f["path"].get<std::string>().ends_with("office-products.xlsx")) {
      xlsx = true;
      EXPECT_EQ(f["type"], "xlsx");
      EXPECT_EQ(f["pages"], 2);
    }
  EXPECT_TRUE(xlsx);

  const CommandResult s = Askio({"--json", "search", "--kb", "kb", "成都 Chengdu 住宿 Hotel"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const json hits = Json(s)["hits"];
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0]["location"], "page 2");
  EXPECT_EQ(hits[0]["page"], 2);

  const CommandResult a = Askio({"ask", "--kb", "kb", "香蕉的价格是多少？"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_NE(a.out.find("3.2"), std::string::npos) << a.out;
  EXPECT_NE(a.out.find("sheet 产品, row 3"), std::string::npos) << a.out;
}

TEST_F(CliFormats, IncludeAndExcludeGlobs) {
  const CommandResult r = Askio({"--json", "ingest", "--kb", "kb", "--include", "*.tsv",
                                 "--include", "*.zip", "--exclude", "hostile-*", docs_.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Json(r);
  EXPECT_EQ(j["added"], 1);
  EXPECT_EQ(j["failed"], 0);
  ASSERT_EQ(j["files"].size(), 1u);
  EXPECT_TRUE(j["files"][0]["path"].get<std::string>().ends_with("table-cities.tsv"));
}

TEST_F(CliFormats, UrlIngestIsRefusedForLoopbackUnlessAllowed) {
  askio::testing::HttpTestServer server;
  server.Route("GET", "/guide.html", [](const askio::testing::HttpRequest&) {
    askio::testing::HttpResponse resp;
    resp.headers = {{"Content-Type", "text/html; charset=utf-8"}};
    resp.body =
        "<html><head><title>On-call guide</title></head><body><main><h1>On-call</h1>"
        "<p>The on-call engineer answers pages within fifteen minutes.</p></main></body></html>";
    return resp;
  });
  const std::string url = server.Url("/guide.html");

  const CommandResult refused = Askio({"ingest", "--kb", "web", "--url", url});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("loopback"), std::string::npos) << refused.err;
  EXPECT_EQ(server.CountRequests("/guide.html"), 0u);

  const CommandResult ok =
      Askio({"--json", "ingest", "--kb", "web", "--url", url, "--allow-host", "127.0.0.1"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(Json(ok)["added"], 1);
  const CommandResult s = Askio({"--json", "search", "--kb", "web", "on-call fifteen minutes"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const json hits = Json(s)["hits"];
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0]["source"], url);
  EXPECT_EQ(hits[0]["title"], "On-call guide");
}

TEST_F(CliFormats, NothingToIngestIsAUserError) {
  const CommandResult r = Askio({"ingest", "--kb", "kb"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nothing to ingest"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace askio
