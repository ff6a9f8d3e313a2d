// The engine: glues catalogue, analysis, lexical index and reader together.
// Data flows one way: files -> loaders -> chunker -> catalogue -> index;
// questions -> analyser -> index -> catalogue -> reader.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <regex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <fnmatch.h>

#include "askio/engine.h"
#include "common/clock.h"
#include "common/failpoint.h"
#include "common/hash.h"
#include "common/utf8.h"
#include "graph/extract.h"
#include "graph/graph_store.h"
#include "index/lexical_index.h"
#include "index/vector_index.h"
#include "ingest/chunker.h"
#include "ingest/loaders.h"
#include "ingest/url_fetch.h"
#include "model/extractive_reader.h"
#include "model/provider.h"
#include "qa/grounding.h"
#include "retrieve/compress.h"
#include "retrieve/fusion.h"
#include "retrieve/question_terms.h"
#include "retrieve/recall.h"
#include "retrieve/snippet.h"
#include "store/catalog.h"
#include "text/sentences.h"

namespace fs = std::filesystem;

namespace askio {
namespace {

constexpr const char* kCatalogFile = "catalog.sqlite";
constexpr const char* kLexicalDir = "lexical";
constexpr const char* kDefaultWeighting = "bm25 k1=1.2 b=0.75";
// Files above this size are refused rather than read into memory.
constexpr uintmax_t kMaxFileBytes = 256ull << 20;
// A batch commits after this many bytes even if it has fewer files.
constexpr uint64_t kMaxBatchBytes = 32ull << 20;

// A document parsed, chunked and analysed, ready to store.
struct PreparedDocument {
  store::NewDocument doc;
  std::vector<text::TermCounts> chunk_terms;
  // The knowledge graph's view of each chunk (empty when the graph is off).
  std::vector<graph::Extraction> chunk_graphs;
};

PreparedDocument Prepare(const ingest::ParsedDocument& parsed, std::string source,
                         std::string fallback_title, std::string hash,
                         const IngestOptions& ingest_options, bool extract_graph) {
  const ChunkOptions& options = ingest_options.chunking;
  PreparedDocument p;
  p.doc.set_tags = !ingest_options.tags.empty();
  p.doc.tags = ingest_options.tags;
  const ingest::LaidOutDocument laid = ingest::LayOut(parsed);
  p.doc.source = std::move(source);
  p.doc.title = parsed.title.empty() ? std::move(fallback_title) : parsed.title;
  p.doc.type = parsed.type;
  p.doc.content_hash = std::move(hash);
  for (const ingest::ChunkSpan& span : ingest::ChunkDocument(laid, options)) {
    store::NewChunk c;
    c.text = laid.text.substr(span.byte_begin, span.byte_end - span.byte_begin);
    c.heading_path = span.heading_path;
    c.page = span.page;
    c.places = span.places;
    c.char_start = span.char_begin;
    c.char_end = span.char_end;
    p.chunk_terms.push_back(index::ChunkTerms(p.doc.title, c.heading_path, c.text));
    // Extraction runs here, on the parser threads, not under the writer lock.
    if (extract_graph) p.chunk_graphs.push_back(graph::ExtractModelFree(c.text));
    p.doc.chunks.push_back(std::move(c));
  }
  p.doc.text = laid.text;
  return p;
}

Result<std::string> ReadFile(const std::string& path, uintmax_t size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(Status::IOError("cannot read " + path + ": " + std::strerror(errno)));
  std::string data(static_cast<size_t>(size), '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  data.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) return Err(Status::IOError("cannot read " + path));
  return data;
}

std::string FileStem(const std::string& path) { return fs::path(path).stem().string(); }

}  // namespace

std::string DefaultDataDir() {
  if (const char* d = std::getenv("ASKIO_DATA_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/askio";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/share/askio";
  return ".askio";
}

Status ValidateKbName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name.front() == '.')
    return Status::InvalidArgument("invalid knowledge base name '" + name +
                                   "': use 1-64 characters from A-Z a-z 0-9 _ . - "
                                   "(not starting with '.')");
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      return Status::InvalidArgument("invalid knowledge base name '" + name +
                                     "': use 1-64 characters from A-Z a-z 0-9 _ . -");
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ListKnowledgeBases(const std::string& data_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(data_dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(data_dir, ec)) {
    // Hidden folders are a restore or replace in progress (maintenance.cc).
    if (entry.is_directory() && fs::exists(entry.path() / kCatalogFile) &&
        !entry.path().filename().string().starts_with("."))
      out.push_back(entry.path().filename().string());
  }
  if (ec) return Err(Status::IOError("cannot list " + data_dir + ": " + ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

Status DeleteKnowledgeBase(const std::string& data_dir, const std::string& name) {
  ASKIO_RETURN_IF_ERROR(ValidateKbName(name));
  const fs::path dir = fs::path(data_dir) / name;
  if (!fs::exists(dir / kCatalogFile))
    return Status::NotFound("knowledge base '" + name + "' does not exist");
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return Status::IOError("cannot delete " + dir.string() + ": " + ec.message());
  return Status::Ok();
}

// A file an ingest run reads, and the source key its documents get.
struct Work {
  std::string path;
  std::string source;
  uintmax_t size;
};

// A read-only view of the KB for one query at a time: its own SQLite
// connection (a WAL snapshot per statement) and its own read-only handle on
// the lexical index, which sees only committed index revisions. Queries run
// on readers, never on the writer's handles, so they neither wait for an
// ingest nor see a document the writer has half applied.
struct Reader {
  std::unique_ptr<store::Catalog> catalog;
  std::optional<graph::GraphStore> graph;        // on `catalog`'s connection, opened on first use
  std::unique_ptr<index::LexicalIndex> lexical;  // null until the index exists
  uint64_t generation = 0;                       // of the index when last reopened
  std::chrono::steady_clock::time_point reopened;
};

class KnowledgeBase::Impl {
 public:
  std::string name, dir;
  // The writer's handles, used under `mu` by ingestion and maintenance.
  std::unique_ptr<store::Catalog> catalog;
  std::unique_ptr<index::LexicalIndex> lexical;
  // The knowledge graph, in the catalogue's database (graph_ tables), written
  // in the same transactions as the chunks it is extracted from.
  std::optional<graph::GraphStore> graph;
  // Whether ingestion keeps the graph current and searches use it (meta
  // "graph" = "on", set by BuildGraph).
  std::atomic<bool> graph_on{false};
  std::mutex mu;  // serialises writers
  text::Analyzer analyzer;
  // Read under readers_mu (SetWeighting changes it while queries run).
  index::Bm25Params bm25;

  // Idle readers, reused across queries; one is opened per concurrent query.
  std::mutex readers_mu;
  std::vector<std::unique_ptr<Reader>> idle_readers;
  // Bumped after every index commit so that readers reopen their handle.
  std::atomic<uint64_t> index_generation{1};
  // Another process (a CLI ingest beside a server) may commit too: readers
  // also reopen when their view is older than this.
  static constexpr std::chrono::milliseconds kReaderMaxAge{1000};

  // A reader level with the latest index commit; give it back with
  // ReleaseReader (ReaderLease does both).
  Result<std::unique_ptr<Reader>> AcquireReader();
  void ReleaseReader(std::unique_ptr<Reader> r);
  // Outbox position applied to the (writable) index, committed or not; -1
  // until the index is opened for writing.
  int64_t index_position = -1;
  int64_t uncommitted_entries = 0;
  static constexpr int64_t kIndexCommitEvery = 2000;
  // Search: BM25 candidates re-ranked by sentence-level coverage.
  static constexpr size_t kRerankDepth = 20;
  static constexpr double kProximityWeight = 1.0;

  std::string LexicalPath() const { return dir + "/" + kLexicalDir; }

  Status OpenIndexes();
  // Whether the lexical index agrees with the catalogue: its document count
  // equals the chunk count, and (when it is small enough to read at every
  // open) Xapian's consistency check passes. kCorruption says what is wrong.
  Status VerifyLexical(const index::LexicalIndex& index);
  // Indexes up to this size are fully checked at open; larger ones only by
  // count (`askio doctor` always checks fully).
  static constexpr uint64_t kCheckAtOpenBytes = 64ull << 20;
  // What opening found wrong with the derived indexes and did about it, in
  // words (KnowledgeBase::Notices).
  std::vector<std::string> notices;
  void Notice(std::string what) { notices.push_back(std::move(what)); }
  Status EnsureWritable();
  // EnsureWritable, then, when the index may be behind the catalogue (a
  // fresh writer, or one dropped after a failed write), the outbox replayed.
  // Every write starts here, so a retry after a full disk that finds every
  // file unchanged still leaves the stored batches searchable.
  Status EnsureLevelWriter();
  // Forgets the writer after a failed index write (its state is not to be
  // trusted: a full disk may have left a commit half done); the next write
  // reopens it and replays the outbox. Returns `failure`.
  Status DropWriter(Status failure);
  enum class CommitPolicy { kNow, kDeferred };
  Status CatchUp(const std::unordered_map<int64_t, const text::TermCounts*>* fresh,
                 CommitPolicy policy = CommitPolicy::kNow);
  Status CommitIndex();
  // Rebuilds the lexical index from the catalogue; a non-empty `why` is
  // recorded as a notice.
  Status Rebuild(const std::string& why = {});
  Result<IngestReport> RunIngest(std::vector<Work> work, IngestReport report,
                                 const Stopwatch& total, const IngestOptions& options,
                                 const ProgressFn& progress);
  // Stores `batch` and deletes the documents named in `remove`, in one
  // catalogue transaction, then brings the index level.
  struct GraphTodo {
    int64_t chunk_id, document_id;
    std::string text, hash;
  };
  Result<std::vector<GraphTodo>> GraphBacklog(const std::string& extractor, int64_t* chunks,
                                              int64_t* cached);
  Result<std::optional<Answer>> RelationAnswer(Reader& reader, const std::string& question,
                                               const SearchFilter& filter);
  // Inside a catalogue transaction: removes from the graph what the chunks
  // deleted since outbox position `since` supported.
  Status ForgetDeletedChunks(int64_t since);
  // Documents an ingest skipped as unchanged still take the tags it gives.
  Status RetagUnchanged(const IngestReport& report, const std::vector<std::string>& tags);
  Status StoreBatch(std::vector<PreparedDocument>& batch, IngestReport& report,
                    std::vector<IngestFileResult*>& results,
                    const std::vector<std::string>& remove = {});
  // Weights each question term by its IDF, so that matching a rare term
  // counts for more than matching a common one.
  static std::vector<retrieve::WeightedTerm> WeightTerms(
      const Reader& reader, const std::vector<text::QueryTerm>& terms) {
    const index::LexicalIndex* lexical = reader.lexical.get();
    const double n = static_cast<double>(std::max<uint64_t>(lexical ? lexical->doc_count() : 0, 1));
    std::vector<retrieve::WeightedTerm> weighted;
    for (const text::QueryTerm& t : terms) {
      const double df = static_cast<double>(lexical ? lexical->term_freq(t.term) : 0);
      const double idf = std::log(1.0 + (n - df + 0.5) / (df + 0.5));
      weighted.push_back({t.term, t.is_bigram, t.weight * idf});
    }
    return weighted;
  }
  Result<std::vector<SearchHit>> SearchWith(Reader& reader, const std::string& query,
                                            const SearchOptions& options,
                                            std::vector<text::QueryTerm>* terms_out);
  Result<Context> ContextFromHits(Reader& reader, const std::vector<SearchHit>& hits,
                                  const std::vector<text::QueryTerm>& terms,
                                  const ContextOptions& options);
  // An answer written by the language model from the retrieved sources,
  // checked against them; the extractive reader's answer when the model is
  // not needed (nothing relevant) or fails.
  Result<Answer> AskModel(Reader& reader, const std::string& question, const AskOptions& options,
                          std::vector<SearchHit>* retrieved);

  // Models (SetModels). Read by queries under models_mu (shared), swapped
  // under it (exclusive).
  mutable std::shared_mutex models_mu;
  Models models;
  // The dense index, searched under models_mu (shared) and changed by the
  // writer under models_mu (exclusive).
  std::unique_ptr<index::VectorIndex> vectors;
  // Writer-only bookkeeping of what the dense index holds.
  std::unordered_set<int64_t> indexed_ids;
  bool indexed_ids_known = false;
  std::string VectorPath() const { return dir + "/vectors.faiss"; }
  // Under mu: embeds chunks without a vector and brings the dense index
  // level with the catalogue.
  Status SyncVectors(EmbedReport* report, const EmbedProgressFn& progress = {});
  // After an ingest run (under mu): embeds its chunks; a model failure is
  // reported, not fatal — the chunks are stored and lexically searchable.
  void EmbedAfterIngest(IngestReport& report) {
    EmbedReport er;
    Status s = SyncVectors(&er);
    report.embedded = er.embedded;
    if (!s.ok()) report.embed_error = s.message();
  }
  // Runs `fn(reader)` on a reader acquired for the call.
  template <typename Fn>
  auto WithReader(Fn&& fn) -> decltype(fn(std::declval<Reader&>())) {
    auto reader = AcquireReader();
    if (!reader) return Err(reader.error());
    auto result = fn(**reader);
    ReleaseReader(std::move(*reader));
    return result;
  }
};

namespace {

// Reopens until every shard shows the same commit: shards commit one after
// another, and a reader that caught the gap would see part of a batch.
Status ReopenConsistently(index::LexicalIndex& lexical) {
  for (int attempt = 0;; ++attempt) {
    ASKIO_RETURN_IF_ERROR(lexical.Reopen());
    if (lexical.shards_agree() || attempt >= 1000) return Status::Ok();
    std::this_thread::yield();
  }
}

}  // namespace

Result<std::unique_ptr<Reader>> KnowledgeBase::Impl::AcquireReader() {
  std::unique_ptr<Reader> r;
  {
    std::lock_guard<std::mutex> lock(readers_mu);
    if (!idle_readers.empty()) {
      r = std::move(idle_readers.back());
      idle_readers.pop_back();
    }
  }
  const auto now = std::chrono::steady_clock::now();
  const uint64_t generation = index_generation.load();
  if (!r) {
    r = std::make_unique<Reader>();
    auto cat = store::Catalog::Open(dir + "/" + kCatalogFile);
    if (!cat) return Err(cat.error());
    r->catalog = std::move(*cat);
    auto g = graph::GraphStore::Open(r->catalog->connection());
    if (!g) return Err(g.error());
    r->graph.emplace(std::move(*g));
  } else if (r->lexical && (r->generation != generation || now - r->reopened > kReaderMaxAge)) {
    Status s = ReopenConsistently(*r->lexical);
    if (!s.ok()) r->lexical.reset();  // opened afresh below
    r->generation = generation;
    r->reopened = now;
  }
  if (!r->lexical) {
    auto ro = index::LexicalIndex::Open(LexicalPath(), index::LexicalIndex::Mode::kReadOnly);
    if (ro) {
      r->lexical = std::move(*ro);
      ASKIO_RETURN_IF_ERROR(ReopenConsistently(*r->lexical));
    } else if (ro.error().code() != StatusCode::kNotFound) {
      return Err(ro.error());
    }
    r->generation = generation;
    r->reopened = now;
  }
  return r;
}

void KnowledgeBase::Impl::ReleaseReader(std::unique_ptr<Reader> r) {
  std::lock_guard<std::mutex> lock(readers_mu);
  // Readers beyond the peak concurrency are not worth their file handles.
  if (idle_readers.size() < 64) idle_readers.push_back(std::move(r));
}

// Opens the lexical index read-only when it is level with the catalogue and
// passes VerifyLexical; otherwise writable, to replay the outbox or, when it
// is damaged, rebuild it.
Status KnowledgeBase::Impl::OpenIndexes() {
  auto latest = catalog->LatestOutboxSeq();
  if (!latest) return latest.error();
  std::string damage;
  auto ro = index::LexicalIndex::Open(LexicalPath(), index::LexicalIndex::Mode::kReadOnly);
  // A level index of the current layout that passes VerifyLexical serves as
  // it is; otherwise the writer brings it level (or rebuilds it).
  if (ro && (*ro)->applied_seq() == *latest && (*ro)->layout() >= index::kLexicalLayout) {
    Status v = VerifyLexical(**ro);
    if (v.ok()) {
      lexical = std::move(*ro);
      return Status::Ok();
    }
    damage = v.message();
  } else if (!ro && ro.error().code() == StatusCode::kCorruption) {
    damage = ro.error().message();
  }
  ro = {};
  Status s = EnsureWritable();
  if (!s.ok()) {
    if (s.code() == StatusCode::kCorruption)
      return Rebuild("the lexical index is damaged (" + s.message() + ")");
    // Another process holds the writer (it is ingesting and will bring the
    // index level itself): serve what the index has. Hits are still checked
    // against the catalogue, so nothing half-written is ever shown.
    auto again = index::LexicalIndex::Open(LexicalPath(), index::LexicalIndex::Mode::kReadOnly);
    if (!again) return s;
    if (!damage.empty())
      Notice("the lexical index looks damaged (" + damage +
             ") but another askio process holds it; not rebuilt now");
    lexical = std::move(*again);
    return Status::Ok();
  }
  if (!damage.empty()) return Rebuild("the lexical index is damaged (" + damage + ")");
  const int64_t applied = lexical->applied_seq();
  s = CatchUp(nullptr);
  if (s.code() == StatusCode::kCorruption)
    return Rebuild("the lexical index is damaged (" + s.message() + ")");
  if (s.ok() && applied >= 0 && applied < *latest && index_position == *latest)
    Notice("the lexical index was behind the catalogue (a run was interrupted): replayed " +
           std::to_string(*latest - applied) + " outbox entries");
  return s;
}

Status KnowledgeBase::Impl::VerifyLexical(const index::LexicalIndex& index) {
  auto counts = catalog->CountAll();
  if (!counts) return counts.error();
  if (static_cast<int64_t>(index.doc_count()) != counts->chunks)
    return Status::Corruption("it holds " + std::to_string(index.doc_count()) +
                              " chunks, the catalogue " + std::to_string(counts->chunks));
  if (index::LexicalIndex::DiskBytes(LexicalPath()) <= kCheckAtOpenBytes) {
    Status s = index::LexicalIndex::Check(LexicalPath());
    if (s.code() == StatusCode::kCorruption) return s;
  }
  return Status::Ok();
}

Status KnowledgeBase::Impl::EnsureWritable() {
  if (lexical && lexical->writable()) return Status::Ok();
  lexical.reset();
  index_position = -1;
  auto w = index::LexicalIndex::Open(LexicalPath(), index::LexicalIndex::Mode::kWritable);
  if (!w) return w.error();
  lexical = std::move(*w);
  return Status::Ok();
}

Status KnowledgeBase::Impl::EnsureLevelWriter() {
  const bool maybe_behind = !lexical || !lexical->writable() || index_position < 0;
  ASKIO_RETURN_IF_ERROR(EnsureWritable());
  return maybe_behind ? CatchUp(nullptr) : Status::Ok();
}

Status KnowledgeBase::Impl::DropWriter(Status failure) {
  lexical.reset();
  index_position = -1;
  uncommitted_entries = 0;
  return failure;
}

// Applies outbox entries the index has not seen. `fresh` holds terms already
// computed for just-stored chunks, to avoid analysing them twice.
//
// Xapian commits cost time proportional to what changed, plus a fixed part,
// so during bulk ingestion the index commits every kIndexCommitEvery entries
// (and always at the end of a run); until then the outbox keeps the
// uncommitted part replayable.
Status KnowledgeBase::Impl::CatchUp(
    const std::unordered_map<int64_t, const text::TermCounts*>* fresh, CommitPolicy policy) {
  ASKIO_RETURN_IF_ERROR(EnsureWritable());
  auto latest = catalog->LatestOutboxSeq();
  if (!latest) return latest.error();
  if (index_position < 0) {
    const int64_t applied = lexical->applied_seq();
    if (applied < 0 || applied > *latest)  // unreadable or from another catalogue
      return Rebuild(applied < 0 ? "the lexical index has no readable position"
                                 : "the lexical index is ahead of the catalogue");
    // An index from before document terms cannot filter: rebuild it once.
    // (An empty new index has no layout record yet: its first commit stamps it.)
    if (lexical->layout() < index::kLexicalLayout && lexical->doc_count() > 0)
      return Rebuild("the lexical index predates document terms (layout 1)");
    if (applied < *latest) {
      auto first = catalog->OutboxAfter(applied, 1);
      if (!first) return first.error();
      // The outbox was truncated past where this index stopped: replay cannot
      // bring it level, so rebuild.
      if (first->empty() || first->front().seq != applied + 1)
        return Rebuild("the outbox no longer holds what the lexical index lacks");
    }
    index_position = applied;
  }
  // Consecutive adds go to the index as one batch (indexed on all shards in
  // parallel); a delete first flushes the adds before it, keeping order.
  std::vector<std::pair<int64_t, const text::TermCounts*>> adds;
  std::deque<text::TermCounts> loaded;  // terms of chunks read back from the catalogue
  auto flush_adds = [&]() -> Status {
    Status s = lexical->AddBatch(adds);
    adds.clear();
    loaded.clear();
    return s.ok() ? s : DropWriter(s);
  };
  while (index_position < *latest) {
    auto entries = catalog->OutboxAfter(index_position, 4096);
    if (!entries) return entries.error();
    if (entries->empty()) break;
    for (const store::OutboxEntry& e : *entries) {
      if (e.op == store::OutboxOp::kDelete) {
        ASKIO_RETURN_IF_ERROR(flush_adds());
        if (Status s = lexical->Remove(e.chunk_id); !s.ok()) return DropWriter(s);
      } else if (auto it = fresh ? fresh->find(e.chunk_id) : decltype(fresh->end()){};
                 fresh && it != fresh->end()) {
        adds.emplace_back(e.chunk_id, it->second);
      } else {
        auto chunk = catalog->GetIndexableChunk(e.chunk_id);
        if (!chunk) return chunk.error();
        // A chunk added then deleted later in the outbox: nothing to add.
        if (*chunk) {
          loaded.push_back(
              index::ChunkTerms((*chunk)->title, (*chunk)->heading_path, (*chunk)->text));
          index::AddDocumentTerm(loaded.back(), (*chunk)->document_id);
          adds.emplace_back(e.chunk_id, &loaded.back());
        }
      }
      index_position = e.seq;
      ++uncommitted_entries;
    }
    ASKIO_RETURN_IF_ERROR(flush_adds());
  }
  if (policy == CommitPolicy::kDeferred && uncommitted_entries < kIndexCommitEvery)
    return Status::Ok();
  return CommitIndex();
}

Status KnowledgeBase::Impl::CommitIndex() {
  if (!lexical || !lexical->writable() || index_position < 0) return Status::Ok();
  if (uncommitted_entries == 0 && lexical->applied_seq() == index_position) return Status::Ok();
  if (Status s = lexical->Commit(index_position); !s.ok()) return DropWriter(s);
  uncommitted_entries = 0;
  ++index_generation;
  ASKIO_FAILPOINT("lexical.before_truncate");
  ASKIO_RETURN_IF_ERROR(catalog->TruncateOutbox(index_position));
  auto counts = catalog->CountAll();
  if (!counts) return counts.error();
  // Replay left the index disagreeing with the catalogue: rebuild.
  if (static_cast<int64_t>(lexical->doc_count()) != counts->chunks)
    return Rebuild("after replay the lexical index holds " + std::to_string(lexical->doc_count()) +
                   " chunks, the catalogue " + std::to_string(counts->chunks));
  return Status::Ok();
}

Status KnowledgeBase::Impl::Rebuild(const std::string& why) {
  if (!why.empty()) Notice(why + ": rebuilding it from the catalogue");
  lexical.reset();
  index_position = -1;
  uncommitted_entries = 0;
  std::error_code ec;
  fs::remove_all(LexicalPath(), ec);
  if (ec) return Status::IOError("cannot remove " + LexicalPath() + ": " + ec.message());
  ASKIO_RETURN_IF_ERROR(EnsureWritable());
  auto latest = catalog->LatestOutboxSeq();
  if (!latest) return latest.error();
  // Index in batches so that all shards work at once and memory stays
  // bounded; the position is recorded only at the end, so a crash mid-way
  // means another rebuild.
  std::vector<int64_t> ids;
  std::vector<text::TermCounts> terms;
  std::vector<std::pair<int64_t, const text::TermCounts*>> batch;
  int64_t since_commit = 0;
  auto flush = [&]() -> Status {
    batch.clear();
    for (size_t i = 0; i < terms.size(); ++i) batch.emplace_back(ids[i], &terms[i]);
    Status s = lexical->AddBatch(batch);
    since_commit += static_cast<int64_t>(terms.size());
    terms.clear();
    ids.clear();
    if (s.ok() && since_commit >= kIndexCommitEvery) {
      since_commit = 0;
      s = lexical->Commit(0);
    }
    return s;
  };
  ASKIO_RETURN_IF_ERROR(catalog->ForEachIndexableChunk([&](store::IndexableChunk&& c) -> Status {
    ids.push_back(c.id);
    terms.push_back(index::ChunkTerms(c.title, c.heading_path, c.text));
    index::AddDocumentTerm(terms.back(), c.document_id);
    return terms.size() >= 1024 ? flush() : Status::Ok();
  }));
  ASKIO_RETURN_IF_ERROR(flush());
  ASKIO_RETURN_IF_ERROR(lexical->Commit(*latest));
  index_position = *latest;
  uncommitted_entries = 0;
  ++index_generation;
  return catalog->TruncateOutbox(*latest);
}

// Stores a batch in one catalogue transaction, then brings the index level.
Status KnowledgeBase::Impl::StoreBatch(std::vector<PreparedDocument>& batch, IngestReport& report,
                                       std::vector<IngestFileResult*>& results,
                                       const std::vector<std::string>& remove) {
  if (batch.empty() && remove.empty()) return Status::Ok();
  Stopwatch sw;
  ASKIO_RETURN_IF_ERROR(catalog->Begin());
  auto outbox_before = catalog->LatestOutboxSeq();
  if (!outbox_before) {
    catalog->Rollback();
    return outbox_before.error();
  }
  for (const std::string& source : remove) {
    if (auto r = catalog->DeleteDocumentBySource(source); !r) {
      catalog->Rollback();
      return r.error();
    }
  }
  std::unordered_map<int64_t, const text::TermCounts*> fresh;
  struct GraphUpdate {
    int64_t chunk_id, document_id;
    const std::string* text;
    const graph::Extraction* extraction;
  };
  std::vector<GraphUpdate> graph_updates;
  for (size_t i = 0; i < batch.size(); ++i) {
    bool replaced = false;
    int64_t document_id = 0;
    auto ids = catalog->PutDocument(batch[i].doc, &replaced, &document_id);
    if (!ids) {
      catalog->Rollback();
      return ids.error();
    }
    for (size_t k = 0; k < ids->size(); ++k) {
      index::AddDocumentTerm(batch[i].chunk_terms[k], document_id);
      fresh[(*ids)[k]] = &batch[i].chunk_terms[k];
      if (k < batch[i].chunk_graphs.size())
        graph_updates.push_back(
            {(*ids)[k], document_id, &batch[i].doc.chunks[k].text, &batch[i].chunk_graphs[k]});
    }
    if (results[i]) {
      results[i]->outcome =
          replaced ? IngestFileResult::Outcome::kReplaced : IngestFileResult::Outcome::kAdded;
      results[i]->chunks = static_cast<int64_t>(ids->size());
    }
    ++(replaced ? report.replaced : report.added);
    report.chunks += static_cast<int64_t>(ids->size());
  }
  // The graph follows the chunks in the same transaction: first what the
  // replaced and removed chunks supported goes, then the new chunks' rows.
  Status s = ForgetDeletedChunks(*outbox_before);
  for (size_t i = 0; s.ok() && i < graph_updates.size(); ++i) {
    const GraphUpdate& u = graph_updates[i];
    s = graph->UpdateChunk(u.chunk_id, u.document_id, ContentHash(*u.text), *u.text, *u.extraction);
  }
  if (!s.ok()) {
    catalog->Rollback();
    return s;
  }
  s = catalog->Commit();
  if (!s.ok()) {
    catalog->Rollback();
    return s;
  }
  report.store_seconds += sw.Seconds();
  sw.Reset();
  ASKIO_FAILPOINT("catalog.after_commit");
  // The catalogue has the batch; if indexing fails now, the outbox replays it
  // at the next open.
  s = CatchUp(&fresh, CommitPolicy::kDeferred);
  report.index_seconds += sw.Seconds();
  return s;
}

Status KnowledgeBase::Impl::ForgetDeletedChunks(int64_t since) {
  std::vector<int64_t> deleted;
  for (;;) {
    auto entries = catalog->OutboxAfter(since, 4096);
    if (!entries) return entries.error();
    if (entries->empty()) break;
    for (const store::OutboxEntry& e : *entries)
      if (e.op == store::OutboxOp::kDelete) deleted.push_back(e.chunk_id);
    since = entries->back().seq;
  }
  return deleted.empty() ? Status::Ok() : graph->RemoveChunks(deleted);
}

Status KnowledgeBase::Impl::RetagUnchanged(const IngestReport& report,
                                           const std::vector<std::string>& tags) {
  if (tags.empty()) return Status::Ok();
  std::vector<std::string> sources;
  for (const IngestFileResult& f : report.files)
    if (f.outcome == IngestFileResult::Outcome::kUnchanged) sources.push_back(f.path);
  if (sources.empty()) return Status::Ok();
  ASKIO_RETURN_IF_ERROR(catalog->Begin());
  for (const std::string& source : sources) {
    auto id = catalog->FindDocument(source);
    Status s = id ? (*id ? catalog->SetTags(**id, tags) : Status::Ok()) : id.error();
    if (!s.ok()) {
      catalog->Rollback();
      return s;
    }
  }
  return catalog->Commit();
}

KnowledgeBase::KnowledgeBase(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KnowledgeBase::~KnowledgeBase() {
  // Deferred index work becomes durable here; if this fails the outbox
  // replays it at the next open.
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->CommitIndex();
}
const std::string& KnowledgeBase::name() const { return impl_->name; }
const std::string& KnowledgeBase::path() const { return impl_->dir; }
std::vector<std::string> KnowledgeBase::Notices() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->notices;
}

Result<std::unique_ptr<KnowledgeBase>> KnowledgeBase::Open(const std::string& data_dir,
                                                           const std::string& name, OpenMode mode) {
  ASKIO_RETURN_IF_ERROR(ValidateKbName(name));
  auto impl = std::make_unique<Impl>();
  impl->name = name;
  impl->dir = (fs::path(data_dir) / name).string();
  const std::string catalog_path = impl->dir + "/" + kCatalogFile;
  std::error_code ec;
  if (!fs::exists(catalog_path, ec)) {
    if (mode == OpenMode::kMustExist)
      return Err(Status::NotFound("knowledge base '" + name + "' does not exist in " + data_dir +
                                  " (askio kb list shows the existing ones)"));
    fs::create_directories(impl->dir, ec);
    if (ec) return Err(Status::IOError("cannot create " + impl->dir + ": " + ec.message()));
  }
  auto catalog = store::Catalog::Open(catalog_path);
  if (!catalog) return Err(catalog.error());
  impl->catalog = std::move(*catalog);
  auto graph_store = graph::GraphStore::Open(impl->catalog->connection());
  if (!graph_store) return Err(graph_store.error());
  impl->graph.emplace(std::move(*graph_store));
  auto graph_setting = impl->catalog->GetMeta("graph");
  if (!graph_setting) return Err(graph_setting.error());
  impl->graph_on = *graph_setting && **graph_setting == "on";

  // The analysis scheme and weighting are recorded with the KB; an index
  // built with another analyser is rebuilt rather than searched wrongly.
  auto scheme = impl->catalog->GetMeta("analyzer");
  if (!scheme) return Err(scheme.error());
  bool rebuild = false;
  if (!*scheme || **scheme != text::Analyzer::kScheme) {
    ASKIO_RETURN_IF_ERROR(impl->catalog->SetMeta("analyzer", std::string(text::Analyzer::kScheme)));
    rebuild = scheme->has_value();
  }
  auto weighting = impl->catalog->GetMeta("weighting");
  if (!weighting) return Err(weighting.error());
  if (!*weighting) {
    ASKIO_RETURN_IF_ERROR(impl->catalog->SetMeta("weighting", kDefaultWeighting));
    *weighting = kDefaultWeighting;
  }
  auto params = index::Bm25Params::Parse(**weighting);
  if (!params) return Err(params.error());
  impl->bm25 = *params;

  if (rebuild) {
    ASKIO_RETURN_IF_ERROR(impl->Rebuild("the analysis scheme changed"));
  } else {
    ASKIO_RETURN_IF_ERROR(impl->OpenIndexes());
  }
  return std::unique_ptr<KnowledgeBase>(new KnowledgeBase(std::move(impl)));
}

namespace {

// Shell-glob filter for folder walks (IngestOptions::include/exclude).
class PathFilter {
 public:
  PathFilter(const std::vector<std::string>& include, const std::vector<std::string>& exclude)
      : include_(include), exclude_(exclude) {}

  bool Excluded(const fs::path& relative) const { return AnyMatch(exclude_, relative); }
  bool Included(const fs::path& relative) const {
    return include_.empty() || AnyMatch(include_, relative);
  }

 private:
  static bool AnyMatch(const std::vector<std::string>& globs, const fs::path& relative) {
    const std::string rel = relative.generic_string();
    const std::string name = relative.filename().string();
    for (const std::string& g : globs) {
      const std::string& subject = g.find('/') == std::string::npos ? name : rel;
      if (fnmatch(g.c_str(), subject.c_str(), 0) == 0) return true;
    }
    return false;
  }
  const std::vector<std::string>& include_;
  const std::vector<std::string>& exclude_;
};

ingest::LoadOptions LoadOptionsFrom(const IngestOptions& o) {
  ingest::LoadOptions l;
  l.ocr = o.ocr;
  l.ocr_languages = o.ocr_languages;
  l.time_budget_seconds = o.file_time_budget_seconds;
  l.archive.max_member_bytes = o.max_file_bytes;
  l.archive.max_total_bytes = o.max_archive_bytes;
  l.archive.max_members = o.max_archive_members;
  l.max_archive_depth = o.max_archive_depth;
  return l;
}

// The file name an archive member or file is titled by when it has no title.
std::string FallbackTitle(const std::string& source) {
  const size_t bang = source.rfind("!/");
  return FileStem(bang == std::string::npos ? source : source.substr(bang + 2));
}

// "https://user:secret@host/x" -> "https://host/x": sources are shown to
// every reader of the KB.
std::string WithoutCredentials(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const size_t host = scheme + 3;
  const size_t end = url.find_first_of("/?#", host);
  const size_t at = url.rfind('@', end == std::string::npos ? url.size() : end);
  if (at == std::string::npos || at < host) return url;
  return url.substr(0, host) + url.substr(at + 1);
}

// "Already stored with this content?", answered from a snapshot of the
// catalogue's hashes so that parser threads never touch the catalogue.
ingest::UnchangedFn UnchangedIn(const std::unordered_map<std::string, std::string>& known) {
  return [&known](const std::string& source, const std::string& hash) {
    const auto it = known.find(source);
    return it != known.end() && it->second == hash;
  };
}

// One loaded document's outcome, and the document ready to store if parsed.
struct Item {
  IngestFileResult result;
  std::optional<PreparedDocument> prepared;
};

Item ToItem(ingest::LoadedItem&& loaded, const IngestOptions& options, bool extract_graph,
            const std::string& fallback_title = {}) {
  Item it;
  IngestFileResult& r = it.result;
  r.path = loaded.source;
  r.type = ingest::FileTypeName(loaded.type);
  r.bytes = static_cast<int64_t>(loaded.bytes);
  r.seconds = loaded.seconds;
  switch (loaded.state) {
    case ingest::LoadedItem::State::kFailed:
      r.outcome = IngestFileResult::Outcome::kFailed;
      r.error = std::move(loaded.error);
      break;
    case ingest::LoadedItem::State::kUnchanged:
      r.outcome = IngestFileResult::Outcome::kUnchanged;
      break;
    case ingest::LoadedItem::State::kParsed:
      r.type = loaded.doc.type;
      r.pages = loaded.doc.pages;
      it.prepared = Prepare(loaded.doc, loaded.source,
                            fallback_title.empty() ? FallbackTitle(loaded.source) : fallback_title,
                            std::move(loaded.hash), options, extract_graph);
      break;
  }
  return it;
}

// Adds a file's outcome to the run's report (after it is stored).
void Tally(IngestFileResult&& r, IngestReport& report) {
  IngestTypeSummary& t = report.by_type[r.type];
  ++t.files;
  t.pages += r.pages;
  t.chunks += r.chunks;
  t.seconds += r.seconds;
  report.pages += r.pages;
  if (r.outcome == IngestFileResult::Outcome::kFailed) {
    ++t.failed;
    ++report.failed;
  } else if (r.outcome == IngestFileResult::Outcome::kUnchanged) {
    ++report.unchanged;
  }
  report.files.push_back(std::move(r));
}

}  // namespace

Status ValidateTags(const std::vector<std::string>& tags) {
  constexpr size_t kMaxTags = 64, kMaxTagBytes = 100;
  if (tags.size() > kMaxTags)
    return Status::InvalidArgument("at most " + std::to_string(kMaxTags) + " tags per document");
  for (const std::string& t : tags) {
    if (t.empty() || t.size() > kMaxTagBytes)
      return Status::InvalidArgument("a tag must have 1 to " + std::to_string(kMaxTagBytes) +
                                     " bytes: \"" + t.substr(0, kMaxTagBytes) + "\"");
    for (unsigned char c : t)
      if (c < 0x20 || c == 0x7f)
        return Status::InvalidArgument("a tag may not contain control characters");
  }
  return Status::Ok();
}

Result<IngestReport> KnowledgeBase::Ingest(const std::vector<std::string>& paths,
                                           const IngestOptions& options,
                                           const ProgressFn& progress) {
  ASKIO_RETURN_IF_ERROR(ingest::ValidateChunkOptions(options.chunking));
  ASKIO_RETURN_IF_ERROR(ValidateTags(options.tags));
  Stopwatch total;
  IngestReport report;
  const ingest::LoadOptions load_options = LoadOptionsFrom(options);

  // 1. Collect files. Folders recurse; hidden entries, files of types askio
  // does not read and files the include/exclude globs leave out are skipped
  // silently. A file named directly is always tried: its content decides.
  std::vector<Work> work;
  auto fail = [&report](std::string path, std::string why) {
    IngestFileResult r{std::move(path), IngestFileResult::Outcome::kFailed, std::move(why)};
    r.type = "unknown";
    ++report.by_type[r.type].files;
    ++report.by_type[r.type].failed;
    report.files.push_back(std::move(r));
    ++report.failed;
  };
  const PathFilter filter(options.include, options.exclude);
  for (const std::string& p : paths) {
    std::error_code ec;
    const fs::path abs = fs::absolute(p, ec).lexically_normal();
    const fs::file_status st = fs::status(abs, ec);
    if (ec || !fs::exists(st)) {
      fail(p, "no such file or directory");
      continue;
    }
    if (fs::is_directory(st)) {
      fs::recursive_directory_iterator it(abs, fs::directory_options::skip_permission_denied, ec),
          end;
      for (; !ec && it != end; it.increment(ec)) {
        const std::string fname = it->path().filename().string();
        const fs::path relative = it->path().lexically_relative(abs);
        if ((!fname.empty() && fname[0] == '.') || filter.Excluded(relative)) {
          if (it->is_directory()) it.disable_recursion_pending();
          continue;
        }
        // Symbolic links are not followed out of the tree.
        if (it->is_symlink()) {
          const fs::path target = fs::weakly_canonical(it->path(), ec);
          const fs::path root = fs::weakly_canonical(abs, ec);
          if (ec || target.string().rfind(root.string() + "/", 0) != 0) {
            ec.clear();
            if (it->is_directory()) it.disable_recursion_pending();
            continue;
          }
        }
        if (!it->is_regular_file() ||
            ingest::TypeFromExtension(it->path().string()) == ingest::FileType::kUnknown ||
            !filter.Included(relative))
          continue;
        work.push_back({it->path().string(), it->path().string(), it->file_size()});
      }
      if (ec) fail(p, "cannot walk folder: " + ec.message());
      continue;
    }
    // A FIFO or device has no size and may never end: refuse it by name.
    if (!fs::is_regular_file(st)) {
      fail(abs.string(), "not a regular file");
      continue;
    }
    work.push_back({abs.string(), abs.string(), fs::file_size(abs, ec)});
  }
  std::sort(work.begin(), work.end(), [](const Work& a, const Work& b) { return a.path < b.path; });
  work.erase(std::unique(work.begin(), work.end(),
                         [](const Work& a, const Work& b) { return a.path == b.path; }),
             work.end());

  return impl_->RunIngest(std::move(work), std::move(report), total, options, progress);
}

Result<IngestReport> KnowledgeBase::IngestFiles(const std::vector<FileInput>& files,
                                                const IngestOptions& options,
                                                const ProgressFn& progress) {
  ASKIO_RETURN_IF_ERROR(ingest::ValidateChunkOptions(options.chunking));
  ASKIO_RETURN_IF_ERROR(ValidateTags(options.tags));
  Stopwatch total;
  std::vector<Work> work;
  for (const FileInput& f : files) {
    if (f.source.empty()) return Err(Status::InvalidArgument("a file to ingest has no source"));
    std::error_code ec;
    const uintmax_t size = fs::file_size(f.path, ec);
    if (ec) return Err(Status::NotFound("cannot read " + f.path + ": " + ec.message()));
    work.push_back({f.path, f.source, size});
  }
  return impl_->RunIngest(std::move(work), IngestReport{}, total, options, progress);
}

// 2. and 3. of an ingest run, on the files collected.
Result<IngestReport> KnowledgeBase::Impl::RunIngest(std::vector<Work> work, IngestReport report,
                                                    const Stopwatch& total,
                                                    const IngestOptions& options,
                                                    const ProgressFn& progress) {
  const ingest::LoadOptions load_options = LoadOptionsFrom(options);
  std::lock_guard<std::mutex> lock(mu);
  ASKIO_RETURN_IF_ERROR(EnsureLevelWriter());
  // Workers compare content hashes against this snapshot instead of sharing
  // the catalogue connection.
  auto known_hashes = catalog->AllHashes();
  if (!known_hashes) return Err(known_hashes.error());
  // A forced run parses everything again, changed or not.
  const ingest::UnchangedFn unchanged =
      options.force ? ingest::UnchangedFn{} : UnchangedIn(*known_hashes);

  IngestProgress prog;
  prog.files_total = work.size();
  for (const Work& w : work) prog.bytes_total += w.size;

  // 2. Prepare files in parallel (read, detect, parse, chunk, analyse), one
  // batch ahead of the writer: while this thread stores batch N in one
  // catalogue transaction and indexes it, workers prepare batch N+1.
  struct Batch {
    std::vector<std::vector<Item>> items;  // per file
    // Documents from members an archive no longer has.
    std::vector<std::string> stale;
    uint64_t bytes = 0;  // of the files read (an archive counts once)
    double seconds = 0;
  };
  const size_t threads = options.jobs > 0
                             ? options.jobs
                             : std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::atomic<size_t> files_done{0};
  std::atomic<uint64_t> bytes_done{0}, pages_done{0};
  const bool extract_graph = graph_on;
  auto prepare_file = [&](const Work& w) {
    std::vector<Item> items;
    auto failed = [&](std::string why) {
      Item it;
      it.result = {w.source, IngestFileResult::Outcome::kFailed, std::move(why)};
      it.result.type = ingest::FileTypeName(ingest::TypeFromExtension(w.path));
      it.result.bytes = static_cast<int64_t>(w.size);
      items.push_back(std::move(it));
    };
    if (w.size > options.max_file_bytes) {
      failed("file too large (" + std::to_string(w.size >> 20) + " MiB; limit " +
             std::to_string(options.max_file_bytes >> 20) + " MiB)");
      return items;
    }
    auto data = ReadFile(w.path, w.size);
    if (!data) {
      failed(data.error().message());
      return items;
    }
    for (ingest::LoadedItem& loaded : ingest::LoadFile(*data, w.source, load_options, unchanged)) {
      items.push_back(ToItem(std::move(loaded), options, extract_graph));
      pages_done += static_cast<uint64_t>(items.back().result.pages);
    }
    return items;
  };
  auto prepare_batch = [&](size_t begin, size_t end) {
    Stopwatch sw;
    Batch batch;
    const size_t count = end - begin;
    batch.items.resize(count);
    std::atomic<size_t> cursor{0};
    auto worker = [&] {
      for (size_t i; (i = cursor.fetch_add(1)) < count;) {
        batch.items[i] = prepare_file(work[begin + i]);
        bytes_done += work[begin + i].size;
        ++files_done;
      }
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < std::min(threads, count); ++t) pool.emplace_back(worker);
    worker();
    for (std::thread& t : pool) t.join();
    for (size_t i = begin; i < end; ++i) batch.bytes += work[i].size;
    // An archive read again: members it no longer has leave the KB.
    for (size_t i = 0; i < count; ++i) {
      const std::vector<Item>& items = batch.items[i];
      if (items.empty() || items.front().result.path.find("!/") == std::string::npos) continue;
      const std::string prefix = work[begin + i].source + "!/";
      std::unordered_set<std::string> present;
      for (const Item& it : items) present.insert(it.result.path);
      for (const auto& [source, hash] : *known_hashes)
        if (source.starts_with(prefix) && !present.count(source)) batch.stale.push_back(source);
    }
    batch.seconds = sw.Seconds();
    return batch;
  };
  auto next_batch_end = [&](size_t begin) {
    size_t end = begin;
    uint64_t bytes = 0;
    while (end < work.size() && end - begin < std::max<size_t>(options.batch_size, 1) &&
           bytes < kMaxBatchBytes)
      bytes += work[end++].size;
    return end;
  };
  auto report_progress = [&](std::vector<std::string> committed = {}) {
    if (!progress) return;
    IngestProgress p = prog;
    p.committed = std::move(committed);
    p.files_done = files_done;
    p.bytes_done = bytes_done;
    p.pages_done = pages_done;
    progress(p);
  };

  size_t begin = 0, end = next_batch_end(0);
  std::future<Batch> pending;
  if (begin < end) pending = std::async(std::launch::async, prepare_batch, begin, end);
  while (pending.valid()) {
    while (pending.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready)
      report_progress();
    Batch batch = pending.get();
    begin = end;
    end = next_batch_end(begin);
    if (begin < end) pending = std::async(std::launch::async, prepare_batch, begin, end);
    report.parse_seconds += batch.seconds;

    std::vector<PreparedDocument> docs;
    std::vector<IngestFileResult*> doc_results;
    for (std::vector<Item>& items : batch.items) {
      for (Item& it : items) {
        if (it.prepared) {
          docs.push_back(std::move(*it.prepared));
          doc_results.push_back(&it.result);
        }
      }
    }
    Status s = StoreBatch(docs, report, doc_results, batch.stale);
    if (!s.ok()) {
      if (pending.valid()) pending.wait();  // workers reference this frame
      // Earlier batches are committed: make them searchable now rather than
      // at the next run (best effort; the outbox keeps them otherwise).
      CommitIndex();
      return Err(std::move(s));
    }
    std::vector<std::string> committed;
    for (const IngestFileResult* r : doc_results)
      if (r) committed.push_back(r->path);
    for (std::vector<Item>& items : batch.items) {
      for (Item& it : items) Tally(std::move(it.result), report);
    }
    report.pruned += static_cast<int64_t>(batch.stale.size());
    report.bytes += static_cast<int64_t>(batch.bytes);
    report_progress(std::move(committed));
  }
  {
    Stopwatch sw;
    ASKIO_RETURN_IF_ERROR(CommitIndex());
    report.index_seconds += sw.Seconds();
  }
  ASKIO_RETURN_IF_ERROR(RetagUnchanged(report, options.tags));
  EmbedAfterIngest(report);

  // 3. Prune documents whose files are gone.
  if (options.prune) {
    auto docs = catalog->ListDocuments();
    if (!docs) return Err(docs.error());
    std::vector<int64_t> gone;
    for (const DocumentInfo& d : *docs) {
      std::error_code ec;
      // An archive member is gone with its archive.
      const std::string file = d.source.substr(0, d.source.find("!/"));
      if (!file.empty() && file[0] == '/' && !fs::exists(file, ec)) gone.push_back(d.id);
    }
    if (!gone.empty()) {
      ASKIO_RETURN_IF_ERROR(catalog->Begin());
      auto outbox_before = catalog->LatestOutboxSeq();
      Status s = outbox_before ? Status::Ok() : outbox_before.error();
      for (size_t i = 0; s.ok() && i < gone.size(); ++i) s = catalog->DeleteDocument(gone[i]);
      if (s.ok()) s = ForgetDeletedChunks(*outbox_before);
      if (!s.ok()) {
        catalog->Rollback();
        return Err(s);
      }
      ASKIO_RETURN_IF_ERROR(catalog->Commit());
      ASKIO_RETURN_IF_ERROR(CatchUp(nullptr));
      report.pruned += static_cast<int64_t>(gone.size());
    }
  }
  report.total_seconds = total.Seconds();
  return report;
}

Result<IngestReport> KnowledgeBase::IngestUrl(const std::string& url, const UrlOptions& url_options,
                                              const IngestOptions& options) {
  ASKIO_RETURN_IF_ERROR(ingest::ValidateChunkOptions(options.chunking));
  ASKIO_RETURN_IF_ERROR(ValidateTags(options.tags));
  Stopwatch total;
  IngestReport report;
  ingest::UrlPolicy policy;
  policy.allow_hosts = url_options.allow_hosts;
  policy.deny_hosts = url_options.deny_hosts;
  policy.allow_private = url_options.allow_private;
  policy.max_bytes = std::min(url_options.max_bytes, options.max_file_bytes);
  policy.timeout_seconds = url_options.timeout_seconds;
  auto fetched = ingest::FetchUrl(url, policy);
  if (!fetched) return Err(fetched.error());
  report.read_seconds = total.Seconds();

  std::lock_guard<std::mutex> lock(impl_->mu);
  ASKIO_RETURN_IF_ERROR(impl_->EnsureLevelWriter());
  auto known_hashes = impl_->catalog->AllHashes();
  if (!known_hashes) return Err(known_hashes.error());
  const ingest::UnchangedFn unchanged =
      options.force ? ingest::UnchangedFn{} : UnchangedIn(*known_hashes);
  Stopwatch parse;
  // Keyed by the URL asked for (stable across redirects), without any
  // credentials in it; typed by the served file name and content.
  const std::string source = WithoutCredentials(url);
  std::vector<Item> items;
  for (ingest::LoadedItem& loaded : ingest::LoadFile(
           fetched->bytes, source, LoadOptionsFrom(options), unchanged, fetched->file_name))
    items.push_back(
        ToItem(std::move(loaded), options, impl_->graph_on, FileStem(fetched->file_name)));
  report.parse_seconds = parse.Seconds();
  std::vector<PreparedDocument> docs;
  std::vector<IngestFileResult*> results;
  for (Item& it : items) {
    if (!it.prepared) continue;
    docs.push_back(std::move(*it.prepared));
    results.push_back(&it.result);
  }
  ASKIO_RETURN_IF_ERROR(impl_->StoreBatch(docs, report, results));
  ASKIO_RETURN_IF_ERROR(impl_->CommitIndex());
  for (Item& it : items) Tally(std::move(it.result), report);
  ASKIO_RETURN_IF_ERROR(impl_->RetagUnchanged(report, options.tags));
  report.bytes = static_cast<int64_t>(fetched->bytes.size());
  impl_->EmbedAfterIngest(report);
  report.total_seconds = total.Seconds();
  return report;
}

Result<IngestReport> KnowledgeBase::IngestDocuments(const std::vector<DocumentInput>& docs,
                                                    const IngestOptions& options) {
  ASKIO_RETURN_IF_ERROR(ingest::ValidateChunkOptions(options.chunking));
  ASKIO_RETURN_IF_ERROR(ValidateTags(options.tags));
  Stopwatch total;
  IngestReport report;
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASKIO_RETURN_IF_ERROR(impl_->EnsureLevelWriter());
  const size_t batch_size = std::max<size_t>(options.batch_size, 1);
  for (size_t next = 0; next < docs.size(); next += batch_size) {
    const size_t end = std::min(docs.size(), next + batch_size);
    Stopwatch parse_sw;
    std::vector<PreparedDocument> batch;
    std::vector<IngestFileResult*> results;
    for (size_t i = next; i < end; ++i) {
      const DocumentInput& in = docs[i];
      report.bytes += static_cast<int64_t>(in.content.size());
      auto parsed = ingest::LoadDocument(in.content, ingest::FileTypeFromName(in.type),
                                         LoadOptionsFrom(options));
      if (!parsed) {
        report.files.push_back(
            {in.source, IngestFileResult::Outcome::kFailed, parsed.error().message()});
        ++report.failed;
        continue;
      }
      if (!in.title.empty()) parsed->title = in.title;
      batch.push_back(Prepare(*parsed, in.source, in.source, ContentHash(in.content), options,
                              impl_->graph_on));
      results.push_back(nullptr);
    }
    report.parse_seconds += parse_sw.Seconds();
    ASKIO_RETURN_IF_ERROR(impl_->StoreBatch(batch, report, results));
  }
  ASKIO_RETURN_IF_ERROR(impl_->CommitIndex());
  impl_->EmbedAfterIngest(report);
  report.total_seconds = total.Seconds();
  return report;
}

// The graph stage's candidates: when the question names two entities, the
// sentences relating them come first ("X 和 Y 是什么关系"); then the chunks
// mentioning the question's entities and their strongest neighbours.
namespace {

Result<std::vector<std::pair<int64_t, double>>> GraphCandidates(graph::GraphStore& g,
                                                                const std::string& question,
                                                                size_t limit) {
  std::vector<std::pair<int64_t, double>> out;
  auto entities = g.EntitiesInText(question);
  if (!entities) return Err(entities.error());
  if (entities->empty()) return out;
  std::unordered_set<int64_t> seen;
  constexpr size_t kMaxPairs = 4;
  constexpr double kStated = 100, kCooccurring = 50;
  const size_t n = std::min(entities->size(), kMaxPairs);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if ((*entities)[i].entity_id == (*entities)[j].entity_id) continue;
      auto rows = g.RelationsBetween((*entities)[i].entity_id, (*entities)[j].entity_id, 10);
      if (!rows) return Err(rows.error());
      for (const graph::RelationRow& r : *rows)
        if (seen.insert(r.evidence.chunk_id).second)
          out.emplace_back(r.evidence.chunk_id, r.cooccurs ? kCooccurring : kStated);
    }
  }
  graph::RetrieveOptions ro;
  ro.limit = limit;
  auto chunks = g.RetrieveChunks(question, ro);
  if (!chunks) return Err(chunks.error());
  for (const graph::ChunkHit& c : *chunks)
    if (seen.insert(c.chunk_id).second) out.emplace_back(c.chunk_id, c.score);
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace

Result<std::vector<SearchHit>> KnowledgeBase::Impl::SearchWith(
    Reader& reader, const std::string& query, const SearchOptions& options,
    std::vector<text::QueryTerm>* terms_out) {
  if (query.find_first_not_of(" \t\n") == std::string::npos)
    return Err(Status::InvalidArgument("the query is empty"));
  std::vector<text::QueryTerm> terms = analyzer.QueryTerms(query);
  std::vector<SearchHit> hits;
  if (terms.empty() || !reader.lexical) return hits;
  index::Bm25Params params;
  {
    std::lock_guard<std::mutex> lock(readers_mu);
    params = bm25;
  }
  // Ask for extra candidates: the rerank below may promote some, and hits
  // whose chunk left the catalogue since the index last caught up are dropped.
  const size_t depth = std::max(options.limit, kRerankDepth) + 8;
  const index::Feedback feedback{options.feedback.documents, options.feedback.terms,
                                 options.feedback.weight};
  // Dense retrieval runs beside the lexical one: the question's embedding is
  // fetched from the model while BM25 searches.
  std::shared_ptr<model::Embedder> embedder;
  std::shared_ptr<model::Reranker> reranker;
  {
    std::shared_lock<std::shared_mutex> lock(models_mu);
    if (options.hybrid.dense && vectors && vectors->size() > 0) embedder = models.embed;
    if (options.hybrid.rerank) reranker = models.rerank;
  }
  // A filter becomes the documents it keeps (tags and the rest live in the
  // catalogue); each stage then searches only those, so a selective filter
  // still yields its best hits.
  std::optional<std::vector<int64_t>> only_documents;
  if (!options.filter.empty()) {
    auto kept = reader.catalog->DocumentsMatching(options.filter);
    if (!kept) return Err(kept.error());
    if (kept->empty()) return hits;
    only_documents = std::move(*kept);
  }
  std::future<Result<std::vector<std::vector<float>>>> query_vector;
  if (embedder)
    query_vector = std::async(std::launch::async, [&] { return embedder->Embed({query}); });
  auto matches = reader.lexical->Search(terms, depth, params, feedback,
                                        only_documents ? &*only_documents : nullptr);
  // The graph stage: chunks about the entities the question names.
  std::vector<std::pair<int64_t, double>> graph_hits;
  if (options.hybrid.graph && graph_on && reader.graph) {
    auto found = GraphCandidates(*reader.graph, query, depth);
    if (!found) return Err(found.error());
    graph_hits = std::move(*found);
  }
  std::vector<index::VectorHit> dense;
  if (query_vector.valid()) {
    std::unordered_set<int64_t> kept_chunks;
    std::function<bool(int64_t)> keep = [&](int64_t id) { return kept_chunks.count(id) > 0; };
    if (only_documents) {
      auto ids = reader.catalog->ChunkIdsOf(*only_documents);
      if (!ids) return Err(ids.error());
      kept_chunks.insert(ids->begin(), ids->end());
    }
    auto qv = query_vector.get();
    // A failed embedding call degrades to lexical search rather than failing
    // the query.
    if (qv && qv->size() == 1) {
      std::shared_lock<std::shared_mutex> lock(models_mu);
      if (vectors && (*qv)[0].size() == vectors->dim()) {
        auto found = vectors->Search((*qv)[0].data(), depth, only_documents ? &keep : nullptr);
        if (found) dense = std::move(*found);
      }
    }
  }
  if (!matches) return Err(matches.error());
  std::vector<std::pair<int64_t, double>> candidates;  // (chunk id, first-stage score)
  std::unordered_map<int64_t, std::vector<StageScore>> stages;
  if (dense.empty()) {
    int rank = 0;
    for (const index::LexicalMatch& m : *matches) {
      candidates.emplace_back(m.chunk_id, m.score);
      stages[m.chunk_id].push_back({"bm25", m.score, ++rank});
    }
  } else {
    std::vector<retrieve::StageRanking> rankings;
    rankings.push_back({"bm25", {}, 1.0});
    for (const index::LexicalMatch& m : *matches)
      rankings.back().hits.emplace_back(m.chunk_id, m.score);
    if (!dense.empty()) {
      rankings.push_back({"dense", {}, options.hybrid.dense_weight});
      for (const index::VectorHit& v : dense) rankings.back().hits.emplace_back(v.id, v.score);
    }
    const std::vector<retrieve::FusedHit> fused =
        options.hybrid.fusion == HybridOptions::Fusion::kRrf
            ? retrieve::FuseRrf(rankings, options.hybrid.rrf_k)
            : retrieve::FuseWeighted(rankings);
    for (size_t i = 0; i < fused.size() && i < depth; ++i) {
      candidates.emplace_back(fused[i].id, fused[i].score);
      stages[fused[i].id] = fused[i].stages;
      stages[fused[i].id].push_back({"fusion", fused[i].score, static_cast<int>(i) + 1});
    }
  }
  // The graph stage supplements the others: its chunks that no other stage
  // found join the candidates below them, and its score is recorded on the
  // ones already there. Fused as an equal stage (RRF at weight 0.1 to 0.5)
  // it cost Hit@1 on the eval set (docs/quality.md); as a supplement it can
  // only add candidates, which the proximity rerank then places.
  if (!graph_hits.empty()) {
    std::unordered_set<int64_t> present;
    double floor = 0;
    for (const auto& [id, score] : candidates) {
      present.insert(id);
      floor = floor == 0 ? score : std::min(floor, score);
    }
    int rank = 0;
    for (const auto& [id, score] : graph_hits) {
      stages[id].push_back({"graph", score, ++rank});
      if (present.insert(id).second) candidates.emplace_back(id, floor * 0.5);
    }
  }
  // The graph stage is not filtered inside: its hits are checked here.
  std::unordered_set<int64_t> kept_documents;
  if (only_documents) kept_documents.insert(only_documents->begin(), only_documents->end());
  for (const auto& [chunk_id, score] : candidates) {
    SearchHit hit;
    auto chunk = reader.catalog->GetChunk(chunk_id, &hit.document_title, &hit.document_source);
    if (!chunk) return Err(chunk.error());
    if (!*chunk) continue;
    if (only_documents && !kept_documents.count((*chunk)->document_id)) continue;
    hit.chunk = std::move(**chunk);
    hit.score = score;
    hit.stages = std::move(stages[chunk_id]);
    hits.push_back(std::move(hit));
  }
  // Proximity rerank: BM25 sees a chunk as a bag of terms; a chunk where one
  // sentence holds most of the question is the better hit. Score = BM25
  // relative to the best hit + kProximityWeight x the best sentence's
  // IDF-weighted coverage (docs/quality.md).
  if (!hits.empty() && kProximityWeight > 0) {
    const std::vector<retrieve::WeightedTerm> weighted = WeightTerms(reader, terms);
    const double top = hits.front().score > 0 ? hits.front().score : 1;
    std::vector<std::pair<size_t, size_t>> spans;
    for (SearchHit& h : hits) {
      spans.clear();
      for (const text::Span& sp : text::SplitSentences(h.chunk.text))
        spans.emplace_back(sp.begin, sp.end);
      const std::vector<double> coverage = retrieve::SpanCoverages(weighted, h.chunk.text, spans);
      const double best =
          coverage.empty() ? 0 : *std::max_element(coverage.begin(), coverage.end());
      h.score = h.score / top + kProximityWeight * best;
      h.stages.push_back({"proximity", best, 0});
    }
    std::stable_sort(hits.begin(), hits.end(),
                     [](const SearchHit& a, const SearchHit& b) { return a.score > b.score; });
  }
  // A cross-encoder reorders the best candidates when one is configured; if
  // it fails, the order stands.
  if (reranker && hits.size() > 1) {
    const size_t n = std::min(hits.size(), std::max(options.hybrid.rerank_depth, options.limit));
    std::vector<std::string> texts;
    for (size_t i = 0; i < n; ++i) texts.push_back(hits[i].chunk.text);
    auto scores = reranker->Rerank(query, texts);
    if (scores && scores->size() == n) {
      for (size_t i = 0; i < n; ++i) {
        hits[i].stages.push_back({"rerank", (*scores)[i], 0});
        hits[i].score = (*scores)[i];
      }
      std::vector<size_t> order(n);
      for (size_t i = 0; i < n; ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return (*scores)[a] > (*scores)[b]; });
      std::vector<SearchHit> reordered;
      for (size_t i : order) reordered.push_back(std::move(hits[i]));
      for (size_t i = n; i < hits.size(); ++i) reordered.push_back(std::move(hits[i]));
      hits = std::move(reordered);
      for (size_t i = 0; i < n; ++i) hits[i].stages.back().rank = static_cast<int>(i) + 1;
    }
  }
  // Diversity on request: maximal marginal relevance over term overlap.
  if (options.hybrid.mmr_lambda > 0 && hits.size() > options.limit) {
    std::vector<std::unordered_set<std::string>> term_sets;
    std::vector<double> relevance;
    for (const SearchHit& h : hits) {
      term_sets.push_back(retrieve::TermsOf(h.chunk.text));
      relevance.push_back(h.score);
    }
    auto jaccard = [&](size_t a, size_t b) {
      size_t common = 0;
      for (const std::string& t : term_sets[a]) common += term_sets[b].count(t);
      const size_t all = term_sets[a].size() + term_sets[b].size() - common;
      return all == 0 ? 0.0 : static_cast<double>(common) / all;
    };
    std::vector<SearchHit> picked;
    for (size_t i : retrieve::Mmr(relevance, jaccard, options.limit, options.hybrid.mmr_lambda))
      picked.push_back(std::move(hits[i]));
    hits = std::move(picked);
  }
  if (hits.size() > options.limit) hits.resize(options.limit);
  const retrieve::QueryTermSet term_set(terms);
  int rank = 0;
  for (SearchHit& hit : hits) {
    hit.stages.push_back({"final", hit.score, ++rank});
    retrieve::Snippet snip = retrieve::MakeSnippet(hit.chunk.text, term_set, options.snippet_chars);
    hit.snippet = std::move(snip.text);
    hit.highlights = std::move(snip.highlights);
  }
  if (terms_out) *terms_out = std::move(terms);
  return hits;
}

Result<std::vector<SearchHit>> KnowledgeBase::Search(const std::string& query,
                                                     const SearchOptions& options) {
  return impl_->WithReader(
      [&](Reader& r) { return impl_->SearchWith(r, query, options, nullptr); });
}

Result<Answer> KnowledgeBase::Ask(const std::string& question, const AskOptions& options,
                                  std::vector<SearchHit>* retrieved) {
  return impl_->WithReader([&](Reader& reader) -> Result<Answer> {
    return impl_->AskModel(reader, question, options, retrieved);
  });
}

Result<Context> KnowledgeBase::Impl::ContextFromHits(Reader& reader,
                                                     const std::vector<SearchHit>& hits,
                                                     const std::vector<text::QueryTerm>& terms,
                                                     const ContextOptions& options) {
  // Each document's text and chunks are read once, however many hits it has.
  std::unordered_map<int64_t, std::optional<retrieve::DocumentView>> docs;
  Status failure;
  auto lookup = [&](int64_t id) -> const retrieve::DocumentView* {
    auto [it, inserted] = docs.try_emplace(id);
    if (inserted) {
      auto text = reader.catalog->DocumentText(id);
      auto chunks = reader.catalog->DocumentChunks(id);
      if (!text || !chunks) {
        failure = !text ? text.error() : chunks.error();
        return nullptr;
      }
      if (!*text) return nullptr;
      retrieve::DocumentView view{id, {}, {}, std::move(**text), std::move(*chunks)};
      for (const SearchHit& h : hits) {
        if (h.chunk.document_id == id) {
          view.title = h.document_title;
          view.source = h.document_source;
          break;
        }
      }
      it->second = std::move(view);
    }
    return it->second ? &*it->second : nullptr;
  };
  Context context;
  context.passages = retrieve::RecallPassages(hits, lookup, options.recall_chars);
  if (!failure.ok()) return Err(failure);
  context.sentences = retrieve::CompressContext(WeightTerms(reader, terms), context.passages,
                                                options.token_budget, &context.tokens);
  return context;
}

Result<Context> KnowledgeBase::BuildContext(const std::string& question,
                                            const ContextOptions& options) {
  return impl_->WithReader([&](Reader& reader) -> Result<Context> {
    SearchOptions so;
    so.limit = std::max<size_t>(options.hits, 1);
    std::vector<text::QueryTerm> terms;
    auto hits = impl_->SearchWith(reader, question, so, &terms);
    if (!hits) return Err(hits.error());
    return impl_->ContextFromHits(reader, *hits, terms, options);
  });
}

Result<KbStats> KnowledgeBase::Stats() {
  return impl_->WithReader([&](Reader& reader) -> Result<KbStats> {
    auto counts = reader.catalog->CountAll();
    if (!counts) return Err(counts.error());
    auto latest = reader.catalog->LatestOutboxSeq();
    if (!latest) return Err(latest.error());
    auto created = reader.catalog->GetMeta("created_at");
    if (!created) return Err(created.error());
    KbStats s;
    s.name = impl_->name;
    s.documents = counts->documents;
    s.chunks = counts->chunks;
    s.text_bytes = counts->text_bytes;
    s.index_applied_seq = reader.lexical ? reader.lexical->applied_seq() : 0;
    s.outbox_seq = *latest;
    s.analyzer = std::string(text::Analyzer::kScheme);
    {
      std::lock_guard<std::mutex> lock(impl_->readers_mu);
      s.weighting = impl_->bm25.ToString();
    }
    s.created_at = created->value_or("");
    return s;
  });
}

Result<std::vector<DocumentInfo>> KnowledgeBase::ListDocuments() {
  return impl_->WithReader([&](Reader& r) { return r.catalog->ListDocuments(); });
}

Result<DocumentInfo> KnowledgeBase::GetDocument(int64_t document_id) {
  auto docs = ListDocuments();
  if (!docs) return Err(docs.error());
  for (DocumentInfo& d : *docs)
    if (d.id == document_id) return std::move(d);
  return Err(Status::NotFound("no document with id " + std::to_string(document_id)));
}

Result<std::vector<Chunk>> KnowledgeBase::DocumentChunks(int64_t document_id) {
  return impl_->WithReader([&](Reader& r) { return r.catalog->DocumentChunks(document_id); });
}

Result<SearchHit> KnowledgeBase::GetChunk(int64_t chunk_id) {
  return impl_->WithReader([&](Reader& r) -> Result<SearchHit> {
    SearchHit hit;
    auto chunk = r.catalog->GetChunk(chunk_id, &hit.document_title, &hit.document_source);
    if (!chunk) return Err(chunk.error());
    if (!*chunk) return Err(Status::NotFound("no chunk with id " + std::to_string(chunk_id)));
    hit.chunk = std::move(**chunk);
    return hit;
  });
}

Result<std::string> KnowledgeBase::DocumentText(int64_t document_id) {
  return impl_->WithReader([&](Reader& r) -> Result<std::string> {
    auto text = r.catalog->DocumentText(document_id);
    if (!text) return Err(text.error());
    if (!*text) return Err(Status::NotFound("no document with id " + std::to_string(document_id)));
    return std::move(**text);
  });
}

Status KnowledgeBase::DeleteDocument(int64_t document_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASKIO_RETURN_IF_ERROR(impl_->EnsureLevelWriter());
  auto docs = impl_->catalog->ListDocuments();
  if (!docs) return docs.error();
  if (std::none_of(docs->begin(), docs->end(),
                   [&](const DocumentInfo& d) { return d.id == document_id; }))
    return Status::NotFound("no document with id " + std::to_string(document_id));
  ASKIO_RETURN_IF_ERROR(impl_->catalog->Begin());
  auto outbox_before = impl_->catalog->LatestOutboxSeq();
  Status deleted =
      outbox_before ? impl_->catalog->DeleteDocument(document_id) : outbox_before.error();
  if (deleted.ok()) deleted = impl_->ForgetDeletedChunks(*outbox_before);
  if (!deleted.ok()) {
    impl_->catalog->Rollback();
    return deleted;
  }
  ASKIO_RETURN_IF_ERROR(impl_->catalog->Commit());
  ASKIO_RETURN_IF_ERROR(impl_->CatchUp(nullptr));
  return impl_->SyncVectors(nullptr);
}

Status KnowledgeBase::SetDocumentTags(int64_t document_id, const std::vector<std::string>& tags) {
  ASKIO_RETURN_IF_ERROR(ValidateTags(tags));
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto docs = impl_->catalog->DocumentsMatching(SearchFilter{.document_ids = {document_id}});
  if (!docs) return docs.error();
  if (docs->empty()) return Status::NotFound("no document with id " + std::to_string(document_id));
  ASKIO_RETURN_IF_ERROR(impl_->catalog->Begin());
  if (Status s = impl_->catalog->SetTags(document_id, tags); !s.ok()) {
    impl_->catalog->Rollback();
    return s;
  }
  return impl_->catalog->Commit();
}

namespace {

GraphEntity ToPublic(const graph::EntityInfo& e) {
  return {e.id,      e.name,          std::string(graph::EntityTypeName(e.type)),
          e.aliases, e.merge_reasons, e.mentions,
          e.chunks};
}

}  // namespace

Result<GraphReport> KnowledgeBase::BuildGraph(const EmbedProgressFn& progress) {
  return BuildGraph(GraphBuildOptions{}, progress);
}

namespace {

// The extractor id stored with each chunk's rows: a chunk already extracted
// by the same extractor and unchanged is skipped.
std::string ModelExtractor(const model::ChatModel& chat) { return "llm:" + chat.config().model; }

}  // namespace

// Chunks not yet extracted by `extractor` (with unchanged text).
Result<std::vector<KnowledgeBase::Impl::GraphTodo>> KnowledgeBase::Impl::GraphBacklog(
    const std::string& extractor, int64_t* chunks, int64_t* cached) {
  std::vector<GraphTodo> todo;
  Status s = catalog->ForEachIndexableChunk([&](store::IndexableChunk&& c) -> Status {
    ++*chunks;
    std::string hash = ContentHash(c.text);
    auto have = graph->HasChunk(c.id, hash, extractor);
    if (!have) return have.error();
    if (*have) {
      ++*cached;
      return Status::Ok();
    }
    todo.push_back({c.id, c.document_id, std::move(c.text), std::move(hash)});
    return Status::Ok();
  });
  if (!s.ok()) return Err(s);
  return todo;
}

Result<GraphCostEstimate> KnowledgeBase::EstimateGraphBuild(const GraphBuildOptions& options) {
  std::shared_ptr<model::ChatModel> llm;
  {
    std::shared_lock<std::shared_mutex> lock(impl_->models_mu);
    llm = impl_->models.llm;
  }
  if (!llm)
    return Err(Status::InvalidArgument(
        "no chat model is configured ([llm] in askio.toml): the rules need none"));
  std::lock_guard<std::mutex> lock(impl_->mu);
  int64_t chunks = 0, cached = 0;
  auto todo = impl_->GraphBacklog(ModelExtractor(*llm), &chunks, &cached);
  if (!todo) return Err(todo.error());
  std::vector<std::string> texts;
  for (const Impl::GraphTodo& t : *todo) texts.push_back(t.text);
  graph::ModelExtractOptions mo;
  mo.chunks_per_request = std::max<size_t>(options.chunks_per_request, 1);
  const graph::CostEstimate e = graph::EstimateModelCost(
      texts, mo, {options.input_price_per_million, options.output_price_per_million});
  return GraphCostEstimate{llm->config().model,
                           static_cast<int64_t>(e.chunks),
                           static_cast<int64_t>(e.requests),
                           e.input_tokens,
                           e.output_tokens,
                           e.cost};
}

Result<GraphReport> KnowledgeBase::BuildGraph(const GraphBuildOptions& options,
                                              const EmbedProgressFn& progress) {
  std::shared_ptr<model::ChatModel> llm;
  if (options.use_model) {
    std::shared_lock<std::shared_mutex> lock(impl_->models_mu);
    llm = impl_->models.llm;
    if (!llm)
      return Err(Status::InvalidArgument(
          "no chat model is configured ([llm] in askio.toml): build without a model instead"));
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  Stopwatch sw;
  GraphReport report;
  const std::string extractor =
      llm ? ModelExtractor(*llm) : std::string(graph::kModelFreeExtractor);
  auto todo = impl_->GraphBacklog(extractor, &report.chunks, &report.cached);
  if (!todo) return Err(todo.error());
  // The rules run on every core, a group at a time; a model reads a group in
  // requests of chunks_per_request. Each group is stored in one transaction,
  // so an interrupted build keeps what it stored.
  const size_t group = llm ? 32 : 512;
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  for (size_t next = 0; next < todo->size(); next += group) {
    const size_t end = std::min(todo->size(), next + group);
    std::vector<graph::Extraction> extracted(end - next);
    if (llm) {
      std::vector<std::string> texts;
      for (size_t i = next; i < end; ++i) texts.push_back((*todo)[i].text);
      graph::ModelExtractOptions mo;
      mo.chunks_per_request = std::max<size_t>(options.chunks_per_request, 1);
      auto got = graph::ExtractWithModel(*llm, texts, mo);
      if (!got) return Err(got.error());
      extracted = std::move(*got);
    } else {
      std::atomic<size_t> cursor{next};
      auto work = [&] {
        for (size_t i; (i = cursor++) < end;)
          extracted[i - next] = graph::ExtractModelFree((*todo)[i].text);
      };
      std::vector<std::thread> pool;
      for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
      work();
      for (std::thread& t : pool) t.join();
    }
    ASKIO_RETURN_IF_ERROR(impl_->catalog->Begin());
    for (size_t i = next; i < end; ++i) {
      const Impl::GraphTodo& t = (*todo)[i];
      Status s = impl_->graph->UpdateChunk(t.chunk_id, t.document_id, t.hash, t.text,
                                           extracted[i - next], extractor);
      if (!s.ok()) {
        impl_->catalog->Rollback();
        return Err(s);
      }
    }
    ASKIO_RETURN_IF_ERROR(impl_->catalog->Commit());
    report.extracted += static_cast<int64_t>(end - next);
    if (progress) progress(static_cast<int64_t>(end), static_cast<int64_t>(todo->size()));
  }
  ASKIO_RETURN_IF_ERROR(impl_->catalog->SetMeta("graph", "on"));
  impl_->graph_on = true;
  report.seconds = sw.Seconds();
  return report;
}

Status KnowledgeBase::ClearGraph() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASKIO_RETURN_IF_ERROR(impl_->catalog->Begin());
  Status s = impl_->graph->Clear();
  if (s.ok()) s = impl_->catalog->SetMeta("graph", "off");
  if (!s.ok()) {
    impl_->catalog->Rollback();
    return s;
  }
  ASKIO_RETURN_IF_ERROR(impl_->catalog->Commit());
  impl_->graph_on = false;
  return Status::Ok();
}

Result<GraphStats> KnowledgeBase::GraphStatistics() {
  return impl_->WithReader([&](Reader& r) -> Result<GraphStats> {
    auto st = r.graph->Stats();
    if (!st) return Err(st.error());
    GraphStats out;
    out.enabled = impl_->graph_on;
    out.entities = st->entities;
    out.aliases = st->aliases;
    out.mentions = st->mentions;
    out.chunks = st->chunks;
    out.documents = st->documents;
    out.relations = st->relations;
    out.cooccurrences = st->cooccurrences;
    out.edges = st->edges;
    out.by_type = st->by_type;
    return out;
  });
}

Result<GraphEntity> KnowledgeBase::FindEntity(const std::string& name) {
  return impl_->WithReader([&](Reader& r) -> Result<GraphEntity> {
    auto e = r.graph->FindEntity(name);
    if (!e) return Err(e.error());
    if (!*e) return Err(Status::NotFound("no entity named \"" + name + "\" in the graph"));
    return ToPublic(**e);
  });
}

Result<std::vector<GraphNeighbour>> KnowledgeBase::EntityNeighbours(int64_t entity_id,
                                                                    size_t limit) {
  return impl_->WithReader([&](Reader& r) -> Result<std::vector<GraphNeighbour>> {
    auto found = r.graph->Neighbours(entity_id, limit);
    if (!found) return Err(found.error());
    std::vector<GraphNeighbour> out;
    for (const graph::Neighbour& n : *found) {
      GraphNeighbour g;
      g.entity.id = n.entity_id;
      g.entity.name = n.name;
      g.entity.type = std::string(graph::EntityTypeName(n.type));
      g.weight = n.weight;
      for (const graph::EdgeLabel& l : n.labels)
        g.labels.push_back({l.predicate, l.outgoing, l.cooccurs, l.count});
      for (const graph::Evidence& ev : n.evidence) {
        GraphEvidence e;
        e.chunk_id = ev.chunk_id;
        auto chunk = r.catalog->GetChunk(ev.chunk_id, &e.document_title, &e.document_source);
        if (!chunk) return Err(chunk.error());
        if (!*chunk) continue;
        const std::string& text = (*chunk)->text;
        if (ev.begin <= ev.end && ev.end <= text.size())
          e.sentence = text.substr(ev.begin, ev.end - ev.begin);
        g.evidence.push_back(std::move(e));
      }
      out.push_back(std::move(g));
    }
    return out;
  });
}

Result<std::string> KnowledgeBase::ExportGraph(const std::string& format) {
  graph::ExportFormat f;
  if (format == "json")
    f = graph::ExportFormat::kJson;
  else if (format == "graphml")
    f = graph::ExportFormat::kGraphMl;
  else
    return Err(Status::InvalidArgument("graph export format must be json or graphml, not \"" +
                                       format + "\""));
  return impl_->WithReader([&](Reader& r) { return r.graph->Export(f); });
}

Status KnowledgeBase::SetWeighting(const std::string& scheme) {
  auto params = index::Bm25Params::Parse(scheme);
  if (!params) return params.error();
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASKIO_RETURN_IF_ERROR(impl_->catalog->SetMeta("weighting", params->ToString()));
  std::lock_guard<std::mutex> readers_lock(impl_->readers_mu);
  impl_->bm25 = *params;
  return Status::Ok();
}

Status KnowledgeBase::Reindex() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->Rebuild();
}

// ---- models: the dense index and grounded answers ----

Status KnowledgeBase::Impl::SyncVectors(EmbedReport* report, const EmbedProgressFn& progress) {
  std::shared_ptr<model::Embedder> embedder;
  {
    std::shared_lock<std::shared_mutex> lock(models_mu);
    embedder = models.embed;
  }
  if (!embedder) return Status::Ok();
  const Stopwatch sw;
  const std::string model_id = embedder->config().Describe();
  auto have = catalog->VectorHashes(model_id);
  if (!have) return have.error();
  // Every chunk's text hash; the texts without a vector, once each.
  std::vector<std::pair<int64_t, std::string>> chunk_hashes;
  std::vector<std::pair<std::string, std::string>> missing;  // (hash, text)
  std::unordered_set<std::string> queued;
  ASKIO_RETURN_IF_ERROR(catalog->ForEachChunkText([&](int64_t id, const std::string& text) {
    std::string h = ContentHash(text);
    if (!have->count(h) && queued.insert(h).second) missing.emplace_back(h, text);
    chunk_hashes.emplace_back(id, std::move(h));
    return Status::Ok();
  }));
  EmbedReport r;
  r.chunks = static_cast<int64_t>(chunk_hashes.size());
  r.cached = r.chunks;
  for (const auto& [id, h] : chunk_hashes) r.cached -= queued.count(h) ? 1 : 0;
  // Embed in groups, each stored in its own transaction: an interrupted run
  // keeps what it finished, and the next run starts where it stopped.
  constexpr size_t kGroup = 256;
  Status embed_status;
  for (size_t next = 0; next < missing.size(); next += kGroup) {
    const size_t end = std::min(missing.size(), next + kGroup);
    std::vector<std::string> texts;
    for (size_t i = next; i < end; ++i) texts.push_back(missing[i].second);
    auto vecs = embedder->Embed(texts);
    if (!vecs) {
      embed_status = vecs.error();
      break;
    }
    ASKIO_RETURN_IF_ERROR(catalog->Begin());
    for (size_t i = next; i < end; ++i) {
      if (Status s = catalog->PutVector(model_id, missing[i].first, (*vecs)[i - next]); !s.ok()) {
        catalog->Rollback();
        return s;
      }
      have->insert(missing[i].first);
    }
    ASKIO_RETURN_IF_ERROR(catalog->Commit());
    r.embedded += static_cast<int64_t>(end - next);
    if (progress) progress(static_cast<int64_t>(end), static_cast<int64_t>(missing.size()));
  }

  // The dense index: rebuilt when absent, of another model, unverified and
  // the wrong size, or full of tombstones; otherwise changed in place.
  auto meta = catalog->GetMeta("vector_model");
  if (!meta) return meta.error();
  std::vector<int64_t> with_vector;
  std::unordered_set<int64_t> live;
  for (const auto& [id, h] : chunk_hashes) {
    live.insert(id);
    if (have->count(h)) with_vector.push_back(id);
  }
  std::unique_lock<std::shared_mutex> lock(models_mu);
  bool rebuild = !vectors || meta->value_or("") != model_id || vectors->NeedsRebuild();
  if (!rebuild && !indexed_ids_known) {
    // A file saved before a crash may hold as many vectors as the catalogue
    // but for other chunks (a document replaced since): compare the ids.
    rebuild = vectors->size() != with_vector.size() ||
              !std::all_of(with_vector.begin(), with_vector.end(),
                           [&](int64_t id) { return vectors->Contains(id); });
    if (rebuild)
      Notice(
          "the vector index holds other chunks than the catalogue (an interrupted run): "
          "rebuilding it from the vectors stored in the catalogue");
    if (!rebuild) indexed_ids.insert(with_vector.begin(), with_vector.end());
  }
  // Vectors are read by hash; chunks sharing a text share one read.
  std::unordered_map<std::string, std::vector<float>> by_hash;
  std::unordered_map<int64_t, const std::string*> hash_of;
  for (const auto& [id, h] : chunk_hashes) hash_of[id] = &h;
  auto vectors_of = [&](const std::vector<int64_t>& ids, std::vector<int64_t>& out_ids,
                        std::vector<float>& flat, size_t& dim) -> Status {
    for (int64_t id : ids) {
      const std::string& h = *hash_of.at(id);
      auto it = by_hash.find(h);
      if (it == by_hash.end()) {
        auto v = catalog->GetVector(model_id, h);
        if (!v) return v.error();
        if (!*v) continue;
        it = by_hash.emplace(h, std::move(**v)).first;
      }
      if (dim == 0) dim = it->second.size();
      if (it->second.size() != dim)
        return Status::Corruption("stored vectors of " + model_id + " differ in dimension");
      out_ids.push_back(id);
      flat.insert(flat.end(), it->second.begin(), it->second.end());
    }
    return Status::Ok();
  };
  if (rebuild) {
    std::vector<int64_t> ids;
    std::vector<float> flat;
    size_t dim = 0;
    ASKIO_RETURN_IF_ERROR(vectors_of(with_vector, ids, flat, dim));
    vectors.reset();
    indexed_ids.clear();
    if (dim > 0) {
      index::VectorIndexOptions vo;
      vo.dim = dim;
      auto built = index::VectorIndex::Build(vo, ids, flat);
      if (!built) return built.error();
      vectors = std::move(*built);
      indexed_ids.insert(ids.begin(), ids.end());
    }
    // Vectors of an earlier model are of no further use.
    if (meta->value_or("") != model_id)
      ASKIO_RETURN_IF_ERROR(catalog->DeleteVectorsExcept(model_id));
  } else {
    std::vector<int64_t> fresh, gone;
    for (int64_t id : with_vector)
      if (!indexed_ids.count(id)) fresh.push_back(id);
    for (int64_t id : indexed_ids)
      if (!live.count(id)) gone.push_back(id);
    if (!gone.empty()) {
      ASKIO_RETURN_IF_ERROR(vectors->Remove(gone));
      for (int64_t id : gone) indexed_ids.erase(id);
    }
    std::vector<int64_t> ids;
    std::vector<float> flat;
    size_t dim = vectors->dim();
    ASKIO_RETURN_IF_ERROR(vectors_of(fresh, ids, flat, dim));
    if (!ids.empty()) {
      ASKIO_RETURN_IF_ERROR(vectors->Add(ids, flat));
      indexed_ids.insert(ids.begin(), ids.end());
    }
  }
  indexed_ids_known = true;
  ASKIO_FAILPOINT("vectors.before_save");
  if (vectors) ASKIO_RETURN_IF_ERROR(vectors->Save(VectorPath()));
  ASKIO_FAILPOINT("vectors.after_save");
  ASKIO_RETURN_IF_ERROR(catalog->SetMeta("vector_model", model_id));
  r.indexed = vectors ? static_cast<int64_t>(vectors->size()) : 0;
  r.seconds = sw.Seconds();
  if (report) *report = r;
  return embed_status;
}

Status KnowledgeBase::SetModels(Models models) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string previous;
  {
    std::unique_lock<std::shared_mutex> models_lock(impl_->models_mu);
    if (impl_->models.embed) previous = impl_->models.embed->config().Describe();
    impl_->models = std::move(models);
    const std::string current =
        impl_->models.embed ? impl_->models.embed->config().Describe() : std::string();
    if (current != previous || !impl_->models.embed) {
      impl_->vectors.reset();
      impl_->indexed_ids.clear();
      impl_->indexed_ids_known = false;
    }
    if (!impl_->models.embed) return Status::Ok();
    // The saved index, if it was built with this model; SyncVectors checks
    // it against the catalogue before trusting it.
    auto meta = impl_->catalog->GetMeta("vector_model");
    if (!impl_->vectors && meta && meta->value_or("") == current &&
        fs::exists(impl_->VectorPath())) {
      auto loaded = index::VectorIndex::Load(impl_->VectorPath());
      if (loaded) {
        impl_->vectors = std::move(*loaded);
      } else {  // a damaged file is rebuilt below, from the stored vectors
        impl_->Notice("the vector index " + impl_->VectorPath() + " is damaged (" +
                      loaded.error().message() +
                      "): rebuilding it from the vectors stored in the catalogue");
      }
    }
  }
  // Only the catalogue is written (vectors); the lexical index's writer lock
  // is not needed, so a reader process beside a writer can attach models.
  return impl_->SyncVectors(nullptr);
}

Models KnowledgeBase::models() const {
  std::shared_lock<std::shared_mutex> lock(impl_->models_mu);
  return impl_->models;
}

Result<EmbedReport> KnowledgeBase::Embed(const EmbedProgressFn& progress) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  {
    std::shared_lock<std::shared_mutex> models_lock(impl_->models_mu);
    if (!impl_->models.embed)
      return Err(Status::InvalidArgument(
          "no embedding model is configured: set [embed] in askio.toml or ASKIO_EMBED_BASE_URL "
          "and ASKIO_EMBED_MODEL"));
  }
  EmbedReport report;
  ASKIO_RETURN_IF_ERROR(impl_->SyncVectors(&report, progress));
  return report;
}

namespace {

// The two names of a relation question: "X 和 Y 是什么关系", "X与Y有什么关系",
// "what is the relationship between X and Y", "how is X related to Y".
std::optional<std::pair<std::string, std::string>> RelationQuestion(const std::string& q) {
  static const std::regex zh(
      R"((.+?)(?:和|与|跟|同)(.+?)(?:之间)?(?:是|有)?(?:什么|何种|怎样的)关系)");
  static const std::regex en1(R"(relationship between (.+?) and (.+?)[?.!]*$)", std::regex::icase);
  static const std::regex en2(
      R"(how (?:is|are|was|were) (.+?) (?:related|connected) to (.+?)[?.!]*$)", std::regex::icase);
  std::smatch m;
  for (const std::regex* re : {&zh, &en1, &en2})
    if (std::regex_search(q, m, *re)) return std::make_pair(m[1].str(), m[2].str());
  return std::nullopt;
}

// Spaces and ASCII quotes around a name (byte-wise: only ASCII, so a UTF-8
// sequence is never cut).
std::string Trim(std::string s) {
  const char* space = " \t\r\n\"'";
  s.erase(0, s.find_first_not_of(space));
  const size_t end = s.find_last_not_of(space);
  s.erase(end == std::string::npos ? 0 : end + 1);
  return s;
}

}  // namespace

// A question about how two entities relate is answered from a sentence the
// graph knows states their relation (stated relations first), cited like
// any other answer. Nothing when the question is not of that form, either
// name is unknown, or no sentence relates them within the filter.
Result<std::optional<Answer>> KnowledgeBase::Impl::RelationAnswer(Reader& reader,
                                                                  const std::string& question,
                                                                  const SearchFilter& filter) {
  if (!graph_on || !reader.graph) return std::optional<Answer>();
  auto names = RelationQuestion(question);

  if (!names) return std::optional<Answer>();
  auto a = reader.graph->FindEntity(Trim(names->first));
  if (!a) return Err(a.error());
  auto b = reader.graph->FindEntity(Trim(names->second));
  if (!b) return Err(b.error());
  if (!*a || !*b || (*a)->id == (*b)->id) return std::optional<Answer>();
  auto rows = reader.graph->RelationsBetween((*a)->id, (*b)->id, 20);
  if (!rows) return Err(rows.error());

  std::unordered_set<int64_t> kept;
  if (!filter.empty()) {
    auto docs = reader.catalog->DocumentsMatching(filter);
    if (!docs) return Err(docs.error());
    kept.insert(docs->begin(), docs->end());
  }
  for (const graph::RelationRow& r : *rows) {
    Citation c;
    auto chunk =
        reader.catalog->GetChunk(r.evidence.chunk_id, &c.document_title, &c.document_source);
    if (!chunk) return Err(chunk.error());
    if (!*chunk) continue;
    if (!filter.empty() && !kept.count((*chunk)->document_id)) continue;
    const std::string& text = (*chunk)->text;
    if (r.evidence.begin >= r.evidence.end || r.evidence.end > text.size()) continue;
    c.number = 1;
    c.chunk_id = (*chunk)->id;
    c.heading_path = (*chunk)->heading_path;
    c.location = (*chunk)->location;
    c.quote = text.substr(r.evidence.begin, r.evidence.end - r.evidence.begin);
    c.char_start = (*chunk)->char_start +
                   static_cast<int64_t>(utf8::CodePointCount(text.substr(0, r.evidence.begin)));
    c.char_end = c.char_start + static_cast<int64_t>(utf8::CodePointCount(c.quote));
    Answer ans;
    ans.found = true;
    ans.span = c.quote;
    ans.evidence = c.quote;
    ans.text = c.quote + " [1]";
    ans.confidence = r.cooccurs ? 0.6 : 0.9;
    ans.generated_by = "extractive";
    ans.citations.push_back(std::move(c));
    return std::optional<Answer>(std::move(ans));
  }
  return std::optional<Answer>();
}

Result<Answer> KnowledgeBase::Impl::AskModel(Reader& reader, const std::string& question,
                                             const AskOptions& options,
                                             std::vector<SearchHit>* retrieved) {
  std::shared_ptr<model::ChatModel> llm;
  {
    std::shared_lock<std::shared_mutex> lock(models_mu);
    llm = models.llm;
  }
  std::vector<qa::Turn> history;
  for (const auto& [q, a] : options.history) history.push_back({q, a});
  // A follow-up becomes a standalone question for retrieval.
  std::string retrieval_question = question;
  if (!history.empty()) {
    retrieval_question = qa::CarryForward(question, history);
    if (llm && options.use_llm && retrieval_question != question) {
      model::ChatRequest rewrite;
      rewrite.messages = qa::RewritePrompt(question, history);
      rewrite.max_tokens = 128;
      model::CallOptions co;
      co.cancelled = options.cancelled;
      co.deadline_seconds = 20;
      if (auto r = llm->Complete(rewrite, co); r && !r->text.empty()) retrieval_question = r->text;
    }
  }
  SearchOptions so;
  so.limit = std::max(options.retrieve_chunks, options.candidate_chunks);
  so.feedback = options.feedback;
  so.hybrid = options.hybrid;
  so.filter = options.filter;
  std::vector<text::QueryTerm> terms;
  auto hits = SearchWith(reader, retrieval_question, so, &terms);
  if (!hits) return Err(hits.error());
  const std::vector<model::WeightedTerm> weighted = WeightTerms(reader, terms);
  model::ReaderOptions ro;
  ro.candidate_chunks = options.candidate_chunks;
  ro.max_citations = options.max_citations;
  ro.min_confidence = options.min_confidence;
  Answer extractive = model::ReadAnswer(weighted, *hits, ro, question);
  auto done = [&](Answer a) -> Result<Answer> {
    if (retrieved) *retrieved = std::move(*hits);
    return a;
  };
  if (!llm || !options.use_llm) {
    // The span reader looks for the words of the question; "what is the
    // relationship" has none in the sentence that answers it.
    auto related = RelationAnswer(reader, retrieval_question, options.filter);
    if (!related) return Err(related.error());
    if (*related) return done(std::move(**related));
    return done(std::move(extractive));
  }

  // No model call when retrieval found nothing relevant: nothing to ground an
  // answer in, and a model asked anyway tends to make one up.
  double best_coverage = 0, best_dense = 0;
  for (const SearchHit& h : *hits) {
    best_coverage = std::max(best_coverage, retrieve::Coverage(weighted, h.chunk.text));
    for (const StageScore& st : h.stages)
      if (st.stage == "dense") best_dense = std::max(best_dense, st.score);
  }
  if (hits->empty() || (best_coverage < 0.25 && best_dense < 0.5)) {
    if (!extractive.found && extractive.reason.empty())
      extractive.reason = "no passage is relevant to the question";
    extractive.found = false;
    return done(std::move(extractive));
  }

  ContextOptions co;
  co.hits = std::min<size_t>(hits->size(), 6);
  co.token_budget = options.context_tokens;
  std::vector<SearchHit> top(hits->begin(), hits->begin() + static_cast<long>(co.hits));
  auto context = ContextFromHits(reader, top, terms, co);
  if (!context) return Err(context.error());
  std::vector<qa::Source> sources;
  size_t tokens = 0;
  for (const RecalledPassage& p : context->passages) {
    const size_t cost = qa::EstimateTokens(p.text);
    if (!sources.empty() && tokens + cost > options.context_tokens) break;
    tokens += cost;
    std::string where;
    for (const std::string& h : p.heading_path) where += (where.empty() ? "" : " › ") + h;
    sources.push_back({p.document_title, where, p.text});
  }
  model::ChatRequest request;
  request.messages = qa::BuildPrompt(question, sources, history, options.history_tokens);
  model::CallOptions call;
  call.cancelled = options.cancelled;
  auto response = options.on_token ? llm->Stream(request, options.on_token, call)
                                   : llm->Complete(request, call);
  if (!response) {
    // The model failed: the built-in reader answers, and says so.
    extractive.fallback_reason = response.error().message();
    return done(std::move(extractive));
  }
  const qa::GroundingCheck check = qa::CheckCitations(response->text, sources);
  Answer a;
  a.text = response->text;
  a.found = !qa::SaysNotFound(response->text);
  a.generated_by = "llm:" + llm->config().Describe();
  a.grounded = !a.found || check.grounded;
  for (const qa::ClaimCheck& c : check.claims)
    if (!c.supported) a.unsupported_claims.push_back(c.sentence);
  size_t supported = 0;
  for (const qa::ClaimCheck& c : check.claims) supported += c.supported ? 1 : 0;
  a.confidence = check.claims.empty() ? 0 : static_cast<double>(supported) / check.claims.size();
  if (!a.found) a.reason = "the model found no answer in the sources";
  // Citations: the sources the answer cites (checked to exist), each quoted
  // by its most relevant sentence.
  for (int n : check.cited) {
    const RecalledPassage& p = context->passages[static_cast<size_t>(n - 1)];
    Citation c;
    c.number = n;
    c.chunk_id = p.chunk_ids.empty() ? 0 : p.chunk_ids.front();
    c.document_title = p.document_title;
    c.document_source = p.document_source;
    c.heading_path = p.heading_path;
    for (const SearchHit& h : *hits)
      if (h.chunk.id == c.chunk_id) c.location = h.chunk.location;
    c.char_start = p.char_start;
    c.char_end = p.char_end;
    for (const ContextSentence& cs : context->sentences) {
      if (cs.passage == n - 1) {
        c.quote = cs.text;
        c.char_start = cs.char_start;
        c.char_end = cs.char_end;
        break;
      }
    }
    if (c.quote.empty()) c.quote = p.text.substr(0, 300);
    a.citations.push_back(std::move(c));
  }
  if (!a.citations.empty()) a.evidence = a.citations.front().quote;
  return done(std::move(a));
}

}  // namespace askio
