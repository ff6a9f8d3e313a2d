// The askio engine: knowledge bases on disk, ingestion, search and answers.
//
// A knowledge base (KB) is a directory under the data directory. Its SQLite
// catalogue is the source of truth; the lexical index beside it is derived and
// can always be rebuilt from the catalogue (see docs/architecture.md).
//
// Thread safety: a KnowledgeBase may be used from any number of threads.
// Reads (Search, Ask, BuildContext, Stats, documents and chunks) run on a
// pool of read-only handles and never wait for a writer; they see the index
// as of its last commit, so a document is searchable whole or not at all.
// Writes (ingest, delete, reindex, settings) take one writer lock.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "askio/graph.h"
#include "askio/options.h"
#include "askio/status.h"
#include "askio/types.h"

namespace askio {

namespace model {
class ChatModel;
class Embedder;
class Reranker;
}  // namespace model

// Optional models over the OpenAI-compatible protocol (src/model/provider.h).
// Any may be null: the KB then works without it (lexical retrieval, the
// extractive reader).
struct Models {
  std::shared_ptr<model::ChatModel> llm;
  std::shared_ptr<model::Embedder> embed;
  std::shared_ptr<model::Reranker> rerank;
};

// What embedding the KB's chunks did.
struct EmbedReport {
  int64_t chunks = 0;    // chunks in the KB
  int64_t embedded = 0;  // texts sent to the model now
  int64_t cached = 0;    // chunks whose text already had a vector
  int64_t indexed = 0;   // vectors in the dense index afterwards
  double seconds = 0;
};

// $ASKIO_DATA_DIR, else $XDG_DATA_HOME/askio, else ~/.local/share/askio.
std::string DefaultDataDir();

// KB names: 1-64 characters from [A-Za-z0-9_.-], not starting with '.'.
Status ValidateKbName(const std::string& name);

Result<std::vector<std::string>> ListKnowledgeBases(const std::string& data_dir);
Status DeleteKnowledgeBase(const std::string& data_dir, const std::string& name);

// One document handed to the engine directly (eval, tests, future loaders).
struct DocumentInput {
  std::string source;  // unique key within the KB
  std::string title;
  std::string type = "text";  // a format name ("text", "markdown", "html", "pdf", ...)
  std::string content;        // the file's bytes
};

// A file ingested under a source key of the caller's choosing: an upload
// stored under a hash of its name keeps its name as its source.
struct FileInput {
  std::string path;    // where the bytes are
  std::string source;  // the document's key and label; its extension hints the type
};

// Tags are 1-100 bytes without control characters, at most 64 per document.
Status ValidateTags(const std::vector<std::string>& tags);

class KnowledgeBase {
 public:
  enum class OpenMode { kMustExist, kCreateIfMissing };

  // Opens (and with kCreateIfMissing creates) the KB `name` under `data_dir`.
  // Brings derived indexes level with the catalogue before returning.
  static Result<std::unique_ptr<KnowledgeBase>> Open(const std::string& data_dir,
                                                     const std::string& name, OpenMode mode);
  ~KnowledgeBase();
  KnowledgeBase(const KnowledgeBase&) = delete;
  KnowledgeBase& operator=(const KnowledgeBase&) = delete;

  // Ingests files and folders (recursively; the formats in docs/formats.md,
  // detected by content; archives are opened and their members ingested as
  // "archive!/member"). A file that fails is recorded in the report and
  // skipped; the run goes on. Only I/O failures of the KB itself return an
  // error.
  using ProgressFn = std::function<void(const IngestProgress&)>;
  Result<IngestReport> Ingest(const std::vector<std::string>& paths, const IngestOptions& options,
                              const ProgressFn& progress = {});

  // Ingests files under the given sources (no folder walk, no filters).
  Result<IngestReport> IngestFiles(const std::vector<FileInput>& files,
                                   const IngestOptions& options, const ProgressFn& progress = {});

  // Fetches one URL (a page or a file) under `url_options` and ingests it,
  // keyed by the URL. A refused or failed fetch is an error.
  Result<IngestReport> IngestUrl(const std::string& url, const UrlOptions& url_options,
                                 const IngestOptions& options);

  // Adds or replaces in-memory documents (keyed by source) in batches.
  Result<IngestReport> IngestDocuments(const std::vector<DocumentInput>& docs,
                                       const IngestOptions& options);

  Result<std::vector<SearchHit>> Search(const std::string& query, const SearchOptions& options);
  // Answers from the KB's own text. `retrieved`, if given, receives the
  // ranked chunks the answer was drawn from.
  Result<Answer> Ask(const std::string& question, const AskOptions& options,
                     std::vector<SearchHit>* retrieved = nullptr);

  // The context a reader needs for `question`: the top hits widened to their
  // surrounding section (source recall), and the sentences of those passages
  // that matter to the question within a token budget (compression), each
  // with document offsets for highlighting and citation.
  Result<Context> BuildContext(const std::string& question, const ContextOptions& options);

  Result<KbStats> Stats();
  Result<std::vector<DocumentInfo>> ListDocuments();
  Result<DocumentInfo> GetDocument(int64_t document_id);
  Result<std::vector<Chunk>> DocumentChunks(int64_t document_id);
  // One chunk with its document's title and source (score and snippet empty).
  Result<SearchHit> GetChunk(int64_t chunk_id);
  // The document's normalised text, which chunk offsets index into.
  Result<std::string> DocumentText(int64_t document_id);

  // Removes a document and its chunks from the catalogue and the index.
  Status DeleteDocument(int64_t document_id);
  // Replaces a document's tags (SearchFilter::tags); no re-indexing needed.
  Status SetDocumentTags(int64_t document_id, const std::vector<std::string>& tags);

  // Attaches models. With an embedder, the dense index is loaded (or rebuilt
  // from the stored vectors, embedding what is missing) and kept current by
  // every ingest; a different embedding model than last time rebuilds it.
  // A failure to embed leaves the KB lexical-only and is returned.
  Status SetModels(Models models);
  Models models() const;
  // Embeds every chunk without a vector for the configured embedder and
  // brings the dense index level (resumable: done work is kept).
  using EmbedProgressFn = std::function<void(int64_t done, int64_t total)>;
  Result<EmbedReport> Embed(const EmbedProgressFn& progress = {});

  // The knowledge graph (docs/graph.md). BuildGraph extracts the chunks not
  // yet in the graph (model-free, on all cores) and turns the graph on for
  // this KB: from then on every ingest keeps it current and searches use it.
  // It is off until then because storing the graph costs ingest time
  // (docs/benchmarks.md). ClearGraph empties it and turns it off.
  Result<GraphReport> BuildGraph(const EmbedProgressFn& progress = {});
  Result<GraphReport> BuildGraph(const GraphBuildOptions& options,
                                 const EmbedProgressFn& progress = {});
  // The requests, tokens and cost a model build would take (chunks already
  // extracted by this model are not counted). InvalidArgument without a
  // chat model.
  Result<GraphCostEstimate> EstimateGraphBuild(const GraphBuildOptions& options);
  Status ClearGraph();
  Result<GraphStats> GraphStatistics();
  // By name or alias, in either script; NotFound when no entity has it.
  Result<GraphEntity> FindEntity(const std::string& name);
  Result<std::vector<GraphNeighbour>> EntityNeighbours(int64_t entity_id, size_t limit = 20);
  // "json" (every row; re-importable) or "graphml" (Gephi, yEd, networkx).
  Result<std::string> ExportGraph(const std::string& format);

  // Sets the ranking scheme, e.g. "bm25 k1=1.2 b=0.75"; stored with the KB.
  Status SetWeighting(const std::string& scheme);

  // Drops the lexical index and rebuilds it from the catalogue.
  Status Reindex();

  const std::string& name() const;
  const std::string& path() const;

  // What the KB found wrong with its derived indexes since it was opened and
  // what it did about it ("the lexical index is damaged (...): rebuilding it
  // from the catalogue"), oldest first; empty when all was well. The
  // catalogue is never repaired silently: its damage is an error.
  std::vector<std::string> Notices() const;

  class Impl;

 private:
  explicit KnowledgeBase(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace askio
