// askio doctor, backup and restore (include/askio/maintenance.h).
#include "askio/maintenance.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/hash.h"
#include "index/lexical_index.h"
#include "index/vector_index.h"
#include "store/catalog.h"
#include "store/sqlite.h"

namespace fs = std::filesystem;

namespace askio {
namespace {

constexpr const char* kCatalogFile = "catalog.sqlite";

// A raw connection for checks that must not change the file (Catalog::Open
// migrates and sets pragmas).
struct RawDb {
  sqlite3* db = nullptr;
  ~RawDb() { sqlite3_close(db); }
};

Result<std::unique_ptr<RawDb>> OpenRaw(const std::string& path, bool read_only) {
  auto raw = std::make_unique<RawDb>();
  const int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const int rc = sqlite3_open_v2(path.c_str(), &raw->db, flags, nullptr);
  if (rc != SQLITE_OK) return Err(store::SqliteError(raw->db, rc, "cannot open " + path));
  sqlite3_busy_timeout(raw->db, 10000);
  return raw;
}

// The rows of a one-column query, as text.
Result<std::vector<std::string>> Column(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
  if (rc != SQLITE_OK) return Err(store::SqliteError(db, rc, sql));
  std::vector<std::string> rows;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    rows.emplace_back(t ? t : "");
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return Err(store::SqliteError(db, rc, sql));
  return rows;
}

Result<int64_t> Count(sqlite3* db, const std::string& sql) {
  auto rows = Column(db, sql);
  if (!rows) return Err(rows.error());
  return rows->empty() ? 0 : std::stoll(rows->front());
}

// "ok", or what PRAGMA integrity_check found (first lines).
Result<std::string> IntegrityCheck(const std::string& path) {
  auto raw = OpenRaw(path, /*read_only=*/true);
  if (!raw) return Err(raw.error());
  auto rows = Column((*raw)->db, "PRAGMA integrity_check(20)");
  if (!rows) {
    if (rows.error().code() == StatusCode::kCorruption) return rows.error().message();
    return Err(rows.error());
  }
  std::string out;
  for (const std::string& r : *rows) out += (out.empty() ? "" : "; ") + r;
  return out;
}

Status SyncPath(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return Status::IOError("cannot open " + path + " to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Status::IOError("cannot sync " + path);
}

// Everything but the catalogue: one finding per check.
void CheckDerived(const std::string& dir, store::Catalog& catalog, DoctorReport& report) {
  auto counts = catalog.CountAll();
  auto latest = catalog.LatestOutboxSeq();
  if (!counts || !latest) {
    report.findings.push_back(
        {"catalogue", false,
         "cannot read counts: " + (!counts ? counts.error() : latest.error()).message(),
         "restore a backup (askio restore)"});
    return;
  }
  // Lexical index.
  const std::string lexical_dir = dir + "/lexical";
  DoctorFinding lex{"lexical", true, "", ""};
  auto index = index::LexicalIndex::Open(lexical_dir, index::LexicalIndex::Mode::kReadOnly);
  int64_t applied = -1;
  if (!index && index.error().code() == StatusCode::kNotFound) {
    lex.ok = counts->chunks == 0;
    lex.detail = "missing";
    lex.action = "rebuild it from the catalogue";
  } else if (!index) {
    lex.ok = false;
    lex.detail = "unreadable: " + index.error().message();
    lex.action = "rebuild it from the catalogue";
  } else {
    applied = (*index)->applied_seq();
    const int64_t docs = static_cast<int64_t>((*index)->doc_count());
    Status check = index::LexicalIndex::Check(lexical_dir);
    if (!check.ok()) {
      lex.ok = false;
      lex.detail = "damaged: " + check.message();
      lex.action = "rebuild it from the catalogue";
    } else if (applied == *latest && docs != counts->chunks) {
      lex.ok = false;
      lex.detail = "holds " + std::to_string(docs) + " chunks, the catalogue " +
                   std::to_string(counts->chunks);
      lex.action = "rebuild it from the catalogue";
    } else if (applied > *latest || applied < 0) {
      lex.ok = false;
      lex.detail = "its position (" + std::to_string(applied) +
                   ") does not fit the catalogue's outbox (" + std::to_string(*latest) + ")";
      lex.action = "rebuild it from the catalogue";
    } else {
      lex.detail = "readable, " + std::to_string((*index)->shard_count()) + " shards, " +
                   std::to_string(docs) + " chunks, Xapian check passed";
    }
  }
  // Outbox backlog: entries the index has not applied (normal after a
  // crash: the next open replays them).
  DoctorFinding outbox{"outbox", true, "", ""};
  if (applied >= 0 && applied < *latest) {
    outbox.ok = false;
    outbox.detail = std::to_string(*latest - applied) +
                    " entries not yet in the lexical index (an interrupted run)";
    outbox.action = "replay them (any open of the KB does)";
  } else {
    outbox.detail = "level (position " + std::to_string(*latest) + ")";
  }
  report.findings.push_back(outbox);
  report.findings.push_back(lex);

  // Vector index.
  DoctorFinding vec{"vectors", true, "", ""};
  const std::string vector_path = dir + "/vectors.faiss";
  auto model = catalog.GetMeta("vector_model");
  std::error_code ec;
  const bool file = fs::exists(vector_path, ec);
  if (!model) {
    vec = {"vectors", false, model.error().message(), ""};
  } else if (!*model && !file) {
    vec.detail = "none (no embedding model has been used)";
  } else if (!file) {
    vec.detail = "no index file for model " + model->value_or("?") +
                 " (built when the KB is opened with that model)";
  } else {
    auto loaded = index::VectorIndex::Load(vector_path);
    if (!loaded) {
      vec.ok = false;
      vec.detail = "damaged: " + loaded.error().message();
      vec.action = "rebuild it from the vectors stored in the catalogue";
    } else if (!*model) {
      vec.ok = false;
      vec.detail = "an index file without a recorded model";
      vec.action = "remove it";
    } else {
      auto have = catalog.VectorHashes(**model);
      std::vector<int64_t> expected;
      Status s = have ? catalog.ForEachChunkText([&](int64_t id, const std::string& text) {
        if (have->count(ContentHash(text))) expected.push_back(id);
        return Status::Ok();
      })
                      : have.error();
      if (!s.ok()) {
        vec = {"vectors", false, s.message(), ""};
      } else {
        size_t missing = 0;
        for (int64_t id : expected) missing += (*loaded)->Contains(id) ? 0 : 1;
        const size_t extra = (*loaded)->size() + missing - expected.size();
        if (missing || extra) {
          vec.ok = false;
          vec.detail = std::to_string(missing) + " stored vectors missing from the index, " +
                       std::to_string(extra) + " indexed chunks no longer in the catalogue";
          vec.action = "rebuild it from the vectors stored in the catalogue";
        } else {
          vec.detail = std::to_string(expected.size()) + " vectors of " + **model +
                       ", checksum and ids agree with the catalogue";
        }
      }
    }
  }
  report.findings.push_back(vec);

  // Stray files: leftovers of interrupted writes and uploads.
  DoctorFinding files{"files", true, "", ""};
  std::vector<std::string> stray;
  if (fs::exists(vector_path + ".tmp", ec)) stray.push_back("vectors.faiss.tmp");
  size_t pending_uploads = 0;
  const fs::path uploads = fs::path(dir) / "uploads";
  if (fs::is_directory(uploads, ec)) {
    std::unordered_set<std::string> sources;
    if (auto docs = catalog.ListDocuments())
      for (const DocumentInfo& d : *docs) sources.insert(d.source.substr(0, d.source.find("!/")));
    for (const auto& entry : fs::directory_iterator(uploads, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with(".incoming-")) {
        stray.push_back("uploads/" + name);
      } else if (name.ends_with(".name")) {
        const std::string data = entry.path().string().substr(0, entry.path().string().size() - 5);
        std::ifstream in(entry.path(), std::ios::binary);
        const std::string source((std::istreambuf_iterator<char>(in)), {});
        if (!fs::exists(data, ec)) {
          stray.push_back("uploads/" + name);
        } else if (!sources.count(source)) {
          ++pending_uploads;
        }
      } else if (!fs::exists(entry.path().string() + ".name", ec)) {
        stray.push_back("uploads/" + name);
      }
    }
  }
  if (!stray.empty()) {
    files.ok = false;
    files.detail = std::to_string(stray.size()) + " stray files (";
    for (size_t i = 0; i < stray.size() && i < 5; ++i) files.detail += (i ? ", " : "") + stray[i];
    files.detail += stray.size() > 5 ? ", ...)" : ")";
    files.action = "remove them (left by interrupted writes; never acknowledged)";
  } else {
    files.detail = "no stray files";
  }
  if (pending_uploads)
    files.detail += "; " + std::to_string(pending_uploads) +
                    " uploads not (yet) in the catalogue: askio serve ingests them when it starts";
  report.findings.push_back(files);
}

Result<DoctorReport> CheckOnce(const std::string& data_dir, const std::string& name) {
  DoctorReport report;
  report.kb = name;
  const std::string dir = (fs::path(data_dir) / name).string();
  const std::string path = dir + "/" + kCatalogFile;
  std::error_code ec;
  if (!fs::exists(path, ec))
    return Err(Status::NotFound("knowledge base '" + name + "' does not exist in " + data_dir));
  auto integrity = IntegrityCheck(path);
  if (!integrity) {
    report.findings.push_back({"catalogue", false, "cannot check: " + integrity.error().message(),
                               "restore a backup (askio restore)"});
    return report;
  }
  if (*integrity != "ok") {
    report.findings.push_back(
        {"catalogue", false, "PRAGMA integrity_check: " + *integrity,
         "the catalogue is the source of truth and is not repaired in place: restore a backup "
         "(askio restore), or copy out what SQLite can still read (sqlite3 .recover)"});
    return report;
  }
  report.findings.push_back({"catalogue", true, "PRAGMA integrity_check: ok", ""});
  auto catalog = store::Catalog::Open(path);
  if (!catalog) {
    report.findings.push_back({"schema", false, catalog.error().message(),
                               "use the askio version that wrote this knowledge base"});
    return report;
  }
  report.findings.push_back({"schema", true,
                             "version " + std::to_string((*catalog)->schema_version()) +
                                 " (this askio: " + std::to_string(store::LatestSchemaVersion()) +
                                 ")",
                             ""});
  CheckDerived(dir, **catalog, report);
  return report;
}

}  // namespace

Result<DoctorReport> Doctor(const std::string& data_dir, const std::string& name,
                            const DoctorOptions& options) {
  ASKIO_RETURN_IF_ERROR(ValidateKbName(name));
  auto first = CheckOnce(data_dir, name);
  if (!first || !options.repair || first->healthy()) return first;
  const std::string dir = (fs::path(data_dir) / name).string();
  std::vector<std::string> done;  // per finding check, what was done
  auto find = [&](const std::string& check) -> const DoctorFinding* {
    for (const DoctorFinding& f : first->findings)
      if (f.check == check && !f.ok) return &f;
    return nullptr;
  };
  std::error_code ec;
  if (find("catalogue") || find("schema")) return first;  // nothing to do from here
  if (find("files")) {
    fs::remove(dir + "/vectors.faiss.tmp", ec);
    const fs::path uploads = fs::path(dir) / "uploads";
    for (const auto& entry : fs::directory_iterator(uploads, ec)) {
      const std::string n = entry.path().filename().string();
      const bool stray = n.starts_with(".incoming-") ||
                         (n.ends_with(".name") && !fs::exists(entry.path().string().substr(
                                                      0, entry.path().string().size() - 5))) ||
                         (!n.ends_with(".name") && !fs::exists(entry.path().string() + ".name"));
      if (stray) fs::remove(entry.path(), ec);
    }
  }
  const bool vectors_bad = find("vectors") != nullptr;
  if (vectors_bad) fs::remove(dir + "/vectors.faiss", ec);
  std::vector<std::string> notices;
  {
    // Opening replays the outbox, or rebuilds a damaged lexical index.
    auto kb = KnowledgeBase::Open(data_dir, name, KnowledgeBase::OpenMode::kMustExist);
    if (!kb) return Err(kb.error());
    if (find("lexical")) {
      // Open rebuilt it if it saw the damage; a rebuild is cheap insurance.
      Status s = (*kb)->Reindex();
      if (!s.ok()) return Err(s);
    }
    if (vectors_bad && options.models.embed) {
      Status s = (*kb)->SetModels(options.models);
      if (!s.ok()) notices.push_back("vector index not rebuilt: " + s.message());
    }
    for (const std::string& n : (*kb)->Notices()) notices.push_back(n);
  }
  auto second = CheckOnce(data_dir, name);
  if (!second) return second;
  second->repaired = true;
  // Say what was done for each problem found the first time.
  for (DoctorFinding& f : second->findings) {
    const DoctorFinding* before = find(f.check);
    if (!before) continue;
    f.detail = "was: " + before->detail + "; now: " + f.detail;
    if (f.check == "vectors" && !options.models.embed)
      f.action =
          "removed the damaged file; rebuilt from the stored vectors the next time the KB "
          "is opened with its embedding model";
    else
      f.action = (f.ok ? "repaired: " : "repair failed: ") + before->action;
  }
  for (const std::string& n : notices) second->findings.push_back({"repair", true, n, ""});
  return second;
}

Result<BackupReport> BackupKnowledgeBase(const std::string& data_dir, const std::string& name,
                                         const std::string& dest_dir) {
  ASKIO_RETURN_IF_ERROR(ValidateKbName(name));
  const Stopwatch sw;
  const std::string source = (fs::path(data_dir) / name / kCatalogFile).string();
  std::error_code ec;
  if (!fs::exists(source, ec))
    return Err(Status::NotFound("knowledge base '" + name + "' does not exist in " + data_dir));
  if (fs::exists(dest_dir, ec) && !fs::is_empty(dest_dir, ec))
    return Err(Status::AlreadyExists("backup destination " + dest_dir + " is not empty"));
  fs::create_directories(dest_dir, ec);
  if (ec) return Err(Status::IOError("cannot create " + dest_dir + ": " + ec.message()));
  const std::string tmp = dest_dir + "/" + kCatalogFile + ".tmp";
  const std::string dest = dest_dir + "/" + kCatalogFile;
  {
    auto src = OpenRaw(source, /*read_only=*/true);
    if (!src) return Err(src.error());
    auto dst = OpenRaw(tmp, /*read_only=*/false);
    if (!dst) return Err(dst.error());
    // One step copies every page under one read transaction: a consistent
    // snapshot of the last commit. WAL lets writers go on meanwhile.
    sqlite3_backup* b = sqlite3_backup_init((*dst)->db, "main", (*src)->db, "main");
    if (!b) return Err(store::SqliteError((*dst)->db, sqlite3_errcode((*dst)->db), "backup"));
    int rc;
    do {
      rc = sqlite3_backup_step(b, -1);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    const int finish = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) return Err(store::SqliteError((*dst)->db, rc, "backup of " + source));
    if (finish != SQLITE_OK)
      return Err(store::SqliteError((*dst)->db, finish, "backup of " + source));
    // A self-contained file: no WAL beside it.
    auto mode = Column((*dst)->db, "PRAGMA journal_mode=DELETE");
    if (!mode) return Err(mode.error());
  }
  auto integrity = IntegrityCheck(tmp);
  if (!integrity) return Err(integrity.error());
  if (*integrity != "ok")
    return Err(Status::Corruption("the backup copy fails its integrity check: " + *integrity));
  ASKIO_RETURN_IF_ERROR(SyncPath(tmp));
  fs::rename(tmp, dest, ec);
  if (ec) return Err(Status::IOError("cannot rename " + tmp + ": " + ec.message()));
  BackupReport report;
  report.kb = name;
  report.path = dest_dir;
  {
    auto raw = OpenRaw(dest, /*read_only=*/true);
    if (!raw) return Err(raw.error());
    auto docs = Count((*raw)->db, "SELECT COUNT(*) FROM documents");
    auto chunks = Count((*raw)->db, "SELECT COUNT(*) FROM chunks");
    auto vectors = Count((*raw)->db, "SELECT COUNT(*) FROM vectors");
    if (!docs || !chunks) return Err((!docs ? docs : chunks).error());
    report.documents = *docs;
    report.chunks = *chunks;
    report.vectors = vectors ? *vectors : 0;
  }
  report.bytes = fs::file_size(dest, ec);
  nlohmann::json manifest = {{"format", "askio-backup/1"},    {"kb", name},
                             {"created_at", NowIso8601()},    {"documents", report.documents},
                             {"chunks", report.chunks},       {"vectors", report.vectors},
                             {"catalog_bytes", report.bytes}, {"catalog", kCatalogFile}};
  {
    std::ofstream out(dest_dir + "/manifest.json");
    out << manifest.dump(2) << "\n";
    if (!out) return Err(Status::IOError("cannot write " + dest_dir + "/manifest.json"));
  }
  ASKIO_RETURN_IF_ERROR(SyncPath(dest_dir + "/manifest.json"));
  ASKIO_RETURN_IF_ERROR(SyncPath(dest_dir));
  report.seconds = sw.Seconds();
  return report;
}

Result<BackupReport> RestoreKnowledgeBase(const std::string& backup_dir,
                                          const std::string& data_dir, const std::string& name,
                                          bool replace) {
  ASKIO_RETURN_IF_ERROR(ValidateKbName(name));
  const Stopwatch sw;
  const std::string source = backup_dir + "/" + kCatalogFile;
  std::error_code ec;
  if (!fs::exists(source, ec))
    return Err(Status::NotFound(backup_dir + " is not an askio backup (no " + kCatalogFile + ")"));
  const fs::path target = fs::path(data_dir) / name;
  if (fs::exists(target / kCatalogFile, ec) && !replace)
    return Err(Status::AlreadyExists("knowledge base '" + name +
                                     "' exists; delete it first or restore with --replace"));
  // Stage beside the target (same filesystem), check, then rename in place.
  const fs::path staging =
      fs::path(data_dir) / (".restore-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) return Err(Status::IOError("cannot create " + staging.string() + ": " + ec.message()));
  const std::string staged = (staging / kCatalogFile).string();
  fs::copy_file(source, staged, ec);
  if (ec) return Err(Status::IOError("cannot copy " + source + ": " + ec.message()));
  auto integrity = IntegrityCheck(staged);
  if (!integrity || *integrity != "ok") {
    fs::remove_all(staging, ec);
    if (!integrity) return Err(integrity.error());
    return Err(Status::Corruption("the backup fails its integrity check: " + *integrity));
  }
  ASKIO_RETURN_IF_ERROR(SyncPath(staged));
  ASKIO_RETURN_IF_ERROR(SyncPath(staging.string()));
  if (fs::exists(target, ec)) {
    const fs::path old =
        fs::path(data_dir) / (".replaced-" + name + "-" + std::to_string(::getpid()));
    fs::rename(target, old, ec);
    if (ec)
      return Err(Status::IOError("cannot move " + target.string() + " aside: " + ec.message()));
    fs::rename(staging, target, ec);
    if (ec) {
      fs::rename(old, target, ec);
      return Err(Status::IOError("cannot put the restored KB in place"));
    }
    fs::remove_all(old, ec);
  } else {
    fs::rename(staging, target, ec);
    if (ec) return Err(Status::IOError("cannot put the restored KB in place: " + ec.message()));
  }
  ASKIO_RETURN_IF_ERROR(SyncPath(data_dir));
  // Opening rebuilds the lexical index from the catalogue.
  auto kb = KnowledgeBase::Open(data_dir, name, KnowledgeBase::OpenMode::kMustExist);
  if (!kb) return Err(kb.error());
  auto stats = (*kb)->Stats();
  if (!stats) return Err(stats.error());
  BackupReport report;
  report.kb = name;
  report.path = target.string();
  report.documents = stats->documents;
  report.chunks = stats->chunks;
  report.bytes = fs::file_size(target / kCatalogFile, ec);
  report.seconds = sw.Seconds();
  return report;
}

}  // namespace askio
