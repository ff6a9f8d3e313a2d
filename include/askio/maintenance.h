// Keeping a knowledge base healthy: checking and repairing its data
// directory (`askio doctor`), and backing it up and restoring it online
// (`askio backup`, `askio restore`). See docs/reliability.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "askio/engine.h"
#include "askio/status.h"

namespace askio {

// One thing the doctor looked at.
struct DoctorFinding {
  std::string check;   // "catalogue", "schema", "outbox", "lexical", "vectors", "files"
  bool ok = true;      // false: a problem (the KB is not healthy while it remains)
  std::string detail;  // what was found, in words
  std::string action;  // what --repair did, or what it would do / what to do
};

struct DoctorReport {
  std::string kb;
  bool repaired = false;  // repairs were attempted
  std::vector<DoctorFinding> findings;
  bool healthy() const {
    for (const DoctorFinding& f : findings)
      if (!f.ok) return false;
    return true;
  }
};

struct DoctorOptions {
  bool repair = false;
  // With an embedder, a repaired vector index is rebuilt now (from the stored
  // vectors; only chunks without one are embedded); otherwise the damaged
  // file is removed and rebuilt the next time the KB is opened with it.
  Models models;
};

// Checks the KB `name` under `data_dir` (which should not be in use by a
// writer): the catalogue's integrity (PRAGMA integrity_check) and schema, the
// outbox backlog, the lexical index (Xapian's full check, its position and
// document count against the catalogue), the vector index (checksum, ids
// against the stored vectors), and stray files. With options.repair, repairs
// what can be repaired from the catalogue and checks again. The catalogue
// itself is never "repaired": a damaged one is reported with the advice to
// restore a backup.
Result<DoctorReport> Doctor(const std::string& data_dir, const std::string& name,
                            const DoctorOptions& options = {});

struct BackupReport {
  std::string kb;
  std::string path;  // the backup directory
  int64_t documents = 0, chunks = 0, vectors = 0;
  uint64_t bytes = 0;  // of the catalogue copy
  double seconds = 0;
};

// Copies the KB's catalogue to `dest_dir` (created; must be empty or absent)
// with SQLite's online backup API — a consistent snapshot of the last commit,
// taken while queries and ingestion go on, in this process or another — and
// writes `dest_dir/manifest.json`. Derived indexes are not copied: restore
// rebuilds them from the catalogue (the vectors are in it, so no model is
// called).
Result<BackupReport> BackupKnowledgeBase(const std::string& data_dir, const std::string& name,
                                         const std::string& dest_dir);

// Restores a backup made by BackupKnowledgeBase as KB `name` (which must not
// exist unless `replace`): checks the copy's integrity, puts it in place
// atomically (a rename), and opens the KB, which rebuilds the lexical index.
Result<BackupReport> RestoreKnowledgeBase(const std::string& backup_dir,
                                          const std::string& data_dir, const std::string& name,
                                          bool replace = false);

}  // namespace askio
