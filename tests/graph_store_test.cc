// The graph store: incremental updates keyed by content hash, deletes that
// leave no orphan rows, alias merges across chunks, queries, and export
// round-trips.
#include <gtest/gtest.h>

#include <optional>
#include <pugixml.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/hash.h"
#include "graph/extract.h"
#include "graph/graph_store.h"
#include "graph/lexicon.h"
#include "store/sqlite.h"
#include "test_util.h"

namespace askio::graph {
namespace {

int64_t Count(store::Connection& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  EXPECT_TRUE(st);
  auto row = st->Step();
  EXPECT_TRUE(row && *row);
  return st->Int(0);
}

// Rows that point at nothing: the invariant every update and delete keeps.
void ExpectNoOrphans(store::Connection& db) {
  EXPECT_EQ(Count(db,
                  "SELECT COUNT(*) FROM graph_entities e WHERE NOT EXISTS (SELECT 1 FROM "
                  "graph_mentions m WHERE m.entity_id = e.id) AND NOT EXISTS (SELECT 1 FROM "
                  "graph_relations r WHERE e.id IN (r.subject_id, r.object_id)) AND NOT EXISTS "
                  "(SELECT 1 FROM graph_attributes a WHERE a.entity_id = e.id)"),
            0);
  for (const char* sql :
       {"SELECT COUNT(*) FROM graph_mentions m WHERE NOT EXISTS (SELECT 1 FROM graph_entities e "
        "WHERE e.id = m.entity_id)",
        "SELECT COUNT(*) FROM graph_relations r WHERE NOT EXISTS (SELECT 1 FROM graph_entities e "
        "WHERE e.id = r.subject_id) OR NOT EXISTS (SELECT 1 FROM graph_entities e WHERE e.id = "
        "r.object_id)",
        "SELECT COUNT(*) FROM graph_aliases a WHERE NOT EXISTS (SELECT 1 FROM graph_entities e "
        "WHERE e.id = a.entity_id)",
        "SELECT COUNT(*) FROM graph_attributes a WHERE NOT EXISTS (SELECT 1 FROM graph_entities "
        "e WHERE e.id = a.entity_id)",
        "SELECT COUNT(*) FROM graph_mentions m WHERE NOT EXISTS (SELECT 1 FROM graph_chunks c "
        "WHERE c.chunk_id = m.chunk_id)",
        "SELECT COUNT(*) FROM graph_relations m WHERE NOT EXISTS (SELECT 1 FROM graph_chunks c "
        "WHERE c.chunk_id = m.chunk_id)",
        "SELECT COUNT(*) FROM graph_aliases m WHERE NOT EXISTS (SELECT 1 FROM graph_chunks c "
        "WHERE c.chunk_id = m.chunk_id)"})
    EXPECT_EQ(Count(db, sql), 0) << sql;
}

class GraphStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!LexiconAvailable()) GTEST_SKIP() << "jieba dictionary not found at " << LexiconPath();
    auto c = store::Connection::Open(dir_ / "catalog.db");
    ASSERT_TRUE(c);
    db_ = std::move(*c);
    auto g = GraphStore::Open(db_);
    ASSERT_TRUE(g) << g.error().ToString();
    graph_.emplace(std::move(*g));
  }

  void Put(int64_t chunk, int64_t doc, const std::string& text) {
    ASSERT_TRUE(
        graph_->UpdateChunk(chunk, doc, ContentHash(text), text, ExtractModelFree(text)).ok());
  }

  int64_t Id(const std::string& name) {
    auto e = graph_->FindEntity(name);
    EXPECT_TRUE(e && *e) << name;
    return e && *e ? (*e)->id : 0;
  }

  askio::testing::TempDir dir_;
  store::Connection db_;
  std::optional<GraphStore> graph_;
};

const std::string kThu = "清华大学（Tsinghua University）成立于1911年，位于北京市海淀区。";
const std::string kZhang = "张三是公司的技术总监。张三毕业于清华大学。";
const std::string kAcme = "Acme Corp was founded by Jane Doe in 1999. Jane Doe met John Smith.";

TEST_F(GraphStoreTest, OpenIsIdempotentAndVersioned) {
  EXPECT_TRUE(GraphStore::Open(db_));
  ASSERT_TRUE(db_.Exec("UPDATE graph_meta SET value = '99' WHERE key = 'schema_version'").ok());
  auto again = GraphStore::Open(db_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), StatusCode::kCorruption);
}

TEST_F(GraphStoreTest, UnchangedChunkIsANoOp) {
  Put(1, 10, kThu);
  auto has = graph_->HasChunk(1, ContentHash(kThu));
  ASSERT_TRUE(has);
  EXPECT_TRUE(*has);
  EXPECT_FALSE(*graph_->HasChunk(1, ContentHash("other")));
  EXPECT_FALSE(*graph_->HasChunk(1, ContentHash(kThu), "llm:some-model"));
  const std::string before = *graph_->Export(ExportFormat::kJson);
  // Same hash: nothing happens, even with a different extraction passed in.
  ASSERT_TRUE(graph_->UpdateChunk(1, 10, ContentHash(kThu), kThu, Extraction{}).ok());
  EXPECT_EQ(*graph_->Export(ExportFormat::kJson), before);
}

TEST_F(GraphStoreTest, AliasesResolveAcrossChunks) {
  Put(1, 10, kThu);
  Put(2, 11, kZhang);
  Put(3, 12, "Tsinghua University is a research university.");
  const int64_t thu = Id("清华大学");
  EXPECT_EQ(Id("Tsinghua University"), thu);
  EXPECT_EQ(Id("tsinghua  university"), thu);
  EXPECT_EQ(Id("清華大學"), thu);
  auto info = graph_->GetEntity(thu);
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->type, EntityType::kOrganization);
  EXPECT_EQ((*info)->chunks, 3);
  ASSERT_FALSE((*info)->aliases.empty());
  EXPECT_EQ((*info)->aliases[0], "Tsinghua University");
  EXPECT_NE((*info)->merge_reasons[0].find("English name in brackets"), std::string::npos);
}

TEST_F(GraphStoreTest, StatedAliasMergesEntitiesMadeEarlier) {
  // "THU" and "Tsinghua University" first appear apart, then a chunk says
  // they are one.
  Put(1, 10, "THU is in Beijing. THU has many students.");
  Put(2, 11, "Tsinghua University is old.");
  EXPECT_NE(Id("THU"), Id("Tsinghua University"));
  Put(3, 12, "Tsinghua University (THU) is a university.");
  EXPECT_EQ(Id("THU"), Id("Tsinghua University"));
  auto info = graph_->GetEntity(Id("THU"));
  EXPECT_EQ((*info)->chunks, 3);
  ExpectNoOrphans(db_);
}

TEST_F(GraphStoreTest, RemoveDocumentLeavesNoOrphans) {
  Put(1, 10, kThu);
  Put(2, 11, kZhang);
  Put(3, 12, kAcme);
  auto s = graph_->Stats();
  ASSERT_TRUE(s);
  EXPECT_GT(s->entities, 5);
  ExpectNoOrphans(db_);

  ASSERT_TRUE(graph_->RemoveDocument(12).ok());
  ExpectNoOrphans(db_);
  EXPECT_FALSE(*graph_->FindEntity("Jane Doe"));
  EXPECT_FALSE(*graph_->FindEntity("Acme Corp"));
  EXPECT_TRUE(*graph_->FindEntity("张三"));

  // 清华大学 is still mentioned by document 11, 北京市 only by 10.
  ASSERT_TRUE(graph_->RemoveDocument(10).ok());
  ExpectNoOrphans(db_);
  EXPECT_TRUE(*graph_->FindEntity("清华大学"));
  EXPECT_FALSE(*graph_->FindEntity("北京市"));
  EXPECT_FALSE(*graph_->FindEntity("Tsinghua University"));  // its alias row went with chunk 1

  ASSERT_TRUE(graph_->RemoveDocument(11).ok());
  ExpectNoOrphans(db_);
  s = graph_->Stats();
  EXPECT_EQ(s->entities, 0);
  EXPECT_EQ(s->mentions + s->relations + s->cooccurrences + s->aliases + s->chunks, 0);
  EXPECT_EQ(Count(db_, "SELECT COUNT(*) FROM graph_attributes"), 0);
}

TEST_F(GraphStoreTest, ChangedChunkReplacesExactlyItsRows) {
  Put(1, 10, kAcme);
  Put(2, 11, kZhang);
  const std::string other_before = [&] {
    auto n = graph_->Neighbours(Id("张三"), 10);
    return std::to_string(n->size());
  }();
  const std::string changed = "Acme Corp was founded by Jane Doe in 1999.";
  Put(1, 10, changed);
  ExpectNoOrphans(db_);
  EXPECT_FALSE(*graph_->FindEntity("John Smith"));
  EXPECT_TRUE(*graph_->FindEntity("Jane Doe"));
  EXPECT_EQ(std::to_string(graph_->Neighbours(Id("张三"), 10)->size()), other_before);
  EXPECT_EQ(Count(db_, "SELECT COUNT(*) FROM graph_chunks"), 2);
}

TEST_F(GraphStoreTest, NeighboursAndRelationsCarryEvidence) {
  Put(1, 10, kAcme);
  Put(2, 11, kZhang);
  const int64_t jane = Id("Jane Doe");
  auto ns = graph_->Neighbours(jane, 10);
  ASSERT_TRUE(ns);
  ASSERT_GE(ns->size(), 2u);
  EXPECT_EQ((*ns)[0].name, "Acme Corp");  // stated relations first
  EXPECT_EQ((*ns)[0].labels[0].predicate, "founded");
  EXPECT_TRUE((*ns)[0].labels[0].outgoing);
  ASSERT_FALSE((*ns)[0].evidence.empty());
  const Evidence ev = (*ns)[0].evidence[0];
  EXPECT_EQ(ev.chunk_id, 1);
  EXPECT_EQ(kAcme.substr(ev.begin, ev.end - ev.begin),
            "Acme Corp was founded by Jane Doe in 1999.");

  auto rel = graph_->RelationsBetween(Id("Acme Corp"), jane);
  ASSERT_TRUE(rel);
  ASSERT_FALSE(rel->empty());
  EXPECT_EQ((*rel)[0].subject, "Jane Doe");
  EXPECT_EQ((*rel)[0].predicate, "founded");
  EXPECT_EQ((*rel)[0].object, "Acme Corp");

  auto of = graph_->RelationsOf(Id("张三"));
  ASSERT_TRUE(of);
  std::set<std::string> preds;
  for (const auto& r : *of) preds.insert(r.predicate + "→" + r.object);
  EXPECT_EQ(preds, (std::set<std::string>{"技术总监→公司", "毕业于→清华大学"}));
}

TEST_F(GraphStoreTest, EntitiesInQuestionAndRetrieval) {
  Put(1, 10, kThu);
  Put(2, 11, kZhang);
  Put(3, 12, kAcme);
  Put(4, 13, "今天天气很好。");
  auto hits = graph_->EntitiesInText("张三和清華大學是什么关系？");
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].name, "张三");
  EXPECT_EQ((*hits)[1].name, "清华大学");
  hits = graph_->EntitiesInText("who founded acme corp?");
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].name, "Acme Corp");
  // "公司" is a concept, not a name to match.
  EXPECT_TRUE(graph_->EntitiesInText("公司在哪里")->empty());

  auto chunks = graph_->RetrieveChunks("清华大学在哪里？");
  ASSERT_TRUE(chunks);
  ASSERT_GE(chunks->size(), 2u);
  std::set<int64_t> ids;
  for (const auto& c : *chunks) ids.insert(c.chunk_id);
  EXPECT_TRUE(ids.count(1));
  EXPECT_TRUE(ids.count(2));
  EXPECT_FALSE(ids.count(4));
}

TEST_F(GraphStoreTest, JsonExportRoundTrips) {
  Put(1, 10, kThu);
  Put(2, 11, kZhang);
  Put(3, 12, kAcme);
  auto exported = graph_->Export(ExportFormat::kJson);
  ASSERT_TRUE(exported);
  askio::testing::TempDir other;
  auto c = store::Connection::Open(other / "g.db");
  ASSERT_TRUE(c);
  auto g = GraphStore::Open(*c);
  ASSERT_TRUE(g);
  ASSERT_TRUE(g->ImportJson(*exported).ok());
  EXPECT_EQ(*g->Export(ExportFormat::kJson), *exported);
  EXPECT_EQ(*g->Export(ExportFormat::kGraphMl), *graph_->Export(ExportFormat::kGraphMl));
  // The imported graph works: it resolves and updates like the original.
  auto thu = g->FindEntity("Tsinghua University");
  ASSERT_TRUE(thu && *thu);
  EXPECT_EQ((*thu)->name, "清华大学");
  EXPECT_EQ(g->ImportJson(*exported).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(g->ImportJson("{}").code(), StatusCode::kInvalidArgument);
}

TEST_F(GraphStoreTest, GraphMlIsWellFormed) {
  Put(1, 10, kThu);
  Put(2, 11, kAcme);
  auto xml = graph_->Export(ExportFormat::kGraphMl);
  ASSERT_TRUE(xml);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml->c_str()));
  const auto graph = doc.child("graphml").child("graph");
  size_t nodes = 0, edges = 0;
  for (auto n : graph.children("node")) {
    (void)n;
    ++nodes;
  }
  for (auto e : graph.children("edge")) {
    (void)e;
    ++edges;
  }
  auto s = graph_->Stats();
  EXPECT_EQ(static_cast<int64_t>(nodes), s->entities);
  EXPECT_GE(static_cast<int64_t>(edges), s->edges);
  EXPECT_NE(xml->find("Tsinghua University"), std::string::npos);
}

TEST_F(GraphStoreTest, RollsBackAFailedUpdate) {
  Put(1, 10, kThu);
  const std::string before = *graph_->Export(ExportFormat::kJson);
  Extraction bad = ExtractModelFree(kAcme);
  bad.relations.push_back({0, 99, "x", Relation::Kind::kStated, 0, 1});
  EXPECT_EQ(graph_->UpdateChunk(2, 11, "h", kAcme, bad).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*graph_->Export(ExportFormat::kJson), before);
}

TEST_F(GraphStoreTest, SharesTheCallersTransaction) {
  ASSERT_TRUE(db_.Exec("BEGIN").ok());
  Put(1, 10, kThu);
  ASSERT_TRUE(db_.Exec("ROLLBACK").ok());
  EXPECT_EQ(graph_->Stats()->entities, 0);
}

}  // namespace
}  // namespace askio::graph
