// Shared by the reliability tests (crash_test.cc, reliability_test.cc): a
// corpus of real text in two versions, query fingerprints, and a child askio
// that can be killed at a chosen moment.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "askio/engine.h"
#include "cli_util.h"
#include "index/lexical_index.h"
#include "test_util.h"

namespace askio::testing {

// The 60 real passages (Chinese Wikipedia, CMRC-style) of mini_squad.json
// and their questions.
struct SquadText {
  std::vector<std::string> contexts, questions;
};

inline const SquadText& Squad() {
  static const SquadText text = [] {
    SquadText t;
    const auto j = nlohmann::json::parse(ReadFile(TestDataPath("mini_squad.json")));
    for (const auto& article : j["data"])
      for (const auto& p : article["paragraphs"]) {
        t.contexts.push_back(p["context"].get<std::string>());
        for (const auto& qa : p["qas"]) t.questions.push_back(qa["question"].get<std::string>());
      }
    return t;
  }();
  return text;
}

// Document k of the corpus in `version` (0 or 1): two real passages, in an
// order that depends on the version, and a line that makes it unique.
inline std::string CorpusDoc(int k, int version) {
  const auto& c = Squad().contexts;
  const std::string& a = c[static_cast<size_t>(k) % c.size()];
  const std::string& b = c[static_cast<size_t>(k * 7 + 3) % c.size()];
  std::string doc = "# 资料 " + std::to_string(k) + "\n\n";
  doc += version == 0 ? a + "\n\n" + b : b + "\n\n## 补充\n\n" + a;
  doc += "\n\n编号 doc" + std::to_string(k) + " 版本 v" + std::to_string(version) + "。\n";
  return doc;
}

// Writes (or rewrites) dir/doc-NNN.md for k < n.
inline void WriteCorpus(const std::string& dir, int n, int version) {
  for (int k = 0; k < n; ++k) {
    char name[32];
    std::snprintf(name, sizeof name, "doc-%03d.md", k);
    WriteFile(dir + "/" + name, CorpusDoc(k, version));
  }
}

inline std::vector<std::string> FixedQueries() {
  const auto& q = Squad().questions;
  std::vector<std::string> out;
  for (size_t i = 0; i < q.size() && out.size() < 8; i += q.size() / 8 + 1) out.push_back(q[i]);
  out.push_back("北京");
  out.push_back("doc7");
  return out;
}

// The top hits of each fixed query as "source@start-end" (chunk ids differ
// between builds; sources and places do not).
inline std::vector<std::vector<std::string>> TopHits(KnowledgeBase& kb, size_t k = 5) {
  std::vector<std::vector<std::string>> out;
  SearchOptions so;
  so.limit = k;
  for (const std::string& q : FixedQueries()) {
    auto hits = kb.Search(q, so);
    std::vector<std::string> row;
    if (!hits) {
      row.push_back("error: " + hits.error().message());
    } else {
      for (const SearchHit& h : *hits)
        row.push_back(h.document_source + "@" + std::to_string(h.chunk.char_start) + "-" +
                      std::to_string(h.chunk.char_end));
    }
    out.push_back(row);
  }
  return out;
}

// Every hit of every fixed query has a distinct chunk id (no duplicates).
inline bool HitsAreDistinct(KnowledgeBase& kb) {
  SearchOptions so;
  so.limit = 20;
  for (const std::string& q : FixedQueries()) {
    auto hits = kb.Search(q, so);
    if (!hits) return false;
    std::set<int64_t> ids;
    for (const SearchHit& h : *hits)
      if (!ids.insert(h.chunk.id).second) return false;
  }
  return true;
}

inline std::string IntegrityCheck(const std::string& catalog_path) {
  sqlite3* db = nullptr;
  std::string result;
  if (sqlite3_open_v2(catalog_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr);
    while (st && sqlite3_step(st) == SQLITE_ROW)
      result += reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
  } else {
    result = "cannot open";
  }
  sqlite3_close(db);
  return result;
}

inline int64_t LexicalDocCount(const std::string& kb_dir) {
  auto index = index::LexicalIndex::Open(kb_dir + "/lexical", index::LexicalIndex::Mode::kReadOnly);
  return index ? static_cast<int64_t>((*index)->doc_count()) : -1;
}

// askio as a child process, stdout/stderr to files, that can be killed.
class Child {
 public:
  Child(std::vector<std::string> args, const std::map<std::string, std::string>& env,
        const std::string& out_path, const std::string& err_path)
      : err_path_(err_path) {
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) {
      const std::string entry(*e);
      if (!env.count(entry.substr(0, entry.find('=')))) env_strings.push_back(entry);
    }
    for (const auto& [k, v] : env)
      if (v != "\x01unset") env_strings.push_back(k + "=" + v);
    std::vector<char*> envp, argv;
    for (std::string& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    for (std::string& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  // Waits up to `limit`; kills it with SIGKILL if it is still running then.
  // Returns the exit code, or -SIGKILL when killed.
  int RunFor(std::chrono::microseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    for (;;) {
      const pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      if (std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // polling, not timing
    }
    kill(pid_, SIGKILL);
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  bool started() const { return pid_ > 0; }
  // Sources the child acknowledged ("askio: committed SOURCE" lines).
  std::vector<std::string> Acknowledged() const {
    std::vector<std::string> out;
    const std::string err = ReadFile(err_path_);
    const std::string prefix = "askio: committed ";
    size_t pos = 0;
    while (pos < err.size()) {
      size_t end = err.find('\n', pos);
      if (end == std::string::npos) break;  // a torn last line is not an acknowledgement
      const std::string line = err.substr(pos, end - pos);
      if (line.starts_with(prefix)) out.push_back(line.substr(prefix.size()));
      pos = end + 1;
    }
    return out;
  }

 private:
  pid_t pid_ = -1;
  std::string err_path_;
};

// What a clean build holds per source: content hash and chunk count.
struct DocState {
  std::string hash;
  int64_t chunks = 0;
  bool operator==(const DocState&) const = default;
};

inline std::map<std::string, DocState> DocStates(KnowledgeBase& kb) {
  std::map<std::string, DocState> out;
  auto docs = kb.ListDocuments();
  if (!docs) return out;
  for (const DocumentInfo& d : *docs) {
    auto chunks = kb.DocumentChunks(d.id);
    out[d.source] = {d.content_hash, chunks ? static_cast<int64_t>(chunks->size()) : -1};
  }
  return out;
}

}  // namespace askio::testing
