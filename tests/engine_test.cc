// The engine end to end on real SQLite and Xapian in temporary directories:
// incremental ingest, atomic replacement, pruning, failure reporting, and the
// outbox that keeps the derived index level with the catalogue.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "askio/engine.h"
#include "index/lexical_index.h"
#include "store/catalog.h"
#include "test_util.h"

namespace askio {
namespace {

namespace fs = std::filesystem;
using askio::testing::TempDir;
using askio::testing::WriteFile;

std::unique_ptr<KnowledgeBase> MustOpen(
    const std::string& data_dir, const std::string& name,
    KnowledgeBase::OpenMode mode = KnowledgeBase::OpenMode::kCreateIfMissing) {
  auto kb = KnowledgeBase::Open(data_dir, name, mode);
  EXPECT_TRUE(kb) << kb.error().message();
  return kb ? std::move(*kb) : nullptr;
}

std::vector<SearchHit> MustSearch(KnowledgeBase& kb, const std::string& query, size_t limit = 10) {
  SearchOptions o;
  o.limit = limit;
  auto hits = kb.Search(query, o);
  EXPECT_TRUE(hits) << hits.error().message();
  return hits ? *hits : std::vector<SearchHit>{};
}

std::vector<std::string> Sources(const std::vector<SearchHit>& hits) {
  std::vector<std::string> out;
  for (const SearchHit& h : hits) out.push_back(h.document_source);
  return out;
}

// (chunk id, score) of every hit: what "identical results" means.
std::vector<std::pair<int64_t, double>> Fingerprint(const std::vector<SearchHit>& hits) {
  std::vector<std::pair<int64_t, double>> out;
  for (const SearchHit& h : hits) out.emplace_back(h.chunk.id, h.score);
  return out;
}

const IngestFileResult* FileResult(const IngestReport& r, const std::string& suffix) {
  for (const IngestFileResult& f : r.files)
    if (f.path.ends_with(suffix)) return &f;
  return nullptr;
}

std::string Canonical(const std::string& path) {
  return fs::absolute(path).lexically_normal().string();
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(
        docs_ / "handbook.md",
        "# 员工手册\n\n## 报销\n\n报销需要提交发票和审批单。差旅报销在出差结束后十天内提交。\n\n"
        "## 假期\n\n每位员工每年有十天带薪年假。\n");
    WriteFile(docs_ / "notes/zebra.txt",
              "Zebras are African equines with distinctive black-and-white striped coats.\n\n"
              "Each zebra has a unique stripe pattern.\n");
    WriteFile(docs_ / "notes/.hidden/secret.md", "# Hidden\n\nhidden platypus text\n");
    // An extension askio does not read, with content it cannot read either.
    WriteFile(docs_ / "notes/ignored.bin", std::string("\x7f"
                                                       "ELF\2\1\1\0\0\0\0\0",
                                                       12));
  }

  Result<IngestReport> IngestDocs(KnowledgeBase& kb, bool prune = false) {
    IngestOptions o;
    o.prune = prune;
    return kb.Ingest({docs_.path()}, o);
  }

  TempDir data_;
  TempDir docs_;
};

TEST(KnowledgeBaseNames, AreValidated) {
  EXPECT_TRUE(ValidateKbName("handbook").ok());
  EXPECT_TRUE(ValidateKbName("a.b-c_D9").ok());
  EXPECT_TRUE(ValidateKbName(std::string(64, 'k')).ok());
  for (const std::string& bad : std::vector<std::string>{
           "", ".hidden", "..", "../escape", "a/b", "has space", "中文", std::string(65, 'k')}) {
    const Status s = ValidateKbName(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
  }
  TempDir data;
  auto kb =
      KnowledgeBase::Open(data.path(), "../escape", KnowledgeBase::OpenMode::kCreateIfMissing);
  ASSERT_FALSE(kb);
  EXPECT_EQ(kb.error().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(fs::path(data.path()).parent_path() / "escape"));
}

TEST(KnowledgeBaseOpen, MissingKnowledgeBaseIsNotFoundAndNamed) {
  TempDir data;
  auto kb = KnowledgeBase::Open(data.path(), "nosuchkb", KnowledgeBase::OpenMode::kMustExist);
  ASSERT_FALSE(kb);
  EXPECT_EQ(kb.error().code(), StatusCode::kNotFound);
  EXPECT_NE(kb.error().message().find("nosuchkb"), std::string::npos);
  EXPECT_FALSE(fs::exists(data / "nosuchkb"));  // nothing was created
}

TEST(KnowledgeBaseOpen, CreatesListsAndDeletes) {
  TempDir data;
  auto names = ListKnowledgeBases(data.path());
  ASSERT_TRUE(names);
  EXPECT_TRUE(names->empty());
  { auto kb = MustOpen(data.path(), "beta"); }
  { auto kb = MustOpen(data.path(), "alpha"); }
  fs::create_directories(data / "not-a-kb");  // a folder without a catalogue
  names = ListKnowledgeBases(data.path());
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_TRUE(DeleteKnowledgeBase(data.path(), "alpha").ok());
  EXPECT_FALSE(fs::exists(data / "alpha"));
  EXPECT_EQ(*ListKnowledgeBases(data.path()), (std::vector<std::string>{"beta"}));
  const Status again = DeleteKnowledgeBase(data.path(), "alpha");
  EXPECT_EQ(again.code(), StatusCode::kNotFound);
  EXPECT_NE(again.message().find("alpha"), std::string::npos);
  EXPECT_EQ(DeleteKnowledgeBase(data.path(), "../x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DeleteKnowledgeBase(data.path(), "not-a-kb").code(), StatusCode::kNotFound);
  EXPECT_TRUE(fs::exists(data / "not-a-kb"));
  // A data directory that does not exist yet has no knowledge bases.
  EXPECT_TRUE(ListKnowledgeBases(data / "nope")->empty());
}

TEST(DefaultDataDir, HonoursAskioDataDirThenXdg) {
  const char* saved_askio = getenv("ASKIO_DATA_DIR");
  const char* saved_xdg = getenv("XDG_DATA_HOME");
  const std::string keep_askio = saved_askio ? saved_askio : "";
  const std::string keep_xdg = saved_xdg ? saved_xdg : "";
  setenv("ASKIO_DATA_DIR", "/tmp/askio-env-dir", 1);
  setenv("XDG_DATA_HOME", "/tmp/xdg", 1);
  EXPECT_EQ(DefaultDataDir(), "/tmp/askio-env-dir");
  unsetenv("ASKIO_DATA_DIR");
  EXPECT_EQ(DefaultDataDir(), "/tmp/xdg/askio");
  if (saved_askio) setenv("ASKIO_DATA_DIR", keep_askio.c_str(), 1);
  if (saved_xdg) {
    setenv("XDG_DATA_HOME", keep_xdg.c_str(), 1);
  } else {
    unsetenv("XDG_DATA_HOME");
  }
}

TEST_F(EngineTest, IngestsFoldersRecursivelySkippingHiddenAndUnsupportedFiles) {
  auto kb = MustOpen(data_.path(), "kb");
  std::vector<IngestProgress> progress;
  IngestOptions o;
  auto report =
      kb->Ingest({docs_.path()}, o, [&](const IngestProgress& p) { progress.push_back(p); });
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->added, 2);
  EXPECT_EQ(report->failed, 0);
  EXPECT_EQ(report->unchanged, 0);
  EXPECT_GT(report->chunks, 0);
  EXPECT_EQ(report->bytes, static_cast<int64_t>(fs::file_size(docs_ / "handbook.md") +
                                                fs::file_size(docs_ / "notes/zebra.txt")));
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().files_total, 2u);
  EXPECT_EQ(progress.back().files_done, 2u);
  EXPECT_EQ(progress.back().bytes_done, progress.back().bytes_total);

  auto docs = kb->ListDocuments();
  ASSERT_TRUE(docs);
  ASSERT_EQ(docs->size(), 2u);
  // Sources are absolute paths; titles come from the first H1 or the file name.
  EXPECT_EQ((*docs)[0].source, Canonical(docs_ / "handbook.md"));
  EXPECT_EQ((*docs)[0].title, "员工手册");
  EXPECT_EQ((*docs)[0].type, "markdown");
  EXPECT_EQ((*docs)[1].source, Canonical(docs_ / "notes/zebra.txt"));
  EXPECT_EQ((*docs)[1].title, "zebra");
  EXPECT_EQ((*docs)[1].type, "text");
  for (const DocumentInfo& d : *docs) {
    EXPECT_EQ(d.version, 1);
    EXPECT_EQ(d.content_hash.size(), 32u);
  }
  EXPECT_TRUE(MustSearch(*kb, "platypus").empty());  // hidden folder skipped

  auto hits = MustSearch(*kb, "报销需要什么？");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].document_source, Canonical(docs_ / "handbook.md"));
  EXPECT_EQ(hits[0].document_title, "员工手册");
  EXPECT_EQ(hits[0].chunk.heading_path, (std::vector<std::string>{"员工手册", "报销"}));

  auto stats = kb->Stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->name, "kb");
  EXPECT_EQ(stats->documents, 2);
  EXPECT_EQ(stats->chunks, report->chunks);
  EXPECT_GT(stats->text_bytes, 0);
  EXPECT_EQ(stats->index_applied_seq, stats->outbox_seq);
  EXPECT_FALSE(stats->analyzer.empty());
  EXPECT_EQ(stats->weighting, "bm25 k1=1.2 b=0.75");
  EXPECT_FALSE(stats->created_at.empty());
}

TEST_F(EngineTest, UnchangedFilesAreSkipped) {
  auto kb = MustOpen(data_.path(), "kb");
  ASSERT_TRUE(IngestDocs(*kb));
  const KbStats before = *kb->Stats();
  const std::vector<DocumentInfo> docs_before = *kb->ListDocuments();
  const std::vector<Chunk> chunks_before = *kb->DocumentChunks(docs_before[0].id);

  auto again = IngestDocs(*kb);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->unchanged, 2);
  EXPECT_EQ(again->added, 0);
  EXPECT_EQ(again->replaced, 0);
  EXPECT_EQ(again->chunks, 0);
  for (const IngestFileResult& f : again->files)
    EXPECT_EQ(f.outcome, IngestFileResult::Outcome::kUnchanged) << f.path;

  const KbStats after = *kb->Stats();
  EXPECT_EQ(after.outbox_seq, before.outbox_seq);  // no catalogue writes at all
  EXPECT_EQ(after.chunks, before.chunks);
  const std::vector<DocumentInfo> docs_after = *kb->ListDocuments();
  ASSERT_EQ(docs_after.size(), docs_before.size());
  for (size_t i = 0; i < docs_after.size(); ++i) {
    EXPECT_EQ(docs_after[i].version, 1);
    EXPECT_EQ(docs_after[i].updated_at, docs_before[i].updated_at);
  }
  const std::vector<Chunk> chunks_after = *kb->DocumentChunks(docs_before[0].id);
  ASSERT_EQ(chunks_after.size(), chunks_before.size());
  for (size_t i = 0; i < chunks_after.size(); ++i)
    EXPECT_EQ(chunks_after[i].id, chunks_before[i].id);

  // Also across a reopen.
  kb.reset();
  kb = MustOpen(data_.path(), "kb", KnowledgeBase::OpenMode::kMustExist);
  auto third = IngestDocs(*kb);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->unchanged, 2);
  EXPECT_EQ(kb->Stats()->outbox_seq, before.outbox_seq);
}

TEST_F(EngineTest, ChangedFileIsReplacedWholesale) {
  auto kb = MustOpen(data_.path(), "kb");
  ASSERT_TRUE(IngestDocs(*kb));
  const DocumentInfo old_doc = (*kb->ListDocuments())[1];
  ASSERT_EQ(old_doc.title, "zebra");
  ASSERT_FALSE(MustSearch(*kb, "stripe pattern").empty());

  WriteFile(docs_ / "notes/zebra.txt",
            "Giraffes are the tallest living terrestrial animals.\n\nTheir necks are long.\n");
  auto report = IngestDocs(*kb);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->replaced, 1);
  EXPECT_EQ(report->unchanged, 1);
  EXPECT_EQ(report->added, 0);
  const IngestFileResult* f = FileResult(*report, "zebra.txt");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->outcome, IngestFileResult::Outcome::kReplaced);

  const std::vector<DocumentInfo> docs = *kb->ListDocuments();
  ASSERT_EQ(docs.size(), 2u);
  const DocumentInfo& doc = docs[1];
  EXPECT_EQ(doc.id, old_doc.id);  // same document, new version
  EXPECT_EQ(doc.version, 2);
  EXPECT_NE(doc.content_hash, old_doc.content_hash);
  EXPECT_EQ(doc.created_at, old_doc.created_at);

  // Old chunks are gone from the catalogue and the index; new ones are in.
  const std::vector<Chunk> chunks = *kb->DocumentChunks(doc.id);
  ASSERT_FALSE(chunks.empty());
  for (const Chunk& c : chunks) {
    EXPECT_EQ(c.text.find("Zebra"), std::string::npos) << c.text;
    EXPECT_EQ(c.text.find("stripe"), std::string::npos) << c.text;
  }
  EXPECT_EQ(*kb->DocumentText(doc.id),
            "Giraffes are the tallest living terrestrial animals.\n\nTheir necks are long.");
  EXPECT_TRUE(MustSearch(*kb, "stripe pattern").empty());
  // (Not "zebras": the title, still the file name "zebra", is indexed too.)
  EXPECT_TRUE(MustSearch(*kb, "distinctive equines").empty());
  const std::vector<SearchHit> hits = MustSearch(*kb, "tallest giraffes");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].document_source, old_doc.source);
  EXPECT_NE(hits[0].chunk.text.find("Giraffes"), std::string::npos);

  const KbStats stats = *kb->Stats();
  EXPECT_EQ(stats.documents, 2);
  EXPECT_EQ(stats.index_applied_seq, stats.outbox_seq);
  int64_t total = 0;
  for (const DocumentInfo& d : docs) total += d.chunk_count;
  EXPECT_EQ(stats.chunks, total);

  // The replacement is durable: a fresh process sees the same thing.
  kb.reset();
  kb = MustOpen(data_.path(), "kb", KnowledgeBase::OpenMode::kMustExist);
  EXPECT_TRUE(MustSearch(*kb, "stripe pattern").empty());
  EXPECT_EQ(MustSearch(*kb, "tallest giraffes").size(), 1u);
}

TEST_F(EngineTest, PruneRemovesDocumentsWhoseFilesAreGone) {
  auto kb = MustOpen(data_.path(), "kb");
  ASSERT_TRUE(IngestDocs(*kb));
  fs::remove(docs_ / "notes/zebra.txt");

  auto no_prune = IngestDocs(*kb, /*prune=*/false);
  ASSERT_TRUE(no_prune);
  EXPECT_EQ(no_prune->pruned, 0);
  EXPECT_EQ(kb->Stats()->documents, 2);
  EXPECT_FALSE(MustSearch(*kb, "stripe pattern").empty());

  auto pruned = IngestDocs(*kb, /*prune=*/true);
  ASSERT_TRUE(pruned) << pruned.error().message();
  EXPECT_EQ(pruned->pruned, 1);
  EXPECT_EQ(pruned->unchanged, 1);
  const std::vector<DocumentInfo> docs = *kb->ListDocuments();
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].title, "员工手册");
  EXPECT_TRUE(MustSearch(*kb, "stripe pattern").empty());
  EXPECT_FALSE(MustSearch(*kb, "带薪年假").empty());
  const KbStats stats = *kb->Stats();
  EXPECT_EQ(stats.chunks, docs[0].chunk_count);
  EXPECT_EQ(stats.index_applied_seq, stats.outbox_seq);

  // Pruning again is a no-op.
  auto again = IngestDocs(*kb, /*prune=*/true);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->pruned, 0);
}

TEST_F(EngineTest, FailedFilesAreReportedAndTheRestIsIngested) {
  WriteFile(docs_ / "bad/invalid.txt", "valid start \xFF\xFE\xFD not UTF-8");
  WriteFile(docs_ / "bad/empty.txt", "");
  WriteFile(docs_ / "bad/blank.md", "\n\n   \n");
  WriteFile(docs_ / "bad/binary.txt", std::string("GIF89a\0\0\0binary", 16));
  auto kb = MustOpen(data_.path(), "kb");
  IngestOptions o;
  auto report = kb->Ingest({docs_.path(), docs_ / "missing.txt", docs_ / "notes/ignored.bin"}, o);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->added, 2);
  EXPECT_EQ(report->failed, 6);
  struct Expected {
    const char* suffix;
    const char* reason;
  } expected[] = {{"invalid.txt", "UTF-8"},        {"empty.txt", "empty"},
                  {"blank.md", "empty"},           {"binary.txt", "unsupported file type"},
                  {"missing.txt", "no such file"}, {"ignored.bin", "unsupported file type"}};
  for (const Expected& e : expected) {
    SCOPED_TRACE(e.suffix);
    const IngestFileResult* f = FileResult(*report, e.suffix);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->outcome, IngestFileResult::Outcome::kFailed);
    EXPECT_NE(f->error.find(e.reason), std::string::npos) << f->error;
  }
  // Nothing of the failed files is visible; the good ones are searchable.
  EXPECT_EQ(kb->Stats()->documents, 2);
  const std::vector<DocumentInfo> docs = *kb->ListDocuments();
  for (const DocumentInfo& d : docs)
    EXPECT_EQ(d.source.find("/bad/"), std::string::npos) << d.source;
  EXPECT_FALSE(MustSearch(*kb, "zebra").empty());
}

TEST_F(EngineTest, AFolderNamedLikeAFileIsWalkedNotRead) {
  WriteFile(docs_ / "looks-like.md/inner.txt", "inner file about narwhals");
  auto kb = MustOpen(data_.path(), "kb");
  IngestOptions o;
  auto report = kb->Ingest({docs_ / "looks-like.md"}, o);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->failed, 0);
  EXPECT_EQ(report->added, 1);
  EXPECT_FALSE(MustSearch(*kb, "narwhals").empty());
}

TEST_F(EngineTest, NamedFilesThatAreNotRegularFilesFailWithAReason) {
  // Root can read anything, so "unreadable" is simulated with things that
  // cannot be read as a document: a FIFO and a symlink to a device.
  ASSERT_EQ(mkfifo((docs_ / "pipe.md").c_str(), 0600), 0);
  fs::create_symlink("/dev/null", docs_ / "device.txt");
  auto kb = MustOpen(data_.path(), "kb");
  IngestOptions o;
  auto report = kb->Ingest({docs_ / "pipe.md", docs_ / "device.txt", docs_ / "handbook.md"}, o);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->added, 1);
  EXPECT_EQ(report->failed, 2);
  EXPECT_GE(report->bytes, 0);
  for (const char* name : {"pipe.md", "device.txt"}) {
    const IngestFileResult* f = FileResult(*report, name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->outcome, IngestFileResult::Outcome::kFailed);
    EXPECT_NE(f->error.find("not a regular file"), std::string::npos) << f->error;
  }
  // Inside a folder they are skipped silently, like other non-documents.
  auto walked = kb->Ingest({docs_.path()}, o);
  ASSERT_TRUE(walked);
  EXPECT_EQ(walked->failed, 0);
}

TEST_F(EngineTest, TheSameFileNamedTwiceIsIngestedOnce) {
  auto kb = MustOpen(data_.path(), "kb");
  IngestOptions o;
  auto report =
      kb->Ingest({docs_.path(), docs_ / "handbook.md", docs_ / "notes/../handbook.md"}, o);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->added, 2);
  EXPECT_EQ(kb->Stats()->documents, 2);
}

TEST_F(EngineTest, BadChunkOptionsAreRejectedBeforeAnyWork) {
  auto kb = MustOpen(data_.path(), "kb");
  IngestOptions o;
  o.chunking.overlap_chars = o.chunking.target_chars;
  auto report = kb->Ingest({docs_.path()}, o);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code(), StatusCode::kInvalidArgument);
  auto docs_report = kb->IngestDocuments({{"a", "A", "text", "text"}}, o);
  ASSERT_FALSE(docs_report);
  EXPECT_EQ(docs_report.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(kb->Stats()->documents, 0);
}

TEST_F(EngineTest, SearchContract) {
  auto kb = MustOpen(data_.path(), "kb");
  ASSERT_TRUE(IngestDocs(*kb));
  auto empty = kb->Search("   ", SearchOptions{});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code(), StatusCode::kInvalidArgument);
  // A question made only of question words has nothing to search for.
  auto nothing = kb->Search("什么？", SearchOptions{});
  ASSERT_TRUE(nothing);
  EXPECT_TRUE(nothing->empty());

  const std::vector<SearchHit> all = MustSearch(*kb, "员工 zebra 报销 stripe 年假", 10);
  ASSERT_GE(all.size(), 2u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GE(all[i - 1].score, all[i].score);
  EXPECT_EQ(MustSearch(*kb, "员工 zebra 报销 stripe 年假", 1).size(), 1u);
  for (const SearchHit& h : all) {
    EXPECT_GT(h.score, 0);
    EXPECT_FALSE(h.snippet.empty());
    EXPECT_FALSE(h.document_title.empty());
    EXPECT_GT(h.chunk.id, 0);
    for (const Highlight& hl : h.highlights) {
      EXPECT_LT(hl.begin, hl.end);
      EXPECT_LE(hl.end, h.snippet.size());
    }
  }
}

TEST_F(EngineTest, WeightingIsValidatedAndStoredWithTheKnowledgeBase) {
  auto kb = MustOpen(data_.path(), "kb");
  EXPECT_EQ(kb->SetWeighting("tfidf").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(kb->SetWeighting("bm25 b=2").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(kb->SetWeighting("bm25 k1=0.9 b=0.4").ok());
  EXPECT_EQ(kb->Stats()->weighting, "bm25 k1=0.9 b=0.4");
  kb.reset();
  kb = MustOpen(data_.path(), "kb", KnowledgeBase::OpenMode::kMustExist);
  EXPECT_EQ(kb->Stats()->weighting, "bm25 k1=0.9 b=0.4");
}

TEST_F(EngineTest, ConcurrentSearchesAgree) {
  auto kb = MustOpen(data_.path(), "kb");
  ASSERT_TRUE(IngestDocs(*kb));
  const auto expected = Fingerprint(MustSearch(*kb, "报销 zebra"));
  ASSERT_FALSE(expected.empty());
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto hits = kb->Search("报销 zebra", SearchOptions{});
        if (!hits || Fingerprint(*hits) != expected) ++mismatches[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

// --- The outbox: the lexical index is derived and always brought level. ---

TEST_F(EngineTest, WritesMadeBehindTheIndexAreReplayedOnOpen) {
  {
    auto kb = MustOpen(data_.path(), "kb");
    ASSERT_TRUE(IngestDocs(*kb));
  }
  // Write a document straight into the catalogue, as a crash between the
  // catalogue commit and the index commit would leave it.
  {
    auto cat = store::Catalog::Open(data_ / "kb/catalog.sqlite");
    ASSERT_TRUE(cat) << cat.error().message();
    store::NewDocument doc;
    doc.source = "direct://unicorn";
    doc.title = "Unicorns";
    doc.type = "text";
    doc.content_hash = "x";
    doc.text = "独角兽在月球上开会。";
    doc.chunks.push_back({doc.text, {}, 0, 10, 0});
    ASSERT_TRUE((*cat)->Begin().ok());
    ASSERT_TRUE((*cat)->PutDocument(doc, nullptr));
    ASSERT_TRUE((*cat)->Commit().ok());
  }
  {
    // The index has not seen it yet.
    auto idx =
        index::LexicalIndex::Open(data_ / "kb/lexical", index::LexicalIndex::Mode::kReadOnly);
    ASSERT_TRUE(idx);
    EXPECT_EQ((*idx)->term_freq("独角"), 0u);
  }
  auto kb = MustOpen(data_.path(), "kb", KnowledgeBase::OpenMode::kMustExist);
  const std::vector<SearchHit> hits = MustSearch(*kb, "独角兽在哪里开会？");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].document_source, "direct://unicorn");
  const KbStats stats = *kb->Stats();
  EXPECT_EQ(stats.index_applied_seq, stats.outbox_seq);
  EXPECT_EQ(stats.documents, 3);
}

TEST_F(EngineTest, DeletesMadeBehindTheIndexAreReplayedOnOpen) {
  {
    auto kb = MustOpen(data_.path(), "kb");
    ASSERT_TRUE(IngestDocs(*kb));
    ASSERT_FALSE(MustSearch(*kb, "stripe pattern").empty());
  }
  {
    auto cat = store::Catalog::Open(data_ / "kb/catalog.sqlite");
    ASSERT_TRUE(cat);
    const std::vector<DocumentInfo> docs = *(*cat)->ListDocuments();
    ASSERT_TRUE((*cat)->Begin().ok());
    ASSERT_TRUE((*cat)->DeleteDocument(docs[1].id).ok());
    ASSERT_TRUE((*cat)->Commit().ok());
  }
  auto kb = MustOpen(data_.path(), "kb", KnowledgeBase::OpenMode::kMustExist);
  EXPECT_TRUE(MustSearch(*kb, "stripe pattern").empty());
  auto idx = index::LexicalIndex::Open(data_ / "kb/lexical", index::LexicalIndex::Mode::kReadOnly);
  ASSERT_TRUE(idx);
  EXPECT_EQ(static_cast<int64_t>((*idx)->doc_count()), kb->Stats()->chunks);
}

TEST_F(EngineTest, MissingIndexIsRebuiltWithIdenticalResults) {
  std::vector<std::pair<int64_t, double>> before_cjk, before_en;
  {
    auto kb = MustOpen(data_.path(), "kb");
    ASSERT_TRUE(IngestDocs(*kb));
    before_cjk = Fingerprint(MustSearch(*kb, "报销 年假"));
    before_en = Fingerprint(MustSearch(*kb, "zebra stripes"));
    ASSERT_FALSE(before_cjk.empty());
    ASSERT_FALSE(before_en.empty());
  }
  fs::remove_all(data_ / "kb/lexical");
  auto kb = MustOpen(data_.path(), "kb", KnowledgeBase::OpenMode::kMustExist);
  EXPECT_TRUE(fs::exists(data_ / "kb/lexical"));
  EXPECT_EQ(Fingerprint(MustSearch(*kb, "报销 年假")), before_cjk);
  EXPECT_EQ(Fingerprint(MustSearch(*kb, "zebra stripes")), before_en);
  const KbStats stats = *kb->Stats();
  EXPECT_EQ(stats.index_applied_seq, stats.outbox_seq);
}

TEST_F(EngineTest, ReindexKeepsResultsIdentical) {
  auto kb = MustOpen(data_.path(), "kb");
  ASSERT_TRUE(IngestDocs(*kb));
  const auto before = Fingerprint(MustSearch(*kb, "报销 年假 zebra"));
  ASSERT_FALSE(before.empty());
  ASSERT_TRUE(kb->Reindex().ok());
  EXPECT_EQ(Fingerprint(MustSearch(*kb, "报销 年假 zebra")), before);
  ASSERT_TRUE(kb->Reindex().ok());
  EXPECT_EQ(Fingerprint(MustSearch(*kb, "报销 年假 zebra")), before);
  const KbStats stats = *kb->Stats();
  EXPECT_EQ(stats.index_applied_seq, stats.outbox_seq);
  // Ingest keeps working on the rebuilt index.
  WriteFile(docs_ / "more.txt", "Okapis live in the rainforest.");
  ASSERT_TRUE(IngestDocs(*kb));
  EXPECT_EQ(MustSearch(*kb, "okapis").size(), 1u);
}

TEST_F(EngineTest, IndexAheadOfTheCatalogueIsRebuilt) {
  std::vector<std::pair<int64_t, double>> before;
  {
    auto kb = MustOpen(data_.path(), "kb");
    ASSERT_TRUE(IngestDocs(*kb));
    before = Fingerprint(MustSearch(*kb, "报销 zebra"));
  }
  {
    // An index that claims a position the catalogue never reached (e.g. one
    // copied from another knowledge base), and is empty.
    auto idx =
        index::LexicalIndex::Open(data_ / "kb/lexical", index::LexicalIndex::Mode::kWritable);
    ASSERT_TRUE(idx);
    for (const auto& [id, score] : before) ASSERT_TRUE((*idx)->Remove(id).ok());
    ASSERT_TRUE((*idx)->Commit(1000000).ok());
  }
  auto kb = MustOpen(data_.path(), "kb", KnowledgeBase::OpenMode::kMustExist);
  EXPECT_EQ(Fingerprint(MustSearch(*kb, "报销 zebra")), before);
  const KbStats stats = *kb->Stats();
  EXPECT_EQ(stats.index_applied_seq, stats.outbox_seq);
}

TEST_F(EngineTest, IndexBehindATruncatedOutboxIsRebuilt) {
  const std::string saved = data_ / "lexical-copy";
  {
    auto kb = MustOpen(data_.path(), "kb");
    ASSERT_TRUE(IngestDocs(*kb));
  }
  fs::copy(data_ / "kb/lexical", saved, fs::copy_options::recursive);
  {
    auto kb = MustOpen(data_.path(), "kb", KnowledgeBase::OpenMode::kMustExist);
    WriteFile(docs_ / "more.txt", "Okapis live in the rainforest.");
    ASSERT_TRUE(IngestDocs(*kb));
  }
  // Put back the old index: it is behind, and the outbox entries it would
  // need were truncated once the newer index committed them.
  fs::remove_all(data_ / "kb/lexical");
  fs::copy(saved, data_ / "kb/lexical", fs::copy_options::recursive);
  auto kb = MustOpen(data_.path(), "kb", KnowledgeBase::OpenMode::kMustExist);
  EXPECT_EQ(MustSearch(*kb, "okapis").size(), 1u);
  EXPECT_FALSE(MustSearch(*kb, "zebra").empty());
  const KbStats stats = *kb->Stats();
  EXPECT_EQ(stats.index_applied_seq, stats.outbox_seq);
}

TEST_F(EngineTest, CorruptIndexIsRebuilt) {
  std::vector<std::pair<int64_t, double>> before;
  {
    auto kb = MustOpen(data_.path(), "kb");
    ASSERT_TRUE(IngestDocs(*kb));
    before = Fingerprint(MustSearch(*kb, "报销 zebra"));
  }
  for (const auto& entry : fs::directory_iterator(data_ / "kb/lexical")) {
    if (entry.is_regular_file()) WriteFile(entry.path().string(), std::string(8192, '\x5a'));
  }
  auto kb = MustOpen(data_.path(), "kb", KnowledgeBase::OpenMode::kMustExist);
  ASSERT_NE(kb, nullptr);
  EXPECT_EQ(Fingerprint(MustSearch(*kb, "报销 zebra")), before);
}

TEST_F(EngineTest, AnIndexBuiltWithAnotherAnalyzerIsRebuilt) {
  std::vector<std::pair<int64_t, double>> before;
  {
    auto kb = MustOpen(data_.path(), "kb");
    ASSERT_TRUE(IngestDocs(*kb));
    before = Fingerprint(MustSearch(*kb, "报销 zebra"));
    ASSERT_FALSE(before.empty());
  }
  {
    // Empty the index while keeping it level, so that only a rebuild can
    // make the documents findable again.
    auto cat = store::Catalog::Open(data_ / "kb/catalog.sqlite");
    ASSERT_TRUE(cat);
    const int64_t latest = *(*cat)->LatestOutboxSeq();
    auto idx =
        index::LexicalIndex::Open(data_ / "kb/lexical", index::LexicalIndex::Mode::kWritable);
    ASSERT_TRUE(idx);
    for (const auto& [id, score] : before) ASSERT_TRUE((*idx)->Remove(id).ok());
    ASSERT_TRUE((*idx)->Commit(latest).ok());
  }
  {
    // The setup worked (checked on the index itself: opening the KB would
    // already rebuild an index that holds fewer chunks than the catalogue).
    auto idx =
        index::LexicalIndex::Open(data_ / "kb/lexical", index::LexicalIndex::Mode::kReadOnly);
    ASSERT_TRUE(idx);
    auto cat = store::Catalog::Open(data_ / "kb/catalog.sqlite");
    ASSERT_TRUE(cat);
    ASSERT_LT(static_cast<int64_t>((*idx)->doc_count()), (*cat)->CountAll()->chunks);
    ASSERT_TRUE((*cat)->SetMeta("analyzer", "some-older-scheme/0").ok());
  }
  auto kb = MustOpen(data_.path(), "kb", KnowledgeBase::OpenMode::kMustExist);
  EXPECT_EQ(Fingerprint(MustSearch(*kb, "报销 zebra")), before);
  EXPECT_NE(kb->Stats()->analyzer, "some-older-scheme/0");
}

TEST(IngestDocuments, AddsAndReplacesBySource) {
  TempDir data;
  auto kb = MustOpen(data.path(), "kb");
  IngestOptions o;
  o.batch_size = 2;  // several batches
  std::vector<DocumentInput> docs;
  for (int i = 0; i < 5; ++i)
    docs.push_back(
        {"mem://" + std::to_string(i), "Doc " + std::to_string(i), "text",
         "Document number " + std::to_string(i) + " mentions token" + std::to_string(i)});
  docs.push_back({"mem://bad", "Bad", "text", ""});
  auto r = kb->IngestDocuments(docs, o);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->added, 5);
  EXPECT_EQ(r->failed, 1);
  EXPECT_EQ(kb->Stats()->documents, 5);
  EXPECT_EQ(Sources(MustSearch(*kb, "token3")), (std::vector<std::string>{"mem://3"}));

  auto again = kb->IngestDocuments({{"mem://3", "Doc 3", "text", "Rewritten with newtoken"}}, o);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->replaced, 1);
  EXPECT_TRUE(MustSearch(*kb, "token3").empty());
  EXPECT_EQ(Sources(MustSearch(*kb, "newtoken")), (std::vector<std::string>{"mem://3"}));
  const std::vector<DocumentInfo> listed = *kb->ListDocuments();
  for (const DocumentInfo& d : listed)
    EXPECT_EQ(d.version, d.source == "mem://3" ? 2 : 1) << d.source;
}

}  // namespace
}  // namespace askio
