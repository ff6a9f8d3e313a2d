// The askio binary as a user runs it: real processes, real files, exit codes
// 0 (ok), 1 (user error), 2 (internal or I/O error), and --json output.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "askio/options.h"
#include "cli_util.h"
#include "test_util.h"

namespace askio {
namespace {

namespace fs = std::filesystem;
using askio::testing::CommandResult;
using askio::testing::RunCommand;
using askio::testing::TempDir;
using askio::testing::WriteFile;
using nlohmann::json;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(ASKIO_BINARY)) << ASKIO_BINARY;
    WriteFile(
        docs_ / "handbook.md",
        "# 员工手册\n\n## 报销\n\n报销需要提交发票和审批单。差旅报销在出差结束后十天内提交。\n\n"
        "## 假期\n\n每位员工每年有十天带薪年假。\n");
    WriteFile(docs_ / "zebra.txt",
              "Zebras are African equines with distinctive black-and-white striped coats.\n");
  }

  // askio --data-dir <data> args...
  CommandResult Askio(std::vector<std::string> args) {
    return askio::testing::RunAskioIn(data_.path(), std::move(args));
  }

  static json Json(const CommandResult& r) { return askio::testing::ParseJsonOutput(r); }

  void IngestDocs(const std::string& kb = "handbook") {
    const CommandResult r = Askio({"ingest", "--kb", kb, docs_.path()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  TempDir data_;
  TempDir docs_;
};

std::string Describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

TEST_F(Cli, UnknownKnowledgeBaseIsAUserErrorNamingIt) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"search", "--kb", "nosuchkb", "报销"},
                                             {"ask", "--kb", "nosuchkb", "报销需要什么？"},
                                             {"kb", "stats", "nosuchkb"},
                                             {"kb", "delete", "nosuchkb"},
                                             {"kb", "reindex", "nosuchkb"}}) {
    const CommandResult r = Askio(args);
    SCOPED_TRACE(args[0] + " " + args[1]);
    EXPECT_EQ(r.exit_code, 1) << Describe(r);
    EXPECT_NE(r.err.find("nosuchkb"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  EXPECT_TRUE(fs::is_empty(data_.path()) || !fs::exists(data_ / "nosuchkb"));
}

TEST_F(Cli, BadArgumentsAreUserErrors) {
  const std::vector<std::vector<std::string>> cases = {
      {},                                              // no subcommand
      {"search", "报销"},                              // missing --kb
      {"ask", "--kb", "handbook"},                     // missing question
      {"ingest", "--kb", "handbook"},                  // no paths
      {"frobnicate"},                                  // unknown subcommand
      {"kb"},                                          // kb without a subcommand
      {"search", "--kb", "handbook", "-k", "0", "x"},  // out of range
      {"eval", "/definitely/missing.json"},            // not an existing file
      {"ingest", "--kb", "../escape", "x.md"}          // invalid KB name
  };
  for (const auto& args : cases) {
    std::string line;
    for (const auto& a : args) line += a + " ";
    SCOPED_TRACE(line);
    const CommandResult r = Askio(args);
    EXPECT_EQ(r.exit_code, 1) << Describe(r);
    EXPECT_FALSE(r.err.empty());
  }
  EXPECT_FALSE(fs::exists(fs::path(data_.path()).parent_path() / "escape"));
}

TEST_F(Cli, HelpExitsZero) {
  const CommandResult r = RunCommand({ASKIO_BINARY, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("ingest"), std::string::npos);
}

TEST_F(Cli, MissingFileIsReportedAsFailed) {
  const CommandResult r = Askio({"ingest", "--kb", "handbook", docs_ / "missing.txt"});
  // Nothing could be ingested at all: a user error.
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.err.find("failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("missing.txt"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no such file"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("1 failed"), std::string::npos) << r.out;
}

TEST_F(Cli, InvalidUtf8FileIsReportedWithTheReason) {
  WriteFile(docs_ / "bad/invalid.txt", "abc \xFF\xFE\xFD def");
  const CommandResult r =
      Askio({"--json", "ingest", "--kb", "handbook", docs_ / "bad/invalid.txt"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  const json j = Json(r);
  ASSERT_EQ(j["files"].size(), 1u);
  EXPECT_EQ(j["files"][0]["outcome"], "failed");
  EXPECT_NE(j["files"][0]["error"].get<std::string>().find("UTF-8"), std::string::npos) << j.dump();
  EXPECT_EQ(j["failed"], 1);
  EXPECT_EQ(j["added"], 0);
}

TEST_F(Cli, EmptyFileIsReportedAsEmpty) {
  WriteFile(docs_ / "bad/empty.txt", "");
  const CommandResult r = Askio({"ingest", "--kb", "handbook", docs_ / "bad/empty.txt"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.err.find("empty.txt"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("empty"), std::string::npos) << r.err;
}

TEST_F(Cli, FailedFilesDoNotStopTheBatch) {
  WriteFile(docs_ / "bad/invalid.txt", "abc \xFF\xFE\xFD def");
  WriteFile(docs_ / "bad/empty.md", "");
  const CommandResult r =
      Askio({"ingest", "--json", "--kb", "handbook", docs_.path(), docs_ / "missing.md"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);  // some files made it in
  const json j = Json(r);
  EXPECT_EQ(j["kb"], "handbook");
  EXPECT_EQ(j["added"], 2);
  EXPECT_EQ(j["failed"], 3);
  int failed = 0;
  for (const auto& f : j["files"]) {
    if (f["outcome"] == "failed") {
      ++failed;
      EXPECT_FALSE(f["error"].get<std::string>().empty()) << f.dump();
    }
  }
  EXPECT_EQ(failed, 3);
  const json stats = Json(Askio({"kb", "stats", "handbook", "--json"}));
  EXPECT_EQ(stats["documents"], 2);
}

TEST_F(Cli, IngestThenSearchAskStatsListDelete) {
  {
    const CommandResult r = Askio({"ingest", "--kb", "handbook", docs_.path()});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_NE(r.out.find("2 added"), std::string::npos) << r.out;
  }
  {
    // Re-ingesting is incremental.
    const json j = Json(Askio({"ingest", "--json", "--kb", "handbook", docs_.path()}));
    EXPECT_EQ(j["unchanged"], 2);
    EXPECT_EQ(j["added"], 0);
  }
  {
    const CommandResult r = Askio({"search", "--json", "--kb", "handbook", "如何申请报销"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    const json j = Json(r);
    EXPECT_EQ(j["query"], "如何申请报销");
    ASSERT_TRUE(j["hits"].is_array());
    ASSERT_FALSE(j["hits"].empty());
    const json& top = j["hits"][0];
    EXPECT_NE(top["text"].get<std::string>().find("报销"), std::string::npos);
    EXPECT_EQ(top["title"], "员工手册");
    EXPECT_GT(top["score"].get<double>(), 0.0);
    EXPECT_EQ(top["rank"], 1);
    EXPECT_EQ(top["heading_path"], json::array({"员工手册", "报销"}));
    EXPECT_TRUE(top["source"].get<std::string>().ends_with("handbook.md"));
  }
  {
    // People get a ranked list with highlights marked in a pipe.
    const CommandResult r = Askio({"search", "--kb", "handbook", "报销"});
    ASSERT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("1. 员工手册"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("**报销**"), std::string::npos) << r.out;
  }
  {
    const CommandResult r = Askio({"ask", "--json", "--kb", "handbook", "报销需要哪些材料？"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    const json j = Json(r);
    EXPECT_EQ(j["found"], true) << j.dump();
    EXPECT_FALSE(j["answer"].get<std::string>().empty());
    ASSERT_FALSE(j["citations"].empty());
    const json& c = j["citations"][0];
    EXPECT_EQ(c["number"], 1);
    EXPECT_EQ(c["title"], "员工手册");
    EXPECT_NE(c["quote"].get<std::string>().find("发票"), std::string::npos);
    EXPECT_LT(c["char_start"].get<int64_t>(), c["char_end"].get<int64_t>());
  }
  {
    const CommandResult r = Askio({"ask", "--kb", "handbook", "报销需要哪些材料？"});
    ASSERT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("[1]"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Sources:"), std::string::npos) << r.out;
  }
  {
    const CommandResult r = Askio({"ask", "--json", "--kb", "handbook", "火星探测器用什么燃料？"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    const json j = Json(r);
    EXPECT_EQ(j["found"], false) << j.dump();
    EXPECT_FALSE(j["reason"].get<std::string>().empty());
    EXPECT_TRUE(j["citations"].empty());
    const CommandResult human = Askio({"ask", "--kb", "handbook", "火星探测器用什么燃料？"});
    EXPECT_NE(human.out.find("does not contain"), std::string::npos) << human.out;
  }
  {
    const CommandResult r = Askio({"kb", "stats", "handbook", "--json"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    const json j = Json(r);
    EXPECT_EQ(j["name"], "handbook");
    EXPECT_EQ(j["documents"], 2);
    EXPECT_GE(j["chunks"].get<int64_t>(), 2);
    EXPECT_EQ(j["index_applied_seq"], j["outbox_seq"]);
  }
  {
    const CommandResult r = Askio({"kb", "list", "--json"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    const json j = Json(r);
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0]["name"], "handbook");
    EXPECT_EQ(j[0]["documents"], 2);
  }
  {
    const CommandResult r = Askio({"kb", "reindex", "handbook", "--json"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_EQ(Json(r)["reindexed"], "handbook");
    EXPECT_FALSE(Json(Askio({"search", "--json", "--kb", "handbook", "zebra"}))["hits"].empty());
  }
  {
    const CommandResult r = Askio({"kb", "delete", "handbook"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    const CommandResult stats = Askio({"kb", "stats", "handbook"});
    EXPECT_EQ(stats.exit_code, 1) << Describe(stats);
    EXPECT_NE(stats.err.find("handbook"), std::string::npos);
    EXPECT_TRUE(Json(Askio({"kb", "list", "--json"})).empty());
  }
}

TEST_F(Cli, PruneThroughTheCli) {
  IngestDocs();
  fs::remove(docs_ / "zebra.txt");
  const json j = Json(Askio({"ingest", "--json", "--prune", "--kb", "handbook", docs_.path()}));
  EXPECT_EQ(j["pruned"], 1);
  EXPECT_EQ(Json(Askio({"kb", "stats", "handbook", "--json"}))["documents"], 1);
  EXPECT_TRUE(Json(Askio({"search", "--json", "--kb", "handbook", "zebras"}))["hits"].empty());
}

TEST_F(Cli, DataDirIsAcceptedBeforeOrAfterTheSubcommand) {
  IngestDocs();
  const std::string dir = data_.path();
  const std::vector<std::vector<std::string>> forms = {
      {ASKIO_BINARY, "--data-dir", dir, "kb", "list", "--json"},
      {ASKIO_BINARY, "kb", "list", "--json", "--data-dir", dir},
      {ASKIO_BINARY, "kb", "--data-dir", dir, "list", "--json"},
      {ASKIO_BINARY, "--json", "kb", "stats", "handbook", "--data-dir", dir},
      {ASKIO_BINARY, "search", "--data-dir", dir, "--kb", "handbook", "--json", "zebra"},
      {ASKIO_BINARY, "search", "--kb", "handbook", "zebra", "--json", "--data-dir", dir},
  };
  for (const auto& args : forms) {
    std::string line;
    for (size_t i = 1; i < args.size(); ++i) line += args[i] + " ";
    SCOPED_TRACE(line);
    const CommandResult r = RunCommand(args, {{"ASKIO_DATA_DIR", "\x01unset"}});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    const json j = json::parse(r.out);
    if (j.is_array()) {
      ASSERT_EQ(j.size(), 1u);
      EXPECT_EQ(j[0]["name"], "handbook");
    } else if (j.contains("hits")) {
      EXPECT_FALSE(j["hits"].empty());
    } else {
      EXPECT_EQ(j["documents"], 2);
    }
  }
}

TEST_F(Cli, AskioDataDirEnvironmentVariableIsHonoured) {
  IngestDocs();
  const CommandResult r =
      RunCommand({ASKIO_BINARY, "kb", "list", "--json"}, {{"ASKIO_DATA_DIR", data_.path()}});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const json j = json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["name"], "handbook");
  // --data-dir wins over the environment.
  TempDir other;
  const CommandResult r2 =
      RunCommand({ASKIO_BINARY, "kb", "list", "--json", "--data-dir", other.path()},
                 {{"ASKIO_DATA_DIR", data_.path()}});
  ASSERT_EQ(r2.exit_code, 0);
  EXPECT_TRUE(json::parse(r2.out).empty());
  // Without either, XDG_DATA_HOME decides.
  const CommandResult r3 =
      RunCommand({ASKIO_BINARY, "kb", "list", "--json"},
                 {{"ASKIO_DATA_DIR", "\x01unset"}, {"XDG_DATA_HOME", other.path()}});
  ASSERT_EQ(r3.exit_code, 0);
  EXPECT_TRUE(json::parse(r3.out).empty());
  EXPECT_FALSE(fs::exists(other / "askio/handbook"));
}

TEST_F(Cli, UnusableDataDirIsAnIoError) {
  // The data directory is a regular file: nothing can be created under it.
  WriteFile(data_ / "plainfile", "x");
  const CommandResult r = RunCommand(
      {ASKIO_BINARY, "--data-dir", data_ / "plainfile", "ingest", "--kb", "k", docs_.path()},
      {{"ASKIO_DATA_DIR", "\x01unset"}});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_FALSE(r.err.empty());
}

TEST_F(Cli, KnowledgeBaseFromANewerAskioIsRefused) {
  IngestDocs();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((data_ / "handbook/catalog.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=999", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  const CommandResult r = Askio({"kb", "stats", "handbook"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.err.find("999"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("upgrade askio"), std::string::npos) << r.err;
}

TEST_F(Cli, EvalJsonHasTheDocumentedKeys) {
  const CommandResult r = RunCommand({ASKIO_BINARY, "eval", "--json", "--max-questions", "30",
                                      askio::testing::TestDataPath("mini_squad.json")});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const json j = json::parse(r.out);
  for (const char* key : {"questions", "chunks", "hit@1", "hit@5", "mrr@10", "em", "f1",
                          "ingest_seconds", "latency_ms_p50", "latency_ms_p99"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["questions"], 30);
  EXPECT_GT(j["hit@1"].get<double>(), 0.5);
}

// A KB of encyclopaedia passages that all mention 材料 but say nothing about
// expense claims: a question about 报销流程 retrieves them and is not found.
void WriteWikiDocs(const TempDir& dir) {
  WriteFile(dir / "gangdise.txt",
            "岡底斯山脈位於中國西藏自治區西南部，為東西走向。岡底斯山脈最高峰羅波峰海拔7095米，"
            "著名佛教聖山岡仁波齊峰海拔6656米。地質調查的材料顯示山脈形成於白堊紀。\n");
  WriteFile(dir / "paopao.txt",
            "玩家以水枪、小枪、锤子或是水炸弹泡封敌人，即为一泡封，将水泡击破为一踢爆。"
            "每次泡封会减少生命数，生命数耗完即算为踢爆。游戏的宣传材料由盛大游戏制作。\n");
  WriteFile(dir / "qinling.txt",
            "秦岭是中国中部东西走向的山脉，主体位于陕西省中南部。秦岭的岩石是重要的建筑材料。\n");
  WriteFile(dir / "steel.txt",
            "鋼是鐵與碳的合金，是現代最重要的結構材料之一。鋼的含碳量一般在0.02%至2.11%之間。\n");
  WriteFile(dir / "bamboo.txt",
            "竹子生长迅速，是东亚传统的建筑材料和造纸材料。竹子属于禾本科植物。\n");
}

TEST_F(Cli, AskJsonNotFoundListsTheClosestPassages) {
  TempDir wiki;
  WriteWikiDocs(wiki);
  ASSERT_EQ(Askio({"ingest", "--kb", "wiki", wiki.path()}).exit_code, 0);
  const CommandResult r = Askio({"ask", "--json", "--kb", "wiki", "报销流程需要哪些材料？"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const json j = Json(r);
  EXPECT_EQ(j["found"], false) << j.dump();
  ASSERT_TRUE(j.contains("reason")) << j.dump();
  EXPECT_FALSE(j["reason"].get<std::string>().empty());
  EXPECT_LT(j["confidence"].get<double>(), askio::AskOptions{}.min_confidence);
  EXPECT_TRUE(j["citations"].empty());
  ASSERT_TRUE(j.contains("closest")) << j.dump();
  const json& closest = j["closest"];
  ASSERT_TRUE(closest.is_array());
  // All five passages mention 材料; only the best three are shown.
  EXPECT_EQ(closest.size(), 3u) << closest.dump();
  for (const json& c : closest) {
    SCOPED_TRACE(c.dump());
    ASSERT_TRUE(c["title"].is_string());
    ASSERT_TRUE(c["source"].is_string());
    ASSERT_TRUE(c["snippet"].is_string());
    EXPECT_FALSE(c["title"].get<std::string>().empty());
    EXPECT_TRUE(c["source"].get<std::string>().starts_with(wiki.path())) << c["source"];
    EXPECT_NE(c["snippet"].get<std::string>().find("材料"), std::string::npos);
  }
}

TEST_F(Cli, AskJsonFoundHasTheSpanAndItsEvidence) {
  TempDir wiki;
  WriteWikiDocs(wiki);
  ASSERT_EQ(Askio({"ingest", "--kb", "wiki", wiki.path()}).exit_code, 0);
  const CommandResult r =
      Askio({"ask", "--json", "--kb", "wiki", "岡底斯山脈的最高峰海拔多少米？"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const json j = Json(r);
  EXPECT_EQ(j["found"], true) << j.dump();
  ASSERT_TRUE(j["span"].is_string()) << j.dump();
  ASSERT_TRUE(j["evidence"].is_string()) << j.dump();
  const std::string span = j["span"], evidence = j["evidence"];
  EXPECT_EQ(span, "7095米");
  EXPECT_NE(evidence.find(span), std::string::npos) << evidence;
  ASSERT_FALSE(j["citations"].empty());
  EXPECT_EQ(j["citations"][0]["quote"], evidence);
  EXPECT_TRUE(j["citations"][0]["source"].get<std::string>().ends_with("gangdise.txt"));
  EXPECT_FALSE(j.contains("closest")) << j.dump();
}

}  // namespace
}  // namespace askio
