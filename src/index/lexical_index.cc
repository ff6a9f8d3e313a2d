#include "index/lexical_index.h"

#include <sys/wait.h>
#include <unistd.h>
#include <xapian.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include "common/failpoint.h"

namespace askio::index {
namespace {

constexpr const char* kAppliedSeqKey = "askio.applied_seq";
constexpr const char* kLayoutKey = "askio.layout";
constexpr const char* kDocumentTermPrefix = "XD";

Status FromXapian(const Xapian::Error& e, const std::string& context) {
  std::string msg = context + ": " + e.get_type() + ": " + e.get_msg();
  // The system error is not part of get_msg() ("Error writing block 7"), and
  // Xapian keeps errno only as this text.
  const char* system_error = e.get_error_string();
  if (system_error && *system_error) msg += std::string(" (") + system_error + ")";
  const std::string type = e.get_type();
  if (type == "DatabaseCorruptError" || type == "DatabaseFormatError" ||
      type == "DatabaseVersionError")
    return Status::Corruption(msg);
  if ((system_error && std::strcmp(system_error, std::strerror(ENOSPC)) == 0) ||
      msg.find("No space left on device") != std::string::npos)
    return Status::IOError(msg + " (disk full)");
  return Status::IOError(msg);
}

}  // namespace

std::string Bm25Params::ToString() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "bm25 k1=%g b=%g", k1, b);
  return buf;
}

Result<Bm25Params> Bm25Params::Parse(const std::string& scheme) {
  std::istringstream in(scheme);
  std::string word;
  in >> word;
  if (word != "bm25") return Err(Status::InvalidArgument("unknown weighting scheme: " + scheme));
  Bm25Params p;
  while (in >> word) {
    const size_t eq = word.find('=');
    if (eq == std::string::npos)
      return Err(Status::InvalidArgument("bad weighting parameter: " + word));
    const std::string key = word.substr(0, eq);
    double value = 0;
    try {
      value = std::stod(word.substr(eq + 1));
    } catch (...) {
      return Err(Status::InvalidArgument("bad weighting parameter: " + word));
    }
    if (key == "k1" && value >= 0) {
      p.k1 = value;
    } else if (key == "b" && value >= 0 && value <= 1) {
      p.b = value;
    } else {
      return Err(Status::InvalidArgument("bad weighting parameter: " + word));
    }
  }
  return p;
}

text::TermCounts ChunkTerms(const std::string& title, const std::vector<std::string>& heading_path,
                            const std::string& text) {
  text::TermCounts terms;
  text::Analyzer::AddIndexTerms(text, terms);
  // Title and headings name what the chunk is about: they count twice
  // (eval: Hit@1 0.9510 without them, 0.9518 once, 0.9540 twice or thrice).
  constexpr uint32_t kTitleWeight = 2;
  text::Analyzer::AddIndexTerms(title, terms, kTitleWeight);
  for (const std::string& h : heading_path) text::Analyzer::AddIndexTerms(h, terms, kTitleWeight);
  return terms;
}

void AddDocumentTerm(text::TermCounts& terms, int64_t document_id) {
  terms[kDocumentTermPrefix + std::to_string(document_id)] = 0;  // wdf 0: boolean
}

class LexicalIndex::Impl {
 public:
  std::vector<std::unique_ptr<Xapian::WritableDatabase>> writers;  // empty when read-only
  std::vector<Xapian::Database> shard_dbs;  // each shard (shares the writers' state)
  Xapian::Database combined;                // all shards, for searching and statistics
  int shards = 1;

  // Shard and local document id of a chunk.
  std::pair<size_t, Xapian::docid> Locate(int64_t chunk_id) const {
    const auto c = static_cast<uint64_t>(chunk_id - 1);
    return {static_cast<size_t>(c % static_cast<uint64_t>(shards)),
            static_cast<Xapian::docid>(c / static_cast<uint64_t>(shards) + 1)};
  }
};

namespace {

std::string ShardDir(const std::string& dir, int i) { return dir + "/shard" + std::to_string(i); }

int CountShards(const std::string& dir) {
  int n = 0;
  while (std::filesystem::exists(ShardDir(dir, n))) ++n;
  return n;
}

Xapian::Document MakeDocument(const text::TermCounts& terms) {
  Xapian::Document doc;
  for (const auto& [term, count] : terms) doc.add_term(term, count);
  return doc;
}

}  // namespace

int LexicalIndex::DefaultShardCount() {
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
}

LexicalIndex::LexicalIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LexicalIndex::~LexicalIndex() {
  for (auto& w : impl_->writers) {
    try {
      // Xapian writes pending changes on close; the recorded position does
      // not move, so the engine replays those entries (idempotently) anyway.
      w->close();
    } catch (const Xapian::Error&) {
    }
  }
}

Result<std::unique_ptr<LexicalIndex>> LexicalIndex::Open(const std::string& dir, Mode mode,
                                                         int shards_if_new) {
  auto impl = std::make_unique<Impl>();
  std::error_code ec;
  int shards = CountShards(dir);
  if (shards == 0 && std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec))
    return Err(Status::Corruption("lexical index " + dir + " has an unknown layout"));
  if (shards == 0) {
    if (mode == Mode::kReadOnly) return Err(Status::NotFound("no lexical index at " + dir));
    shards = std::max(1, shards_if_new);
    std::filesystem::create_directories(dir, ec);
    if (ec) return Err(Status::IOError("cannot create " + dir + ": " + ec.message()));
  }
  impl->shards = shards;
  try {
    for (int i = 0; i < shards; ++i) {
      if (mode == Mode::kWritable) {
        impl->writers.push_back(std::make_unique<Xapian::WritableDatabase>(
            ShardDir(dir, i), Xapian::DB_CREATE_OR_OPEN));
        impl->shard_dbs.push_back(*impl->writers.back());
      } else {
        impl->shard_dbs.emplace_back(ShardDir(dir, i));
      }
      impl->combined.add_database(impl->shard_dbs.back());
    }
  } catch (const Xapian::DatabaseLockError& e) {
    return Err(Status::IOError("lexical index is locked by another askio process: " + e.get_msg()));
  } catch (const Xapian::DatabaseOpeningError& e) {
    // The shard folder exists (CountShards found it) but its files are
    // missing or unreadable as a Xapian database: damaged.
    return Err(Status::Corruption("cannot open lexical index " + dir + ": " + e.get_msg()));
  } catch (const Xapian::Error& e) {
    return Err(FromXapian(e, "cannot open lexical index " + dir));
  }
  return std::unique_ptr<LexicalIndex>(new LexicalIndex(std::move(impl)));
}

bool LexicalIndex::writable() const { return !impl_->writers.empty(); }
int LexicalIndex::shard_count() const { return impl_->shards; }

int64_t LexicalIndex::applied_seq() const {
  try {
    // A combined database reads metadata from its first shard only, so ask
    // each shard.
    int64_t lowest = -1;
    for (const Xapian::Database& shard : impl_->shard_dbs) {
      const std::string v = shard.get_metadata(kAppliedSeqKey);
      const int64_t seq = v.empty() ? 0 : std::stoll(v);
      lowest = lowest < 0 ? seq : std::min(lowest, seq);
    }
    return std::max<int64_t>(lowest, 0);
  } catch (...) {
    return -1;  // unreadable: the caller treats it as "needs rebuild"
  }
}

int LexicalIndex::layout() const {
  try {
    int lowest = kLexicalLayout;
    for (const Xapian::Database& shard : impl_->shard_dbs) {
      const std::string v = shard.get_metadata(kLayoutKey);
      lowest = std::min(lowest, v.empty() ? 1 : std::stoi(v));
    }
    return lowest;
  } catch (...) {
    return -1;
  }
}

bool LexicalIndex::shards_agree() const {
  try {
    std::string first;
    for (size_t i = 0; i < impl_->shard_dbs.size(); ++i) {
      const std::string v = impl_->shard_dbs[i].get_metadata(kAppliedSeqKey);
      if (i == 0)
        first = v;
      else if (v != first)
        return false;
    }
    return true;
  } catch (...) {
    return false;
  }
}

uint64_t LexicalIndex::doc_count() const {
  try {
    return impl_->combined.get_doccount();
  } catch (const Xapian::Error&) {
    return 0;
  }
}

uint64_t LexicalIndex::term_freq(const std::string& term) const {
  try {
    return impl_->combined.get_termfreq(term);
  } catch (const Xapian::Error&) {
    return 0;
  }
}

Status LexicalIndex::Add(int64_t chunk_id, const text::TermCounts& terms) {
  return AddBatch({{chunk_id, &terms}});
}

Status LexicalIndex::AddBatch(
    const std::vector<std::pair<int64_t, const text::TermCounts*>>& chunks) {
  if (impl_->writers.empty()) return Status::Internal("lexical index opened read-only");
  const size_t n = impl_->writers.size();
  std::vector<Status> results(n);
  auto index_shard = [&](size_t shard) {
    try {
      for (const auto& [id, terms] : chunks) {
        const auto [s, local] = impl_->Locate(id);
        if (s != shard) continue;
        impl_->writers[shard]->replace_document(local, MakeDocument(*terms));
      }
    } catch (const Xapian::Error& e) {
      results[shard] = FromXapian(e, "indexing shard " + std::to_string(shard));
    }
  };
  if (n == 1 || chunks.size() < 64) {
    for (size_t i = 0; i < n; ++i) index_shard(i);
  } else {
    std::vector<std::thread> threads;
    for (size_t i = 1; i < n; ++i) threads.emplace_back(index_shard, i);
    index_shard(0);
    for (std::thread& t : threads) t.join();
  }
  for (Status& s : results)
    if (!s.ok()) return s;
  return Status::Ok();
}

Status LexicalIndex::Remove(int64_t chunk_id) {
  if (impl_->writers.empty()) return Status::Internal("lexical index opened read-only");
  const auto [shard, local] = impl_->Locate(chunk_id);
  try {
    impl_->writers[shard]->delete_document(local);
  } catch (const Xapian::DocNotFoundError&) {
    // Already gone (a replayed delete): deleting is idempotent.
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "removing chunk " + std::to_string(chunk_id));
  }
  return Status::Ok();
}

Status LexicalIndex::Commit(int64_t applied_seq) {
  if (impl_->writers.empty()) return Status::Internal("lexical index opened read-only");
  const size_t n = impl_->writers.size();
  std::vector<Status> results(n);
  auto commit_shard = [&](size_t i) {
    try {
      impl_->writers[i]->set_metadata(kAppliedSeqKey, std::to_string(applied_seq));
      impl_->writers[i]->set_metadata(kLayoutKey, std::to_string(kLexicalLayout));
      impl_->writers[i]->commit();
      if (i == 0) ASKIO_FAILPOINT("lexical.after_shard_commit");
    } catch (const Xapian::Error& e) {
      results[i] = FromXapian(e, "committing lexical index shard " + std::to_string(i));
    }
  };
  std::vector<std::thread> threads;
  for (size_t i = 1; i < n; ++i) threads.emplace_back(commit_shard, i);
  commit_shard(0);
  for (std::thread& t : threads) t.join();
  for (Status& s : results)
    if (!s.ok()) return s;
  return Status::Ok();
}

Status LexicalIndex::Reopen() {
  try {
    for (Xapian::Database& shard : impl_->shard_dbs) shard.reopen();
    impl_->combined.reopen();
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "reopening lexical index");
  }
  return Status::Ok();
}

Result<std::vector<LexicalMatch>> LexicalIndex::Search(
    const std::vector<text::QueryTerm>& terms, size_t limit, const Bm25Params& params,
    const Feedback& feedback, const std::vector<int64_t>* only_documents) const {
  // A reader that fell more than one revision behind a busy writer gets
  // DatabaseModifiedError mid-search: reopen at the latest commit and retry.
  for (int attempt = 0;; ++attempt) {
    try {
      return SearchOnce(terms, limit, params, feedback, only_documents);
    } catch (const Xapian::DatabaseModifiedError& e) {
      if (attempt >= 3) return Err(FromXapian(e, "lexical search"));
      try {
        for (Xapian::Database& shard : impl_->shard_dbs) shard.reopen();
        impl_->combined.reopen();
      } catch (const Xapian::Error& again) {
        return Err(FromXapian(again, "reopening lexical index"));
      }
    }
  }
}

Result<std::vector<LexicalMatch>> LexicalIndex::SearchOnce(
    const std::vector<text::QueryTerm>& terms, size_t limit, const Bm25Params& params,
    const Feedback& feedback, const std::vector<int64_t>* only_documents) const {
  std::vector<LexicalMatch> out;
  if (terms.empty() || limit == 0) return out;
  if (only_documents && only_documents->empty()) return out;
  try {
    std::vector<Xapian::Query> parts;
    parts.reserve(terms.size());
    for (const text::QueryTerm& t : terms) {
      Xapian::Query q(t.term);
      if (t.weight != 1.0) q = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q, t.weight);
      parts.push_back(std::move(q));
    }
    Xapian::Query query(Xapian::Query::OP_OR, parts.begin(), parts.end());
    Xapian::Query filter;
    if (only_documents) {
      std::vector<Xapian::Query> documents;
      documents.reserve(only_documents->size());
      for (int64_t id : *only_documents)
        documents.emplace_back(kDocumentTermPrefix + std::to_string(id));
      filter = Xapian::Query(Xapian::Query::OP_OR, documents.begin(), documents.end());
      query = Xapian::Query(Xapian::Query::OP_FILTER, query, filter);
    }
    Xapian::Enquire enquire(impl_->combined);
    enquire.set_weighting_scheme(Xapian::BM25Weight(params.k1, 0, 1, params.b, 0.5));
    enquire.set_query(query);
    if (feedback.documents > 0) {
      const Xapian::MSet first =
          enquire.get_mset(0, static_cast<Xapian::doccount>(feedback.documents));
      Xapian::RSet rset;
      for (auto it = first.begin(); it != first.end(); ++it) rset.add_document(*it);
      if (!rset.empty()) {
        // Expansion draws on content terms only, never the document terms.
        struct ContentTerms : Xapian::ExpandDecider {
          bool operator()(const std::string& term) const override {
            return term.rfind(kDocumentTermPrefix, 0) != 0;
          }
        } content_terms;
        const Xapian::ESet eset =
            enquire.get_eset(static_cast<Xapian::termcount>(feedback.terms), rset, &content_terms);
        std::vector<Xapian::Query> expansion;
        for (auto it = eset.begin(); it != eset.end(); ++it) expansion.emplace_back(*it);
        if (!expansion.empty()) {
          query = Xapian::Query(
              Xapian::Query::OP_OR, query,
              Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT,
                            Xapian::Query(Xapian::Query::OP_OR, expansion.begin(), expansion.end()),
                            feedback.weight));
          if (only_documents) query = Xapian::Query(Xapian::Query::OP_FILTER, query, filter);
          enquire.set_query(query);
        }
      }
    }
    const Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(limit));
    out.reserve(mset.size());
    for (auto it = mset.begin(); it != mset.end(); ++it)
      out.push_back({static_cast<int64_t>(*it), it.get_weight()});
  } catch (const Xapian::DatabaseModifiedError&) {
    throw;  // Search reopens and retries
  } catch (const Xapian::Error& e) {
    return Err(FromXapian(e, "lexical search"));
  }
  return out;
}

namespace {

// Xapian::Database::check of one shard, run in a child process: on some
// damaged files Xapian 1.4's checker itself crashes (a flipped byte in a
// B-tree block, found by the doctor test), and a check must report damage,
// never take askio down with it. The child writes its verdict to a pipe.
Status CheckShardIsolated(const std::string& shard_dir, int shard) {
  const std::string name = "lexical index shard " + std::to_string(shard);
  int fds[2];
  if (pipe(fds) != 0) return Status::IOError("cannot check " + name + ": pipe failed");
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return Status::IOError("cannot check " + name + ": fork failed");
  }
  if (pid == 0) {
    close(fds[0]);
    std::string verdict;
    try {
      std::ostringstream out;
      const size_t errors = Xapian::Database::check(shard_dir, 0, &out);
      if (errors > 0) verdict = std::to_string(errors) + " errors (" + out.str() + ")";
    } catch (const Xapian::Error& e) {
      verdict = std::string(e.get_type()) + ": " + e.get_msg();
    } catch (...) {
      verdict = "the check failed";
    }
    if (verdict.size() > 300) verdict.resize(300);
    (void)!write(fds[1], verdict.data(), verdict.size());
    _exit(verdict.empty() ? 0 : 1);
  }
  close(fds[1]);
  std::string verdict;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    verdict.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status))
    return Status::Corruption(name + ": the consistency check crashed on it (signal " +
                              std::to_string(WTERMSIG(status)) + "): its files are damaged");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  return Status::Corruption(name + ": " + (verdict.empty() ? "damaged" : verdict));
}

}  // namespace

Status LexicalIndex::Check(const std::string& dir) {
  const int shards = CountShards(dir);
  if (shards == 0) return Status::NotFound("no lexical index at " + dir);
  for (int i = 0; i < shards; ++i) ASKIO_RETURN_IF_ERROR(CheckShardIsolated(ShardDir(dir, i), i));
  // A shard folder beyond a missing one would be ignored by Open.
  if (std::filesystem::exists(ShardDir(dir, shards + 1)))
    return Status::Corruption("lexical index shard " + std::to_string(shards) + " is missing");
  return Status::Ok();
}

uint64_t LexicalIndex::DiskBytes(const std::string& dir) {
  uint64_t bytes = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) bytes += it->file_size(size_ec);
  }
  return bytes;
}

}  // namespace askio::index
