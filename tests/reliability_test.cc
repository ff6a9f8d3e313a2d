// Reliability beyond crashes (docs/reliability.md): damaged derived indexes
// are detected, reported and rebuilt; `askio doctor` explains and repairs;
// online backup and restore answer identically; a full disk fails ingestion
// cleanly and ingestion resumes once space is freed, without a restart.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include "askio/maintenance.h"
#include "fake_openai_server.h"
#include "model/provider.h"
#include "reliability_common.h"
#include "store/catalog.h"

namespace fs = std::filesystem;

namespace askio::testing {
namespace {

std::vector<DocumentInput> Docs(int from, int to, int version = 0) {
  std::vector<DocumentInput> docs;
  for (int k = from; k < to; ++k)
    docs.push_back({"doc-" + std::to_string(k) + ".md", "资料 " + std::to_string(k), "markdown",
                    CorpusDoc(k, version)});
  return docs;
}

std::unique_ptr<KnowledgeBase> OpenKb(const std::string& data, const std::string& name) {
  auto kb = KnowledgeBase::Open(data, name, KnowledgeBase::OpenMode::kCreateIfMissing);
  EXPECT_TRUE(kb) << kb.error().message();
  return kb ? std::move(*kb) : nullptr;
}

void FlipBytes(const std::string& path, int count, std::mt19937_64& rng) {
  std::string bytes = ReadFile(path);
  if (bytes.empty()) return;
  for (int i = 0; i < count; ++i) bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
  WriteFile(path, bytes);
}

void Truncate(const std::string& path) { fs::resize_file(path, fs::file_size(path) / 2); }

std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

bool AnyNoticeContains(KnowledgeBase& kb, const std::string& word) {
  for (const std::string& n : kb.Notices())
    if (n.find(word) != std::string::npos) return true;
  return false;
}

// Damage of every kind to the lexical index, with askio stopped: the next
// open detects it, says so, rebuilds from the catalogue and answers exactly
// as before; nothing crashes and no wrong document is returned.
TEST(DamagedIndex, LexicalDamageIsDetectedReportedAndRebuilt) {
  TempDir tmp;
  const std::string pristine = tmp / "pristine";
  std::vector<std::vector<std::string>> ref;
  int64_t chunks = 0;
  {
    auto kb = OpenKb(pristine, "kb");
    ASSERT_TRUE(kb);
    ASSERT_TRUE(kb->IngestDocuments(Docs(0, 120), IngestOptions{}));
    ref = TopHits(*kb);
    chunks = kb->Stats()->chunks;
  }
  std::mt19937_64 rng(7);
  struct Damage {
    std::string name;
    std::function<void(const std::string& lexical)> apply;
  };
  const std::vector<Damage> damages = {
      {"truncate every file of shard 0",
       [](const std::string& lex) {
         for (const std::string& f : Files(lex + "/shard0")) Truncate(f);
       }},
      {"flip bytes in every table",
       [&](const std::string& lex) {
         for (const std::string& f : Files(lex))
           if (f.ends_with(".glass")) FlipBytes(f, 64, rng);
       }},
      {"flip bytes in the postings only",
       [&](const std::string& lex) {
         for (const std::string& f : Files(lex))
           if (f.ends_with("postlist.glass")) FlipBytes(f, 16, rng);
       }},
      {"remove a shard", [](const std::string& lex) { fs::remove_all(lex + "/shard1"); }},
      {"empty the version files",
       [](const std::string& lex) {
         for (const std::string& f : Files(lex))
           if (f.ends_with("iamglass")) fs::resize_file(f, 0);
       }},
      {"replace the index by garbage",
       [](const std::string& lex) {
         fs::remove_all(lex);
         WriteFile(lex + "/junk", "not an index");
       }},
  };
  int detected = 0;
  for (const Damage& d : damages) {
    SCOPED_TRACE(d.name);
    const std::string data = tmp / "data";
    fs::remove_all(data);
    fs::copy(pristine, data, fs::copy_options::recursive);
    d.apply(data + "/kb/lexical");
    auto before = Doctor(data, "kb");
    ASSERT_TRUE(before) << before.error().message();
    const bool doctor_saw = !before->healthy();
    auto kb = KnowledgeBase::Open(data, "kb", KnowledgeBase::OpenMode::kMustExist);
    ASSERT_TRUE(kb) << kb.error().message();
    if (doctor_saw) {
      ++detected;
      EXPECT_TRUE(AnyNoticeContains(**kb, "rebuilding")) << "damage not reported";
    }
    EXPECT_EQ(TopHits(**kb), ref);
    EXPECT_EQ(LexicalDocCount(data + "/kb"), chunks);
    auto after = Doctor(data, "kb");
    ASSERT_TRUE(after);
    EXPECT_TRUE(after->healthy());
  }
  // Every kind above is detectable; a flipped byte in unused space would be
  // harmless, but 64 flips per table always hit something in use.
  EXPECT_EQ(detected, static_cast<int>(damages.size()));
}

// A damaged vector file is detected by its checksum and rebuilt from the
// vectors stored in the catalogue, without calling the model again.
TEST(DamagedIndex, VectorFileDamageIsRebuiltFromStoredVectors) {
  FakeOpenAi fake;
  TempDir tmp;
  Models models;
  models.embed = model::MakeOpenAiEmbedder(fake.Config());
  std::vector<std::vector<std::string>> ref;
  {
    auto kb = OpenKb(tmp.path(), "kb");
    ASSERT_TRUE(kb->SetModels(models).ok());
    ASSERT_TRUE(kb->IngestDocuments(Docs(0, 40), IngestOptions{}));
    ref = TopHits(*kb);
  }
  std::mt19937_64 rng(11);
  const std::string file = tmp / "kb/vectors.faiss";
  const std::string pristine = ReadFile(file);
  for (int mode = 0; mode < 3; ++mode) {
    SCOPED_TRACE(mode);
    WriteFile(file, pristine);
    if (mode == 0) Truncate(file);
    if (mode == 1) FlipBytes(file, 8, rng);
    if (mode == 2) WriteFile(file, "garbage");
    auto before = Doctor(tmp.path(), "kb");
    ASSERT_TRUE(before);
    EXPECT_FALSE(before->healthy());
    const size_t calls = fake.Count(FakeOpenAi::kEmbeddings);
    auto kb = KnowledgeBase::Open(tmp.path(), "kb", KnowledgeBase::OpenMode::kMustExist);
    ASSERT_TRUE(kb);
    // Lexical search works before the models are attached.
    EXPECT_FALSE((*kb)->Search("北京", SearchOptions{})->empty());
    ASSERT_TRUE((*kb)->SetModels(models).ok());
    EXPECT_TRUE(AnyNoticeContains(**kb, "vector index"));
    EXPECT_EQ(fake.Count(FakeOpenAi::kEmbeddings), calls + 0 * calls) << "re-embedded";
    EXPECT_EQ(TopHits(**kb), ref);
    kb->reset();
    auto after = Doctor(tmp.path(), "kb");
    ASSERT_TRUE(after);
    EXPECT_TRUE(after->healthy());
  }
}

// askio doctor from the command line: finds, explains, repairs, and says so
// by its exit code.
TEST(Doctor, CliFindsExplainsAndRepairs) {
  TempDir tmp;
  {
    auto kb = OpenKb(tmp.path(), "kb");
    ASSERT_TRUE(kb->IngestDocuments(Docs(0, 30), IngestOptions{}));
  }
  CommandResult healthy = RunAskioIn(tmp.path(), {"doctor"});
  EXPECT_EQ(healthy.exit_code, 0) << healthy.out << healthy.err;
  EXPECT_NE(healthy.out.find("kb: healthy"), std::string::npos) << healthy.out;

  std::mt19937_64 rng(3);
  for (const std::string& f : Files(tmp / "kb/lexical"))
    if (f.ends_with(".glass")) FlipBytes(f, 64, rng);
  WriteFile(tmp / "kb/uploads/.incoming-123", "half an upload");
  CommandResult sick = RunAskioIn(tmp.path(), {"doctor", "--kb", "kb", "--json"});
  EXPECT_EQ(sick.exit_code, 2) << sick.out;
  const auto j = ParseJsonOutput(sick);
  ASSERT_TRUE(j.is_array() && j.size() == 1u) << sick.out;
  EXPECT_FALSE(j[0]["healthy"].get<bool>());
  std::set<std::string> failed;
  for (const auto& f : j[0]["findings"])
    if (!f["ok"].get<bool>()) failed.insert(f["check"].get<std::string>());
  EXPECT_TRUE(failed.count("lexical")) << sick.out;
  EXPECT_TRUE(failed.count("files")) << sick.out;

  CommandResult repaired = RunAskioIn(tmp.path(), {"doctor", "--kb", "kb", "--repair"});
  EXPECT_EQ(repaired.exit_code, 0) << repaired.out << repaired.err;
  EXPECT_NE(repaired.out.find("repaired"), std::string::npos) << repaired.out;
  EXPECT_FALSE(fs::exists(tmp / "kb/uploads/.incoming-123"));
  EXPECT_EQ(RunAskioIn(tmp.path(), {"doctor"}).exit_code, 0);

  // A damaged catalogue is reported, never "repaired" from the indexes.
  {
    std::string bytes = ReadFile(tmp / "kb/catalog.sqlite");
    for (size_t i = 4096; i + 200 < bytes.size(); i += 4096) bytes.replace(i + 100, 64, 64, 'x');
    WriteFile(tmp / "kb/catalog.sqlite", bytes);
  }
  CommandResult broken = RunAskioIn(tmp.path(), {"doctor", "--kb", "kb", "--repair"});
  EXPECT_EQ(broken.exit_code, 2) << broken.out;
  EXPECT_NE(broken.out.find("restore a backup"), std::string::npos) << broken.out;
}

// A backup taken while another thread ingests and others query holds whole
// batches only, and its restore answers exactly like a clean build of what
// it holds; a backup of a quiet KB restores to identical answers.
TEST(Backup, OnlineBackupRestoresToIdenticalAnswers) {
  TempDir tmp;
  auto kb = OpenKb(tmp / "data", "kb");
  ASSERT_TRUE(kb->IngestDocuments(Docs(0, 40), IngestOptions{}));
  std::atomic<bool> stop{false};
  std::atomic<int> query_errors{0}, queries{0};
  IngestOptions batches;
  batches.batch_size = 5;
  std::thread writer([&] {
    for (int from = 40; from < 120 && !stop; from += 5)
      if (!kb->IngestDocuments(Docs(from, from + 5), batches)) ++query_errors;
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t)
    readers.emplace_back([&] {
      while (!stop) {
        auto hits = kb->Search(FixedQueries()[static_cast<size_t>(queries++) % 8], SearchOptions{});
        if (!hits) ++query_errors;
      }
    });
  // Wait until the writer is under way, then back up mid-stream.
  while (kb->Stats()->documents < 50) std::this_thread::yield();
  auto backup = BackupKnowledgeBase(tmp / "data", "kb", tmp / "backup1");
  writer.join();
  stop = true;
  for (std::thread& t : readers) t.join();
  ASSERT_TRUE(backup) << backup.error().message();
  EXPECT_EQ(query_errors.load(), 0);
  EXPECT_GT(queries.load(), 0);
  EXPECT_TRUE(fs::exists(tmp / "backup1/manifest.json"));

  auto restored = RestoreKnowledgeBase(tmp / "backup1", tmp / "restored", "kb");
  ASSERT_TRUE(restored) << restored.error().message();
  EXPECT_EQ(restored->documents, backup->documents);
  auto r = KnowledgeBase::Open(tmp / "restored", "kb", KnowledgeBase::OpenMode::kMustExist);
  ASSERT_TRUE(r);
  const auto states = DocStates(**r);
  // Whole batches only: documents 0..n-1 for n a multiple of 5, each whole.
  const int n = static_cast<int>(states.size());
  EXPECT_EQ(n % 5, 0);
  EXPECT_GE(n, 50);
  auto clean = OpenKb(tmp / "clean", "kb");
  ASSERT_TRUE(clean->IngestDocuments(Docs(0, n), IngestOptions{}));
  EXPECT_EQ(DocStates(*clean), states);
  EXPECT_EQ(TopHits(**r), TopHits(*clean));
  for (const std::string& q : FixedQueries()) {
    auto a = (*r)->Ask(q, AskOptions{});
    auto b = clean->Ask(q, AskOptions{});
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->text, b->text) << q;
  }

  // Quiet: backup, restore over a different name, identical answers.
  auto quiet = BackupKnowledgeBase(tmp / "data", "kb", tmp / "backup2");
  ASSERT_TRUE(quiet);
  EXPECT_EQ(quiet->documents, 120);
  CommandResult cli = RunAskioIn(tmp / "data", {"restore", tmp / "backup2", "--kb", "copy"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(RunAskioIn(tmp / "data", {"restore", tmp / "backup2", "--kb", "copy"}).exit_code, 1)
      << "restoring over an existing KB needs --replace";
  auto copy = KnowledgeBase::Open(tmp / "data", "copy", KnowledgeBase::OpenMode::kMustExist);
  ASSERT_TRUE(copy);
  EXPECT_EQ(TopHits(**copy), TopHits(*kb));
  for (const std::string& q : FixedQueries())
    EXPECT_EQ((*copy)->Ask(q, AskOptions{})->text, kb->Ask(q, AskOptions{})->text) << q;
  CommandResult cli_backup = RunAskioIn(tmp / "data", {"backup", "--kb", "copy", tmp / "backup3"});
  EXPECT_EQ(cli_backup.exit_code, 0) << cli_backup.err;
}

// A full disk (SQLite's page limit standing in for the filesystem's) fails
// ingestion with "disk full", leaves no partial document, keeps queries
// working, and ingestion resumes once space is freed — same process.
TEST(DiskFull, IngestFailsCleanlyAndResumesWithoutRestart) {
  TempDir tmp;
  auto kb = OpenKb(tmp.path(), "kb");
  ASSERT_TRUE(kb->IngestDocuments(Docs(0, 20), IngestOptions{}));
  const auto before = TopHits(*kb);
  int64_t pages = 0;
  {
    sqlite3* db = nullptr;
    sqlite3_open_v2((tmp / "kb/catalog.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &st, nullptr);
    if (sqlite3_step(st) == SQLITE_ROW) pages = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  ASSERT_GT(pages, 0);
  store::SetMaxPageCountForTesting(pages + 4);
  IngestOptions options;
  options.batch_size = 4;
  auto full = kb->IngestDocuments(Docs(20, 80), options);
  store::SetMaxPageCountForTesting(pages + 4);  // (still full for the checks below)
  ASSERT_FALSE(full);
  EXPECT_NE(full.error().message().find("disk full"), std::string::npos) << full.error().message();
  // Nothing partial: every document present is whole; queries still work.
  auto docs = kb->ListDocuments();
  ASSERT_TRUE(docs);
  for (const DocumentInfo& d : *docs)
    EXPECT_EQ(static_cast<int64_t>(kb->DocumentChunks(d.id)->size()), d.chunk_count) << d.source;
  EXPECT_EQ(LexicalDocCount(kb->path()), kb->Stats()->chunks);
  auto hits = kb->Search(FixedQueries()[0], SearchOptions{});
  ASSERT_TRUE(hits) << hits.error().message();
  EXPECT_FALSE(hits->empty());
  // Space is freed: the same KB object ingests again.
  store::SetMaxPageCountForTesting(0);
  auto resumed = kb->IngestDocuments(Docs(20, 80), options);
  ASSERT_TRUE(resumed) << resumed.error().message();
  EXPECT_EQ(kb->Stats()->documents, 80);
  auto found = kb->Search("doc77", SearchOptions{});
  ASSERT_TRUE(found);
  ASSERT_FALSE(found->empty());
  EXPECT_EQ(found->front().document_source, "doc-77.md");
  auto clean = OpenKb(tmp / "clean", "kb");
  ASSERT_TRUE(clean->IngestDocuments(Docs(0, 80), IngestOptions{}));
  EXPECT_EQ(TopHits(*kb), TopHits(*clean));
  (void)before;
}

// Each fixed query's top hits as a set. The corpus repeats every 60
// documents, and equal passages rank by when they were stored, which a
// failed run followed by a retry changes for some of them.
std::vector<std::vector<std::string>> TopHitSets(KnowledgeBase& kb) {
  auto hits = TopHits(kb);
  for (auto& h : hits) std::sort(h.begin(), h.end());
  return hits;
}

// A tmpfs of `bytes` mounted at `at` for one test (needs root, as in CI and
// on the development VM; elsewhere the test says why it cannot run).
class SmallFilesystem {
 public:
  SmallFilesystem(const std::string& at, size_t bytes) : at_(at) {
    fs::create_directories(at);
    const std::string options = "size=" + std::to_string(bytes) + ",mode=0700";
    if (mount("askio-test", at.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0)
      mounted_ = true;
    else
      error_ = std::strerror(errno);
  }
  ~SmallFilesystem() {
    if (mounted_) umount2(at_.c_str(), MNT_DETACH);
  }
  SmallFilesystem(const SmallFilesystem&) = delete;
  SmallFilesystem& operator=(const SmallFilesystem&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

  // Writes a ballast file until the filesystem refuses another byte.
  void Fill() {
    const int fd = open((at_ + "/ballast").c_str(), O_CREAT | O_WRONLY | O_APPEND, 0600);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    const std::string block(64 << 10, 'x');
    int error = 0;
    for (size_t size : {size_t(64) << 10, size_t(1)}) {
      while (write(fd, block.data(), size) > 0) {
      }
      error = errno;
    }
    close(fd);
    EXPECT_EQ(error, ENOSPC) << std::strerror(error);
  }
  void Free() { fs::remove(at_ + "/ballast"); }

 private:
  std::string at_;
  bool mounted_ = false;
  std::string error_;
};

// The same promise on a real full filesystem: every store (SQLite's WAL,
// Xapian's tables, askio's own files) meets ENOSPC where it happens to,
// and ingestion still fails with "disk full", leaves nothing partial, keeps
// queries working, and resumes in the same process once space is freed.
TEST(DiskFull, RealFilesystemFailsCleanlyAndResumesWithoutRestart) {
  TempDir tmp;
  SmallFilesystem disk(tmp / "disk", 64 << 20);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << disk.error();
  const std::string data = tmp / "disk/data";
  auto kb = OpenKb(data, "kb");
  ASSERT_TRUE(kb->IngestDocuments(Docs(0, 20), IngestOptions{}));
  const int64_t chunks_before = kb->Stats()->chunks;
  disk.Fill();

  IngestOptions options;
  options.batch_size = 4;
  auto full = kb->IngestDocuments(Docs(20, 300), options);
  ASSERT_FALSE(full) << "ingesting 280 documents onto a full filesystem succeeded";
  EXPECT_NE(full.error().message().find("disk full"), std::string::npos) << full.error().message();
  // Nothing partial: what is listed is whole and searchable; queries work.
  auto docs = kb->ListDocuments();
  ASSERT_TRUE(docs) << docs.error().message();
  EXPECT_GE(static_cast<int64_t>(docs->size()), 20);
  for (const DocumentInfo& d : *docs)
    EXPECT_EQ(static_cast<int64_t>(kb->DocumentChunks(d.id)->size()), d.chunk_count) << d.source;
  auto stats = kb->Stats();
  ASSERT_TRUE(stats);
  EXPECT_GE(stats->chunks, chunks_before);
  EXPECT_EQ(LexicalDocCount(kb->path()), stats->chunks);
  auto hits = kb->Search(FixedQueries()[0], SearchOptions{});
  ASSERT_TRUE(hits) << hits.error().message();
  EXPECT_FALSE(hits->empty());

  // Space is freed: the same KB object takes the rest.
  disk.Free();
  auto resumed = kb->IngestDocuments(Docs(20, 300), options);
  ASSERT_TRUE(resumed) << resumed.error().message();
  EXPECT_EQ(kb->Stats()->documents, 300);
  EXPECT_EQ(LexicalDocCount(kb->path()), kb->Stats()->chunks);
  auto clean = OpenKb(tmp / "clean", "kb");
  ASSERT_TRUE(clean->IngestDocuments(Docs(0, 300), IngestOptions{}));
  EXPECT_EQ(TopHitSets(*kb), TopHitSets(*clean));
  // And after a restart, nothing is left to replay or rebuild.
  kb.reset();
  auto reopened = OpenKb(data, "kb");
  EXPECT_TRUE(reopened->Notices().empty());
  EXPECT_EQ(TopHitSets(*reopened), TopHitSets(*clean));
}

// Only the lexical index's filesystem is full: the catalogue commits each
// batch, then Xapian meets ENOSPC. The failure says "disk full"; queries keep
// answering from the last committed index, and never with a document the
// catalogue does not hold; once space is freed, even a retry that finds
// every file unchanged brings the index level (the outbox is replayed).
TEST(DiskFull, FullIndexFilesystemCatchesUpOnTheNextWrite) {
  TempDir tmp;
  const std::string data = tmp / "data";
  const std::string files = tmp / "files";
  for (int k = 0; k < 3; ++k)
    WriteFile(files + "/note-" + std::to_string(k) + ".md", CorpusDoc(900 + k, 0));
  {
    auto kb = OpenKb(data, "kb");
    ASSERT_TRUE(kb->IngestDocuments(Docs(0, 20), IngestOptions{}));
    ASSERT_TRUE(kb->Ingest({files}, IngestOptions{}));
  }
  const std::string lexical = data + "/kb/lexical";
  fs::rename(lexical, lexical + ".before");
  SmallFilesystem disk(lexical, 64 << 20);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << disk.error();
  fs::copy(lexical + ".before", lexical, fs::copy_options::recursive);
  fs::remove_all(lexical + ".before");

  auto kb = OpenKb(data, "kb");
  ASSERT_TRUE(kb->Notices().empty());
  const int64_t indexed_before = LexicalDocCount(kb->path());
  disk.Fill();
  IngestOptions options;
  options.batch_size = 4;
  auto full = kb->IngestDocuments(Docs(20, 300), options);
  ASSERT_FALSE(full) << "indexing 280 documents onto a full filesystem succeeded";
  EXPECT_NE(full.error().message().find("disk full"), std::string::npos) << full.error().message();
  // The catalogue took batches the index could not: the case under test.
  auto stats = kb->Stats();
  ASSERT_TRUE(stats);
  ASSERT_GT(stats->documents, 23);
  EXPECT_EQ(LexicalDocCount(kb->path()), indexed_before);
  for (const std::string& q : FixedQueries()) {
    auto hits = kb->Search(q, SearchOptions{});
    ASSERT_TRUE(hits) << hits.error().message();
    for (const SearchHit& h : *hits) EXPECT_TRUE(kb->GetChunk(h.chunk.id)) << h.chunk.id;
  }

  disk.Free();
  // Nothing new to store: the retry only replays what the index lacks.
  auto retry = kb->Ingest({files}, options);
  ASSERT_TRUE(retry) << retry.error().message();
  EXPECT_EQ(retry->added + retry->replaced, 0);
  EXPECT_EQ(LexicalDocCount(kb->path()), kb->Stats()->chunks);
  ASSERT_TRUE(kb->IngestDocuments(Docs(20, 300), options));
  EXPECT_EQ(kb->Stats()->documents, 303);
  auto clean = OpenKb(tmp / "clean", "kb");
  ASSERT_TRUE(clean->IngestDocuments(Docs(0, 20), IngestOptions{}));
  ASSERT_TRUE(clean->Ingest({files}, IngestOptions{}));
  ASSERT_TRUE(clean->IngestDocuments(Docs(20, 300), IngestOptions{}));
  EXPECT_EQ(TopHitSets(*kb), TopHitSets(*clean));
}

}  // namespace
}  // namespace askio::testing
