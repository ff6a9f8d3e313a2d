#include "index/lexical_index.h"

#include <xapian.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

namespace askio::index {
namespace {

constexpr const char* kAppliedSeqKey = "askio.applied_seq";

Status FromXapian(const Xapian::Error& e, const std::string& context) {
  const std::string msg = context + ": " + e.get_type() + ": " + e.get_msg();
  const std::string type = e.get_type();
  if (type == "DatabaseCorruptError" || type == "DatabaseFormatError" ||
      type == "DatabaseVersionError")
    return Status::Corruption(msg);
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
  text::Analyzer::AddIndexTerms(title, terms);
  for (const std::string& h : heading_path) text::Analyzer::AddIndexTerms(h, terms);
  return terms;
}

class LexicalIndex::Impl {
 public:
  std::unique_ptr<Xapian::Database> db;
  Xapian::WritableDatabase* writer = nullptr;  // == db.get() when writable
};

LexicalIndex::LexicalIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LexicalIndex::~LexicalIndex() {
  if (impl_->writer) {
    try {
      impl_->writer->close();
    } catch (const Xapian::Error&) {
      // Nothing to do: uncommitted changes are discarded, the outbox replays them.
    }
  }
}

Result<std::unique_ptr<LexicalIndex>> LexicalIndex::Open(const std::string& dir, Mode mode) {
  auto impl = std::make_unique<Impl>();
  try {
    if (mode == Mode::kWritable) {
      auto w = std::make_unique<Xapian::WritableDatabase>(dir, Xapian::DB_CREATE_OR_OPEN);
      impl->writer = w.get();
      impl->db = std::move(w);
    } else {
      if (!std::filesystem::exists(dir)) return Err(Status::NotFound("no lexical index at " + dir));
      impl->db = std::make_unique<Xapian::Database>(dir);
    }
  } catch (const Xapian::DatabaseLockError& e) {
    return Err(Status::IOError("lexical index is locked by another askio process: " + e.get_msg()));
  } catch (const Xapian::Error& e) {
    return Err(FromXapian(e, "cannot open lexical index " + dir));
  }
  return std::unique_ptr<LexicalIndex>(new LexicalIndex(std::move(impl)));
}

bool LexicalIndex::writable() const { return impl_->writer != nullptr; }

int64_t LexicalIndex::applied_seq() const {
  try {
    const std::string v = impl_->db->get_metadata(kAppliedSeqKey);
    return v.empty() ? 0 : std::stoll(v);
  } catch (...) {
    return -1;  // unreadable: the caller treats it as "needs rebuild"
  }
}

uint64_t LexicalIndex::doc_count() const {
  try {
    return impl_->db->get_doccount();
  } catch (const Xapian::Error&) {
    return 0;
  }
}

uint64_t LexicalIndex::term_freq(const std::string& term) const {
  try {
    return impl_->db->get_termfreq(term);
  } catch (const Xapian::Error&) {
    return 0;
  }
}

Status LexicalIndex::Add(int64_t chunk_id, const text::TermCounts& terms) {
  if (!impl_->writer) return Status::Internal("lexical index opened read-only");
  try {
    Xapian::Document doc;
    for (const auto& [term, count] : terms) doc.add_term(term, count);
    impl_->writer->replace_document(static_cast<Xapian::docid>(chunk_id), doc);
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "indexing chunk " + std::to_string(chunk_id));
  }
  return Status::Ok();
}

Status LexicalIndex::Remove(int64_t chunk_id) {
  if (!impl_->writer) return Status::Internal("lexical index opened read-only");
  try {
    impl_->writer->delete_document(static_cast<Xapian::docid>(chunk_id));
  } catch (const Xapian::DocNotFoundError&) {
    // Already gone (a replayed delete): deleting is idempotent.
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "removing chunk " + std::to_string(chunk_id));
  }
  return Status::Ok();
}

Status LexicalIndex::Commit(int64_t applied_seq) {
  if (!impl_->writer) return Status::Internal("lexical index opened read-only");
  try {
    impl_->writer->set_metadata(kAppliedSeqKey, std::to_string(applied_seq));
    impl_->writer->commit();
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "committing lexical index");
  }
  return Status::Ok();
}

Status LexicalIndex::Reopen() {
  try {
    impl_->db->reopen();
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "reopening lexical index");
  }
  return Status::Ok();
}

Result<std::vector<LexicalMatch>> LexicalIndex::Search(const std::vector<text::QueryTerm>& terms,
                                                       size_t limit,
                                                       const Bm25Params& params) const {
  std::vector<LexicalMatch> out;
  if (terms.empty() || limit == 0) return out;
  try {
    std::vector<Xapian::Query> parts;
    parts.reserve(terms.size());
    for (const text::QueryTerm& t : terms) {
      Xapian::Query q(t.term);
      if (t.weight != 1.0) q = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q, t.weight);
      parts.push_back(std::move(q));
    }
    Xapian::Enquire enquire(*impl_->db);
    enquire.set_query(Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end()));
    enquire.set_weighting_scheme(Xapian::BM25Weight(params.k1, 0, 1, params.b, 0.5));
    const Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(limit));
    out.reserve(mset.size());
    for (auto it = mset.begin(); it != mset.end(); ++it)
      out.push_back({static_cast<int64_t>(*it), it.get_weight()});
  } catch (const Xapian::Error& e) {
    return Err(FromXapian(e, "lexical search"));
  }
  return out;
}

}  // namespace askio::index
