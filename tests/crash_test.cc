// Crash safety, measured: askio ingest killed with SIGKILL at random moments
// (Crash.*), and killed by fail points between the catalogue commit and each
// derived-index commit (FailPoints.*). After every crash the KB is opened as
// askio would open it, and must hold every acknowledged document exactly
// once with all its chunks, no half document, indexes level with the
// catalogue, and the same top hits as a clean build. docs/reliability.md.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "askio/maintenance.h"
#include "fake_openai_server.h"
#include "reliability_common.h"

namespace askio::testing {
namespace {

constexpr int kDocs = 300;

int CyclesFromEnv(int fallback) {
  const char* v = std::getenv("ASKIO_CRASH_CYCLES");
  return v && *v ? std::max(1, std::atoi(v)) : fallback;
}

std::vector<std::string> IngestArgs(const std::string& data, const std::string& kb,
                                    const std::string& corpus) {
  return {ASKIO_BINARY, "--data-dir", data, "ingest", "--kb", kb, corpus, "--print-committed"};
}

// Checks one crashed KB against the references of both corpus versions.
// `allowed` maps each acknowledged source to the versions it may hold: the
// one acknowledged last, plus any the corpus was rewritten to since (those
// may be committed without their acknowledgement having been printed).
void VerifyCrashed(const std::string& data, const std::string& kb_name,
                   const std::map<std::string, DocState> (&ref)[2],
                   const std::map<std::string, std::set<int>>& allowed,
                   const std::vector<std::vector<std::string>>* final_hits, int cycle) {
  SCOPED_TRACE("cycle " + std::to_string(cycle));
  const std::string dir = data + "/" + kb_name;
  ASSERT_EQ(IntegrityCheck(dir + "/catalog.sqlite"), "ok");
  auto kb = KnowledgeBase::Open(data, kb_name, KnowledgeBase::OpenMode::kMustExist);
  ASSERT_TRUE(kb) << kb.error().message();
  auto docs = (*kb)->ListDocuments();
  ASSERT_TRUE(docs);
  const auto states = DocStates(**kb);
  EXPECT_EQ(states.size(), docs->size()) << "a source is present more than once";
  int64_t chunks = 0;
  for (const auto& [source, state] : states) {
    chunks += state.chunks;
    const bool v0 = ref[0].count(source) && ref[0].at(source) == state;
    const bool v1 = ref[1].count(source) && ref[1].at(source) == state;
    EXPECT_TRUE(v0 || v1) << source << " is half present: " << state.chunks << " chunks";
    if (auto it = allowed.find(source); it != allowed.end()) {
      const bool ok = (it->second.count(0) && v0) || (it->second.count(1) && v1);
      EXPECT_TRUE(ok) << source << " lost its acknowledged version";
    }
  }
  for (const auto& [source, versions] : allowed)
    EXPECT_TRUE(states.count(source)) << "acknowledged " << source << " is missing";
  auto stats = (*kb)->Stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->chunks, chunks);
  EXPECT_EQ(LexicalDocCount(dir), stats->chunks) << "lexical index not level after open";
  EXPECT_TRUE(HitsAreDistinct(**kb));
  // The recovered index answers like one rebuilt from scratch over the same
  // catalogue.
  const auto recovered = TopHits(**kb);
  ASSERT_TRUE((*kb)->Reindex().ok());
  EXPECT_EQ(recovered, TopHits(**kb)) << "recovered index differs from a clean rebuild";
  if (final_hits) {
    EXPECT_EQ(recovered, *final_hits);
  }
}

TEST(Crash, IngestKilledAtRandomMomentsLosesNothingAcknowledged) {
  const int cycles = CyclesFromEnv(12);
  TempDir tmp;
  const std::string corpus = tmp / "corpus", data = tmp / "data", refs = tmp / "refs";
  // Clean builds of both versions: what every document must look like, and
  // how long a whole uninterrupted run takes (kills land inside it).
  std::map<std::string, DocState> ref[2];
  std::vector<std::vector<std::string>> ref_hits[2];
  double run_seconds = 0;
  for (int v = 0; v < 2; ++v) {
    WriteCorpus(corpus, kDocs, v);
    const auto start = std::chrono::steady_clock::now();
    CommandResult r = RunCommand(IngestArgs(refs, "v" + std::to_string(v), corpus),
                                 {{"ASKIO_DATA_DIR", "\x01unset"}});
    run_seconds =
        std::max(run_seconds,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto kb =
        KnowledgeBase::Open(refs, "v" + std::to_string(v), KnowledgeBase::OpenMode::kMustExist);
    ASSERT_TRUE(kb);
    ref[v] = DocStates(**kb);
    ASSERT_EQ(ref[v].size(), static_cast<size_t>(kDocs));
    ref_hits[v] = TopHits(**kb);
  }
  WriteCorpus(corpus, kDocs, 0);
  int version = 0;
  std::map<std::string, std::set<int>> acked;  // source -> versions it may hold
  std::mt19937_64 rng(20240917);
  std::uniform_real_distribution<double> delay(0.0, run_seconds * 1.1);
  int killed = 0, completed = 0;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    Child child(IngestArgs(data, "crash", corpus), {{"ASKIO_DATA_DIR", "\x01unset"}}, tmp / "out",
                tmp / "err");
    ASSERT_TRUE(child.started());
    const int rc = child.RunFor(std::chrono::microseconds(static_cast<int64_t>(delay(rng) * 1e6)));
    for (const std::string& source : child.Acknowledged()) acked[source] = {version};
    if (rc == -SIGKILL) {
      ++killed;
    } else {
      ASSERT_EQ(rc, 0) << ReadFile(tmp / "err");
      ++completed;
      // A successful run acknowledges every document it was given.
      for (const auto& [source, state] : ref[version]) acked[source] = {version};
    }
    VerifyCrashed(data, "crash", ref, acked, nullptr, cycle);
    if (::testing::Test::HasFailure()) break;
    if (rc == 0) {  // a whole round done: the next rewrites every document
      version = 1 - version;
      WriteCorpus(corpus, kDocs, version);
      for (auto& [source, versions] : acked) versions.insert(version);
    }
  }
  // Finish the round uninterrupted: the KB equals a clean build.
  CommandResult last =
      RunCommand(IngestArgs(data, "crash", corpus), {{"ASKIO_DATA_DIR", "\x01unset"}});
  ASSERT_EQ(last.exit_code, 0) << last.err;
  for (auto& [source, versions] : acked) versions = {version};
  VerifyCrashed(data, "crash", ref, acked, &ref_hits[version], cycles);
  std::printf("[crash] %d cycles: %d killed mid-run, %d completed; %zu documents acknowledged\n",
              cycles, killed, completed, acked.size());
}

// Kills askio at each fail point between the stores, then checks that the
// next open brings the indexes level with no missing or duplicate hits.
TEST(FailPoints, CrashBetweenCatalogueAndIndexCommitsIsRepairedOnOpen) {
  TempDir tmp;
  const std::string corpus = tmp / "corpus", refs = tmp / "refs";
  constexpr int kFew = 150;  // three batches of 64
  WriteCorpus(corpus, kFew, 0);
  ASSERT_EQ(
      RunCommand(IngestArgs(refs, "ref", corpus), {{"ASKIO_DATA_DIR", "\x01unset"}}).exit_code, 0);
  auto ref_kb = KnowledgeBase::Open(refs, "ref", KnowledgeBase::OpenMode::kMustExist);
  ASSERT_TRUE(ref_kb);
  const auto ref_hits = TopHits(**ref_kb);
  const auto ref_states = DocStates(**ref_kb);
  for (const std::string point : {"catalog.after_commit@2", "lexical.after_shard_commit",
                                  "lexical.before_truncate", "catalog.after_commit@3"}) {
    SCOPED_TRACE(point);
    const std::string data = tmp / ("data-" + std::string(point));
    Child child(IngestArgs(data, "kb", corpus),
                {{"ASKIO_DATA_DIR", "\x01unset"}, {"ASKIO_FAILPOINT", point}}, tmp / "out",
                tmp / "err");
    ASSERT_EQ(child.RunFor(std::chrono::minutes(5)), 77) << ReadFile(tmp / "err");
    const auto acked = child.Acknowledged();
    {
      auto kb = KnowledgeBase::Open(data, "kb", KnowledgeBase::OpenMode::kMustExist);
      ASSERT_TRUE(kb) << kb.error().message();
      auto stats = (*kb)->Stats();
      ASSERT_TRUE(stats);
      EXPECT_EQ(LexicalDocCount(data + "/kb"), stats->chunks);
      EXPECT_EQ(stats->index_applied_seq, stats->outbox_seq);
      EXPECT_TRUE(HitsAreDistinct(**kb));
      const auto states = DocStates(**kb);
      for (const std::string& s : acked) EXPECT_TRUE(states.count(s)) << s;
      for (const auto& [source, state] : states) EXPECT_EQ(state, ref_states.at(source));
      const auto recovered = TopHits(**kb);
      ASSERT_TRUE((*kb)->Reindex().ok());
      EXPECT_EQ(recovered, TopHits(**kb));
    }
    CommandResult again =
        RunCommand(IngestArgs(data, "kb", corpus), {{"ASKIO_DATA_DIR", "\x01unset"}});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    auto kb = KnowledgeBase::Open(data, "kb", KnowledgeBase::OpenMode::kMustExist);
    ASSERT_TRUE(kb);
    EXPECT_EQ(TopHits(**kb), ref_hits);
    EXPECT_EQ(DocStates(**kb), ref_states);
  }
}

// The vector index: killed before and after its file is saved, the next open
// with the embedding model brings it level with the stored vectors.
TEST(FailPoints, CrashAroundTheVectorFileIsRepairedOnOpen) {
  FakeOpenAi fake;
  TempDir tmp;
  const std::string corpus = tmp / "corpus";
  WriteCorpus(corpus, 40, 0);
  const std::map<std::string, std::string> env = {{"ASKIO_DATA_DIR", "\x01unset"},
                                                  {"ASKIO_EMBED_BASE_URL", fake.BaseUrl()},
                                                  {"ASKIO_EMBED_MODEL", "fake-model"}};
  for (const std::string point : {"vectors.before_save@2", "vectors.after_save@2"}) {
    SCOPED_TRACE(point);
    const std::string data = tmp / ("data-" + point);
    // A first run builds the vector file; the second replaces half the
    // documents (same chunk count, new chunk ids) and dies at the point.
    ASSERT_EQ(RunCommand(IngestArgs(data, "kb", corpus), env).exit_code, 0);
    WriteCorpus(corpus, 20, 1);
    auto with_fp = env;
    with_fp["ASKIO_FAILPOINT"] = point;
    Child child(IngestArgs(data, "kb", corpus), with_fp, tmp / "out", tmp / "err");
    ASSERT_EQ(child.RunFor(std::chrono::minutes(5)), 77) << ReadFile(tmp / "err");
    {
      auto kb = KnowledgeBase::Open(data, "kb", KnowledgeBase::OpenMode::kMustExist);
      ASSERT_TRUE(kb);
      Models models;
      models.embed = model::MakeOpenAiEmbedder(fake.Config());
      ASSERT_TRUE((*kb)->SetModels(models).ok());
      EXPECT_TRUE(HitsAreDistinct(**kb));
    }
    auto report = Doctor(tmp / ("data-" + point), "kb");
    ASSERT_TRUE(report);
    for (const DoctorFinding& f : report->findings)
      EXPECT_TRUE(f.ok) << f.check << ": " << f.detail;
    WriteCorpus(corpus, 20, 0);
  }
}

}  // namespace
}  // namespace askio::testing
