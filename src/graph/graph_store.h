// The knowledge graph in SQLite, beside the chunks: entities, aliases,
// mentions (chunk + byte offsets), relations and attributes, each row tied
// to the chunk that supports it. Tables are prefixed graph_ and created on
// a connection the caller owns (catalog.db), so graph updates can share the
// transaction that writes the chunks.
//
// Incremental by construction:
//   - UpdateChunk is a no-op when the chunk's content hash and extractor
//     are unchanged; otherwise the chunk's old rows are replaced.
//   - RemoveChunks / RemoveDocument delete exactly the rows those chunks
//     support, then every entity left with no mention, relation or
//     attribute (and its aliases). Nothing else is touched.
//
// Resolution on insert (resolve.h): a name joins the entity whose key
// (NameKey), alias key or mention key equals its own and whose type is
// compatible; a stated alias that names another existing entity merges the
// two, and the merge is recorded as an alias row with its reason (so
// `askio graph entity NAME` can explain it). A merge is not undone when its
// supporting chunk goes away (the entity keeps both names' mentions).
//
// Every call runs in a SAVEPOINT, so it is atomic on its own and nests in
// the caller's transaction. Not thread-safe: one GraphStore per connection.
// The store keeps its SQL statements prepared on the connection (a cache
// that moves with the store): destroy the store before the connection.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "askio/status.h"
#include "graph/extract.h"
#include "store/sqlite.h"

namespace askio::graph {

inline constexpr int kGraphSchemaVersion = 1;

struct EntityInfo {
  int64_t id = 0;
  std::string name;
  EntityType type = EntityType::kOther;
  std::vector<std::string> aliases;        // distinct, as written
  std::vector<std::string> merge_reasons;  // why each alias belongs (same order)
  int64_t mentions = 0, chunks = 0;
};

// A sentence behind an edge: chunk id and byte offsets into the chunk text.
struct Evidence {
  int64_t chunk_id;
  uint32_t begin, end;
};

struct EdgeLabel {
  std::string predicate;  // "" for co-occurrence
  bool outgoing;          // the entity asked about is the subject
  bool cooccurs;
  int64_t count;
};

struct Neighbour {
  int64_t entity_id;
  std::string name;
  EntityType type;
  int64_t weight;                  // all supporting rows (stated and co-occurrence)
  std::vector<EdgeLabel> labels;   // stated first, by count
  std::vector<Evidence> evidence;  // up to 3, stated first
};

struct RelationRow {
  int64_t subject_id, object_id;
  std::string subject, predicate, object;
  bool cooccurs;
  Evidence evidence;
};

struct EntityHit {
  int64_t entity_id;
  std::string name;  // the entity's name (the text may use an alias)
  EntityType type;
  uint32_t begin, end;  // bytes in the searched text
};

struct ChunkHit {
  int64_t chunk_id;
  double score;
  int64_t mentions;  // of the entities asked for
};

struct GraphStats {
  int64_t entities = 0, aliases = 0, mentions = 0, chunks = 0, documents = 0;
  int64_t relations = 0;                                 // stated relation rows
  int64_t cooccurrences = 0;                             // co-occurrence rows
  int64_t edges = 0;                                     // distinct connected entity pairs
  std::vector<std::pair<std::string, int64_t>> by_type;  // entity counts
};

enum class ExportFormat { kJson, kGraphMl };

struct RetrieveOptions {
  size_t max_entities = 8;  // recognised in the question
  size_t neighbours_per_entity = 5;
  double neighbour_weight = 0.3;  // a neighbour's mention counts this much
  size_t limit = 20;              // chunks returned
};

class GraphStore {
 public:
  // Creates the graph_ tables if missing (idempotent) on `db`, which must
  // outlive the store. Fails with kCorruption on a newer graph schema.
  static Result<GraphStore> Open(store::Connection& db);
  GraphStore(GraphStore&&) noexcept;
  GraphStore& operator=(GraphStore&&) noexcept;
  ~GraphStore();

  // --- Updates (call inside the chunk-writing transaction, or alone) -------

  // True when chunk_id is stored with this content hash and extractor: a
  // re-ingest can skip extraction.
  Result<bool> HasChunk(int64_t chunk_id, std::string_view content_hash,
                        std::string_view extractor = kModelFreeExtractor);
  // Stores the chunk's extraction (replacing an older one); a no-op when
  // HasChunk would be true. `text` is the chunk text the offsets refer to.
  Status UpdateChunk(int64_t chunk_id, int64_t document_id, std::string_view content_hash,
                     std::string_view text, const Extraction& extraction,
                     std::string_view extractor = kModelFreeExtractor);
  Status RemoveChunks(const std::vector<int64_t>& chunk_ids);
  Status RemoveDocument(int64_t document_id);
  // Everything: for a rebuild.
  Status Clear();

  // --- Queries ---------------------------------------------------------------

  Result<GraphStats> Stats();
  // By name or alias, folded (case, width, script, punctuation, legal
  // suffix); the entity with most mentions when several match.
  Result<std::optional<EntityInfo>> FindEntity(std::string_view name);
  Result<std::optional<EntityInfo>> GetEntity(int64_t id);
  Result<std::vector<Neighbour>> Neighbours(int64_t entity_id, size_t limit = 20);
  // Chunks mentioning any of the entities, most mentions first.
  Result<std::vector<ChunkHit>> ChunksMentioning(const std::vector<int64_t>& entity_ids,
                                                 size_t limit = 50);
  // Known entity names and aliases in `text` (a question): longest match
  // first, left to right, non-overlapping, whole Latin words only, at least
  // two Han characters. Concept entities (unnamed nouns) are not matched.
  Result<std::vector<EntityHit>> EntitiesInText(std::string_view text);
  // Relation rows between two entities (either direction), stated first.
  Result<std::vector<RelationRow>> RelationsBetween(int64_t a, int64_t b, size_t limit = 20);
  // Stated relations with the entity as subject or object.
  Result<std::vector<RelationRow>> RelationsOf(int64_t entity_id, size_t limit = 50);
  // The "graph" retrieval stage in one call: entities in the question,
  // their chunks (score 1 per mention) and their strongest neighbours'
  // chunks (neighbour_weight per mention).
  Result<std::vector<ChunkHit>> RetrieveChunks(std::string_view question,
                                               const RetrieveOptions& options = {});

  // --- Export / import -----------------------------------------------------

  // JSON: every row (ids, chunk support, offsets); ImportJson(ExportJson)
  // reproduces the store exactly. GraphML: one node per entity and one edge
  // per (subject, object, predicate), weighted, for Gephi/yEd/networkx.
  Result<std::string> Export(ExportFormat format);
  // Into an empty graph; kAlreadyExists otherwise.
  Status ImportJson(std::string_view json);

 private:
  struct Statements;  // prepared once per store, by slot (graph_store.cc)

  explicit GraphStore(store::Connection* db);
  // The statement for `slot`, prepared on first use; the caller resets it.
  Result<store::Statement*> Cached(int slot, const char* sql);
  // By NameKey (already computed).
  Result<int64_t> Resolve(std::string_view key, EntityType type);
  Status Merge(int64_t keep, int64_t drop, std::string_view reason, int64_t chunk_id);
  Status RemoveRows(const std::vector<int64_t>& chunk_ids, std::vector<int64_t>& affected);
  Status Prune(const std::vector<int64_t>& affected);
  Result<std::vector<RelationRow>> Relations(int slot, const char* sql, int64_t a, int64_t b,
                                             size_t limit);

  store::Connection* db_;
  std::unique_ptr<Statements> cache_;
};

}  // namespace askio::graph
