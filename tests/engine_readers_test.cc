// The engine as a server uses it: queries on read-only handles while a
// writer ingests, uploads ingested under their names, forced re-ingest,
// deleting one document, and per-stage scores.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "askio/engine.h"
#include "test_util.h"

namespace askio {
namespace {

using askio::testing::TempDir;
using askio::testing::WriteFile;

std::unique_ptr<KnowledgeBase> MustOpen(const std::string& data_dir, const std::string& name) {
  auto kb = KnowledgeBase::Open(data_dir, name, KnowledgeBase::OpenMode::kCreateIfMissing);
  EXPECT_TRUE(kb) << kb.error().message();
  return kb ? std::move(*kb) : nullptr;
}

// A document whose chunks all carry `marker`: a reader that saw part of it
// would find fewer chunks with the marker than the document has.
std::string ManyChunkDocument(const std::string& marker, int paragraphs) {
  std::string text = "# " + marker + "\n\n";
  for (int i = 0; i < paragraphs; ++i)
    text += "Paragraph " + std::to_string(i) + " mentions " + marker +
            " together with enough filler words to make every paragraph its own chunk of text "
            "for the chunker, which cuts at about six hundred characters. " +
            std::string(500, 'x') + " end.\n\n";
  return text;
}

TEST(EngineReaders, QueriesDuringIngestSeeWholeDocumentsOnly) {
  TempDir dir;
  auto kb = MustOpen(dir.path(), "kb");
  ASSERT_TRUE(kb);
  constexpr int kDocs = 12, kParagraphs = 6;
  std::vector<std::string> files;
  for (int d = 0; d < kDocs; ++d) {
    files.push_back(dir / ("in/doc" + std::to_string(d) + ".md"));
    WriteFile(files.back(), ManyChunkDocument("zebra" + std::to_string(d), kParagraphs));
  }
  std::atomic<bool> done{false};
  std::atomic<int> searches{0}, partial{0}, errors{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      SearchOptions o;
      o.limit = 50;
      // At least a few searches, then until the writer is done.
      while (!done || searches < 20) {
        for (int d = 0; d < kDocs; ++d) {
          auto hits = kb->Search("zebra" + std::to_string(d), o);
          ++searches;
          if (!hits) {
            ++errors;
            continue;
          }
          // All or nothing: a document is never half visible.
          if (!hits->empty() && hits->size() < static_cast<size_t>(kParagraphs)) ++partial;
        }
      }
    });
  }
  IngestOptions io;
  io.batch_size = 1;  // one commit per document: many states to catch
  for (const std::string& f : files) {
    auto r = kb->Ingest({f}, io);
    ASSERT_TRUE(r) << r.error().message();
  }
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(partial, 0);
  // And once the writer is done, every document is visible to a new query.
  SearchOptions o;
  o.limit = 50;
  for (int d = 0; d < kDocs; ++d) {
    auto hits = kb->Search("zebra" + std::to_string(d), o);
    ASSERT_TRUE(hits);
    EXPECT_GE(hits->size(), static_cast<size_t>(kParagraphs)) << d;
  }
}

TEST(EngineReaders, ASecondHandleSeesAnotherHandlesCommits) {
  TempDir dir;
  auto writer = MustOpen(dir.path(), "kb");
  auto reader = MustOpen(dir.path(), "kb");
  ASSERT_TRUE(writer && reader);
  auto empty = reader->Search("walrus", {});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  WriteFile(dir / "a.md", "The walrus lives on the ice floe.");
  ASSERT_TRUE(writer->Ingest({dir / "a.md"}, {}));
  // Another handle (as a CLI ingest beside a server) notices within its
  // reader refresh period; a new reader is opened level with the commit.
  auto kb2 = MustOpen(dir.path(), "kb");
  auto hits = kb2->Search("walrus", {});
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->size(), 1u);
}

TEST(EngineReaders, IngestFilesUsesTheGivenSourceAndItsExtension) {
  TempDir dir;
  auto kb = MustOpen(dir.path(), "kb");
  // Stored under an opaque name, as the server stores uploads.
  WriteFile(dir / "uploads/3f9a", "# Leave\n\nStaff get 25 days of annual leave.");
  auto r = kb->IngestFiles({{dir / "uploads/3f9a", "handbook.md"}}, {});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->added, 1);
  auto docs = kb->ListDocuments();
  ASSERT_TRUE(docs);
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ((*docs)[0].source, "handbook.md");
  EXPECT_EQ((*docs)[0].type, "markdown");
  EXPECT_EQ((*docs)[0].title, "Leave");

  // The same content again is unchanged; forced, it is parsed again.
  r = kb->IngestFiles({{dir / "uploads/3f9a", "handbook.md"}}, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->unchanged, 1);
  IngestOptions force;
  force.force = true;
  r = kb->IngestFiles({{dir / "uploads/3f9a", "handbook.md"}}, force);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->replaced, 1);
  // Replaced in place: the same id, the next version.
  auto again = kb->GetDocument((*docs)[0].id);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->version, 2);

  auto missing = kb->IngestFiles({{dir / "nope", "x.md"}}, {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
}

TEST(EngineReaders, DeleteDocumentRemovesItFromSearchAndChunks) {
  TempDir dir;
  auto kb = MustOpen(dir.path(), "kb");
  WriteFile(dir / "a.md", "Otters hold hands while sleeping.");
  WriteFile(dir / "b.md", "Otters use stones as tools.");
  ASSERT_TRUE(kb->Ingest({dir / "a.md", dir / "b.md"}, {}));
  auto hits = kb->Search("otters", {});
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->size(), 2u);
  const int64_t doc = (*hits)[0].chunk.document_id;
  const int64_t chunk = (*hits)[0].chunk.id;
  auto got = kb->GetChunk(chunk);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->chunk.text, (*hits)[0].chunk.text);
  EXPECT_EQ(got->document_source, (*hits)[0].document_source);

  ASSERT_TRUE(kb->DeleteDocument(doc).ok());
  hits = kb->Search("otters", {});
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_NE((*hits)[0].chunk.document_id, doc);
  EXPECT_EQ(kb->GetChunk(chunk).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(kb->GetDocument(doc).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(kb->DeleteDocument(doc).code(), StatusCode::kNotFound);
  auto stats = kb->Stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->documents, 1);
}

TEST(EngineReaders, HitsExplainTheirStages) {
  TempDir dir;
  auto kb = MustOpen(dir.path(), "kb");
  WriteFile(dir / "a.md", "The lighthouse keeper lit the lamp. Ships passed safely.");
  WriteFile(dir / "b.md", "A keeper of bees. A lighthouse far away. Lamps of oil.");
  ASSERT_TRUE(kb->Ingest({dir / "a.md", dir / "b.md"}, {}));
  auto hits = kb->Search("lighthouse keeper lamp", {});
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->size(), 2u);
  for (size_t i = 0; i < hits->size(); ++i) {
    const SearchHit& h = (*hits)[i];
    ASSERT_EQ(h.stages.size(), 3u);
    EXPECT_EQ(h.stages[0].stage, "bm25");
    EXPECT_GT(h.stages[0].score, 0);
    EXPECT_GE(h.stages[0].rank, 1);
    EXPECT_EQ(h.stages[1].stage, "proximity");
    EXPECT_EQ(h.stages[2].stage, "final");
    EXPECT_EQ(h.stages[2].rank, static_cast<int>(i) + 1);
    EXPECT_DOUBLE_EQ(h.stages[2].score, h.score);
  }
  // The sentence holding the whole question wins on proximity.
  EXPECT_GT((*hits)[0].stages[1].score, (*hits)[1].stages[1].score);
}

}  // namespace
}  // namespace askio
