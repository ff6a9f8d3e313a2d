#include "store/catalog.h"

#include <atomic>
#include <cstring>

#include <limits>

#include "common/clock.h"

namespace askio::store {
namespace {

// Forward-only migrations; PRAGMA user_version records how many have run.
// Never edit a migration that has shipped: append a new one.
constexpr const char* kMigrations[] = {
    // 1: the initial schema.
    R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE documents (
  id           INTEGER PRIMARY KEY,
  source       TEXT NOT NULL UNIQUE,
  title        TEXT NOT NULL,
  type         TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  version      INTEGER NOT NULL DEFAULT 1,
  text         TEXT NOT NULL,
  bytes        INTEGER NOT NULL,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);
CREATE TABLE chunks (
  -- AUTOINCREMENT: ids are never reused, so an outbox entry always names
  -- the same chunk, and the index's document ids stay unambiguous.
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  ordinal      INTEGER NOT NULL,
  text         TEXT NOT NULL,
  heading_path TEXT NOT NULL,
  char_start   INTEGER NOT NULL,
  char_end     INTEGER NOT NULL,
  page         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX chunks_by_document ON chunks(document_id, ordinal);
CREATE TABLE outbox (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  op       INTEGER NOT NULL,
  chunk_id INTEGER NOT NULL
);
)sql",
    // 2: where each stretch of a chunk sits in its source, for citations
    // ("page 3", "sheet Sales, row 12", "slide 4"), as "offset\tlocation"
    // lines (EncodePlaces).
    R"sql(
ALTER TABLE chunks ADD COLUMN places TEXT NOT NULL DEFAULT '';
)sql",
    // 3: chunk embeddings, the source of truth for the vector index. Keyed
    // by the embedding model and the chunk text's hash, not the chunk id: a
    // re-ingested chunk with unchanged text (new id) costs no model call.
    R"sql(
CREATE TABLE vectors (
  model     TEXT NOT NULL,
  text_hash TEXT NOT NULL,
  dim       INTEGER NOT NULL,
  vector    BLOB NOT NULL,
  PRIMARY KEY (model, text_hash)
) WITHOUT ROWID;
)sql",
    // 4: document tags, for filtered search. Tags change without touching
    // chunks, so they live here and are resolved to document ids per query.
    R"sql(
CREATE TABLE document_tags (
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  tag         TEXT NOT NULL,
  PRIMARY KEY (document_id, tag)
) WITHOUT ROWID;
CREATE INDEX document_tags_by_tag ON document_tags(tag, document_id);
)sql",
};

constexpr char kHeadingSeparator = '\x1f';

enum Slot {
  kFindDoc,
  kUpdateDoc,
  kInsertDoc,
  kChunkIdsOfDoc,
  kDeleteChunks,
  kInsertChunk,
  kInsertOutbox,
  kGetChunk,
  kIndexableChunk,
  kDeleteDoc,
};

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

std::string EncodePlaces(const std::vector<Place>& places) {
  std::string out;
  for (const Place& p : places) {
    out += std::to_string(p.offset);
    out += '\t';
    out += p.location;
    out += '\n';
  }
  return out;
}

std::vector<Place> DecodePlaces(std::string_view encoded) {
  std::vector<Place> places;
  size_t pos = 0;
  while (pos < encoded.size()) {
    size_t nl = encoded.find('\n', pos);
    if (nl == std::string_view::npos) nl = encoded.size();
    const std::string_view line = encoded.substr(pos, nl - pos);
    const size_t tab = line.find('\t');
    if (tab != std::string_view::npos)
      places.push_back({std::atoll(std::string(line.substr(0, tab)).c_str()),
                        std::string(line.substr(tab + 1))});
    pos = nl + 1;
  }
  return places;
}

void SetPlaces(Chunk& chunk, std::string_view encoded) {
  chunk.places = DecodePlaces(encoded);
  chunk.location = LocationOf(chunk, 0, std::numeric_limits<int64_t>::max());
}

std::string JoinHeadingPath(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) {
    if (!out.empty()) out += kHeadingSeparator;
    out += p;
  }
  return out;
}

std::vector<std::string> SplitHeadingPath(const std::string& joined) {
  std::vector<std::string> out;
  if (joined.empty()) return out;
  size_t pos = 0;
  while (true) {
    const size_t next = joined.find(kHeadingSeparator, pos);
    out.push_back(joined.substr(pos, next - pos));
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return out;
}

Result<std::unique_ptr<Catalog>> Catalog::Open(const std::string& path) {
  auto conn = Connection::Open(path);
  if (!conn) return Err(conn.error());
  std::unique_ptr<Catalog> cat(new Catalog(std::move(*conn)));
  // WAL lets readers run while a writer commits. synchronous=FULL makes each
  // acknowledged commit durable across power loss (docs/architecture.md).
  // temp_store=MEMORY keeps savepoint sub-journals (the knowledge graph
  // writes each chunk in one) off the disk: 2x faster graph writes.
  ASKIO_RETURN_IF_ERROR(
      cat->db_.Exec("PRAGMA busy_timeout=10000; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                    "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"));
  ASKIO_RETURN_IF_ERROR(cat->Migrate());
  return cat;
}

Status Catalog::Migrate() {
  auto st = db_.Prepare("PRAGMA user_version");
  if (!st) return st.error();
  auto row = st->Step();
  if (!row) return row.error();
  int version = static_cast<int>(st->Int(0));
  st->Reset();
  if (version > LatestSchemaVersion()) {
    return Status::Unsupported("knowledge base schema version " + std::to_string(version) +
                               " is newer than this askio supports (" +
                               std::to_string(LatestSchemaVersion()) + "); upgrade askio");
  }
  while (version < LatestSchemaVersion()) {
    ASKIO_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
    Status s = db_.Exec(kMigrations[version]);
    if (s.ok()) s = db_.Exec("PRAGMA user_version=" + std::to_string(version + 1));
    if (s.ok() && version == 0) {
      s = SetMeta("created_at", NowIso8601());
    }
    if (!s.ok()) {
      db_.Exec("ROLLBACK");
      return Status(s.code(), "migration to schema " + std::to_string(version + 1) +
                                  " failed: " + s.message());
    }
    ASKIO_RETURN_IF_ERROR(db_.Exec("COMMIT"));
    ++version;
  }
  schema_version_ = version;
  return Status::Ok();
}

Result<Statement*> Catalog::Cached(int slot, const char* sql) {
  static_assert(kDeleteDoc < kStatementSlots);
  if (!prepared_[slot]) {
    auto p = db_.Prepare(sql);
    if (!p) return Err(p.error());
    cache_[slot] = std::move(*p);
    prepared_[slot] = true;
  }
  return &cache_[slot];
}

Result<std::optional<std::string>> Catalog::GetMeta(const std::string& key) {
  auto st = db_.Prepare("SELECT value FROM meta WHERE key=?");
  if (!st) return Err(st.error());
  st->Bind(1, key);
  auto row = st->Step();
  if (!row) return Err(row.error());
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(st->Text(0));
}

Status Catalog::SetMeta(const std::string& key, const std::string& value) {
  auto st = db_.Prepare(
      "INSERT INTO meta(key, value) VALUES(?, ?) "
      "ON CONFLICT(key) DO UPDATE SET value=excluded.value");
  if (!st) return st.error();
  st->Bind(1, key).Bind(2, value);
  return st->Run();
}

namespace {
std::atomic<int64_t> g_max_page_count{0};
}  // namespace

void SetMaxPageCountForTesting(int64_t pages) { g_max_page_count = pages; }

Status Catalog::Begin() {
  if (const int64_t limit = g_max_page_count.load(); limit != page_limit_) {
    // SQLite's largest page count lifts the limit.
    ASKIO_RETURN_IF_ERROR(
        db_.Exec("PRAGMA max_page_count=" + std::to_string(limit > 0 ? limit : 4294967294LL)));
    page_limit_ = limit;
  }
  return db_.Exec("BEGIN IMMEDIATE");
}
Status Catalog::Commit() { return db_.Exec("COMMIT"); }
void Catalog::Rollback() { db_.Exec("ROLLBACK"); }

Result<std::unordered_map<std::string, std::string>> Catalog::AllHashes() {
  auto st = db_.Prepare("SELECT source, content_hash FROM documents");
  if (!st) return Err(st.error());
  std::unordered_map<std::string, std::string> out;
  while (true) {
    auto row = st->Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    out.emplace(st->Text(0), st->Text(1));
  }
  return out;
}

Result<std::vector<int64_t>> Catalog::PutDocument(const NewDocument& doc, bool* replaced,
                                                  int64_t* document_id) {
  const std::string now = NowIso8601();
  auto find = Cached(kFindDoc, "SELECT id FROM documents WHERE source=?");
  if (!find) return Err(find.error());
  (*find)->Bind(1, doc.source);
  auto row = (*find)->Step();
  if (!row) return Err(row.error());
  const bool exists = *row;
  int64_t doc_id = exists ? (*find)->Int(0) : 0;
  (*find)->Reset();
  if (replaced) *replaced = exists;

  auto outbox = Cached(kInsertOutbox, "INSERT INTO outbox(op, chunk_id) VALUES(?, ?)");
  if (!outbox) return Err(outbox.error());

  if (exists) {
    // Old chunks leave the index through the outbox, then the catalogue.
    auto ids = Cached(kChunkIdsOfDoc, "SELECT id FROM chunks WHERE document_id=?");
    if (!ids) return Err(ids.error());
    (*ids)->Bind(1, doc_id);
    std::vector<int64_t> old;
    for (auto r = (*ids)->Step(); r && *r; r = (*ids)->Step()) old.push_back((*ids)->Int(0));
    (*ids)->Reset();
    for (int64_t id : old) {
      (*outbox)->Bind(1, static_cast<int64_t>(OutboxOp::kDelete)).Bind(2, id);
      ASKIO_RETURN_IF_ERROR((*outbox)->Run());
    }
    auto del = Cached(kDeleteChunks, "DELETE FROM chunks WHERE document_id=?");
    if (!del) return Err(del.error());
    (*del)->Bind(1, doc_id);
    ASKIO_RETURN_IF_ERROR((*del)->Run());
    auto upd = Cached(kUpdateDoc,
                      "UPDATE documents SET title=?, type=?, content_hash=?, text=?, bytes=?, "
                      "version=version+1, updated_at=? WHERE id=?");
    if (!upd) return Err(upd.error());
    (*upd)->Bind(1, doc.title).Bind(2, doc.type).Bind(3, doc.content_hash).Bind(4, doc.text);
    (*upd)->Bind(5, static_cast<int64_t>(doc.text.size())).Bind(6, now).Bind(7, doc_id);
    ASKIO_RETURN_IF_ERROR((*upd)->Run());
  } else {
    auto ins = Cached(kInsertDoc,
                      "INSERT INTO documents(source, title, type, content_hash, text, bytes, "
                      "created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
    if (!ins) return Err(ins.error());
    (*ins)->Bind(1, doc.source).Bind(2, doc.title).Bind(3, doc.type).Bind(4, doc.content_hash);
    (*ins)
        ->Bind(5, doc.text)
        .Bind(6, static_cast<int64_t>(doc.text.size()))
        .Bind(7, now)
        .Bind(8, now);
    ASKIO_RETURN_IF_ERROR((*ins)->Run());
    doc_id = db_.LastInsertId();
  }
  if (document_id) *document_id = doc_id;
  if (doc.set_tags) ASKIO_RETURN_IF_ERROR(SetTags(doc_id, doc.tags));

  auto chunk = Cached(kInsertChunk,
                      "INSERT INTO chunks(document_id, ordinal, text, heading_path, char_start, "
                      "char_end, page, places) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
  if (!chunk) return Err(chunk.error());
  std::vector<int64_t> ids;
  ids.reserve(doc.chunks.size());
  for (size_t i = 0; i < doc.chunks.size(); ++i) {
    const NewChunk& c = doc.chunks[i];
    (*chunk)->Bind(1, doc_id).Bind(2, static_cast<int64_t>(i)).Bind(3, c.text);
    (*chunk)->Bind(4, JoinHeadingPath(c.heading_path)).Bind(5, c.char_start).Bind(6, c.char_end);
    (*chunk)->Bind(7, c.page).Bind(8, EncodePlaces(c.places));
    ASKIO_RETURN_IF_ERROR((*chunk)->Run());
    const int64_t id = db_.LastInsertId();
    ids.push_back(id);
    (*outbox)->Bind(1, static_cast<int64_t>(OutboxOp::kAdd)).Bind(2, id);
    ASKIO_RETURN_IF_ERROR((*outbox)->Run());
  }
  return ids;
}

Status Catalog::DeleteDocument(int64_t document_id) {
  auto ids = Cached(kChunkIdsOfDoc, "SELECT id FROM chunks WHERE document_id=?");
  if (!ids) return ids.error();
  (*ids)->Bind(1, document_id);
  std::vector<int64_t> old;
  for (auto r = (*ids)->Step(); r && *r; r = (*ids)->Step()) old.push_back((*ids)->Int(0));
  (*ids)->Reset();
  auto outbox = Cached(kInsertOutbox, "INSERT INTO outbox(op, chunk_id) VALUES(?, ?)");
  if (!outbox) return outbox.error();
  for (int64_t id : old) {
    (*outbox)->Bind(1, static_cast<int64_t>(OutboxOp::kDelete)).Bind(2, id);
    ASKIO_RETURN_IF_ERROR((*outbox)->Run());
  }
  auto del = Cached(kDeleteDoc, "DELETE FROM documents WHERE id=?");
  if (!del) return del.error();
  (*del)->Bind(1, document_id);
  return (*del)->Run();  // chunks go with it (ON DELETE CASCADE)
}

Result<std::optional<int64_t>> Catalog::FindDocument(const std::string& source) {
  auto find = Cached(kFindDoc, "SELECT id FROM documents WHERE source=?");
  if (!find) return Err(find.error());
  (*find)->Bind(1, source);
  auto row = (*find)->Step();
  if (!row) return Err(row.error());
  std::optional<int64_t> id;
  if (*row) id = (*find)->Int(0);
  (*find)->Reset();
  return id;
}

Result<bool> Catalog::DeleteDocumentBySource(const std::string& source) {
  auto find = Cached(kFindDoc, "SELECT id FROM documents WHERE source=?");
  if (!find) return Err(find.error());
  (*find)->Bind(1, source);
  auto row = (*find)->Step();
  if (!row) return Err(row.error());
  const bool exists = *row;
  const int64_t id = exists ? (*find)->Int(0) : 0;
  (*find)->Reset();
  if (!exists) return false;
  ASKIO_RETURN_IF_ERROR(DeleteDocument(id));
  return true;
}

Result<std::vector<DocumentInfo>> Catalog::ListDocuments() {
  auto st = db_.Prepare(
      "SELECT d.id, d.source, d.title, d.type, d.content_hash, d.version, d.created_at, "
      "d.updated_at, (SELECT COUNT(*) FROM chunks c WHERE c.document_id=d.id) "
      "FROM documents d ORDER BY d.source");
  if (!st) return Err(st.error());
  std::vector<DocumentInfo> out;
  while (true) {
    auto row = st->Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    out.push_back({st->Int(0), st->Text(1), st->Text(2), st->Text(3), st->Text(4), st->Int(5),
                   st->Int(8), st->Text(6), st->Text(7)});
  }
  auto tags = db_.Prepare("SELECT document_id, tag FROM document_tags ORDER BY document_id, tag");
  if (!tags) return Err(tags.error());
  std::unordered_map<int64_t, std::vector<std::string>> by_document;
  while (true) {
    auto row = tags->Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    by_document[tags->Int(0)].push_back(tags->Text(1));
  }
  for (DocumentInfo& d : out)
    if (auto it = by_document.find(d.id); it != by_document.end()) d.tags = std::move(it->second);
  return out;
}

Status Catalog::SetTags(int64_t document_id, const std::vector<std::string>& tags) {
  auto clear = db_.Prepare("DELETE FROM document_tags WHERE document_id=?");
  if (!clear) return clear.error();
  clear->Bind(1, document_id);
  ASKIO_RETURN_IF_ERROR(clear->Run());
  auto add = db_.Prepare("INSERT OR IGNORE INTO document_tags(document_id, tag) VALUES(?, ?)");
  if (!add) return add.error();
  for (const std::string& tag : tags) {
    add->Bind(1, document_id).Bind(2, tag);
    ASKIO_RETURN_IF_ERROR(add->Run());
  }
  return Status::Ok();
}

Result<std::vector<std::string>> Catalog::Tags(int64_t document_id) {
  auto st = db_.Prepare("SELECT tag FROM document_tags WHERE document_id=? ORDER BY tag");
  if (!st) return Err(st.error());
  st->Bind(1, document_id);
  std::vector<std::string> out;
  while (true) {
    auto row = st->Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    out.push_back(st->Text(0));
  }
  return out;
}

Result<std::vector<int64_t>> Catalog::DocumentsMatching(const SearchFilter& filter) {
  // Built from fixed fragments; every value is a bound parameter.
  std::string sql = "SELECT d.id FROM documents d WHERE 1";
  auto placeholders = [](size_t n) {
    std::string p = "(";
    for (size_t i = 0; i < n; ++i) p += i ? ",?" : "?";
    return p + ")";
  };
  if (!filter.document_ids.empty())
    sql += " AND d.id IN " + placeholders(filter.document_ids.size());
  if (!filter.types.empty()) sql += " AND d.type IN " + placeholders(filter.types.size());
  if (!filter.source_prefix.empty()) sql += " AND substr(d.source, 1, ?) = ?";
  if (!filter.tags.empty())
    sql += " AND EXISTS (SELECT 1 FROM document_tags t WHERE t.document_id = d.id AND t.tag IN " +
           placeholders(filter.tags.size()) + ")";
  sql += " ORDER BY d.id";
  auto st = db_.Prepare(sql.c_str());
  if (!st) return Err(st.error());
  int n = 0;
  for (int64_t id : filter.document_ids) st->Bind(++n, id);
  for (const std::string& t : filter.types) st->Bind(++n, t);
  if (!filter.source_prefix.empty()) {
    // substr counts characters: compare code points, not bytes.
    int64_t chars = 0;
    for (unsigned char c : filter.source_prefix) chars += (c & 0xC0) != 0x80;
    st->Bind(++n, chars);
    st->Bind(++n, filter.source_prefix);
  }
  for (const std::string& t : filter.tags) st->Bind(++n, t);
  std::vector<int64_t> out;
  while (true) {
    auto row = st->Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    out.push_back(st->Int(0));
  }
  return out;
}

Result<std::vector<int64_t>> Catalog::ChunkIdsOf(const std::vector<int64_t>& document_ids) {
  auto ids = Cached(kChunkIdsOfDoc, "SELECT id FROM chunks WHERE document_id=?");
  if (!ids) return Err(ids.error());
  std::vector<int64_t> out;
  for (int64_t doc : document_ids) {
    (*ids)->Bind(1, doc);
    while (true) {
      auto row = (*ids)->Step();
      if (!row) {
        (*ids)->Reset();
        return Err(row.error());
      }
      if (!*row) break;
      out.push_back((*ids)->Int(0));
    }
    (*ids)->Reset();
  }
  return out;
}

Result<std::optional<Chunk>> Catalog::GetChunk(int64_t chunk_id, std::string* doc_title,
                                               std::string* doc_source) {
  auto st = Cached(kGetChunk,
                   "SELECT c.document_id, c.ordinal, c.text, c.heading_path, c.char_start, "
                   "c.char_end, c.page, c.places, d.title, d.source FROM chunks c "
                   "JOIN documents d ON d.id=c.document_id WHERE c.id=?");
  if (!st) return Err(st.error());
  (*st)->Bind(1, chunk_id);
  auto row = (*st)->Step();
  if (!row) return Err(row.error());
  std::optional<Chunk> out;
  if (*row) {
    Statement& s = **st;
    out = Chunk{chunk_id, s.Int(0), s.Int(1), s.Text(2), SplitHeadingPath(s.Text(3)),
                s.Int(4), s.Int(5), s.Int(6)};
    SetPlaces(*out, s.Text(7));
    if (doc_title) *doc_title = s.Text(8);
    if (doc_source) *doc_source = s.Text(9);
  }
  (*st)->Reset();
  return out;
}

Result<std::vector<Chunk>> Catalog::DocumentChunks(int64_t document_id) {
  auto st = db_.Prepare(
      "SELECT id, ordinal, text, heading_path, char_start, char_end, page, places FROM chunks "
      "WHERE document_id=? ORDER BY ordinal");
  if (!st) return Err(st.error());
  st->Bind(1, document_id);
  std::vector<Chunk> out;
  while (true) {
    auto row = st->Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    out.push_back({st->Int(0), document_id, st->Int(1), st->Text(2), SplitHeadingPath(st->Text(3)),
                   st->Int(4), st->Int(5), st->Int(6)});
    SetPlaces(out.back(), st->Text(7));
  }
  return out;
}

Result<std::optional<std::string>> Catalog::DocumentText(int64_t document_id) {
  auto st = db_.Prepare("SELECT text FROM documents WHERE id=?");
  if (!st) return Err(st.error());
  st->Bind(1, document_id);
  auto row = st->Step();
  if (!row) return Err(row.error());
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(st->Text(0));
}

Result<std::vector<OutboxEntry>> Catalog::OutboxAfter(int64_t seq, int64_t limit) {
  auto st = db_.Prepare("SELECT seq, op, chunk_id FROM outbox WHERE seq>? ORDER BY seq LIMIT ?");
  if (!st) return Err(st.error());
  st->Bind(1, seq).Bind(2, limit);
  std::vector<OutboxEntry> out;
  while (true) {
    auto row = st->Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    out.push_back({st->Int(0), static_cast<OutboxOp>(st->Int(1)), st->Int(2)});
  }
  return out;
}

Result<int64_t> Catalog::LatestOutboxSeq() {
  // sqlite_sequence keeps the high-water mark even after the outbox is
  // truncated, which is exactly the position an up-to-date index must hold.
  auto st = db_.Prepare("SELECT seq FROM sqlite_sequence WHERE name='outbox'");
  if (!st) return Err(st.error());
  auto row = st->Step();
  if (!row) return Err(row.error());
  return *row ? st->Int(0) : int64_t{0};
}

Status Catalog::TruncateOutbox(int64_t up_to_seq) {
  auto st = db_.Prepare("DELETE FROM outbox WHERE seq<=?");
  if (!st) return st.error();
  st->Bind(1, up_to_seq);
  return st->Run();
}

Result<std::optional<IndexableChunk>> Catalog::GetIndexableChunk(int64_t chunk_id) {
  auto st = Cached(kIndexableChunk,
                   "SELECT d.title, c.heading_path, c.text, c.document_id FROM chunks c "
                   "JOIN documents d ON d.id=c.document_id WHERE c.id=?");
  if (!st) return Err(st.error());
  (*st)->Bind(1, chunk_id);
  auto row = (*st)->Step();
  if (!row) return Err(row.error());
  std::optional<IndexableChunk> out;
  if (*row) {
    out = IndexableChunk{chunk_id, (*st)->Int(3), (*st)->Text(0), SplitHeadingPath((*st)->Text(1)),
                         (*st)->Text(2)};
  }
  (*st)->Reset();
  return out;
}

Status Catalog::ForEachIndexableChunk(const std::function<Status(IndexableChunk&&)>& fn) {
  auto st = db_.Prepare(
      "SELECT c.id, d.title, c.heading_path, c.text, c.document_id FROM chunks c "
      "JOIN documents d ON d.id=c.document_id ORDER BY c.id");
  if (!st) return st.error();
  while (true) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    ASKIO_RETURN_IF_ERROR(
        fn({st->Int(0), st->Int(4), st->Text(1), SplitHeadingPath(st->Text(2)), st->Text(3)}));
  }
  return Status::Ok();
}

Result<Catalog::Counts> Catalog::CountAll() {
  auto st = db_.Prepare(
      "SELECT (SELECT COUNT(*) FROM documents), (SELECT COUNT(*) FROM chunks), "
      "(SELECT COALESCE(SUM(bytes), 0) FROM documents)");
  if (!st) return Err(st.error());
  auto row = st->Step();
  if (!row) return Err(row.error());
  return Counts{st->Int(0), st->Int(1), st->Int(2)};
}

// ---- vectors ----

Status Catalog::ForEachChunkText(const std::function<Status(int64_t, const std::string&)>& fn) {
  auto st = db_.Prepare("SELECT id, text FROM chunks ORDER BY id");
  if (!st) return st.error();
  for (;;) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) return Status::Ok();
    ASKIO_RETURN_IF_ERROR(fn(st->Int(0), st->Text(1)));
  }
}

Result<std::unordered_set<std::string>> Catalog::VectorHashes(const std::string& model) {
  auto st = db_.Prepare("SELECT text_hash FROM vectors WHERE model=?");
  if (!st) return Err(st.error());
  st->Bind(1, model);
  std::unordered_set<std::string> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return Err(row.error());
    if (!*row) return out;
    out.insert(st->Text(0));
  }
}

Status Catalog::PutVector(const std::string& model, const std::string& text_hash,
                          const std::vector<float>& vector) {
  auto st = db_.Prepare(
      "INSERT OR REPLACE INTO vectors(model, text_hash, dim, vector) VALUES(?, ?, ?, ?)");
  if (!st) return st.error();
  st->Bind(1, model).Bind(2, text_hash).Bind(3, static_cast<int64_t>(vector.size()));
  st->BindBlob(4, std::string_view(reinterpret_cast<const char*>(vector.data()),
                                   vector.size() * sizeof(float)));
  return st->Run();
}

Result<std::optional<std::vector<float>>> Catalog::GetVector(const std::string& model,
                                                             const std::string& text_hash) {
  auto st = db_.Prepare("SELECT dim, vector FROM vectors WHERE model=? AND text_hash=?");
  if (!st) return Err(st.error());
  st->Bind(1, model).Bind(2, text_hash);
  auto row = st->Step();
  if (!row) return Err(row.error());
  if (!*row) return std::optional<std::vector<float>>();
  const std::string blob = st->Text(1);
  const size_t dim = static_cast<size_t>(st->Int(0));
  if (blob.size() != dim * sizeof(float))
    return Err(Status::Corruption("vector of " + text_hash + " has " + std::to_string(blob.size()) +
                                  " bytes for dimension " + std::to_string(dim)));
  std::vector<float> v(dim);
  std::memcpy(v.data(), blob.data(), blob.size());
  return std::optional<std::vector<float>>(std::move(v));
}

Status Catalog::DeleteVectorsExcept(const std::string& model) {
  auto st = db_.Prepare("DELETE FROM vectors WHERE model<>?");
  if (!st) return st.error();
  st->Bind(1, model);
  return st->Run();
}

}  // namespace askio::store
