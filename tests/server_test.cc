// askio serve, end to end: a real server on 127.0.0.1 and a real HTTP client.
// Every route, the error shapes, keys and cross-KB isolation, limits
// (413/431/429), SSE framing, a client that leaves mid-stream, and queries
// while ingestion writes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "fake_openai_server.h"
#include "http_test_server.h"
#include "server/http_context.h"
#include "server/http_server.h"
#include "server/server_store.h"
#include "server_util.h"
#include "test_util.h"

namespace askio::server {
namespace {

namespace fs = std::filesystem;
using askio::server::testing::Body;
using askio::server::testing::RawExchange;
using askio::server::testing::RunningServer;
using askio::testing::TempDir;
using askio::testing::WriteFile;
using nlohmann::json;

constexpr const char* kHandbook =
    "# Staff handbook\n\n## Leave\n\nEvery employee gets 25 days of annual leave per year.\n\n"
    "## Teams\n\nThe search service is owned by the platform team, led by Bob Li.\n";
constexpr const char* kFaq = "# FAQ\n\nThe office opens at 8 am. Parking is free for bicycles.\n";

// The error shape every /api route uses.
void ExpectError(const httplib::Result& r, int status, const std::string& code) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status) << r->body;
  json j = json::parse(r->body, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r->body;
  EXPECT_EQ(j["error"]["code"], code) << r->body;
  EXPECT_TRUE(j["error"]["message"].is_string());
  EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
}

// Reads a job's SSE stream to its `done` event; returns the events' names
// and the final job.
std::pair<std::vector<std::string>, json> FollowJob(httplib::Client& c, const std::string& kb,
                                                    int64_t job) {
  std::string raw;
  auto r = c.Get("/api/kbs/" + kb + "/jobs/" + std::to_string(job) + "/events",
                 [&](const char* data, size_t len) {
                   raw.append(data, len);
                   return true;
                 });
  EXPECT_TRUE(r);
  std::vector<std::string> names;
  json last;
  std::regex event(R"(event: (\w+)\ndata: (.*)\n\n)");
  for (std::sregex_iterator it(raw.begin(), raw.end(), event), end; it != end; ++it) {
    names.push_back((*it)[1]);
    last = json::parse((*it)[2].str());
  }
  return {names, last};
}

httplib::MultipartFormDataItems Files(
    const std::vector<std::pair<std::string, std::string>>& name_content) {
  httplib::MultipartFormDataItems items;
  for (const auto& [name, content] : name_content)
    items.push_back({"files", content, name, "application/octet-stream"});
  return items;
}

// Uploads and waits for the job; returns the final job.
json UploadAndWait(httplib::Client& c, const std::string& kb,
                   const std::vector<std::pair<std::string, std::string>>& files) {
  auto r = c.Post("/api/kbs/" + kb + "/documents", Files(files));
  EXPECT_TRUE(r);
  if (!r) return json();
  EXPECT_EQ(r->status, 202) << r->body;
  json accepted = json::parse(r->body);
  return FollowJob(c, kb, accepted["job"]["id"].get<int64_t>()).second;
}

ServeOptions Options(const TempDir& dir) {
  ServeOptions o;
  o.data_dir = dir / "data";
  o.port = 0;
  o.threads = 16;
  o.ingest.ocr = false;
  return o;
}

TEST(Server, KnowledgeBaseLifecycleAndErrorShapes) {
  TempDir dir;
  RunningServer server(Options(dir));
  auto c = server.Client();
  auto health = Body(c.Get("/api/health"));
  EXPECT_EQ(health["status"], "ok");

  auto created = c.Post("/api/kbs", R"({"name":"handbook"})", "application/json");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201);
  EXPECT_EQ(Body(created)["name"], "handbook");
  ExpectError(c.Post("/api/kbs", R"({"name":"handbook"})", "application/json"), 409,
              "already_exists");
  ExpectError(c.Post("/api/kbs", R"({"name":"../etc"})", "application/json"), 400,
              "invalid_argument");
  ExpectError(c.Post("/api/kbs", R"({"name":)", "application/json"), 400, "invalid_argument");
  ExpectError(c.Post("/api/kbs", R"({"name":42})", "application/json"), 400, "invalid_argument");
  ExpectError(c.Get("/api/kbs/nope"), 404, "not_found");
  ExpectError(c.Get("/api/kbs/handbook/nothing-here"), 404, "not_found");

  auto list = Body(c.Get("/api/kbs"));
  ASSERT_EQ(list["knowledge_bases"].size(), 1u);
  EXPECT_EQ(list["knowledge_bases"][0]["documents"], 0);

  auto patched =
      c.Patch("/api/kbs/handbook", R"({"weighting":"bm25 k1=0.9 b=0.4"})", "application/json");
  EXPECT_EQ(Body(patched)["weighting"], "bm25 k1=0.9 b=0.4");
  ExpectError(c.Patch("/api/kbs/handbook", R"({"weighting":"tfidf"})", "application/json"), 400,
              "invalid_argument");
  ExpectError(c.Patch("/api/kbs/handbook", R"({"colour":"red"})", "application/json"), 400,
              "invalid_argument");

  auto deleted = c.Delete("/api/kbs/handbook");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 204);
  ExpectError(c.Get("/api/kbs/handbook"), 404, "not_found");
  EXPECT_FALSE(fs::exists(dir / "data/handbook"));
}

TEST(Server, UploadIngestSearchAskConverseAndDelete) {
  TempDir dir;
  RunningServer server(Options(dir));
  auto c = server.Client();
  ASSERT_EQ(c.Post("/api/kbs", R"({"name":"hb"})", "application/json")->status, 201);

  json job = UploadAndWait(c, "hb", {{"handbook.md", kHandbook}, {"faq.md", kFaq}});
  EXPECT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_EQ(job["report"]["added"], 2);
  EXPECT_EQ(job["progress"]["files_done"], 2);

  auto docs = Body(c.Get("/api/kbs/hb/documents"));
  ASSERT_EQ(docs["documents"].size(), 2u);
  EXPECT_TRUE(docs["pending"].empty());
  std::set<std::string> sources;
  for (const json& d : docs["documents"]) {
    sources.insert(d["source"]);
    EXPECT_EQ(d["status"], "indexed");
  }
  EXPECT_EQ(sources, (std::set<std::string>{"handbook.md", "faq.md"}));
  // Stored under hashes, never under the names.
  for (const auto& entry : fs::directory_iterator(dir / "data/hb/uploads")) {
    const std::string file = entry.path().filename().string();
    EXPECT_TRUE(file.size() == 40 || (file.size() == 45 && file.ends_with(".name"))) << file;
  }

  // Search, with per-stage scores on request.
  auto hits = Body(c.Post("/api/kbs/hb/search", R"({"query":"annual leave","explain":true})",
                          "application/json"));
  ASSERT_FALSE(hits["hits"].empty()) << hits.dump();
  const json& top = hits["hits"][0];
  EXPECT_EQ(top["source"], "handbook.md");
  ASSERT_EQ(top["stages"].size(), 3u);
  EXPECT_EQ(top["stages"][0]["stage"], "bm25");
  EXPECT_EQ(top["stages"][2]["stage"], "final");
  auto plain = Body(c.Get("/api/kbs/hb/search?q=annual%20leave&limit=1"));
  ASSERT_EQ(plain["hits"].size(), 1u);
  EXPECT_FALSE(plain["hits"][0].contains("stages"));
  ExpectError(c.Get("/api/kbs/hb/search?q=x&limit=0"), 400, "invalid_argument");
  ExpectError(c.Post("/api/kbs/hb/search", "{}", "application/json"), 400, "invalid_argument");

  // A document with its chunks; a chunk with its document.
  const int64_t doc_id = top["document_id"];
  auto doc = Body(c.Get("/api/kbs/hb/documents/" + std::to_string(doc_id)));
  EXPECT_EQ(doc["document"]["source"], "handbook.md");
  ASSERT_FALSE(doc["chunks"].empty());
  auto chunk = Body(c.Get("/api/kbs/hb/chunks/" + std::to_string(top["chunk_id"].get<int64_t>())));
  EXPECT_EQ(chunk["document"]["source"], "handbook.md");
  EXPECT_NE(chunk["text"].get<std::string>().find("25 days"), std::string::npos);
  ExpectError(c.Get("/api/kbs/hb/chunks/999999"), 404, "not_found");

  // Ask: an answer with citations, recorded in a conversation.
  auto asked = Body(c.Post("/api/kbs/hb/ask", R"({"question":"How many days of annual leave?"})",
                           "application/json"));
  ASSERT_TRUE(asked["answer"]["found"]) << asked.dump();
  EXPECT_NE(asked["answer"]["text"].get<std::string>().find("25"), std::string::npos);
  ASSERT_FALSE(asked["answer"]["citations"].empty());
  EXPECT_EQ(asked["answer"]["citations"][0]["source"], "handbook.md");
  EXPECT_EQ(asked["answer"]["citations"][0]["document_id"], doc_id);
  const std::string conversation = asked["conversation_id"];
  const std::string message = asked["message_id"];
  ASSERT_FALSE(conversation.empty());

  // A follow-up in the same conversation, streamed: meta, tokens, citations,
  // done, in that order, and the tokens make up the answer.
  std::string raw;
  json req = {{"question", "Who leads the platform team?"},
              {"conversation_id", conversation},
              {"stream", true}};
  auto streamed = c.Post("/api/kbs/hb/ask", req.dump(), "application/json");
  ASSERT_TRUE(streamed);
  EXPECT_EQ(streamed->get_header_value("Content-Type"), "text/event-stream");
  std::vector<std::string> names;
  std::string text;
  json citations;
  std::regex event(R"(event: (\w+)\ndata: (.*)\n\n)");
  const std::string& sse = streamed->body;
  for (std::sregex_iterator it(sse.begin(), sse.end(), event), end; it != end; ++it) {
    names.push_back((*it)[1]);
    json data = json::parse((*it)[2].str());
    if ((*it)[1] == "token") text += data["text"].get<std::string>();
    if ((*it)[1] == "citations") citations = data;
    if ((*it)[1] == "meta") {
      EXPECT_EQ(data["conversation_id"], conversation);
    }
  }
  ASSERT_GE(names.size(), 4u) << sse;
  EXPECT_EQ(names.front(), "meta");
  EXPECT_EQ(names[names.size() - 2], "citations");
  EXPECT_EQ(names.back(), "done");
  EXPECT_GT(std::count(names.begin(), names.end(), "token"), 2);
  EXPECT_NE(text.find("Bob Li"), std::string::npos) << text;
  EXPECT_TRUE(citations["found"]);

  // The conversation holds both turns.
  auto convs = Body(c.Get("/api/kbs/hb/conversations"));
  ASSERT_EQ(convs["conversations"].size(), 1u);
  EXPECT_EQ(convs["conversations"][0]["messages"], 4);
  auto conv = Body(c.Get("/api/kbs/hb/conversations/" + conversation));
  ASSERT_EQ(conv["messages"].size(), 4u);
  EXPECT_EQ(conv["messages"][0]["role"], "user");
  EXPECT_EQ(conv["messages"][1]["role"], "assistant");
  EXPECT_FALSE(conv["messages"][1]["citations"].empty());

  // No answer: said plainly, the same way streamed or not, with the reason
  // and the passages that came closest.
  auto none = Body(c.Post("/api/kbs/hb/ask", R"({"question":"What is the price of bananas?"})",
                          "application/json"));
  EXPECT_FALSE(none["answer"]["found"]) << none.dump();
  EXPECT_FALSE(none["answer"]["reason"].get<std::string>().empty());
  EXPECT_TRUE(none["answer"].contains("closest"));
  auto none_streamed =
      c.Post("/api/kbs/hb/ask", R"({"question":"What is the price of bananas?","stream":true})",
             "application/json");
  ASSERT_TRUE(none_streamed);
  std::string none_text;
  json none_cited;
  const std::string& none_sse = none_streamed->body;
  for (std::sregex_iterator it(none_sse.begin(), none_sse.end(), event), end; it != end; ++it) {
    json data = json::parse((*it)[2].str());
    if ((*it)[1] == "token") none_text += data["text"].get<std::string>();
    if ((*it)[1] == "citations") none_cited = data;
  }
  EXPECT_EQ(none_text, "The knowledge base does not contain an answer to this question.");
  EXPECT_FALSE(none_cited["found"]);
  EXPECT_EQ(none_cited["reason"], none["answer"]["reason"]);
  EXPECT_TRUE(none_cited["closest"].is_array());

  // Feedback is stored with the question and answer.
  json fb = {{"message_id", message}, {"rating", "up"}, {"comment", "exactly right"}};
  auto posted = c.Post("/api/kbs/hb/feedback", fb.dump(), "application/json");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 201) << posted->body;
  auto feedback = Body(c.Get("/api/kbs/hb/feedback"));
  ASSERT_EQ(feedback["feedback"].size(), 1u);
  EXPECT_EQ(feedback["feedback"][0]["question"], "How many days of annual leave?");
  EXPECT_NE(feedback["feedback"][0]["answer"].get<std::string>().find("25"), std::string::npos);
  ExpectError(c.Post("/api/kbs/hb/feedback", R"({"message_id":"m_nope","rating":"up"})",
                     "application/json"),
              404, "not_found");
  ExpectError(c.Post("/api/kbs/hb/feedback",
                     json({{"message_id", message}, {"rating", "meh"}}).dump(), "application/json"),
              400, "invalid_argument");
  conv = Body(c.Get("/api/kbs/hb/conversations/" + conversation));
  EXPECT_EQ(conv["messages"][1]["feedback"], "up");

  auto gone = c.Delete("/api/kbs/hb/conversations/" + conversation);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 204);
  ExpectError(c.Get("/api/kbs/hb/conversations/" + conversation), 404, "not_found");

  // Re-ingest parses the stored upload again.
  auto re = c.Post("/api/kbs/hb/documents/" + std::to_string(doc_id) + "/reingest");
  ASSERT_TRUE(re);
  ASSERT_EQ(re->status, 202) << re->body;
  json re_job = FollowJob(c, "hb", Body(re)["job"]["id"]).second;
  EXPECT_EQ(re_job["status"], "succeeded");
  EXPECT_EQ(re_job["report"]["replaced"], 1);

  // Delete: gone from the list, from search, and its upload from disk.
  auto del = c.Delete("/api/kbs/hb/documents/" + std::to_string(doc_id));
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200) << del->body;
  ExpectError(c.Get("/api/kbs/hb/documents/" + std::to_string(doc_id)), 404, "not_found");
  hits = Body(c.Get("/api/kbs/hb/search?q=annual%20leave"));
  for (const json& h : hits["hits"]) EXPECT_NE(h["source"], "handbook.md");
  EXPECT_FALSE(fs::exists(dir / ("data/hb/uploads/" + Sha256Hex("handbook.md").substr(0, 40))));
  EXPECT_FALSE(
      fs::exists(dir / ("data/hb/uploads/" + Sha256Hex("handbook.md").substr(0, 40) + ".name")));
  ExpectError(c.Delete("/api/kbs/hb/documents/" + std::to_string(doc_id)), 404, "not_found");
}

TEST(Server, UploadTagsFilterSearchAndAskAndRetag) {
  TempDir dir;
  RunningServer server(Options(dir));
  auto c = server.Client();
  ASSERT_EQ(c.Post("/api/kbs", R"({"name":"hb"})", "application/json")->status, 201);
  auto items = Files({{"leave.md", "# Leave\n\nThe leave policy grants 25 days a year."}});
  items.push_back({"tags", " hr , people,", "", ""});
  auto r = c.Post("/api/kbs/hb/documents", items);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  FollowJob(c, "hb", Body(r)["job"]["id"].get<int64_t>());
  json job = UploadAndWait(c, "hb",
                           {{"expenses.md", "# Expenses\n\nThe expenses policy wants receipts."}});
  ASSERT_EQ(job["status"], "succeeded") << job.dump();

  json docs = Body(c.Get("/api/kbs/hb/documents"))["documents"];
  ASSERT_EQ(docs.size(), 2u);
  int64_t leave = 0, expenses = 0;
  for (const json& d : docs) {
    if (d["source"] == "leave.md") {
      leave = d["id"];
      EXPECT_EQ(d["tags"], json({"hr", "people"}));
    } else {
      expenses = d["id"];
      EXPECT_EQ(d["tags"], json::array());
    }
  }
  auto sources = [](const json& hits) {
    std::set<std::string> out;
    for (const json& h : hits) out.insert(h["source"].get<std::string>());
    return out;
  };
  EXPECT_EQ(sources(Body(c.Post("/api/kbs/hb/search", R"({"query":"policy"})",
                                "application/json"))["hits"])
                .size(),
            2u);
  EXPECT_EQ(
      sources(Body(c.Post("/api/kbs/hb/search", R"({"query":"policy","filter":{"tags":["hr"]}})",
                          "application/json"))["hits"]),
      std::set<std::string>{"leave.md"});
  EXPECT_EQ(sources(Body(c.Get("/api/kbs/hb/search?q=policy&document_id=" +
                               std::to_string(expenses)))["hits"]),
            std::set<std::string>{"expenses.md"});
  EXPECT_TRUE(Body(c.Get("/api/kbs/hb/search?q=policy&tag=legal"))["hits"].empty());

  // Answers honour the filter too.
  json answer =
      Body(c.Post("/api/kbs/hb/ask",
                  R"({"question":"How many days of leave a year?","filter":{"tags":["hr"]}})",
                  "application/json"))["answer"];
  EXPECT_TRUE(answer["found"].get<bool>()) << answer.dump();
  answer =
      Body(c.Post("/api/kbs/hb/ask",
                  R"({"question":"How many days of leave a year?","filter":{"document_ids":[)" +
                      std::to_string(expenses) + "]}}",
                  "application/json"))["answer"];
  for (const json& cite : answer["citations"])
    EXPECT_EQ(cite["source"], "expenses.md") << answer.dump();

  // Retag, then filter on the new tag.
  auto patched = c.Patch("/api/kbs/hb/documents/" + std::to_string(expenses),
                         R"({"tags":["finance"]})", "application/json");
  EXPECT_EQ(Body(patched)["document"]["tags"], json({"finance"}));
  EXPECT_EQ(sources(Body(c.Get("/api/kbs/hb/search?q=policy&tag=finance"))["hits"]),
            std::set<std::string>{"expenses.md"});

  ExpectError(c.Post("/api/kbs/hb/search", R"({"query":"policy","filter":{"colour":["red"]}})",
                     "application/json"),
              400, "invalid_argument");
  ExpectError(c.Post("/api/kbs/hb/search", R"({"query":"policy","filter":{"tags":"hr"}})",
                     "application/json"),
              400, "invalid_argument");
  ExpectError(c.Patch("/api/kbs/hb/documents/" + std::to_string(leave), R"({"tags":[""]})",
                      "application/json"),
              400, "invalid_argument");
  ExpectError(c.Patch("/api/kbs/hb/documents/99999", R"({"tags":["x"]})", "application/json"), 404,
              "not_found");
}

TEST(Server, GraphBuildStatsEntityExportAndClear) {
  if (!std::filesystem::exists("/usr/lib/python3/dist-packages/jieba/dict.txt") &&
      !std::getenv("ASKIO_JIEBA_DICT"))
    GTEST_SKIP() << "python3-jieba's dictionary is not installed";
  TempDir dir;
  RunningServer server(Options(dir));
  auto c = server.Client();
  ASSERT_EQ(c.Post("/api/kbs", R"({"name":"g"})", "application/json")->status, 201);
  json job = UploadAndWait(c, "g",
                           {{"staff.md", "# 人员\n\n张三是星河科技的技术总监。星河科技位于杭州。"},
                            {"acme.md", "# Acme\n\nAcme Corp was founded by Jane Doe in 1999."}});
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_EQ(Body(c.Get("/api/kbs/g/graph"))["enabled"], false);
  EXPECT_TRUE(Body(c.Get("/api/kbs/g/graph/entity?name=Jane%20Doe"))["entity"].is_null());

  auto started = c.Post("/api/kbs/g/graph/build", "", "application/json");
  ASSERT_TRUE(started);
  ASSERT_EQ(started->status, 202) << started->body;
  json built = FollowJob(c, "g", Body(started)["job"]["id"].get<int64_t>()).second;
  EXPECT_EQ(built["status"], "succeeded") << built.dump();
  EXPECT_EQ(built["kind"], "graph");

  json stats = Body(c.Get("/api/kbs/g/graph"));
  EXPECT_EQ(stats["enabled"], true);
  EXPECT_GT(stats["entities"].get<int>(), 0);
  EXPECT_GT(stats["relations"].get<int>(), 0);

  json jane = Body(c.Get("/api/kbs/g/graph/entity?name=Jane%20Doe"));
  EXPECT_EQ(jane["entity"]["name"], "Jane Doe");
  bool founded = false;
  for (const json& n : jane["neighbours"])
    for (const json& ev : n["evidence"])
      founded |=
          ev["sentence"].get<std::string>().find("founded by Jane Doe") != std::string::npos &&
          ev["source"] == "acme.md";
  EXPECT_TRUE(founded) << jane.dump();

  auto graphml = c.Get("/api/kbs/g/graph/export?format=graphml");
  ASSERT_TRUE(graphml);
  EXPECT_EQ(graphml->status, 200);
  EXPECT_NE(graphml->body.find("<graphml"), std::string::npos);
  ExpectError(c.Get("/api/kbs/g/graph/export?format=csv"), 400, "invalid_argument");
  ExpectError(c.Get("/api/kbs/g/graph/entity"), 400, "invalid_argument");

  auto cleared = c.Delete("/api/kbs/g/graph");
  ASSERT_TRUE(cleared);
  EXPECT_EQ(cleared->status, 204);
  EXPECT_EQ(Body(c.Get("/api/kbs/g/graph"))["entities"], 0);
}

TEST(Server, UploadedNamesAreLabelsNeverPaths) {
  TempDir dir;
  RunningServer server(Options(dir));
  auto c = server.Client();
  ASSERT_EQ(c.Post("/api/kbs", R"({"name":"hb"})", "application/json")->status, 201);
  json job = UploadAndWait(c, "hb",
                           {{"../../../../tmp/evil.md", "# Evil\n\nNot a path."},
                            {"..\\..\\win.md", "# Win\n\nNor this."}});
  EXPECT_EQ(job["status"], "succeeded") << job.dump();
  auto docs = Body(c.Get("/api/kbs/hb/documents"));
  std::set<std::string> sources;
  for (const json& d : docs["documents"]) sources.insert(d["source"]);
  EXPECT_EQ(sources, (std::set<std::string>{"evil.md", "win.md"}));
  // Nothing was written outside the KB's uploads folder.
  EXPECT_FALSE(fs::exists("/tmp/evil.md"));
  for (const auto& entry : fs::recursive_directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename().string().find("evil"), std::string::npos) << entry.path();

  // A file askio cannot read fails alone, with a reason in the list.
  json bad = UploadAndWait(c, "hb", {{"broken.pdf", "%PDF-1.7 not really a pdf"}});
  EXPECT_EQ(bad["status"], "failed");
  auto after = Body(c.Get("/api/kbs/hb/documents"));
  ASSERT_EQ(after["pending"].size(), 1u) << after.dump();
  EXPECT_EQ(after["pending"][0]["status"], "failed");
  EXPECT_FALSE(after["pending"][0]["error"].get<std::string>().empty());
  // Dismissed, it leaves the list.
  auto dismissed =
      c.Delete("/api/kbs/hb/jobs/" + std::to_string(after["pending"][0]["job_id"].get<int64_t>()));
  ASSERT_TRUE(dismissed);
  EXPECT_EQ(dismissed->status, 204);
  EXPECT_TRUE(Body(c.Get("/api/kbs/hb/documents"))["pending"].empty());
  ExpectError(c.Delete("/api/kbs/hb/jobs/999"), 404, "not_found");

  ExpectError(c.Post("/api/kbs/hb/documents", "{}", "application/json"), 400, "invalid_argument");
}

TEST(Server, KeysScopeEveryRouteAndHideOtherKnowledgeBases) {
  TempDir dir;
  ServeOptions o = Options(dir);
  // Two KBs made in open mode, then keys switch authentication on.
  {
    RunningServer open_server(o);
    auto c = open_server.Client();
    ASSERT_EQ(c.Post("/api/kbs", R"({"name":"alpha"})", "application/json")->status, 201);
    ASSERT_EQ(c.Post("/api/kbs", R"({"name":"beta"})", "application/json")->status, 201);
    UploadAndWait(c, "alpha", {{"a.md", kHandbook}});
    UploadAndWait(c, "beta", {{"b.md", kFaq}});
  }
  auto store = ServerStore::Open(o.data_dir);
  ASSERT_TRUE(store);
  auto reader_a = (*store)->CreateKey("alpha", Role::kReader, "reader a");
  auto editor_a = (*store)->CreateKey("alpha", Role::kEditor, "editor a");
  auto admin_all = (*store)->CreateKey("*", Role::kAdmin, "root");
  ASSERT_TRUE(reader_a && editor_a && admin_all);
  EXPECT_TRUE(reader_a->secret.starts_with("askio_"));

  RunningServer server(o);
  auto anon = server.Client();
  ExpectError(anon.Get("/api/kbs"), 401, "unauthenticated");
  ExpectError(anon.Get("/api/kbs/alpha/search?q=leave"), 401, "unauthenticated");
  auto health = anon.Get("/api/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);  // health needs no key
  ExpectError(server.Client("askio_wrong").Get("/api/kbs"), 401, "unauthenticated");

  auto ra = server.Client(reader_a->secret);
  auto kbs = Body(ra.Get("/api/kbs"));
  ASSERT_EQ(kbs["knowledge_bases"].size(), 1u);
  EXPECT_EQ(kbs["knowledge_bases"][0]["name"], "alpha");
  EXPECT_FALSE(Body(ra.Get("/api/kbs/alpha/search?q=leave"))["hits"].empty());
  // Another KB is not forbidden but absent, on every route.
  for (const std::string path :
       {"/api/kbs/beta", "/api/kbs/beta/documents", "/api/kbs/beta/documents/1",
        "/api/kbs/beta/chunks/1", "/api/kbs/beta/search?q=office", "/api/kbs/beta/ask?q=office",
        "/api/kbs/beta/conversations", "/api/kbs/beta/jobs"})
    ExpectError(ra.Get(path), 404, "not_found");
  // A reader may not write.
  ExpectError(ra.Post("/api/kbs/alpha/documents", Files({{"x.md", "# X"}})), 403,
              "permission_denied");
  ExpectError(ra.Delete("/api/kbs/alpha"), 403, "permission_denied");
  ExpectError(ra.Post("/api/kbs", R"({"name":"gamma"})", "application/json"), 403,
              "permission_denied");
  ExpectError(ra.Get("/api/keys"), 403, "permission_denied");
  auto metrics = ra.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 403);

  // The OpenAI surface is scoped the same way.
  auto models = Body(ra.Get("/v1/models"));
  ASSERT_EQ(models["data"].size(), 1u);
  EXPECT_EQ(models["data"][0]["id"], "kb:alpha");
  auto chat_b = ra.Post("/v1/chat/completions",
                        R"({"model":"kb:beta","messages":[{"role":"user","content":"office?"}]})",
                        "application/json");
  ASSERT_TRUE(chat_b);
  EXPECT_EQ(chat_b->status, 404);
  EXPECT_EQ(Body(chat_b)["error"]["code"], "model_not_found");
  auto chat_anon = anon.Post("/v1/chat/completions",
                             R"({"model":"kb:alpha","messages":[{"role":"user","content":"x"}]})",
                             "application/json");
  ASSERT_TRUE(chat_anon);
  EXPECT_EQ(chat_anon->status, 401);
  EXPECT_EQ(Body(chat_anon)["error"]["type"], "authentication_error");

  // An editor writes to its own KB only.
  auto ea = server.Client(editor_a->secret);
  json job = UploadAndWait(ea, "alpha", {{"more.md", "# More\n\nLunch is at noon."}});
  EXPECT_EQ(job["status"], "succeeded");
  ExpectError(ea.Post("/api/kbs/beta/documents", Files({{"x.md", "# X"}})), 404, "not_found");

  // The admin of every KB creates KBs, manages keys and reads metrics.
  auto root = server.Client(admin_all->secret);
  EXPECT_EQ(root.Post("/api/kbs", R"({"name":"gamma"})", "application/json")->status, 201);
  auto metrics_ok = root.Get("/metrics");
  ASSERT_TRUE(metrics_ok);
  EXPECT_EQ(metrics_ok->status, 200);
  EXPECT_NE(metrics_ok->body.find("askio_http_requests_total{route=\"/api/kbs/{kb}/search\""),
            std::string::npos);
  EXPECT_NE(metrics_ok->body.find("askio_http_request_duration_seconds_bucket"), std::string::npos);
  auto made = Body(
      root.Post("/api/keys", R"({"kb":"beta","role":"reader","name":"b"})", "application/json"));
  const std::string beta_key = made["key"];
  EXPECT_EQ(Body(server.Client(beta_key).Get("/api/kbs"))["knowledge_bases"].size(), 1u);
  auto revoked = root.Delete("/api/keys/" + std::to_string(made["id"].get<int64_t>()));
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 204);
  ExpectError(server.Client(beta_key).Get("/api/kbs"), 401, "unauthenticated");
  // Keys are stored hashed: the secret is nowhere in server.db.
  const std::string db = askio::testing::ReadFile(o.data_dir + "/server.db");
  EXPECT_EQ(db.find(reader_a->secret), std::string::npos);
}

TEST(Server, AcceptedUploadsNotYetIngestedAreIngestedAfterARestart) {
  TempDir dir;
  ServeOptions o = Options(dir);
  {
    RunningServer server(o);
    ASSERT_EQ(server.Client().Post("/api/kbs", R"({"name":"hb"})", "application/json")->status,
              201);
  }
  // As a server that died after answering 202 leaves it: the bytes and their
  // name stored, nothing ingested; and a half-received upload.
  const std::string uploads = dir / "data/hb/uploads";
  const std::string stored = uploads + "/" + Sha256Hex("handbook.md").substr(0, 40);
  WriteFile(stored, kHandbook);
  WriteFile(stored + ".name", "handbook.md");
  WriteFile(uploads + "/.incoming-0123456789ab", "half");
  RunningServer server(o);
  auto c = server.Client();
  auto jobs = Body(c.Get("/api/kbs/hb/jobs"));
  ASSERT_EQ(jobs["jobs"].size(), 1u) << jobs.dump();
  json job = FollowJob(c, "hb", jobs["jobs"][0]["id"]).second;
  EXPECT_EQ(job["status"], "succeeded") << job.dump();
  auto docs = Body(c.Get("/api/kbs/hb/documents"));
  ASSERT_EQ(docs["documents"].size(), 1u);
  EXPECT_EQ(docs["documents"][0]["source"], "handbook.md");
  EXPECT_FALSE(fs::exists(uploads + "/.incoming-0123456789ab"));
}

TEST(Server, NonLoopbackWithoutKeysRefusesToStart) {
  TempDir dir;
  ServeOptions o = Options(dir);
  o.host = "0.0.0.0";
  auto refused = HttpServer::Create(o);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.error().message().find("askio keys create"), std::string::npos);
  o.allow_no_auth = true;
  EXPECT_TRUE(HttpServer::Create(o));
  o.allow_no_auth = false;
  auto store = ServerStore::Open(o.data_dir);
  ASSERT_TRUE((*store)->CreateKey("*", Role::kAdmin, "root"));
  EXPECT_TRUE(HttpServer::Create(o));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
}

TEST(Server, OversizedBodiesAndHeadersAreRefusedFromTheHeaders) {
  TempDir dir;
  ServeOptions o = Options(dir);
  o.max_body_bytes = 1 << 20;
  RunningServer server(o);
  auto c = server.Client();
  ASSERT_EQ(c.Post("/api/kbs", R"({"name":"hb"})", "application/json")->status, 201);
  // Claims 1 GiB and sends none of it: the answer comes from the headers.
  const std::string reply = RawExchange(
      server.port(),
      "POST /api/kbs/hb/documents HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
      "boundary=b\r\nContent-Length: 1073741824\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;
  EXPECT_NE(reply.find("payload_too_large"), std::string::npos) << reply;
  // The same with Expect: 100-continue, as curl sends for big uploads.
  const std::string expect =
      RawExchange(server.port(),
                  "POST /api/kbs/hb/documents HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                  "Content-Length: 1073741824\r\n\r\n");
  EXPECT_EQ(expect.rfind("HTTP/1.1 413", 0), 0u) << expect;
  // Headers over 16 KiB in all.
  std::string big = "GET /api/kbs HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 40; ++i)
    big += "X-Filler-" + std::to_string(i) + ": " + std::string(500, 'a') + "\r\n";
  big += "\r\n";
  const std::string headers = RawExchange(server.port(), big);
  EXPECT_EQ(headers.rfind("HTTP/1.1 431", 0), 0u) << headers.substr(0, 200);
  // The server is still fine.
  EXPECT_EQ(c.Get("/api/health")->status, 200);
}

TEST(Server, RateLimitAnswers429WithRetryAfter) {
  TempDir dir;
  ServeOptions o = Options(dir);
  o.rate_limit = 0.5;  // burst of 1, then one every 2 s
  RunningServer server(o);
  auto c = server.Client();
  ASSERT_EQ(c.Get("/api/kbs")->status, 200);
  auto limited = c.Get("/api/kbs");
  ExpectError(limited, 429, "rate_limited");
  EXPECT_GE(std::stoi(limited->get_header_value("Retry-After")), 1);
  auto openai = c.Get("/v1/models");
  ASSERT_TRUE(openai);
  EXPECT_EQ(openai->status, 429);
  EXPECT_EQ(Body(openai)["error"]["code"], "rate_limit_exceeded");
}

TEST(QueryGate, RunsOnItsWorkersAndRefusesBeyondItsQueue) {
  Metrics metrics;
  QueryGate gate(1, 1, metrics);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> ran_elsewhere{false};
  // The first task holds the only worker; the second waits in the queue.
  std::thread first([&] {
    EXPECT_TRUE(gate.Run([&] {
      ran_elsewhere = std::this_thread::get_id() != caller;
      released.wait();
    }));
  });
  while (metrics.Get("askio_query_inflight") < 1) std::this_thread::yield();
  std::atomic<bool> second_ran{false};
  std::thread second([&] { EXPECT_TRUE(gate.Run([&] { second_ran = true; })); });
  while (metrics.Get("askio_query_queue_depth") < 1) std::this_thread::yield();
  // A third finds the queue full and is refused without running.
  bool third_ran = false;
  EXPECT_FALSE(gate.Run([&] { third_ran = true; }));
  EXPECT_FALSE(third_ran);
  release.set_value();
  first.join();
  second.join();
  EXPECT_TRUE(ran_elsewhere);
  EXPECT_TRUE(second_ran);
  EXPECT_EQ(metrics.Get("askio_query_inflight"), 0);
  EXPECT_EQ(metrics.Get("askio_query_queue_depth"), 0);
}

TEST(RateLimiter, RefillsAtTheRateAndForgetsNothingWithinIt) {
  RateLimiter limiter;
  EXPECT_EQ(limiter.Take("a", 0), 0);  // off
  EXPECT_EQ(limiter.Take("a", 1), 0);
  EXPECT_EQ(limiter.Take("a", 1), 0);  // burst of 2
  const double wait = limiter.Take("a", 1);
  EXPECT_GT(wait, 0);
  EXPECT_LE(wait, 1.0);
  EXPECT_EQ(limiter.Take("b", 1), 0);  // per caller
}

TEST(Server, AClientLeavingAStreamEndsIt) {
  TempDir dir;
  ServeOptions o = Options(dir);
  o.sse_heartbeat_seconds = 0.02;
  o.url.allow_private = true;
  // A page that is served only when the test says so, keeping the job running.
  askio::testing::HttpTestServer upstream;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  upstream.StreamRoute(
      "GET", "/slow.md",
      [released](const askio::testing::HttpRequest&, askio::testing::HttpResponseStream& out) {
        released.wait();
        out.Begin(200, {{"Content-Type", "text/markdown"}});
        out.Write("# Slow\n\nArrived at last.");
      });
  RunningServer server(o);
  auto c = server.Client();
  ASSERT_EQ(c.Post("/api/kbs", R"({"name":"hb"})", "application/json")->status, 201);
  json req = {{"url", upstream.Url("/slow.md")}};
  auto accepted = c.Post("/api/kbs/hb/documents/url", req.dump(), "application/json");
  ASSERT_TRUE(accepted);
  ASSERT_EQ(accepted->status, 202) << accepted->body;
  const int64_t job = Body(accepted)["job"]["id"];

  // Read the first event, then hang up.
  auto events = server.Client();
  std::string first;
  events.Get("/api/kbs/hb/jobs/" + std::to_string(job) + "/events",
             [&](const char* data, size_t len) {
               first.append(data, len);
               return first.find("\n\n") == std::string::npos;  // false: disconnect
             });
  EXPECT_EQ(first.rfind("event: progress", 0), 0u) << first;
  // The server notices at its next heartbeat and closes its side.
  auto metric = [&](const std::string& name) {
    auto m = c.Get("/metrics");
    std::smatch match;
    std::regex re(name + " ([0-9.e+-]+)");
    return m && std::regex_search(m->body, match, re) ? std::stod(match[1]) : -1.0;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (metric("askio_streams_cancelled_total") < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  EXPECT_EQ(metric("askio_streams_cancelled_total"), 1);
  EXPECT_EQ(metric("askio_sse_streams_active"), 0);

  release.set_value();
  auto [names, final_job] = FollowJob(c, "hb", job);
  EXPECT_EQ(names.back(), "done");
  EXPECT_EQ(final_job["status"], "succeeded") << final_job.dump();
}

TEST(Server, QueriesRunWhileIngestionWrites) {
  TempDir dir;
  RunningServer server(Options(dir));
  auto c = server.Client();
  ASSERT_EQ(c.Post("/api/kbs", R"({"name":"hb"})", "application/json")->status, 201);
  UploadAndWait(c, "hb", {{"handbook.md", kHandbook}});

  std::atomic<bool> done{false};
  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t) {
    clients.emplace_back([&] {
      auto q = server.Client();
      while (!done || ok < 30) {
        auto r = q.Get("/api/kbs/hb/search?q=annual%20leave");
        if (r && r->status == 200 && !json::parse(r->body)["hits"].empty()) {
          ++ok;
        } else {
          ++bad;
        }
      }
    });
  }
  for (int batch = 0; batch < 4; ++batch) {
    std::vector<std::pair<std::string, std::string>> files;
    for (int i = 0; i < 10; ++i) {
      std::string text = "# Notes " + std::to_string(batch) + "-" + std::to_string(i) + "\n\n";
      for (int p = 0; p < 30; ++p)
        text += "Paragraph " + std::to_string(p) + " about walruses and the tides of the north. ";
      files.emplace_back("notes-" + std::to_string(batch) + "-" + std::to_string(i) + ".md", text);
    }
    json job = UploadAndWait(c, "hb", files);
    EXPECT_EQ(job["status"], "succeeded");
  }
  done = true;
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(bad, 0);
  EXPECT_GE(ok, 30);
  EXPECT_EQ(Body(c.Get("/api/kbs/hb"))["documents"], 41);
}

TEST(Server, OpenAiChatCompletionsInOpenAisShapes) {
  TempDir dir;
  RunningServer server(Options(dir));
  auto c = server.Client();
  ASSERT_EQ(c.Post("/api/kbs", R"({"name":"hb"})", "application/json")->status, 201);
  UploadAndWait(c, "hb", {{"handbook.md", kHandbook}});
  const std::string question =
      R"("messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"How many days of annual leave?"}])";
  auto r = Body(
      c.Post("/v1/chat/completions", "{\"model\":\"kb:hb\"," + question + "}", "application/json"));
  EXPECT_EQ(r["object"], "chat.completion");
  EXPECT_TRUE(r["id"].get<std::string>().starts_with("chatcmpl-"));
  EXPECT_EQ(r["model"], "kb:hb");
  const std::string content = r["choices"][0]["message"]["content"];
  EXPECT_EQ(r["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(r["choices"][0]["finish_reason"], "stop");
  EXPECT_NE(content.find("25"), std::string::npos);
  EXPECT_NE(content.find("[1]"), std::string::npos);
  EXPECT_NE(content.find("Sources:"), std::string::npos);
  ASSERT_FALSE(r["sources"].empty());
  EXPECT_EQ(r["sources"][0]["source"], "handbook.md");
  EXPECT_GT(r["usage"]["total_tokens"], 0);

  auto s =
      c.Post("/v1/chat/completions",
             "{\"model\":\"kb:hb\",\"stream\":true,\"stream_options\":{\"include_usage\":true}," +
                 question + "}",
             "application/json");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->get_header_value("Content-Type"), "text/event-stream");
  std::vector<json> chunks;
  bool saw_done = false;
  std::istringstream lines(s->body);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    ASSERT_TRUE(line.starts_with("data: ")) << line;
    if (line == "data: [DONE]") {
      saw_done = true;
      continue;
    }
    EXPECT_FALSE(saw_done) << "data after [DONE]";
    chunks.push_back(json::parse(line.substr(6)));
  }
  EXPECT_TRUE(saw_done);
  ASSERT_GE(chunks.size(), 4u);
  EXPECT_EQ(chunks[0]["choices"][0]["delta"]["role"], "assistant");
  std::string streamed;
  for (const json& ch : chunks) {
    EXPECT_EQ(ch["object"], "chat.completion.chunk");
    EXPECT_EQ(ch["id"], chunks[0]["id"]);
    if (!ch["choices"].empty() && ch["choices"][0]["delta"].contains("content"))
      streamed += ch["choices"][0]["delta"]["content"].get<std::string>();
  }
  EXPECT_EQ(streamed, content);
  const json& stop = chunks[chunks.size() - 2];
  EXPECT_EQ(stop["choices"][0]["finish_reason"], "stop");
  EXPECT_FALSE(stop["sources"].empty());
  EXPECT_TRUE(chunks.back()["choices"].empty());  // the usage chunk
  EXPECT_GT(chunks.back()["usage"]["completion_tokens"], 0);

  auto missing = c.Post("/v1/chat/completions",
                        R"({"model":"kb:nope","messages":[{"role":"user","content":"x"}]})",
                        "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  json err = Body(missing)["error"];
  EXPECT_EQ(err["code"], "model_not_found");
  EXPECT_EQ(err["type"], "invalid_request_error");
  EXPECT_TRUE(err.contains("param"));
  auto no_messages = c.Post("/v1/chat/completions", R"({"model":"kb:hb"})", "application/json");
  ASSERT_TRUE(no_messages);
  EXPECT_EQ(no_messages->status, 400);
  EXPECT_EQ(Body(no_messages)["error"]["type"], "invalid_request_error");
  auto unknown = c.Get("/v1/nothing");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_TRUE(Body(unknown)["error"].contains("type"));
  // Browser front-ends preflight /v1 calls.
  auto preflight = c.Options("/v1/chat/completions");
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->get_header_value("Access-Control-Allow-Origin"), "*");
}

TEST(Server, ServesTheUiWithAStrictContentSecurityPolicy) {
  TempDir dir;
  RunningServer server(Options(dir));
  auto c = server.Client();
  auto index = c.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("<html"), std::string::npos);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  const std::string csp = index->get_header_value("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("img-src 'self' data:"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(index->get_header_value("X-Content-Type-Options"), "nosniff");
  auto js = c.Get("/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  auto missing = c.Get("/no-such-file.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST(StreamPieces, SplitsWordsCjkAndKeepsMarkersWhole) {
  EXPECT_EQ(StreamPieces("Bob Li leads it. [1]"),
            (std::vector<std::string>{"Bob ", "Li ", "leads ", "it. ", "[1]"}));
  EXPECT_EQ(StreamPieces("深圳1768[2]"), (std::vector<std::string>{"深", "圳", "1768", "[2]"}));
  std::string joined;
  for (const std::string& p : StreamPieces("a [b] c [12] 中文")) joined += p;
  EXPECT_EQ(joined, "a [b] c [12] 中文");
}

}  // namespace
}  // namespace askio::server

namespace askio::server {
namespace {

// With a language model configured (askio.toml pointing at a fake server),
// streamed answers carry the model's tokens as they come, and a client that
// hangs up mid-answer stops the model call.
class ServerWithModel : public ::testing::Test {
 protected:
  void SetUp() override {
    options_ = Options(dir_);
    options_.sse_heartbeat_seconds = 0.05;
    options_.config_path = dir_ / "askio.toml";
    WriteFile(options_.config_path, "[llm]\nbase_url = \"" + fake_.BaseUrl() +
                                        "\"\nmodel = \"fake-chat\"\nmax_retries = 0\n");
    server_ = std::make_unique<RunningServer>(options_);
    auto c = server_->Client();
    ASSERT_EQ(c.Post("/api/kbs", R"({"name":"hb"})", "application/json")->status, 201);
    UploadAndWait(c, "hb", {{"handbook.md", kHandbook}});
  }
  TempDir dir_;
  askio::testing::FakeOpenAi fake_;
  ServeOptions options_;
  std::unique_ptr<RunningServer> server_;
};

TEST_F(ServerWithModel, StreamsTheModelsTokensThenCheckedCitations) {
  fake_.ScriptChat(
      {.text = "Every employee gets 25 days of annual leave per year [1].", .piece_bytes = 6});
  auto c = server_->Client();
  auto r =
      c.Post("/api/kbs/hb/ask", R"({"question":"How many days of annual leave?","stream":true})",
             "application/json");
  ASSERT_TRUE(r);
  std::string text;
  json cited;
  int tokens = 0;
  std::regex event(R"(event: (\w+)\ndata: (.*)\n\n)");
  for (std::sregex_iterator it(r->body.begin(), r->body.end(), event), end; it != end; ++it) {
    json data = json::parse((*it)[2].str());
    if ((*it)[1] == "token") {
      text += data["text"].get<std::string>();
      ++tokens;
    }
    if ((*it)[1] == "citations") cited = data;
  }
  EXPECT_EQ(text, "Every employee gets 25 days of annual leave per year [1].");
  EXPECT_GT(tokens, 5);  // the model's pieces, not one block
  EXPECT_TRUE(cited["generated_by"].get<std::string>().starts_with("llm:fake-chat @ 127.0.0.1"))
      << cited.dump();
  EXPECT_TRUE(cited["grounded"]);
  ASSERT_EQ(cited["citations"].size(), 1u);
  EXPECT_EQ(cited["citations"][0]["source"], "handbook.md");
  // The OpenAI surface streams the same way, with the sources at the end.
  fake_.ScriptChat({.text = "Every employee gets 25 days of annual leave per year [1]."});
  auto o = c.Post(
      "/v1/chat/completions",
      R"({"model":"kb:hb","stream":true,"messages":[{"role":"user","content":"How many days of annual leave?"}]})",
      "application/json");
  ASSERT_TRUE(o);
  EXPECT_NE(o->body.find("\"sources\""), std::string::npos);
  EXPECT_NE(o->body.find("data: [DONE]"), std::string::npos);
}

TEST_F(ServerWithModel, AClientThatHangsUpStopsTheModelCall) {
  // The model sends a little and then goes quiet, holding its response open.
  fake_.ScriptChat(
      {.text = "Every employee gets", .send_finish = false, .send_done = false, .hold_open = true});
  auto c = server_->Client();
  std::string seen;
  httplib::Request req;
  req.method = "POST";
  req.path = "/api/kbs/hb/ask";
  req.body = R"({"question":"How many days of annual leave?","stream":true})";
  req.set_header("Content-Type", "application/json");
  req.content_receiver = [&](const char* data, size_t len, uint64_t, uint64_t) {
    seen.append(data, len);
    return seen.find("event: token") == std::string::npos;  // hang up at the first token
  };
  c.send(req);
  EXPECT_NE(seen.find("event: token"), std::string::npos);
  // The server's heartbeat finds the client gone and cancels the upstream
  // call: the fake model sees its client close.
  EXPECT_TRUE(fake_.WaitForClientCloses(1, std::chrono::seconds(10)));
}

}  // namespace
}  // namespace askio::server
