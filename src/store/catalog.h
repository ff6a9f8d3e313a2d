// The SQLite catalogue of one knowledge base: the source of truth.
//
// Every change to chunks appends to the outbox in the same transaction, so a
// derived index that remembers the last outbox sequence it applied can always
// be brought level (see docs/architecture.md, "Consistency").
//
// Not thread-safe: the owner serialises access.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "askio/options.h"
#include "askio/status.h"
#include "askio/types.h"
#include "store/sqlite.h"

namespace askio::store {

// Bumped by each migration in catalog.cc.
int LatestSchemaVersion();

// Test hook (disk-full tests): every catalogue connection applies SQLite's
// PRAGMA max_page_count = `pages` at its next transaction; 0 lifts the limit.
// A write beyond it fails as a full disk would (SQLITE_FULL, "disk full").
void SetMaxPageCountForTesting(int64_t pages);

struct NewChunk {
  std::string text;
  std::vector<std::string> heading_path;
  int64_t char_start = 0, char_end = 0, page = 0;
  std::vector<Place> places;
};

struct NewDocument {
  std::string source, title, type, content_hash, text;
  std::vector<NewChunk> chunks;
  // Replace the document's tags with `tags` (otherwise they are kept).
  bool set_tags = false;
  std::vector<std::string> tags;
};

enum class OutboxOp : int { kAdd = 1, kDelete = 2 };

struct OutboxEntry {
  int64_t seq;
  OutboxOp op;
  int64_t chunk_id;
};

// A chunk with the fields the index needs.
struct IndexableChunk {
  int64_t id;
  int64_t document_id;
  std::string title;
  std::vector<std::string> heading_path;
  std::string text;
};

class Catalog {
 public:
  // Opens or creates the database at `path` and applies pending migrations.
  static Result<std::unique_ptr<Catalog>> Open(const std::string& path);

  int schema_version() const { return schema_version_; }
  // The connection, for stores that keep their tables in the catalogue's
  // database and write in its transactions (the knowledge graph).
  Connection& connection() { return db_; }

  Result<std::optional<std::string>> GetMeta(const std::string& key);
  Status SetMeta(const std::string& key, const std::string& value);

  Status Begin();
  Status Commit();
  void Rollback();

  // source -> content hash of every document.
  Result<std::unordered_map<std::string, std::string>> AllHashes();

  // Inserts the document, replacing any document with the same source (its
  // chunks are deleted, version incremented). Call inside Begin/Commit.
  // Returns the new chunks' ids in order.
  // `document_id`, when given, receives the document's id.
  Result<std::vector<int64_t>> PutDocument(const NewDocument& doc, bool* replaced,
                                           int64_t* document_id = nullptr);

  // The id of the document read from `source`, if there is one.
  Result<std::optional<int64_t>> FindDocument(const std::string& source);

  // Deletes a document and its chunks (with outbox entries).
  Status DeleteDocument(int64_t document_id);
  // The same by source; false when there is no such document.
  Result<bool> DeleteDocumentBySource(const std::string& source);

  Result<std::vector<DocumentInfo>> ListDocuments();
  // Tags (schema 4). SetTags replaces the document's tags.
  Status SetTags(int64_t document_id, const std::vector<std::string>& tags);
  Result<std::vector<std::string>> Tags(int64_t document_id);
  // The documents a search filter keeps, by id; and their chunks.
  Result<std::vector<int64_t>> DocumentsMatching(const SearchFilter& filter);
  Result<std::vector<int64_t>> ChunkIdsOf(const std::vector<int64_t>& document_ids);
  Result<std::optional<Chunk>> GetChunk(int64_t chunk_id, std::string* doc_title,
                                        std::string* doc_source);
  Result<std::vector<Chunk>> DocumentChunks(int64_t document_id);
  Result<std::optional<std::string>> DocumentText(int64_t document_id);

  Result<std::vector<OutboxEntry>> OutboxAfter(int64_t seq, int64_t limit);
  Result<int64_t> LatestOutboxSeq();
  Status TruncateOutbox(int64_t up_to_seq);

  Result<std::optional<IndexableChunk>> GetIndexableChunk(int64_t chunk_id);
  Status ForEachIndexableChunk(const std::function<Status(IndexableChunk&&)>& fn);

  // Vectors (schema 3), keyed by model and chunk-text hash.
  Status ForEachChunkText(const std::function<Status(int64_t, const std::string&)>& fn);
  Result<std::unordered_set<std::string>> VectorHashes(const std::string& model);
  Status PutVector(const std::string& model, const std::string& text_hash,
                   const std::vector<float>& vector);
  Result<std::optional<std::vector<float>>> GetVector(const std::string& model,
                                                      const std::string& text_hash);
  // Drops the vectors of other models (after a model change).
  Status DeleteVectorsExcept(const std::string& model);

  struct Counts {
    int64_t documents = 0, chunks = 0, text_bytes = 0;
  };
  Result<Counts> CountAll();

 private:
  explicit Catalog(Connection conn) : db_(std::move(conn)) {}
  Status Migrate();
  Result<Statement*> Cached(int slot, const char* sql);

  Connection db_;
  int schema_version_ = 0;
  int64_t page_limit_ = 0;  // SetMaxPageCountForTesting's value this connection has
  // Prepared statements of the hot paths, by slot (see catalog.cc).
  static constexpr int kStatementSlots = 16;
  Statement cache_[kStatementSlots];
  bool prepared_[kStatementSlots] = {};
};

std::string JoinHeadingPath(const std::vector<std::string>& path);
// Chunk places as stored: "offset\tlocation" lines.
std::string EncodePlaces(const std::vector<Place>& places);
std::vector<Place> DecodePlaces(std::string_view encoded);
// Sets chunk.places and the summary chunk.location from the stored form.
void SetPlaces(Chunk& chunk, std::string_view encoded);
std::vector<std::string> SplitHeadingPath(const std::string& joined);

}  // namespace askio::store
