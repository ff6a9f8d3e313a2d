// Filtered retrieval: tags, types, source prefixes and document ids restrict
// every stage (not the survivors of a global top list), tags are kept and
// replaced as documented, and an index from before document terms is rebuilt
// so that filters work on it.
#include <gtest/gtest.h>
#include <xapian.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "askio/engine.h"
#include "fake_openai_server.h"
#include "model/provider.h"
#include "test_util.h"

namespace askio {
namespace {

using askio::testing::FakeOpenAi;
using askio::testing::TempDir;
using askio::testing::WriteFile;

std::unique_ptr<KnowledgeBase> MustOpen(const TempDir& dir) {
  auto kb = KnowledgeBase::Open(dir / "data", "kb", KnowledgeBase::OpenMode::kCreateIfMissing);
  EXPECT_TRUE(kb) << kb.error().message();
  return kb ? std::move(*kb) : nullptr;
}

std::set<std::string> Sources(const std::vector<SearchHit>& hits) {
  std::set<std::string> out;
  for (const SearchHit& h : hits)
    out.insert(std::filesystem::path(h.document_source).filename().string());
  return out;
}

std::vector<SearchHit> MustSearch(KnowledgeBase& kb, const std::string& q, SearchOptions o) {
  auto hits = kb.Search(q, o);
  EXPECT_TRUE(hits) << hits.error().message();
  return hits ? *hits : std::vector<SearchHit>{};
}

int64_t IdOf(KnowledgeBase& kb, const std::string& file_name) {
  auto docs = kb.ListDocuments();
  EXPECT_TRUE(docs);
  for (const DocumentInfo& d : *docs)
    if (std::filesystem::path(d.source).filename() == file_name) return d.id;
  ADD_FAILURE() << "no document " << file_name;
  return 0;
}

class EngineFilter : public ::testing::Test {
 protected:
  void SetUp() override {
    kb_ = MustOpen(dir_);
    ASSERT_TRUE(kb_);
    WriteFile(dir_ / "hr/leave.md", "# Leave\n\nAnnual leave policy: 25 days of leave a year.");
    WriteFile(dir_ / "hr/travel.md", "# Travel\n\nThe travel policy covers trains and flights.");
    WriteFile(dir_ / "finance/expenses.md",
              "# Expenses\n\nThe expenses policy: receipts within 30 days.");
    WriteFile(dir_ / "finance/budget.txt", "Budget policy for the year: plan by October.");
    IngestOptions hr;
    hr.tags = {"hr", "people"};
    ASSERT_TRUE(kb_->Ingest({dir_ / "hr"}, hr));
    IngestOptions finance;
    finance.tags = {"finance"};
    ASSERT_TRUE(kb_->Ingest({dir_ / "finance"}, finance));
  }
  TempDir dir_;
  std::unique_ptr<KnowledgeBase> kb_;
};

TEST_F(EngineFilter, TagsTypesPrefixesAndIdsEachRestrictTheHits) {
  EXPECT_EQ(Sources(MustSearch(*kb_, "policy", {})),
            (std::set<std::string>{"leave.md", "travel.md", "expenses.md", "budget.txt"}));
  SearchOptions o;
  o.filter.tags = {"hr"};
  EXPECT_EQ(Sources(MustSearch(*kb_, "policy", o)),
            (std::set<std::string>{"leave.md", "travel.md"}));
  o.filter.tags = {"finance", "people"};  // any of them
  EXPECT_EQ(Sources(MustSearch(*kb_, "policy", o)).size(), 4u);
  o.filter.tags = {"legal"};
  EXPECT_TRUE(MustSearch(*kb_, "policy", o).empty());

  o.filter = {};
  o.filter.types = {"text"};
  EXPECT_EQ(Sources(MustSearch(*kb_, "policy", o)), (std::set<std::string>{"budget.txt"}));
  o.filter = {};
  o.filter.source_prefix = dir_ / "finance/";
  EXPECT_EQ(Sources(MustSearch(*kb_, "policy", o)),
            (std::set<std::string>{"expenses.md", "budget.txt"}));
  o.filter = {};
  o.filter.document_ids = {IdOf(*kb_, "travel.md")};
  EXPECT_EQ(Sources(MustSearch(*kb_, "policy", o)), (std::set<std::string>{"travel.md"}));
  // Every field must hold: finance-tagged and markdown.
  o.filter = {};
  o.filter.tags = {"finance"};
  o.filter.types = {"markdown"};
  EXPECT_EQ(Sources(MustSearch(*kb_, "policy", o)), (std::set<std::string>{"expenses.md"}));
}

TEST_F(EngineFilter, AnswersComeOnlyFromTheFilteredDocuments) {
  AskOptions o;
  o.filter.tags = {"finance"};
  auto a = kb_->Ask("How many days of annual leave are there?", o);
  ASSERT_TRUE(a) << a.error().message();
  for (const Citation& c : a->citations)
    EXPECT_NE(c.document_source.find("finance"), std::string::npos);
  auto open = kb_->Ask("How many days of annual leave are there?", {});
  ASSERT_TRUE(open);
  ASSERT_TRUE(open->found);
  EXPECT_NE(open->text.find("25"), std::string::npos);
}

TEST_F(EngineFilter, TagsAreListedReplacedAndKeptAsDocumented) {
  const int64_t leave = IdOf(*kb_, "leave.md");
  auto doc = kb_->GetDocument(leave);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->tags, (std::vector<std::string>{"hr", "people"}));

  // Re-ingest without tags: unchanged, and the tags stay.
  ASSERT_TRUE(kb_->Ingest({dir_ / "hr"}, {}));
  EXPECT_EQ(kb_->GetDocument(leave)->tags, (std::vector<std::string>{"hr", "people"}));
  // Re-ingest with tags: unchanged files take them too.
  IngestOptions retag;
  retag.tags = {"handbook"};
  auto r = kb_->Ingest({dir_ / "hr"}, retag);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->unchanged, 2);
  EXPECT_EQ(kb_->GetDocument(leave)->tags, (std::vector<std::string>{"handbook"}));
  // A changed file keeps its id and takes the new tags.
  WriteFile(dir_ / "hr/leave.md", "# Leave\n\nAnnual leave policy: 28 days of leave a year.");
  retag.tags = {"hr", "2027"};
  ASSERT_TRUE(kb_->Ingest({dir_ / "hr/leave.md"}, retag));
  EXPECT_EQ(kb_->GetDocument(leave)->tags, (std::vector<std::string>{"2027", "hr"}));

  ASSERT_TRUE(kb_->SetDocumentTags(leave, {"archived"}).ok());
  SearchOptions o;
  o.filter.tags = {"archived"};
  EXPECT_EQ(Sources(MustSearch(*kb_, "policy", o)), (std::set<std::string>{"leave.md"}));
  ASSERT_TRUE(kb_->SetDocumentTags(leave, {}).ok());
  EXPECT_TRUE(MustSearch(*kb_, "policy", o).empty());

  EXPECT_EQ(kb_->SetDocumentTags(987654, {"x"}).code(), StatusCode::kNotFound);
  EXPECT_EQ(kb_->SetDocumentTags(leave, {""}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(kb_->SetDocumentTags(leave, {"a\nb"}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(kb_->SetDocumentTags(leave, {std::string(101, 'x')}).code(),
            StatusCode::kInvalidArgument);
  IngestOptions bad;
  bad.tags = {""};
  auto refused = kb_->Ingest({dir_ / "hr"}, bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument);

  // Deleting a document takes its tags with it.
  ASSERT_TRUE(kb_->SetDocumentTags(leave, {"gone"}).ok());
  ASSERT_TRUE(kb_->DeleteDocument(leave).ok());
  o.filter.tags = {"gone"};
  EXPECT_TRUE(MustSearch(*kb_, "policy", o).empty());
}

// A filter applied after a global top list would lose a document whose hits
// rank below the limit; the filter inside the stage finds it.
TEST(EngineFilterDepth, ASelectiveFilterStillFindsLowRankedDocuments) {
  TempDir dir;
  auto kb = MustOpen(dir);
  std::vector<DocumentInput> docs;
  for (int i = 0; i < 200; ++i)
    docs.push_back(
        {.source = "strong" + std::to_string(i) + ".txt",
         .content = "Quarterly report quarterly report quarterly figures " + std::to_string(i)});
  docs.push_back({.source = "weak.txt",
                  .content = "A long note about many other things, the canteen, the parking and "
                             "the garden, which mentions the quarterly plan once."});
  ASSERT_TRUE(kb->IngestDocuments(docs, {}));
  SearchOptions o;
  o.limit = 5;
  auto all = MustSearch(*kb, "quarterly", o);
  EXPECT_EQ(Sources(all).count("weak.txt"), 0u);
  o.filter.document_ids = {IdOf(*kb, "weak.txt")};
  auto only = MustSearch(*kb, "quarterly", o);
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].document_source, "weak.txt");
}

TEST(EngineFilterDense, TheDenseStageHonoursTheFilter) {
  TempDir dir;
  FakeOpenAi fake;
  auto kb = MustOpen(dir);
  WriteFile(dir / "a/one.md", "# One\n\nThe shuttle bus leaves at eight from the north gate.");
  WriteFile(dir / "b/two.md", "# Two\n\nThe shuttle bus returns at six to the north gate.");
  IngestOptions a, b;
  a.tags = {"a"};
  b.tags = {"b"};
  ASSERT_TRUE(kb->Ingest({dir / "a"}, a));
  ASSERT_TRUE(kb->Ingest({dir / "b"}, b));
  Models models;
  models.embed = model::MakeOpenAiEmbedder(fake.Config("embed"));
  ASSERT_TRUE(kb->SetModels(models).ok());
  SearchOptions o;
  o.hybrid.fusion = HybridOptions::Fusion::kRrf;
  auto both = MustSearch(*kb, "shuttle bus north gate", o);
  EXPECT_EQ(Sources(both).size(), 2u);
  o.filter.tags = {"b"};
  auto only_b = MustSearch(*kb, "shuttle bus north gate", o);
  ASSERT_EQ(Sources(only_b), (std::set<std::string>{"two.md"}));
  bool dense_seen = false;
  for (const StageScore& s : only_b[0].stages) dense_seen |= s.stage == "dense";
  EXPECT_TRUE(dense_seen);
}

// An index written before document terms existed cannot filter; opening the
// knowledge base for writing rebuilds it.
TEST(EngineFilterUpgrade, AnIndexWithoutDocumentTermsIsRebuilt) {
  TempDir dir;
  {
    auto kb = MustOpen(dir);
    WriteFile(dir / "a.md", "# A\n\nThe lighthouse is painted red.");
    WriteFile(dir / "b.md", "# B\n\nThe lighthouse keeper lives nearby.");
    ASSERT_TRUE(kb->Ingest({dir / "a.md", dir / "b.md"}, {}));
  }
  // Make it look like a layout-1 index: no document terms, no layout record.
  for (const auto& shard : std::filesystem::directory_iterator(dir / "data/kb/lexical")) {
    Xapian::WritableDatabase db(shard.path().string(), Xapian::DB_OPEN);
    for (Xapian::PostingIterator it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
      Xapian::Document d = db.get_document(*it);
      std::vector<std::string> drop;
      for (Xapian::TermIterator t = d.termlist_begin(); t != d.termlist_end(); ++t)
        if ((*t).rfind("XD", 0) == 0) drop.push_back(*t);
      ASSERT_FALSE(drop.empty());
      for (const std::string& t : drop) d.remove_term(t);
      db.replace_document(*it, d);
    }
    db.set_metadata("askio.layout", "");
    db.commit();
  }
  auto kb = MustOpen(dir);
  SearchOptions o;
  o.filter.document_ids = {IdOf(*kb, "a.md")};
  EXPECT_EQ(Sources(MustSearch(*kb, "lighthouse", o)), (std::set<std::string>{"a.md"}));
}

}  // namespace
}  // namespace askio
