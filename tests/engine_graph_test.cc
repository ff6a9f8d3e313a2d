// The knowledge graph inside the engine: off until built, kept current by
// ingestion in the chunks' own transactions (changes and deletes leave no
// orphan), the "graph" retrieval stage, relation questions, export.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "askio/engine.h"
#include "fake_openai_server.h"
#include "model/provider.h"
#include "test_util.h"

namespace askio {
namespace {

using askio::testing::TempDir;
using askio::testing::WriteFile;

bool HaveDictionary() {
  const char* env = std::getenv("ASKIO_JIEBA_DICT");
  return std::filesystem::exists(env ? env : "/usr/lib/python3/dist-packages/jieba/dict.txt");
}

class EngineGraph : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveDictionary()) GTEST_SKIP() << "python3-jieba's dictionary is not installed";
    auto kb = KnowledgeBase::Open(dir_ / "data", "kb", KnowledgeBase::OpenMode::kCreateIfMissing);
    ASSERT_TRUE(kb) << kb.error().message();
    kb_ = std::move(*kb);
    WriteFile(dir_ / "docs/tsinghua.md",
              "# 清华大学\n\n清华大学（Tsinghua University）成立于1911年，位于北京。");
    WriteFile(dir_ / "docs/library.md",
              "# Campus\n\nTsinghua University has one of the largest libraries in Asia.");
    WriteFile(dir_ / "docs/staff.md", "# 人员\n\n张三是星河科技的技术总监。");
    WriteFile(dir_ / "docs/hobby.md", "# 爱好\n\n张三喜欢周末去爬山。");
    WriteFile(dir_ / "docs/office.md", "# 办公\n\n星河科技位于杭州，员工约三百人。");
    ASSERT_TRUE(kb_->Ingest({dir_ / "docs"}, {}));
  }

  std::set<std::string> Sources(const std::vector<SearchHit>& hits) {
    std::set<std::string> out;
    for (const SearchHit& h : hits)
      out.insert(std::filesystem::path(h.document_source).filename().string());
    return out;
  }

  TempDir dir_;
  std::unique_ptr<KnowledgeBase> kb_;
};

TEST_F(EngineGraph, IsOffUntilBuiltThenCostsNothingToRebuild) {
  auto before = kb_->GraphStatistics();
  ASSERT_TRUE(before);
  EXPECT_FALSE(before->enabled);
  EXPECT_EQ(before->entities, 0);
  EXPECT_EQ(kb_->FindEntity("清华大学").error().code(), StatusCode::kNotFound);

  auto built = kb_->BuildGraph();
  ASSERT_TRUE(built) << built.error().message();
  EXPECT_EQ(built->chunks, 5);
  EXPECT_EQ(built->extracted, 5);
  auto st = kb_->GraphStatistics();
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->enabled);
  EXPECT_GT(st->entities, 0);
  EXPECT_GT(st->relations, 0);
  auto again = kb_->BuildGraph();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->extracted, 0);
  EXPECT_EQ(again->cached, 5);
  // Re-ingesting unchanged files touches nothing.
  ASSERT_TRUE(kb_->Ingest({dir_ / "docs"}, {}));
  auto same = kb_->GraphStatistics();
  ASSERT_TRUE(same);
  EXPECT_EQ(same->mentions, st->mentions);
  EXPECT_EQ(same->entities, st->entities);
}

TEST_F(EngineGraph, AliasesAcrossScriptsResolveToOneEntity) {
  ASSERT_TRUE(kb_->BuildGraph());
  auto zh = kb_->FindEntity("清华大学");
  ASSERT_TRUE(zh) << zh.error().message();
  auto en = kb_->FindEntity("Tsinghua University");
  ASSERT_TRUE(en) << en.error().message();
  EXPECT_EQ(zh->id, en->id);
  EXPECT_EQ(zh->chunks, 2);  // the Chinese and the English document
}

TEST_F(EngineGraph, IngestKeepsItCurrentAndDeletesLeaveNoOrphan) {
  ASSERT_TRUE(kb_->BuildGraph());
  auto base = kb_->GraphStatistics();
  ASSERT_TRUE(base);
  WriteFile(dir_ / "more/acme.md", "# Acme\n\nAcme Corp was founded by Jane Doe in 1999.");
  ASSERT_TRUE(kb_->Ingest({dir_ / "more"}, {}));
  auto jane = kb_->FindEntity("Jane Doe");
  ASSERT_TRUE(jane) << jane.error().message();
  auto links = kb_->EntityNeighbours(jane->id);
  ASSERT_TRUE(links);
  bool acme = false;
  for (const GraphNeighbour& n : *links) {
    if (n.entity.name.find("Acme") == std::string::npos) continue;
    acme = true;
    ASSERT_FALSE(n.evidence.empty());
    EXPECT_NE(n.evidence[0].sentence.find("founded by Jane Doe"), std::string::npos);
  }
  EXPECT_TRUE(acme);

  // A changed document: its old names go, the new ones come.
  WriteFile(dir_ / "more/acme.md", "# Acme\n\nAcme Corp was founded by John Roe in 2001.");
  ASSERT_TRUE(kb_->Ingest({dir_ / "more"}, {}));
  EXPECT_EQ(kb_->FindEntity("Jane Doe").error().code(), StatusCode::kNotFound);
  EXPECT_TRUE(kb_->FindEntity("John Roe"));

  // Deleted: the graph is exactly as before the document came.
  auto docs = kb_->ListDocuments();
  ASSERT_TRUE(docs);
  for (const DocumentInfo& d : *docs)
    if (d.source.ends_with("acme.md")) {
      ASSERT_TRUE(kb_->DeleteDocument(d.id).ok());
    }
  auto after = kb_->GraphStatistics();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->entities, base->entities);
  EXPECT_EQ(after->aliases, base->aliases);
  EXPECT_EQ(after->mentions, base->mentions);
  EXPECT_EQ(after->relations, base->relations);
  EXPECT_EQ(after->cooccurrences, base->cooccurrences);
  EXPECT_EQ(after->chunks, base->chunks);
  EXPECT_EQ(kb_->FindEntity("John Roe").error().code(), StatusCode::kNotFound);
}

// BM25 cannot match 清华大学 to an English passage; the graph knows the
// passage names the same entity.
TEST_F(EngineGraph, TheGraphStageFindsWhatWordsMiss) {
  SearchOptions o;
  o.limit = 10;
  const std::string question = "清华大学有多大的图书馆";
  EXPECT_EQ(Sources(*kb_->Search(question, o)).count("library.md"), 0u);
  ASSERT_TRUE(kb_->BuildGraph());
  auto hits = kb_->Search(question, o);
  ASSERT_TRUE(hits) << hits.error().message();
  const SearchHit* library = nullptr;
  for (const SearchHit& h : *hits)
    if (h.document_source.ends_with("library.md")) library = &h;
  ASSERT_NE(library, nullptr);
  bool graph_stage = false;
  for (const StageScore& s : library->stages) graph_stage |= s.stage == "graph";
  EXPECT_TRUE(graph_stage);
  // Off on request, and never past a filter.
  o.hybrid.graph = false;
  EXPECT_EQ(Sources(*kb_->Search(question, o)).count("library.md"), 0u);
  o.hybrid.graph = true;
  o.filter.source_prefix = dir_ / "docs/tsinghua";
  EXPECT_EQ(Sources(*kb_->Search(question, o)), (std::set<std::string>{"tsinghua.md"}));
}

TEST_F(EngineGraph, ARelationQuestionIsAnsweredFromTheRelationSentence) {
  ASSERT_TRUE(kb_->BuildGraph());
  auto a = kb_->Ask("张三和星河科技是什么关系？", {});
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_TRUE(a->found) << a->reason;
  ASSERT_FALSE(a->citations.empty());
  EXPECT_TRUE(a->citations[0].document_source.ends_with("staff.md"))
      << a->citations[0].document_source;
  EXPECT_NE(a->text.find("技术总监"), std::string::npos) << a->text;
}

TEST_F(EngineGraph, ExportsJsonAndGraphMl) {
  ASSERT_TRUE(kb_->BuildGraph());
  auto j = kb_->ExportGraph("json");
  ASSERT_TRUE(j) << j.error().message();
  const nlohmann::json parsed = nlohmann::json::parse(*j, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded());
  auto g = kb_->ExportGraph("graphml");
  ASSERT_TRUE(g);
  EXPECT_NE(g->find("<graphml"), std::string::npos);
  EXPECT_NE(g->find("清华大学"), std::string::npos);
  EXPECT_EQ(kb_->ExportGraph("csv").error().code(), StatusCode::kInvalidArgument);

  ASSERT_TRUE(kb_->ClearGraph().ok());
  auto st = kb_->GraphStatistics();
  ASSERT_TRUE(st);
  EXPECT_FALSE(st->enabled);
  EXPECT_EQ(st->entities, 0);
}

// The model path: the cost is shown first; the build sends one request per
// chunks_per_request chunks, keeps what the model says that the text holds,
// and skips chunks this model already read.
TEST(EngineGraphModel, EstimatesThenExtractsWithTheChatModel) {
  TempDir dir;
  auto kb = KnowledgeBase::Open(dir / "data", "kb", KnowledgeBase::OpenMode::kCreateIfMissing);
  ASSERT_TRUE(kb) << kb.error().message();
  WriteFile(dir / "acme.md", "Acme Corp was founded by Jane Doe in 1999.");
  ASSERT_TRUE((*kb)->Ingest({dir / "acme.md"}, {}));
  GraphBuildOptions options;
  options.use_model = true;
  EXPECT_EQ((*kb)->EstimateGraphBuild(options).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*kb)->BuildGraph(options).error().code(), StatusCode::kInvalidArgument);

  testing::FakeOpenAi fake;
  Models models;
  models.llm = model::MakeOpenAiChat(fake.Config("extractor-model"));
  ASSERT_TRUE((*kb)->SetModels(models).ok());
  options.input_price_per_million = 2;
  options.output_price_per_million = 8;
  auto estimate = (*kb)->EstimateGraphBuild(options);
  ASSERT_TRUE(estimate) << estimate.error().message();
  EXPECT_EQ(estimate->model, "extractor-model");
  EXPECT_EQ(estimate->chunks, 1);
  EXPECT_EQ(estimate->requests, 1);
  EXPECT_GT(estimate->input_tokens, 0);
  EXPECT_GT(estimate->cost, 0);
  EXPECT_EQ(fake.Requests(testing::FakeOpenAi::kChat).size(), 0u);  // estimating calls nothing

  fake.ScriptChat({.text = R"({"chunks": [{"id": 0,
      "entities": [{"name": "Acme Corp", "type": "organization"},
                   {"name": "Jane Doe", "type": "person"},
                   {"name": "Bob Invented", "type": "person"}],
      "relations": [{"subject": "Jane Doe", "predicate": "founded", "object": "Acme Corp"}]}]})"});
  auto built = (*kb)->BuildGraph(options);
  ASSERT_TRUE(built) << built.error().message();
  EXPECT_EQ(built->extracted, 1);
  EXPECT_EQ(fake.Requests(testing::FakeOpenAi::kChat).size(), 1u);
  auto jane = (*kb)->FindEntity("Jane Doe");
  ASSERT_TRUE(jane) << jane.error().message();
  EXPECT_EQ(jane->type, "person");
  EXPECT_EQ((*kb)->FindEntity("Bob Invented").error().code(), StatusCode::kNotFound);
  auto links = (*kb)->EntityNeighbours(jane->id);
  ASSERT_TRUE(links);
  ASSERT_FALSE(links->empty());
  bool founded = false;
  for (const GraphEdgeLabel& l : (*links)[0].labels) founded |= l.predicate == "founded";
  EXPECT_TRUE(founded);

  auto again = (*kb)->BuildGraph(options);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->extracted, 0);
  EXPECT_EQ(again->cached, 1);
  EXPECT_EQ(fake.Requests(testing::FakeOpenAi::kChat).size(), 1u);
}

}  // namespace
}  // namespace askio
