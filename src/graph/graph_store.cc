#include "graph/graph_store.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unordered_map>

#include "common/utf8.h"
#include "graph/resolve.h"

namespace askio::graph {
namespace {

using nlohmann::json;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS graph_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS graph_entities (
  id   INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  key  TEXT NOT NULL,
  type TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS graph_entities_by_key ON graph_entities(key);
CREATE TABLE IF NOT EXISTS graph_chunks (
  chunk_id     INTEGER PRIMARY KEY,
  document_id  INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  extractor    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS graph_chunks_by_document ON graph_chunks(document_id);
CREATE TABLE IF NOT EXISTS graph_aliases (
  entity_id INTEGER NOT NULL,
  alias     TEXT NOT NULL,
  key       TEXT NOT NULL,
  chunk_id  INTEGER NOT NULL,
  reason    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS graph_aliases_by_key ON graph_aliases(key);
CREATE INDEX IF NOT EXISTS graph_aliases_by_entity ON graph_aliases(entity_id);
CREATE INDEX IF NOT EXISTS graph_aliases_by_chunk ON graph_aliases(chunk_id);
CREATE TABLE IF NOT EXISTS graph_mentions (
  chunk_id  INTEGER NOT NULL,
  entity_id INTEGER NOT NULL,
  begin     INTEGER NOT NULL,
  end       INTEGER NOT NULL,
  surface   TEXT NOT NULL,
  key       TEXT NOT NULL,
  PRIMARY KEY (chunk_id, begin)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS graph_mentions_by_entity ON graph_mentions(entity_id, chunk_id);
CREATE INDEX IF NOT EXISTS graph_mentions_by_key ON graph_mentions(key);
CREATE TABLE IF NOT EXISTS graph_relations (
  id             INTEGER PRIMARY KEY,
  chunk_id       INTEGER NOT NULL,
  subject_id     INTEGER NOT NULL,
  object_id      INTEGER NOT NULL,
  predicate      TEXT NOT NULL,
  cooccurs       INTEGER NOT NULL,
  sentence_begin INTEGER NOT NULL,
  sentence_end   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS graph_relations_by_chunk ON graph_relations(chunk_id);
CREATE INDEX IF NOT EXISTS graph_relations_by_subject ON graph_relations(subject_id, object_id);
CREATE INDEX IF NOT EXISTS graph_relations_by_object ON graph_relations(object_id, subject_id);
CREATE TABLE IF NOT EXISTS graph_attributes (
  chunk_id  INTEGER NOT NULL,
  entity_id INTEGER NOT NULL,
  key       TEXT NOT NULL,
  value     TEXT NOT NULL,
  begin     INTEGER NOT NULL,
  end       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS graph_attributes_by_chunk ON graph_attributes(chunk_id);
CREATE INDEX IF NOT EXISTS graph_attributes_by_entity ON graph_attributes(entity_id);
)sql";

// Statements prepared once per store. Slots, not SQL text, so a lookup is an
// array index.
enum Slot : int {
  kSavepoint,
  kRelease,
  kRollbackTo,
  kReadSavepoint,
  kReadRelease,
  kHasChunk,
  kResolve,
  kEntityNameKey,
  kMergeMentions,
  kMergeAliases,
  kMergeAttributes,
  kMergeSubjects,
  kMergeObjects,
  kMergeSelfLoops,
  kDeleteEntity,
  kInsertAlias,
  kInsertEntity,
  kSetType,
  kInsertMention,
  kInsertRelation,
  kInsertAttribute,
  kInsertChunk,
  kEntityExists,
  kChunkEntities,
  kDeleteChunkMentions,
  kDeleteChunkRelations,
  kDeleteChunkAttributes,
  kDeleteChunkAliases,
  kDeleteChunkRow,
  kPruneAliases,
  kPruneEntity,
  kDocumentChunks,
  kStats,
  kStatsTypes,
  kGetEntity,
  kEntityAliases,
  kEntitySurfaces,
  kFindEntity,
  kNeighbours,
  kNeighbourInfo,
  kNeighbourEvidence,
  kEntitiesInText,
  kEntitiesInTextSmall,
  kRelationsBetween,
  kRelationsOf,
  kSlotCount
};

// Resets a cached statement (and clears its bindings) when the scope ends,
// so no statement keeps a read transaction open between calls.
class ResetOnExit {
 public:
  explicit ResetOnExit(store::Statement& st) : st_(st) {}
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;
  ~ResetOnExit() { st_.Reset(); }

 private:
  store::Statement& st_;
};

// A SAVEPOINT that rolls back unless released.
class Savepoint {
 public:
  Savepoint(store::Statement* begin, store::Statement* release, store::Statement* rollback)
      : begin_(begin), release_(release), rollback_(rollback) {}
  Status Begin() {
    ASKIO_RETURN_IF_ERROR(begin_->Run());
    open_ = true;
    return Status::Ok();
  }
  Status Release() {
    open_ = false;
    return release_->Run();
  }
  ~Savepoint() {
    if (open_) {
      (void)rollback_->Run();
      (void)release_->Run();
    }
  }

 private:
  store::Statement *begin_, *release_, *rollback_;
  bool open_ = false;
};

// A read-only SAVEPOINT: outside a transaction, it makes a query's many
// lookups share one read transaction (one lock, one snapshot) instead of
// each taking its own. Released (never rolled back: it writes nothing).
class ReadScope {
 public:
  explicit ReadScope(store::Statement* release) : release_(release) {}
  ReadScope(const ReadScope&) = delete;
  ReadScope& operator=(const ReadScope&) = delete;
  ~ReadScope() { (void)release_->Run(); }

 private:
  store::Statement* release_;
};

std::string IdList(const std::vector<int64_t>& ids) {
  std::string s;
  for (int64_t id : ids) {
    if (!s.empty()) s += ',';
    s += std::to_string(id);
  }
  return s;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') break;
        out.push_back(c);
    }
  }
  return out;
}

// EntitiesInText's lookup of `n` keys (?1..?n; NULL matches nothing): for
// each, the first non-concept entity whose key, alias key or mention key it
// is, in that order.
constexpr size_t kLookupBatch = 128, kSmallLookupBatch = 16;
const std::string& LookupSql(size_t n) {
  auto make = [](size_t count) {
    std::string sql = "WITH q(n, k) AS (VALUES ";
    for (size_t i = 1; i <= count; ++i) {
      if (i > 1) sql += ", ";
      sql += "(" + std::to_string(i) + ", ?" + std::to_string(i) + ")";
    }
    sql +=
        ") SELECT q.n, (SELECT e.id FROM graph_entities e WHERE e.key = q.k AND e.type != "
        "'concept' UNION ALL SELECT e.id FROM graph_aliases a JOIN graph_entities e"
        " ON e.id = a.entity_id WHERE a.key = q.k AND e.type != 'concept' "
        "UNION ALL SELECT e.id FROM graph_mentions m JOIN graph_entities e"
        " ON e.id = m.entity_id WHERE m.key = q.k AND e.type != 'concept' LIMIT 1)"
        " FROM q WHERE q.k IS NOT NULL";
    return sql;
  };
  static const std::string small = make(kSmallLookupBatch), large = make(kLookupBatch);
  return n <= kSmallLookupBatch ? small : large;
}

bool IsHan(char32_t c) {
  return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x3134F);
}

}  // namespace

struct GraphStore::Statements {
  std::array<store::Statement, kSlotCount> st;
  std::array<bool, kSlotCount> ready{};
};

GraphStore::GraphStore(store::Connection* db) : db_(db), cache_(std::make_unique<Statements>()) {}
GraphStore::GraphStore(GraphStore&&) noexcept = default;
GraphStore& GraphStore::operator=(GraphStore&&) noexcept = default;
GraphStore::~GraphStore() = default;

Result<store::Statement*> GraphStore::Cached(int slot, const char* sql) {
  if (!cache_) cache_ = std::make_unique<Statements>();
  const auto i = static_cast<size_t>(slot);
  if (!cache_->ready[i]) {
    auto p = db_->Prepare(sql);
    if (!p) return Err(p.error());
    cache_->st[i] = std::move(*p);
    cache_->ready[i] = true;
  }
  return &cache_->st[i];
}

// Binds `var` to the cached statement for `slot` (preparing it on first use)
// and resets it when the scope ends; returns the error from the enclosing
// function (Status or Result<T>) when it cannot be prepared.
#define GRAPH_STATEMENT(var, slot, sql)                                                \
  auto var##_cached = Cached(slot, sql);                                               \
  if (!var##_cached) return ::askio::PropagatedError{std::move(var##_cached).error()}; \
  store::Statement& var = **var##_cached;                                              \
  ResetOnExit var##_reset(var)

// An update's SAVEPOINT, from cached statements.
#define GRAPH_SAVEPOINT(var)                                                \
  GRAPH_STATEMENT(var##_begin, kSavepoint, "SAVEPOINT graph_update");       \
  GRAPH_STATEMENT(var##_release, kRelease, "RELEASE graph_update");         \
  GRAPH_STATEMENT(var##_rollback, kRollbackTo, "ROLLBACK TO graph_update"); \
  Savepoint var(&var##_begin, &var##_release, &var##_rollback)

// A query's read scope (see ReadScope).
#define GRAPH_READ_SCOPE()                                             \
  GRAPH_STATEMENT(read_begin, kReadSavepoint, "SAVEPOINT graph_read"); \
  GRAPH_STATEMENT(read_release, kReadRelease, "RELEASE graph_read");   \
  ASKIO_RETURN_IF_ERROR(read_begin.Run());                             \
  ReadScope read_scope(&read_release)

Result<GraphStore> GraphStore::Open(store::Connection& db) {
  ASKIO_RETURN_IF_ERROR(db.Exec(kSchema));
  auto st = db.Prepare("SELECT value FROM graph_meta WHERE key = 'schema_version'");
  if (!st) return Err(st.error());
  auto row = st->Step();
  if (!row) return Err(row.error());
  if (*row) {
    const int version = std::atoi(st->Text(0).c_str());
    if (version > kGraphSchemaVersion)
      return Err(Status::Corruption("graph schema version " + std::to_string(version) +
                                    " is newer than this askio (" +
                                    std::to_string(kGraphSchemaVersion) + ")"));
  } else {
    auto ins = db.Prepare("INSERT INTO graph_meta(key, value) VALUES ('schema_version', ?)");
    if (!ins) return Err(ins.error());
    ins->Bind(1, std::string_view(std::to_string(kGraphSchemaVersion)));
    ASKIO_RETURN_IF_ERROR(ins->Run());
  }
  return GraphStore(&db);
}

Result<bool> GraphStore::HasChunk(int64_t chunk_id, std::string_view content_hash,
                                  std::string_view extractor) {
  GRAPH_STATEMENT(
      st, kHasChunk,
      "SELECT 1 FROM graph_chunks WHERE chunk_id = ? AND content_hash = ? AND extractor = ?");
  st.Bind(1, chunk_id).Bind(2, content_hash).Bind(3, extractor);
  return st.Step();
}

// The entity a name denotes: same key with a compatible type, else an alias
// or mention with that key; 0 when none.
Result<int64_t> GraphStore::Resolve(std::string_view key, EntityType type) {
  GRAPH_STATEMENT(st, kResolve,
                  "SELECT id, type FROM graph_entities WHERE key = ?1 "
                  "UNION ALL SELECT a.entity_id, e.type FROM graph_aliases a JOIN graph_entities e "
                  "ON e.id = a.entity_id WHERE a.key = ?1 "
                  "UNION ALL SELECT m.entity_id, e.type FROM graph_mentions m JOIN graph_entities "
                  "e ON e.id = m.entity_id WHERE m.key = ?1 LIMIT 16");
  st.Bind(1, key);
  while (true) {
    auto row = st.Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    const EntityType t = ParseEntityType(st.Text(1));
    if (TypesCompatible(t, type) || t == EntityType::kConcept || type == EntityType::kConcept)
      return st.Int(0);
  }
  return int64_t{0};
}

Status GraphStore::Merge(int64_t keep, int64_t drop, std::string_view reason, int64_t chunk_id) {
  if (keep == drop) return Status::Ok();
  std::string drop_name, drop_key;
  {
    GRAPH_STATEMENT(name, kEntityNameKey, "SELECT name, key FROM graph_entities WHERE id = ?");
    name.Bind(1, drop);
    auto row = name.Step();
    if (!row) return row.error();
    if (!*row) return Status::Ok();
    drop_name = name.Text(0);
    drop_key = name.Text(1);
  }
  struct Move {
    int slot;
    const char* sql;
  };
  for (const Move& m : {
           Move{kMergeMentions, "UPDATE graph_mentions SET entity_id = ?1 WHERE entity_id = ?2"},
           Move{kMergeAliases, "UPDATE graph_aliases SET entity_id = ?1 WHERE entity_id = ?2"},
           Move{kMergeAttributes,
                "UPDATE graph_attributes SET entity_id = ?1 WHERE entity_id = ?2"},
           Move{kMergeSubjects, "UPDATE graph_relations SET subject_id = ?1 WHERE subject_id = ?2"},
           Move{kMergeObjects, "UPDATE graph_relations SET object_id = ?1 WHERE object_id = ?2"},
       }) {
    GRAPH_STATEMENT(st, m.slot, m.sql);
    st.Bind(1, keep).Bind(2, drop);
    ASKIO_RETURN_IF_ERROR(st.Run());
  }
  {
    // The only self-loops a merge can make are keep's own (updates never
    // store one).
    GRAPH_STATEMENT(st, kMergeSelfLoops,
                    "DELETE FROM graph_relations WHERE subject_id = ?1 AND object_id = ?1");
    st.Bind(1, keep);
    ASKIO_RETURN_IF_ERROR(st.Run());
  }
  {
    GRAPH_STATEMENT(st, kDeleteEntity, "DELETE FROM graph_entities WHERE id = ?");
    st.Bind(1, drop);
    ASKIO_RETURN_IF_ERROR(st.Run());
  }
  GRAPH_STATEMENT(
      ins, kInsertAlias,
      "INSERT INTO graph_aliases(entity_id, alias, key, chunk_id, reason) VALUES (?,?,?,?,?)");
  ins.Bind(1, keep)
      .Bind(2, std::string_view(drop_name))
      .Bind(3, std::string_view(drop_key))
      .Bind(4, chunk_id)
      .Bind(5, reason);
  return ins.Run();
}

Status GraphStore::UpdateChunk(int64_t chunk_id, int64_t document_id, std::string_view content_hash,
                               std::string_view text, const Extraction& x,
                               std::string_view extractor) {
  auto have = HasChunk(chunk_id, content_hash, extractor);
  if (!have) return have.error();
  if (*have) return Status::Ok();
  for (const Mention& m : x.mentions)
    if (m.entity >= x.entities.size() || m.begin > m.end || m.end > text.size())
      return Status::InvalidArgument("graph: mention out of range");
  for (const Relation& r : x.relations)
    if (r.subject >= x.entities.size() || r.object >= x.entities.size())
      return Status::InvalidArgument("graph: relation names an unknown entity");
  for (const Attribute& a : x.attributes)
    if (a.entity >= x.entities.size())
      return Status::InvalidArgument("graph: attribute names an unknown entity");
  GRAPH_SAVEPOINT(sp);
  ASKIO_RETURN_IF_ERROR(sp.Begin());
  std::vector<int64_t> affected;
  ASKIO_RETURN_IF_ERROR(RemoveRows({chunk_id}, affected));

  GRAPH_STATEMENT(insert_entity, kInsertEntity,
                  "INSERT INTO graph_entities(name, key, type) VALUES (?, ?, ?)");
  GRAPH_STATEMENT(set_type, kSetType,
                  "UPDATE graph_entities SET type = ? WHERE id = ? AND type IN "
                  "('other', 'concept')");
  GRAPH_STATEMENT(
      insert_alias, kInsertAlias,
      "INSERT INTO graph_aliases(entity_id, alias, key, chunk_id, reason) VALUES (?,?,?,?,?)");
  GRAPH_STATEMENT(insert_mention, kInsertMention,
                  "INSERT OR IGNORE INTO graph_mentions(chunk_id, entity_id, begin, end, surface, "
                  "key) VALUES (?,?,?,?,?,?)");
  GRAPH_STATEMENT(insert_relation, kInsertRelation,
                  "INSERT INTO graph_relations(chunk_id, subject_id, object_id, predicate, "
                  "cooccurs, sentence_begin, sentence_end) VALUES (?,?,?,?,?,?,?)");
  GRAPH_STATEMENT(insert_attribute, kInsertAttribute,
                  "INSERT INTO graph_attributes(chunk_id, entity_id, key, value, begin, end) "
                  "VALUES (?,?,?,?,?,?)");
  GRAPH_STATEMENT(insert_chunk, kInsertChunk,
                  "INSERT OR REPLACE INTO graph_chunks(chunk_id, document_id, content_hash, "
                  "extractor) VALUES (?,?,?,?)");

  std::vector<int64_t> ids(x.entities.size(), 0);
  std::vector<std::string> keys(x.entities.size());  // NameKey of each entity's name
  bool merged = false;
  std::vector<std::string> alias_keys;
  for (size_t i = 0; i < x.entities.size(); ++i) {
    const Entity& e = x.entities[i];
    keys[i] = NameKey(e.name);
    alias_keys.clear();
    for (const auto& a : e.aliases) alias_keys.push_back(NameKey(a));
    auto id = Resolve(keys[i], e.type);
    if (!id) return id.error();
    if (*id == 0) {
      // An alias may already be known: the entity joins it.
      for (const auto& ak : alias_keys) {
        auto aid = Resolve(ak, e.type);
        if (!aid) return aid.error();
        if (*aid) {
          *id = *aid;
          break;
        }
      }
    }
    const std::string_view type = EntityTypeName(e.type);
    if (*id == 0) {
      const std::string& key = keys[i].empty() ? e.name : keys[i];
      insert_entity.Bind(1, std::string_view(e.name)).Bind(2, std::string_view(key)).Bind(3, type);
      ASKIO_RETURN_IF_ERROR(insert_entity.Run());
      *id = db_->LastInsertId();
    } else if (e.type != EntityType::kOther && e.type != EntityType::kConcept) {
      set_type.Bind(1, type).Bind(2, *id);
      ASKIO_RETURN_IF_ERROR(set_type.Run());
    }
    ids[i] = *id;
    for (size_t a = 0; a < e.aliases.size(); ++a) {
      const std::string& alias = e.aliases[a];
      const std::string& key = alias_keys[a];
      const std::string reason = a < e.alias_reasons.size() && !e.alias_reasons[a].empty()
                                     ? e.alias_reasons[a]
                                     : "alias stated in the text";
      auto other = Resolve(key, e.type);
      if (!other) return other.error();
      if (*other && *other != *id) {
        ASKIO_RETURN_IF_ERROR(Merge(*id, *other, reason, chunk_id));
        merged = true;
      }
      if (key.empty()) continue;
      insert_alias.Bind(1, *id)
          .Bind(2, std::string_view(alias))
          .Bind(3, std::string_view(key))
          .Bind(4, chunk_id)
          .Bind(5, std::string_view(reason));
      ASKIO_RETURN_IF_ERROR(insert_alias.Run());
    }
  }
  // A merge above may have dropped an id resolved earlier in this chunk.
  if (merged) {
    GRAPH_STATEMENT(check, kEntityExists, "SELECT 1 FROM graph_entities WHERE id = ?");
    for (size_t i = 0; i < ids.size(); ++i) {
      check.Bind(1, ids[i]);
      auto row = check.Step();
      check.Reset();
      if (!row) return row.error();
      if (!*row) {
        auto again = Resolve(keys[i], x.entities[i].type);
        if (!again) return again.error();
        ids[i] = *again;
      }
    }
  }
  for (const Mention& m : x.mentions) {
    if (!ids[m.entity]) continue;
    const std::string_view surface = text.substr(m.begin, m.end - m.begin);
    const std::string key = NameKey(surface);
    insert_mention.Bind(1, chunk_id)
        .Bind(2, ids[m.entity])
        .Bind(3, static_cast<int64_t>(m.begin))
        .Bind(4, static_cast<int64_t>(m.end))
        .Bind(5, surface)
        .Bind(6, std::string_view(key));
    ASKIO_RETURN_IF_ERROR(insert_mention.Run());
  }
  for (const Relation& r : x.relations) {
    const int64_t s = ids[r.subject], o = ids[r.object];
    if (!s || !o || s == o) continue;
    insert_relation.Bind(1, chunk_id)
        .Bind(2, s)
        .Bind(3, o)
        .Bind(4, std::string_view(r.predicate))
        .Bind(5, int64_t{r.kind == Relation::Kind::kCooccurs})
        .Bind(6, static_cast<int64_t>(r.sentence_begin))
        .Bind(7, static_cast<int64_t>(r.sentence_end));
    ASKIO_RETURN_IF_ERROR(insert_relation.Run());
  }
  for (const Attribute& a : x.attributes) {
    if (!ids[a.entity]) continue;
    insert_attribute.Bind(1, chunk_id)
        .Bind(2, ids[a.entity])
        .Bind(3, std::string_view(a.key))
        .Bind(4, std::string_view(a.value))
        .Bind(5, static_cast<int64_t>(a.begin))
        .Bind(6, static_cast<int64_t>(a.end));
    ASKIO_RETURN_IF_ERROR(insert_attribute.Run());
  }
  insert_chunk.Bind(1, chunk_id).Bind(2, document_id).Bind(3, content_hash).Bind(4, extractor);
  ASKIO_RETURN_IF_ERROR(insert_chunk.Run());
  ASKIO_RETURN_IF_ERROR(Prune(affected));
  return sp.Release();
}

Status GraphStore::RemoveRows(const std::vector<int64_t>& chunk_ids,
                              std::vector<int64_t>& affected) {
  if (chunk_ids.empty()) return Status::Ok();
  if (chunk_ids.size() == 1) {
    // One chunk (every update): cached statements.
    {
      GRAPH_STATEMENT(st, kChunkEntities,
                      "SELECT entity_id FROM graph_mentions WHERE chunk_id = ?1"
                      " UNION SELECT subject_id FROM graph_relations WHERE chunk_id = ?1"
                      " UNION SELECT object_id FROM graph_relations WHERE chunk_id = ?1"
                      " UNION SELECT entity_id FROM graph_attributes WHERE chunk_id = ?1"
                      " UNION SELECT entity_id FROM graph_aliases WHERE chunk_id = ?1");
      st.Bind(1, chunk_ids[0]);
      while (true) {
        auto row = st.Step();
        if (!row) return row.error();
        if (!*row) break;
        affected.push_back(st.Int(0));
      }
    }
    struct Delete {
      int slot;
      const char* sql;
    };
    for (const Delete& d : {
             Delete{kDeleteChunkMentions, "DELETE FROM graph_mentions WHERE chunk_id = ?"},
             Delete{kDeleteChunkRelations, "DELETE FROM graph_relations WHERE chunk_id = ?"},
             Delete{kDeleteChunkAttributes, "DELETE FROM graph_attributes WHERE chunk_id = ?"},
             Delete{kDeleteChunkAliases, "DELETE FROM graph_aliases WHERE chunk_id = ?"},
             Delete{kDeleteChunkRow, "DELETE FROM graph_chunks WHERE chunk_id = ?"},
         }) {
      GRAPH_STATEMENT(st, d.slot, d.sql);
      st.Bind(1, chunk_ids[0]);
      ASKIO_RETURN_IF_ERROR(st.Run());
    }
    return Status::Ok();
  }
  const std::string in = "(" + IdList(chunk_ids) + ")";
  auto st = db_->Prepare("SELECT entity_id FROM graph_mentions WHERE chunk_id IN " + in +
                         " UNION SELECT subject_id FROM graph_relations WHERE chunk_id IN " + in +
                         " UNION SELECT object_id FROM graph_relations WHERE chunk_id IN " + in +
                         " UNION SELECT entity_id FROM graph_attributes WHERE chunk_id IN " + in +
                         " UNION SELECT entity_id FROM graph_aliases WHERE chunk_id IN " + in);
  if (!st) return st.error();
  while (true) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    affected.push_back(st->Int(0));
  }
  for (const char* table :
       {"graph_mentions", "graph_relations", "graph_attributes", "graph_aliases", "graph_chunks"})
    ASKIO_RETURN_IF_ERROR(
        db_->Exec(std::string("DELETE FROM ") + table + " WHERE chunk_id IN " + in));
  return Status::Ok();
}

// Deletes the affected entities nothing supports any more, with their aliases.
// Whether an entity is an orphan depends only on mentions, relations and
// attributes, so deleting one orphan (aliases first) never changes another's
// verdict: one entity at a time, with cached statements.
Status GraphStore::Prune(const std::vector<int64_t>& affected) {
  if (affected.empty()) return Status::Ok();
#define GRAPH_ORPHAN                                                      \
  " NOT EXISTS (SELECT 1 FROM graph_mentions WHERE entity_id = ?1)"       \
  " AND NOT EXISTS (SELECT 1 FROM graph_relations WHERE subject_id = ?1)" \
  " AND NOT EXISTS (SELECT 1 FROM graph_relations WHERE object_id = ?1)"  \
  " AND NOT EXISTS (SELECT 1 FROM graph_attributes WHERE entity_id = ?1)"
  GRAPH_STATEMENT(aliases, kPruneAliases,
                  "DELETE FROM graph_aliases WHERE entity_id = ?1 AND EXISTS (SELECT 1 FROM "
                  "graph_entities WHERE id = ?1) AND" GRAPH_ORPHAN);
  GRAPH_STATEMENT(entity, kPruneEntity,
                  "DELETE FROM graph_entities WHERE id = ?1 AND" GRAPH_ORPHAN);
#undef GRAPH_ORPHAN
  for (int64_t id : affected) {
    aliases.Bind(1, id);
    ASKIO_RETURN_IF_ERROR(aliases.Run());
    entity.Bind(1, id);
    ASKIO_RETURN_IF_ERROR(entity.Run());
  }
  return Status::Ok();
}

Status GraphStore::RemoveChunks(const std::vector<int64_t>& chunk_ids) {
  if (chunk_ids.empty()) return Status::Ok();
  GRAPH_SAVEPOINT(sp);
  ASKIO_RETURN_IF_ERROR(sp.Begin());
  std::vector<int64_t> affected;
  // Bounded IN lists.
  for (size_t i = 0; i < chunk_ids.size(); i += 500) {
    std::vector<int64_t> part(
        chunk_ids.begin() + static_cast<std::ptrdiff_t>(i),
        chunk_ids.begin() + static_cast<std::ptrdiff_t>(std::min(chunk_ids.size(), i + 500)));
    ASKIO_RETURN_IF_ERROR(RemoveRows(part, affected));
  }
  std::sort(affected.begin(), affected.end());
  affected.erase(std::unique(affected.begin(), affected.end()), affected.end());
  for (size_t i = 0; i < affected.size(); i += 500) {
    std::vector<int64_t> part(
        affected.begin() + static_cast<std::ptrdiff_t>(i),
        affected.begin() + static_cast<std::ptrdiff_t>(std::min(affected.size(), i + 500)));
    ASKIO_RETURN_IF_ERROR(Prune(part));
  }
  return sp.Release();
}

Status GraphStore::RemoveDocument(int64_t document_id) {
  std::vector<int64_t> ids;
  {
    GRAPH_STATEMENT(st, kDocumentChunks, "SELECT chunk_id FROM graph_chunks WHERE document_id = ?");
    st.Bind(1, document_id);
    while (true) {
      auto row = st.Step();
      if (!row) return row.error();
      if (!*row) break;
      ids.push_back(st.Int(0));
    }
  }
  return RemoveChunks(ids);
}

Status GraphStore::Clear() {
  return db_->Exec(
      "DELETE FROM graph_mentions; DELETE FROM graph_relations; DELETE FROM graph_attributes; "
      "DELETE FROM graph_aliases; DELETE FROM graph_chunks; DELETE FROM graph_entities;");
}

// --- Queries ------------------------------------------------------------------

Result<GraphStats> GraphStore::Stats() {
  GraphStats s;
  GRAPH_STATEMENT(
      st, kStats,
      "SELECT (SELECT COUNT(*) FROM graph_entities), (SELECT COUNT(*) FROM graph_aliases),"
      " (SELECT COUNT(*) FROM graph_mentions), (SELECT COUNT(*) FROM graph_chunks),"
      " (SELECT COUNT(DISTINCT document_id) FROM graph_chunks),"
      " (SELECT COUNT(*) FROM graph_relations WHERE cooccurs = 0),"
      " (SELECT COUNT(*) FROM graph_relations WHERE cooccurs = 1),"
      " (SELECT COUNT(*) FROM (SELECT DISTINCT MIN(subject_id, object_id),"
      "   MAX(subject_id, object_id) FROM graph_relations))");
  auto row = st.Step();
  if (!row) return Err(row.error());
  s.entities = st.Int(0);
  s.aliases = st.Int(1);
  s.mentions = st.Int(2);
  s.chunks = st.Int(3);
  s.documents = st.Int(4);
  s.relations = st.Int(5);
  s.cooccurrences = st.Int(6);
  s.edges = st.Int(7);
  st.Reset();
  GRAPH_STATEMENT(
      types, kStatsTypes,
      "SELECT type, COUNT(*) FROM graph_entities GROUP BY type ORDER BY COUNT(*) DESC, type");
  while (true) {
    auto r = types.Step();
    if (!r) return Err(r.error());
    if (!*r) break;
    s.by_type.emplace_back(types.Text(0), types.Int(1));
  }
  return s;
}

Result<std::optional<EntityInfo>> GraphStore::GetEntity(int64_t id) {
  GRAPH_STATEMENT(st, kGetEntity,
                  "SELECT name, type, (SELECT COUNT(*) FROM graph_mentions WHERE entity_id = ?1),"
                  " (SELECT COUNT(DISTINCT chunk_id) FROM graph_mentions WHERE entity_id = ?1)"
                  " FROM graph_entities WHERE id = ?1");
  st.Bind(1, id);
  auto row = st.Step();
  if (!row) return Err(row.error());
  if (!*row) return std::optional<EntityInfo>();
  EntityInfo e;
  e.id = id;
  e.name = st.Text(0);
  e.type = ParseEntityType(st.Text(1));
  e.mentions = st.Int(2);
  e.chunks = st.Int(3);
  st.Reset();
  // Aliases: stated ones with their reasons, then other surfaces mentioned.
  GRAPH_STATEMENT(al, kEntityAliases,
                  "SELECT alias, MIN(reason) FROM graph_aliases WHERE entity_id = ? GROUP BY key "
                  "ORDER BY MIN(rowid)");
  al.Bind(1, id);
  std::set<std::string> seen{FoldedName(e.name)};
  while (true) {
    auto r = al.Step();
    if (!r) return Err(r.error());
    if (!*r) break;
    if (!seen.insert(FoldedName(al.Text(0))).second) continue;
    e.aliases.push_back(al.Text(0));
    e.merge_reasons.push_back(al.Text(1));
  }
  al.Reset();
  GRAPH_STATEMENT(ms, kEntitySurfaces,
                  "SELECT surface, COUNT(*) FROM graph_mentions WHERE entity_id = ? GROUP BY "
                  "surface ORDER BY COUNT(*) DESC LIMIT 20");
  ms.Bind(1, id);
  while (true) {
    auto r = ms.Step();
    if (!r) return Err(r.error());
    if (!*r) break;
    const std::string surface = ms.Text(0);
    if (!seen.insert(FoldedName(surface)).second) continue;
    e.aliases.push_back(surface);
    e.merge_reasons.push_back(DecideMerge(e.name, e.type, surface, e.type).reason);
  }
  return std::optional<EntityInfo>(std::move(e));
}

Result<std::optional<EntityInfo>> GraphStore::FindEntity(std::string_view name) {
  const std::string key = NameKey(name);
  if (key.empty()) return std::optional<EntityInfo>();
  GRAPH_READ_SCOPE();
  std::map<int64_t, int> candidates;
  {
    GRAPH_STATEMENT(st, kFindEntity,
                    "SELECT id, 0 AS pri FROM graph_entities WHERE key = ?1 "
                    "UNION ALL SELECT entity_id, 1 FROM graph_aliases WHERE key = ?1 "
                    "UNION ALL SELECT entity_id, 2 FROM graph_mentions WHERE key = ?1");
    st.Bind(1, std::string_view(key));
    while (true) {
      auto row = st.Step();
      if (!row) return Err(row.error());
      if (!*row) break;
      candidates.emplace(st.Int(0), static_cast<int>(st.Int(1)));
    }
  }
  std::optional<EntityInfo> best;
  int best_pri = 9;
  for (const auto& [id, pri] : candidates) {
    auto e = GetEntity(id);
    if (!e) return Err(e.error());
    if (!*e) continue;
    if (!best || pri < best_pri || (pri == best_pri && (*e)->mentions > best->mentions)) {
      best = std::move(**e);
      best_pri = pri;
    }
  }
  return best;
}

Result<std::vector<Neighbour>> GraphStore::Neighbours(int64_t entity_id, size_t limit) {
  GRAPH_READ_SCOPE();
  GRAPH_STATEMENT(
      st, kNeighbours,
      "SELECT other, predicate, outgoing, cooccurs, COUNT(*) FROM ("
      " SELECT object_id AS other, predicate, 1 AS outgoing, cooccurs FROM graph_relations"
      "  WHERE subject_id = ?1"
      " UNION ALL SELECT subject_id, predicate, 0, cooccurs FROM graph_relations"
      "  WHERE object_id = ?1)"
      " GROUP BY other, predicate, outgoing, cooccurs");
  st.Bind(1, entity_id);
  std::map<int64_t, Neighbour> by_id;
  while (true) {
    auto row = st.Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    Neighbour& n = by_id[st.Int(0)];
    n.entity_id = st.Int(0);
    n.weight += st.Int(4);
    n.labels.push_back({st.Text(1), st.Int(2) != 0, st.Int(3) != 0, st.Int(4)});
  }
  st.Reset();
  std::vector<Neighbour> out;
  for (auto& [id, n] : by_id) {
    std::sort(n.labels.begin(), n.labels.end(), [](const EdgeLabel& a, const EdgeLabel& b) {
      if (a.cooccurs != b.cooccurs) return !a.cooccurs;
      return a.count > b.count;
    });
    out.push_back(std::move(n));
  }
  auto stated = [](const Neighbour& n) {
    int64_t c = 0;
    for (const auto& l : n.labels)
      if (!l.cooccurs) c += l.count;
    return c;
  };
  std::sort(out.begin(), out.end(), [&](const Neighbour& a, const Neighbour& b) {
    const int64_t sa = stated(a), sb = stated(b);
    if ((sa > 0) != (sb > 0)) return sa > 0;
    if (a.weight != b.weight) return a.weight > b.weight;
    return a.entity_id < b.entity_id;
  });
  if (out.size() > limit) out.resize(limit);
  GRAPH_STATEMENT(info, kNeighbourInfo, "SELECT name, type FROM graph_entities WHERE id = ?");
  GRAPH_STATEMENT(ev, kNeighbourEvidence,
                  "SELECT chunk_id, sentence_begin, sentence_end FROM graph_relations WHERE"
                  " (subject_id = ?1 AND object_id = ?2) OR (subject_id = ?2 AND object_id = ?1)"
                  " ORDER BY cooccurs, chunk_id LIMIT 3");
  for (Neighbour& n : out) {
    info.Bind(1, n.entity_id);
    auto row = info.Step();
    if (!row) return Err(row.error());
    if (*row) {
      n.name = info.Text(0);
      n.type = ParseEntityType(info.Text(1));
    }
    info.Reset();
    ev.Bind(1, entity_id).Bind(2, n.entity_id);
    while (true) {
      auto r = ev.Step();
      if (!r) return Err(r.error());
      if (!*r) break;
      n.evidence.push_back(
          {ev.Int(0), static_cast<uint32_t>(ev.Int(1)), static_cast<uint32_t>(ev.Int(2))});
    }
    ev.Reset();
  }
  return out;
}

Result<std::vector<ChunkHit>> GraphStore::ChunksMentioning(const std::vector<int64_t>& entity_ids,
                                                           size_t limit) {
  std::vector<ChunkHit> out;
  if (entity_ids.empty()) return out;
  auto st = db_->Prepare("SELECT chunk_id, COUNT(*) FROM graph_mentions WHERE entity_id IN (" +
                         IdList(entity_ids) +
                         ") GROUP BY chunk_id ORDER BY COUNT(*) DESC, chunk_id LIMIT ?");
  if (!st) return Err(st.error());
  st->Bind(1, static_cast<int64_t>(limit));
  while (true) {
    auto row = st->Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    out.push_back({st->Int(0), static_cast<double>(st->Int(1)), st->Int(1)});
  }
  return out;
}

Result<std::vector<EntityHit>> GraphStore::EntitiesInText(std::string_view text) {
  // Units: a Han character, or a run of letters/digits; spans of units are
  // looked up by NameKey.
  struct Unit {
    uint32_t begin, end;
    bool han;
  };
  std::vector<Unit> units;
  for (size_t i = 0; i < text.size();) {
    const size_t at = i;
    const char32_t c = utf8::Next(text, i);
    if (IsHan(c)) {
      units.push_back({static_cast<uint32_t>(at), static_cast<uint32_t>(i), true});
    } else if (c < 0x80 ? std::isalnum(static_cast<int>(c)) != 0 : c > 0x2000) {
      size_t j = i;
      while (j < text.size()) {
        size_t k = j;
        const char32_t d = utf8::Next(text, k);
        if (IsHan(d) || !(d < 0x80 ? std::isalnum(static_cast<int>(d)) != 0 : d > 0x2000)) break;
        j = k;
      }
      units.push_back({static_cast<uint32_t>(at), static_cast<uint32_t>(j), false});
      i = j;
    }
  }
  std::vector<EntityHit> out;
  if (units.empty()) return out;
  // Every candidate span's key (whole units; at least two Han characters,
  // or a Latin word of two+), deduplicated: span_key[i * kMaxUnits + n - 1]
  // indexes `keys`, or is npos.
  constexpr size_t kMaxUnits = 16;
  constexpr size_t npos = static_cast<size_t>(-1);
  std::vector<size_t> span_key(units.size() * kMaxUnits, npos);
  std::vector<std::string> keys;
  std::unordered_map<std::string, size_t> key_index;
  for (size_t i = 0; i < units.size(); ++i) {
    size_t han = 0;
    for (size_t n = 1; n <= std::min(kMaxUnits, units.size() - i); ++n) {
      han += units[i + n - 1].han;
      const Unit& a = units[i];
      const Unit& b = units[i + n - 1];
      if (han == n && n < 2) continue;
      if (han == 0 && n == 1 && a.end - a.begin < 2) continue;
      std::string key = NameKey(text.substr(a.begin, b.end - a.begin));
      if (key.empty()) continue;
      auto [it, added] = key_index.try_emplace(std::move(key), keys.size());
      if (added) keys.push_back(it->first);
      span_key[i * kMaxUnits + n - 1] = it->second;
    }
  }
  // Each key's entity (0: none), in batches: entity key first, then alias,
  // then mention, non-concept only; the first row in index order.
  GRAPH_READ_SCOPE();
  std::vector<int64_t> entity(keys.size(), 0);
  for (size_t from = 0; from < keys.size(); from += kLookupBatch) {
    const size_t count = std::min(kLookupBatch, keys.size() - from);
    const bool small = count <= kSmallLookupBatch;
    const std::string& sql = LookupSql(small ? kSmallLookupBatch : kLookupBatch);
    GRAPH_STATEMENT(st, small ? kEntitiesInTextSmall : kEntitiesInText, sql.c_str());
    for (size_t q = 0; q < count; ++q)
      st.Bind(static_cast<int>(q + 1), std::string_view(keys[from + q]));
    while (true) {
      auto row = st.Step();
      if (!row) return Err(row.error());
      if (!*row) break;
      if (!st.IsNull(1)) entity[from + static_cast<size_t>(st.Int(0)) - 1] = st.Int(1);
    }
  }
  // Longest match first, left to right.
  GRAPH_STATEMENT(info, kNeighbourInfo, "SELECT name, type FROM graph_entities WHERE id = ?");
  for (size_t i = 0; i < units.size();) {
    bool found = false;
    for (size_t n = std::min(kMaxUnits, units.size() - i); n >= 1; --n) {
      const size_t k = span_key[i * kMaxUnits + n - 1];
      if (k == npos || entity[k] == 0) continue;
      info.Bind(1, entity[k]);
      auto row = info.Step();
      if (!row) return Err(row.error());
      if (*row)
        out.push_back({entity[k], info.Text(0), ParseEntityType(info.Text(1)), units[i].begin,
                       units[i + n - 1].end});
      info.Reset();
      if (!*row) continue;
      i += n;
      found = true;
      break;
    }
    if (!found) ++i;
  }
  return out;
}

Result<std::vector<RelationRow>> GraphStore::Relations(int slot, const char* sql, int64_t a,
                                                       int64_t b, size_t limit) {
  GRAPH_STATEMENT(st, slot, sql);
  st.Bind(1, a).Bind(2, b).Bind(3, static_cast<int64_t>(limit));
  std::vector<RelationRow> out;
  while (true) {
    auto row = st.Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    out.push_back(
        {st.Int(0),
         st.Int(1),
         st.Text(2),
         st.Text(3),
         st.Text(4),
         st.Int(5) != 0,
         {st.Int(6), static_cast<uint32_t>(st.Int(7)), static_cast<uint32_t>(st.Int(8))}});
  }
  return out;
}

Result<std::vector<RelationRow>> GraphStore::RelationsBetween(int64_t a, int64_t b, size_t limit) {
  return Relations(
      kRelationsBetween,
      "SELECT r.subject_id, r.object_id, s.name, r.predicate, o.name, r.cooccurs, r.chunk_id,"
      " r.sentence_begin, r.sentence_end FROM graph_relations r"
      " JOIN graph_entities s ON s.id = r.subject_id JOIN graph_entities o ON o.id = r.object_id"
      " WHERE (r.subject_id = ?1 AND r.object_id = ?2) OR (r.subject_id = ?2 AND r.object_id = ?1)"
      " ORDER BY r.cooccurs, r.chunk_id, r.sentence_begin LIMIT ?3",
      a, b, limit);
}

Result<std::vector<RelationRow>> GraphStore::RelationsOf(int64_t entity_id, size_t limit) {
  return Relations(
      kRelationsOf,
      "SELECT r.subject_id, r.object_id, s.name, r.predicate, o.name, r.cooccurs, r.chunk_id,"
      " r.sentence_begin, r.sentence_end FROM graph_relations r"
      " JOIN graph_entities s ON s.id = r.subject_id JOIN graph_entities o ON o.id = r.object_id"
      " WHERE (r.subject_id = ?1 OR r.object_id = ?2) AND r.cooccurs = 0"
      " ORDER BY r.chunk_id, r.sentence_begin LIMIT ?3",
      entity_id, entity_id, limit);
}

Result<std::vector<ChunkHit>> GraphStore::RetrieveChunks(std::string_view question,
                                                         const RetrieveOptions& options) {
  GRAPH_READ_SCOPE();
  auto hits = EntitiesInText(question);
  if (!hits) return Err(hits.error());
  std::vector<int64_t> direct;
  for (const auto& h : *hits)
    if (std::find(direct.begin(), direct.end(), h.entity_id) == direct.end() &&
        direct.size() < options.max_entities)
      direct.push_back(h.entity_id);
  std::unordered_map<int64_t, ChunkHit> scores;
  auto add = [&](const std::vector<ChunkHit>& chunks, double weight) {
    for (const ChunkHit& c : chunks) {
      ChunkHit& s = scores.try_emplace(c.chunk_id, ChunkHit{c.chunk_id, 0, 0}).first->second;
      s.score += weight * c.score;
      s.mentions += c.mentions;
    }
  };
  auto d = ChunksMentioning(direct, options.limit * 4);
  if (!d) return Err(d.error());
  add(*d, 1.0);
  std::vector<int64_t> around;
  for (int64_t id : direct) {
    auto ns = Neighbours(id, options.neighbours_per_entity);
    if (!ns) return Err(ns.error());
    for (const auto& n : *ns)
      if (n.type != EntityType::kConcept &&
          std::find(direct.begin(), direct.end(), n.entity_id) == direct.end())
        around.push_back(n.entity_id);
  }
  auto nb = ChunksMentioning(around, options.limit * 4);
  if (!nb) return Err(nb.error());
  add(*nb, options.neighbour_weight);
  std::vector<ChunkHit> out;
  for (auto& [id, c] : scores) out.push_back(c);
  std::sort(out.begin(), out.end(), [](const ChunkHit& a, const ChunkHit& b) {
    return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
  });
  if (out.size() > options.limit) out.resize(options.limit);
  return out;
}

// --- Export / import ---------------------------------------------------------

Result<std::string> GraphStore::Export(ExportFormat format) {
  auto rows = [&](const std::string& sql, auto&& fn) -> Status {
    auto st = db_->Prepare(sql);
    if (!st) return st.error();
    while (true) {
      auto row = st->Step();
      if (!row) return row.error();
      if (!*row) return Status::Ok();
      fn(*st);
    }
  };
  if (format == ExportFormat::kJson) {
    json j;
    j["format"] = "askio-graph";
    j["schema_version"] = kGraphSchemaVersion;
    j["entities"] = json::array();
    j["aliases"] = json::array();
    j["chunks"] = json::array();
    j["mentions"] = json::array();
    j["relations"] = json::array();
    j["attributes"] = json::array();
    ASKIO_RETURN_IF_ERROR(rows(
        "SELECT id, name, key, type FROM graph_entities ORDER BY id", [&](store::Statement& s) {
          j["entities"].push_back(
              {{"id", s.Int(0)}, {"name", s.Text(1)}, {"key", s.Text(2)}, {"type", s.Text(3)}});
        }));
    ASKIO_RETURN_IF_ERROR(
        rows("SELECT entity_id, alias, key, chunk_id, reason FROM graph_aliases ORDER BY rowid",
             [&](store::Statement& s) {
               j["aliases"].push_back({{"entity", s.Int(0)},
                                       {"alias", s.Text(1)},
                                       {"key", s.Text(2)},
                                       {"chunk", s.Int(3)},
                                       {"reason", s.Text(4)}});
             }));
    ASKIO_RETURN_IF_ERROR(
        rows("SELECT chunk_id, document_id, content_hash, extractor FROM graph_chunks ORDER BY "
             "chunk_id",
             [&](store::Statement& s) {
               j["chunks"].push_back({{"chunk", s.Int(0)},
                                      {"document", s.Int(1)},
                                      {"hash", s.Text(2)},
                                      {"extractor", s.Text(3)}});
             }));
    ASKIO_RETURN_IF_ERROR(rows(
        "SELECT chunk_id, entity_id, begin, end, surface, key FROM graph_mentions ORDER BY "
        "chunk_id, begin",
        [&](store::Statement& s) {
          j["mentions"].push_back({s.Int(0), s.Int(1), s.Int(2), s.Int(3), s.Text(4), s.Text(5)});
        }));
    ASKIO_RETURN_IF_ERROR(
        rows("SELECT id, chunk_id, subject_id, object_id, predicate, cooccurs, sentence_begin, "
             "sentence_end FROM graph_relations ORDER BY id",
             [&](store::Statement& s) {
               j["relations"].push_back({{"id", s.Int(0)},
                                         {"chunk", s.Int(1)},
                                         {"subject", s.Int(2)},
                                         {"object", s.Int(3)},
                                         {"predicate", s.Text(4)},
                                         {"cooccurs", s.Int(5) != 0},
                                         {"sentence", {s.Int(6), s.Int(7)}}});
             }));
    ASKIO_RETURN_IF_ERROR(
        rows("SELECT chunk_id, entity_id, key, value, begin, end FROM graph_attributes ORDER BY "
             "rowid",
             [&](store::Statement& s) {
               j["attributes"].push_back({{"chunk", s.Int(0)},
                                          {"entity", s.Int(1)},
                                          {"key", s.Text(2)},
                                          {"value", s.Text(3)},
                                          {"span", {s.Int(4), s.Int(5)}}});
             }));
    return j.dump(1);
  }
  // GraphML.
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
      "  <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n"
      "  <key id=\"type\" for=\"node\" attr.name=\"type\" attr.type=\"string\"/>\n"
      "  <key id=\"aliases\" for=\"node\" attr.name=\"aliases\" attr.type=\"string\"/>\n"
      "  <key id=\"mentions\" for=\"node\" attr.name=\"mentions\" attr.type=\"int\"/>\n"
      "  <key id=\"predicate\" for=\"edge\" attr.name=\"predicate\" attr.type=\"string\"/>\n"
      "  <key id=\"cooccurs\" for=\"edge\" attr.name=\"cooccurs\" attr.type=\"boolean\"/>\n"
      "  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"int\"/>\n"
      "  <graph id=\"askio\" edgedefault=\"directed\">\n";
  ASKIO_RETURN_IF_ERROR(rows(
      "SELECT e.id, e.name, e.type, (SELECT group_concat(alias, '|') FROM (SELECT alias"
      " FROM graph_aliases a WHERE a.entity_id = e.id AND a.alias != e.name UNION SELECT surface"
      " FROM graph_mentions m WHERE m.entity_id = e.id AND m.surface != e.name ORDER BY 1)),"
      " (SELECT COUNT(*) FROM graph_mentions m WHERE m.entity_id = e.id)"
      " FROM graph_entities e ORDER BY e.id",
      [&](store::Statement& s) {
        out += "    <node id=\"n" + std::to_string(s.Int(0)) + "\"><data key=\"name\">" +
               XmlEscape(s.Text(1)) + "</data><data key=\"type\">" + XmlEscape(s.Text(2)) +
               "</data>";
        if (!s.IsNull(3)) out += "<data key=\"aliases\">" + XmlEscape(s.Text(3)) + "</data>";
        out += "<data key=\"mentions\">" + std::to_string(s.Int(4)) + "</data></node>\n";
      }));
  int64_t edge = 0;
  ASKIO_RETURN_IF_ERROR(
      rows("SELECT subject_id, object_id, predicate, cooccurs, COUNT(*) FROM graph_relations"
           " GROUP BY subject_id, object_id, predicate, cooccurs ORDER BY subject_id, object_id,"
           " cooccurs, predicate",
           [&](store::Statement& s) {
             out += "    <edge id=\"e" + std::to_string(edge++) + "\" source=\"n" +
                    std::to_string(s.Int(0)) + "\" target=\"n" + std::to_string(s.Int(1)) +
                    "\"><data key=\"predicate\">" + XmlEscape(s.Text(2)) +
                    "</data><data key=\"cooccurs\">" + (s.Int(3) ? "true" : "false") +
                    "</data><data key=\"weight\">" + std::to_string(s.Int(4)) + "</data></edge>\n";
           }));
  out += "  </graph>\n</graphml>\n";
  return out;
}

Status GraphStore::ImportJson(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != "askio-graph")
    return Status::InvalidArgument("not an askio graph export (JSON)");
  if (j.value("schema_version", 0) > kGraphSchemaVersion)
    return Status::Unsupported("graph export from a newer askio");
  auto stats = Stats();
  if (!stats) return stats.error();
  if (stats->entities || stats->chunks)
    return Status::AlreadyExists("the graph is not empty; import needs an empty graph");
  GRAPH_SAVEPOINT(sp);
  ASKIO_RETURN_IF_ERROR(sp.Begin());
  auto run = [&](const std::string& sql, const json& list, auto&& bind) -> Status {
    auto st = db_->Prepare(sql);
    if (!st) return st.error();
    for (const json& r : list) {
      bind(*st, r);
      ASKIO_RETURN_IF_ERROR(st->Run());
    }
    return Status::Ok();
  };
  auto S = [](const json& v) { return std::string_view(v.get_ref<const std::string&>()); };
  try {
    ASKIO_RETURN_IF_ERROR(run("INSERT INTO graph_entities(id, name, key, type) VALUES (?,?,?,?)",
                              j.at("entities"), [&](store::Statement& s, const json& r) {
                                s.Bind(1, r.at("id").get<int64_t>())
                                    .Bind(2, S(r.at("name")))
                                    .Bind(3, S(r.at("key")))
                                    .Bind(4, S(r.at("type")));
                              }));
    ASKIO_RETURN_IF_ERROR(
        run("INSERT INTO graph_aliases(entity_id, alias, key, chunk_id, reason) VALUES (?,?,?,?,?)",
            j.at("aliases"), [&](store::Statement& s, const json& r) {
              s.Bind(1, r.at("entity").get<int64_t>())
                  .Bind(2, S(r.at("alias")))
                  .Bind(3, S(r.at("key")))
                  .Bind(4, r.at("chunk").get<int64_t>())
                  .Bind(5, S(r.at("reason")));
            }));
    ASKIO_RETURN_IF_ERROR(
        run("INSERT INTO graph_chunks(chunk_id, document_id, content_hash, extractor) VALUES "
            "(?,?,?,?)",
            j.at("chunks"), [&](store::Statement& s, const json& r) {
              s.Bind(1, r.at("chunk").get<int64_t>())
                  .Bind(2, r.at("document").get<int64_t>())
                  .Bind(3, S(r.at("hash")))
                  .Bind(4, S(r.at("extractor")));
            }));
    ASKIO_RETURN_IF_ERROR(
        run("INSERT INTO graph_mentions(chunk_id, entity_id, begin, end, surface, key) VALUES "
            "(?,?,?,?,?,?)",
            j.at("mentions"), [&](store::Statement& s, const json& r) {
              s.Bind(1, r.at(0).get<int64_t>())
                  .Bind(2, r.at(1).get<int64_t>())
                  .Bind(3, r.at(2).get<int64_t>())
                  .Bind(4, r.at(3).get<int64_t>())
                  .Bind(5, S(r.at(4)))
                  .Bind(6, S(r.at(5)));
            }));
    ASKIO_RETURN_IF_ERROR(
        run("INSERT INTO graph_relations(id, chunk_id, subject_id, object_id, predicate, cooccurs, "
            "sentence_begin, sentence_end) VALUES (?,?,?,?,?,?,?,?)",
            j.at("relations"), [&](store::Statement& s, const json& r) {
              s.Bind(1, r.at("id").get<int64_t>())
                  .Bind(2, r.at("chunk").get<int64_t>())
                  .Bind(3, r.at("subject").get<int64_t>())
                  .Bind(4, r.at("object").get<int64_t>())
                  .Bind(5, S(r.at("predicate")))
                  .Bind(6, int64_t{r.at("cooccurs").get<bool>()})
                  .Bind(7, r.at("sentence").at(0).get<int64_t>())
                  .Bind(8, r.at("sentence").at(1).get<int64_t>());
            }));
    ASKIO_RETURN_IF_ERROR(
        run("INSERT INTO graph_attributes(chunk_id, entity_id, key, value, begin, end) VALUES "
            "(?,?,?,?,?,?)",
            j.at("attributes"), [&](store::Statement& s, const json& r) {
              s.Bind(1, r.at("chunk").get<int64_t>())
                  .Bind(2, r.at("entity").get<int64_t>())
                  .Bind(3, S(r.at("key")))
                  .Bind(4, S(r.at("value")))
                  .Bind(5, r.at("span").at(0).get<int64_t>())
                  .Bind(6, r.at("span").at(1).get<int64_t>());
            }));
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("graph import: ") + e.what());
  }
  return sp.Release();
}

}  // namespace askio::graph
