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

#include "askio/options.h"
#include "askio/status.h"
#include "askio/types.h"

namespace askio {

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

  // Sets the ranking scheme, e.g. "bm25 k1=1.2 b=0.75"; stored with the KB.
  Status SetWeighting(const std::string& scheme);

  // Drops the lexical index and rebuilds it from the catalogue.
  Status Reindex();

  const std::string& name() const;
  const std::string& path() const;

  class Impl;

 private:
  explicit KnowledgeBase(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace askio
