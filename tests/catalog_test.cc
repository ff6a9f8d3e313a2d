#include "store/catalog.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "askio/engine.h"
#include "test_util.h"

namespace askio::store {
namespace {

using askio::testing::TempDir;

// PRAGMA user_version, read with the plain SQLite API.
int UserVersion(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
  const int v = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

NewDocument MakeDoc(const std::string& source, const std::vector<std::string>& chunk_texts,
                    const std::string& hash = "h1") {
  NewDocument d;
  d.source = source;
  d.title = "Title of " + source;
  d.type = "text";
  d.content_hash = hash;
  int64_t pos = 0;
  for (const std::string& t : chunk_texts) {
    if (!d.text.empty()) {
      d.text += "\n\n";
      pos += 2;
    }
    d.text += t;
    NewChunk c;
    c.text = t;
    c.heading_path = {"H1", "H2 with spaces"};
    c.char_start = pos;
    c.char_end = pos + static_cast<int64_t>(t.size());  // ASCII: bytes == code points
    pos = c.char_end;
    d.chunks.push_back(c);
  }
  return d;
}

std::vector<int64_t> Put(Catalog& cat, const NewDocument& doc, bool* replaced = nullptr) {
  EXPECT_TRUE(cat.Begin().ok());
  auto ids = cat.PutDocument(doc, replaced);
  EXPECT_TRUE(ids) << ids.error().message();
  EXPECT_TRUE(cat.Commit().ok());
  return ids ? *ids : std::vector<int64_t>{};
}

TEST(Catalog, FreshDatabaseReachesLatestSchema) {
  TempDir dir;
  const std::string path = dir / "catalog.sqlite";
  {
    auto cat = Catalog::Open(path);
    ASSERT_TRUE(cat) << cat.error().message();
    EXPECT_GE(LatestSchemaVersion(), 1);
    EXPECT_EQ((*cat)->schema_version(), LatestSchemaVersion());
    auto created = (*cat)->GetMeta("created_at");
    ASSERT_TRUE(created);
    ASSERT_TRUE(created->has_value());
    EXPECT_FALSE((*created)->empty());
  }
  EXPECT_EQ(UserVersion(path), LatestSchemaVersion());
}

TEST(Catalog, ReopeningIsANoOp) {
  TempDir dir;
  const std::string path = dir / "catalog.sqlite";
  std::string created_at;
  {
    auto cat = Catalog::Open(path);
    ASSERT_TRUE(cat);
    created_at = **(*cat)->GetMeta("created_at");
    ASSERT_TRUE((*cat)->SetMeta("k", "v").ok());
    Put(**cat, MakeDoc("a.txt", {"alpha chunk", "beta chunk"}));
  }
  for (int round = 0; round < 2; ++round) {
    auto cat = Catalog::Open(path);
    ASSERT_TRUE(cat) << cat.error().message();
    EXPECT_EQ((*cat)->schema_version(), LatestSchemaVersion());
    EXPECT_EQ(**(*cat)->GetMeta("created_at"), created_at);  // migration 1 did not rerun
    EXPECT_EQ(**(*cat)->GetMeta("k"), "v");
    auto docs = (*cat)->ListDocuments();
    ASSERT_TRUE(docs);
    ASSERT_EQ(docs->size(), 1u);
    EXPECT_EQ((*docs)[0].chunk_count, 2);
    EXPECT_EQ((*docs)[0].version, 1);
    EXPECT_EQ(UserVersion(path), LatestSchemaVersion());
  }
}

TEST(Catalog, NewerSchemaIsRefusedWithAClearMessage) {
  TempDir dir;
  const std::string path = dir / "catalog.sqlite";
  ASSERT_TRUE(Catalog::Open(path));
  const int newer = LatestSchemaVersion() + 1;
  ExecSql(path, "PRAGMA user_version=" + std::to_string(newer));
  auto cat = Catalog::Open(path);
  ASSERT_FALSE(cat);
  EXPECT_EQ(cat.error().code(), StatusCode::kUnsupported);
  const std::string& msg = cat.error().message();
  EXPECT_NE(msg.find(std::to_string(newer)), std::string::npos) << msg;
  EXPECT_NE(msg.find(std::to_string(LatestSchemaVersion())), std::string::npos) << msg;
  EXPECT_NE(msg.find("newer"), std::string::npos) << msg;
  // The refusal changed nothing.
  EXPECT_EQ(UserVersion(path), newer);
}

TEST(Catalog, KnowledgeBaseWithNewerSchemaIsRefused) {
  TempDir dir;
  ASSERT_TRUE(KnowledgeBase::Open(dir.path(), "kb", KnowledgeBase::OpenMode::kCreateIfMissing));
  ExecSql(dir / "kb/catalog.sqlite",
          "PRAGMA user_version=" + std::to_string(LatestSchemaVersion() + 5));
  auto kb = KnowledgeBase::Open(dir.path(), "kb", KnowledgeBase::OpenMode::kMustExist);
  ASSERT_FALSE(kb);
  EXPECT_EQ(kb.error().code(), StatusCode::kUnsupported);
  EXPECT_NE(kb.error().message().find("upgrade"), std::string::npos) << kb.error().message();
}

TEST(Catalog, NotADatabaseIsCorruption) {
  TempDir dir;
  const std::string path = dir / "catalog.sqlite";
  askio::testing::WriteFile(path, std::string(4096, 'x'));
  auto cat = Catalog::Open(path);
  ASSERT_FALSE(cat);
  EXPECT_EQ(cat.error().code(), StatusCode::kCorruption) << cat.error().message();
}

TEST(Catalog, PutDocumentStoresChunksInOrder) {
  TempDir dir;
  auto cat = Catalog::Open(dir / "c.sqlite");
  ASSERT_TRUE(cat);
  bool replaced = true;
  const std::vector<int64_t> ids =
      Put(**cat, MakeDoc("a.txt", {"first chunk", "second chunk", "third"}), &replaced);
  EXPECT_FALSE(replaced);
  ASSERT_EQ(ids.size(), 3u);
  auto docs = (*cat)->ListDocuments();
  ASSERT_TRUE(docs);
  ASSERT_EQ(docs->size(), 1u);
  const DocumentInfo& d = (*docs)[0];
  EXPECT_EQ(d.source, "a.txt");
  EXPECT_EQ(d.title, "Title of a.txt");
  EXPECT_EQ(d.content_hash, "h1");
  EXPECT_EQ(d.version, 1);
  EXPECT_FALSE(d.created_at.empty());
  auto chunks = (*cat)->DocumentChunks(d.id);
  ASSERT_TRUE(chunks);
  ASSERT_EQ(chunks->size(), 3u);
  EXPECT_EQ((*chunks)[1].id, ids[1]);
  EXPECT_EQ((*chunks)[1].ordinal, 1);
  EXPECT_EQ((*chunks)[1].text, "second chunk");
  EXPECT_EQ((*chunks)[1].heading_path, (std::vector<std::string>{"H1", "H2 with spaces"}));
  std::string title, source;
  auto one = (*cat)->GetChunk(ids[2], &title, &source);
  ASSERT_TRUE(one);
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ((*one)->text, "third");
  EXPECT_EQ(title, "Title of a.txt");
  EXPECT_EQ(source, "a.txt");
  auto text = (*cat)->DocumentText(d.id);
  ASSERT_TRUE(text && text->has_value());
  EXPECT_EQ(**text, "first chunk\n\nsecond chunk\n\nthird");
  auto counts = (*cat)->CountAll();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->documents, 1);
  EXPECT_EQ(counts->chunks, 3);
  EXPECT_EQ(counts->text_bytes, static_cast<int64_t>(text->value().size()));
  auto hashes = (*cat)->AllHashes();
  ASSERT_TRUE(hashes);
  EXPECT_EQ(hashes->at("a.txt"), "h1");
}

TEST(Catalog, ReplacingADocumentSwapsItsChunksAndBumpsTheVersion) {
  TempDir dir;
  auto cat = Catalog::Open(dir / "c.sqlite");
  ASSERT_TRUE(cat);
  const std::vector<int64_t> old_ids = Put(**cat, MakeDoc("a.txt", {"old one", "old two"}));
  const int64_t seq_before = *(*cat)->LatestOutboxSeq();
  EXPECT_EQ(seq_before, 2);  // two adds
  bool replaced = false;
  const std::vector<int64_t> new_ids =
      Put(**cat, MakeDoc("a.txt", {"new one", "new two", "new three"}, "h2"), &replaced);
  EXPECT_TRUE(replaced);
  ASSERT_EQ(new_ids.size(), 3u);
  // The old chunks are gone, and their ids are never handed out again (an
  // outbox entry or an index document id always names one chunk).
  for (int64_t id : old_ids) {
    auto c = (*cat)->GetChunk(id, nullptr, nullptr);
    ASSERT_TRUE(c);
    EXPECT_FALSE(c->has_value()) << "old chunk id " << id << " names a chunk again";
    for (int64_t fresh : new_ids) EXPECT_NE(fresh, id);
  }
  EXPECT_EQ((*cat)->CountAll()->chunks, 3);
  auto docs = (*cat)->ListDocuments();
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ((*docs)[0].version, 2);
  EXPECT_EQ((*docs)[0].content_hash, "h2");
  EXPECT_EQ((*docs)[0].chunk_count, 3);
  auto chunks = (*cat)->DocumentChunks((*docs)[0].id);
  ASSERT_EQ(chunks->size(), 3u);
  for (const Chunk& c : *chunks) EXPECT_EQ(c.text.rfind("new", 0), 0u) << c.text;

  // The outbox records the two deletes, then the three adds, in order.
  auto entries = (*cat)->OutboxAfter(seq_before, 100);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 5u);
  EXPECT_EQ((*entries)[0].op, OutboxOp::kDelete);
  EXPECT_EQ((*entries)[0].chunk_id, old_ids[0]);
  EXPECT_EQ((*entries)[1].op, OutboxOp::kDelete);
  EXPECT_EQ((*entries)[1].chunk_id, old_ids[1]);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*entries)[2 + i].op, OutboxOp::kAdd);
    EXPECT_EQ((*entries)[2 + i].chunk_id, new_ids[i]);
    EXPECT_EQ((*entries)[2 + i].seq, seq_before + 3 + static_cast<int64_t>(i));
  }
}

TEST(Catalog, RolledBackPutLeavesNoTrace) {
  TempDir dir;
  auto cat = Catalog::Open(dir / "c.sqlite");
  ASSERT_TRUE(cat);
  Put(**cat, MakeDoc("keep.txt", {"kept"}));
  ASSERT_TRUE((*cat)->Begin().ok());
  ASSERT_TRUE((*cat)->PutDocument(MakeDoc("keep.txt", {"replacement"}, "h9"), nullptr));
  ASSERT_TRUE((*cat)->PutDocument(MakeDoc("new.txt", {"new"}), nullptr));
  (*cat)->Rollback();
  auto docs = (*cat)->ListDocuments();
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ((*docs)[0].content_hash, "h1");
  EXPECT_EQ((*docs)[0].version, 1);
  EXPECT_EQ((*(*cat)->DocumentChunks((*docs)[0].id))[0].text, "kept");
  EXPECT_EQ(*(*cat)->LatestOutboxSeq(), 1);
}

TEST(Catalog, DeleteDocumentRemovesChunksAndRecordsDeletes) {
  TempDir dir;
  auto cat = Catalog::Open(dir / "c.sqlite");
  ASSERT_TRUE(cat);
  const std::vector<int64_t> ids = Put(**cat, MakeDoc("gone.txt", {"x", "y"}));
  Put(**cat, MakeDoc("stays.txt", {"z"}));
  const int64_t seq = *(*cat)->LatestOutboxSeq();
  const int64_t doc_id = (*(*cat)->ListDocuments())[0].id;
  ASSERT_TRUE((*cat)->Begin().ok());
  ASSERT_TRUE((*cat)->DeleteDocument(doc_id).ok());
  ASSERT_TRUE((*cat)->Commit().ok());
  auto counts = (*cat)->CountAll();
  EXPECT_EQ(counts->documents, 1);
  EXPECT_EQ(counts->chunks, 1);
  EXPECT_TRUE((*(*cat)->DocumentChunks(doc_id)).empty());
  auto text = (*cat)->DocumentText(doc_id);
  ASSERT_TRUE(text);
  EXPECT_FALSE(text->has_value());
  auto entries = (*cat)->OutboxAfter(seq, 10);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].op, OutboxOp::kDelete);
  EXPECT_EQ((*entries)[0].chunk_id, ids[0]);
  EXPECT_EQ((*entries)[1].chunk_id, ids[1]);
}

TEST(Catalog, OutboxPositionSurvivesTruncation) {
  TempDir dir;
  const std::string path = dir / "c.sqlite";
  {
    auto cat = Catalog::Open(path);
    ASSERT_TRUE(cat);
    Put(**cat, MakeDoc("a.txt", {"1", "2", "3"}));
    EXPECT_EQ(*(*cat)->LatestOutboxSeq(), 3);
    ASSERT_TRUE((*cat)->TruncateOutbox(3).ok());
    EXPECT_TRUE((*(*cat)->OutboxAfter(0, 10)).empty());
    EXPECT_EQ(*(*cat)->LatestOutboxSeq(), 3);  // the high-water mark stays
  }
  auto cat = Catalog::Open(path);
  ASSERT_TRUE(cat);
  EXPECT_EQ(*(*cat)->LatestOutboxSeq(), 3);
  Put(**cat, MakeDoc("b.txt", {"4"}));
  auto entries = (*cat)->OutboxAfter(0, 10);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].seq, 4);  // sequence numbers are never reused
}

TEST(Catalog, IndexableChunksCarryTitleAndHeadings) {
  TempDir dir;
  auto cat = Catalog::Open(dir / "c.sqlite");
  ASSERT_TRUE(cat);
  const std::vector<int64_t> ids = Put(**cat, MakeDoc("a.txt", {"one", "two"}));
  auto c = (*cat)->GetIndexableChunk(ids[1]);
  ASSERT_TRUE(c && c->has_value());
  EXPECT_EQ((*c)->title, "Title of a.txt");
  EXPECT_EQ((*c)->text, "two");
  EXPECT_EQ((*c)->heading_path.size(), 2u);
  std::vector<int64_t> seen;
  ASSERT_TRUE((*cat)
                  ->ForEachIndexableChunk([&](IndexableChunk&& chunk) {
                    seen.push_back(chunk.id);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(seen, ids);
  // An error from the callback stops the walk and is returned.
  int calls = 0;
  const Status s = (*cat)->ForEachIndexableChunk([&](IndexableChunk&&) {
    ++calls;
    return Status::IOError("stop");
  });
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_EQ(calls, 1);
  auto missing = (*cat)->GetIndexableChunk(99999);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST(Catalog, HeadingPathsRoundTrip) {
  using Path = std::vector<std::string>;
  for (const Path& p : {Path{}, Path{"one"}, Path{"第一章", "第 二 节", "Part: 3 › x"}}) {
    EXPECT_EQ(SplitHeadingPath(JoinHeadingPath(p)), p);
  }
  EXPECT_EQ(JoinHeadingPath({}), "");
}

TEST(Catalog, DuplicateSourcesAreImpossible) {
  TempDir dir;
  auto cat = Catalog::Open(dir / "c.sqlite");
  ASSERT_TRUE(cat);
  Put(**cat, MakeDoc("same.txt", {"a"}));
  Put(**cat, MakeDoc("same.txt", {"b"}));
  Put(**cat, MakeDoc("same.txt", {"c"}));
  auto docs = (*cat)->ListDocuments();
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ((*docs)[0].version, 3);
}

TEST(Catalog, ChunkPlacesRoundTripAndDeleteBySource) {
  TempDir dir;
  auto cat = Catalog::Open(dir / "c.sqlite");
  ASSERT_TRUE(cat);
  NewDocument d = MakeDoc("deck.pptx", {"first slide text", "second slide text"});
  d.chunks[0].page = 1;
  d.chunks[0].places = {{0, "slide 1"}};
  d.chunks[1].page = 2;
  d.chunks[1].places = {{0, "slide 2"}, {7, "slide 3"}};
  const std::vector<int64_t> ids = Put(**cat, d);
  ASSERT_EQ(ids.size(), 2u);
  auto second = (*cat)->GetChunk(ids[1], nullptr, nullptr);
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->page, 2);
  ASSERT_EQ((*second)->places.size(), 2u);
  EXPECT_EQ((*second)->places[1].offset, 7);
  EXPECT_EQ((*second)->places[1].location, "slide 3");
  EXPECT_EQ((*second)->location, "slide 2 – slide 3");
  auto chunks = (*cat)->DocumentChunks((*second)->document_id);
  ASSERT_TRUE(chunks);
  EXPECT_EQ((*chunks)[0].location, "slide 1");

  ASSERT_TRUE((*cat)->Begin().ok());
  auto gone = (*cat)->DeleteDocumentBySource("deck.pptx");
  ASSERT_TRUE(gone);
  EXPECT_TRUE(*gone);
  auto again = (*cat)->DeleteDocumentBySource("deck.pptx");
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  ASSERT_TRUE((*cat)->Commit().ok());
  EXPECT_EQ((*cat)->CountAll()->documents, 0);
}

}  // namespace
}  // namespace askio::store
