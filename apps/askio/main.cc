// askio: the command-line front end. Parses arguments, calls the engine, and
// prints for people (default) or machines (--json).
//
// Exit codes (the one place they are decided, see ExitCodeFor):
//   0  success
//   1  user error: bad argument, unknown knowledge base, unsupported input
//   2  internal or I/O error
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "askio/engine.h"
#include "askio/maintenance.h"
#include "common/clock.h"
#include "eval/eval.h"
#include "model/models.h"
#include "server/http_server.h"
#include "server/server_store.h"
#include "voice_command.h"

namespace {

using askio::Status;
using nlohmann::json;

int ExitCodeFor(const Status& s) {
  if (s.ok()) return 0;
  return s.IsUserError() ? 1 : 2;
}

int Fail(const Status& s) {
  std::cerr << "askio: " << s.message() << "\n";
  return ExitCodeFor(s);
}

// Quotes and answers print on one line each; the text keeps its newlines.
std::string OneLine(std::string s) {
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

bool StdoutIsTty() { return isatty(STDOUT_FILENO) == 1; }
bool StderrIsTty() { return isatty(STDERR_FILENO) == 1; }

// "Title › Heading › Subheading". When the title is itself in the path (a
// Notion page under its parents, a document whose first heading is its
// title), the path alone says it in order.
std::string HeadingTrail(const std::string& title, const std::vector<std::string>& path) {
  const bool title_in_path = std::find(path.begin(), path.end(), title) != path.end();
  std::string out = title_in_path ? std::string() : title;
  for (const std::string& h : path) {
    if (!out.empty()) out += " › ";
    out += h;
  }
  return out.empty() ? title : out;
}

// Renders a snippet with its highlights: bold on a terminal, **markers**
// otherwise so that highlights survive a pipe.
std::string Highlighted(const askio::SearchHit& hit, bool tty) {
  const char* on = tty ? "\033[1;33m" : "**";
  const char* off = tty ? "\033[0m" : "**";
  std::string out;
  size_t pos = 0;
  for (const askio::Highlight& h : hit.highlights) {
    out.append(hit.snippet, pos, h.begin - pos);
    out += on;
    out.append(hit.snippet, h.begin, h.end - h.begin);
    out += off;
    pos = h.end;
  }
  out.append(hit.snippet, pos, std::string::npos);
  return out;
}

json CitationJson(const askio::Citation& c) {
  return {
      {"number", c.number},          {"chunk_id", c.chunk_id},         {"title", c.document_title},
      {"source", c.document_source}, {"heading_path", c.heading_path}, {"location", c.location},
      {"char_start", c.char_start},  {"char_end", c.char_end},         {"quote", c.quote}};
}

// "page 3" where the format has places, else the character range.
std::string PlaceOf(const std::string& location, int64_t char_start, int64_t char_end) {
  if (!location.empty()) return location;
  return "chars " + std::to_string(char_start) + "–" + std::to_string(char_end);
}

std::string HumanBytes(double bytes) {
  char buf[32];
  if (bytes >= 1 << 20)
    std::snprintf(buf, sizeof buf, "%.1f MB", bytes / (1 << 20));
  else
    std::snprintf(buf, sizeof buf, "%.0f KB", bytes / 1024);
  return buf;
}

// A one-line progress bar on stderr: files, megabytes, rate and ETA.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled)
      : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  void Update(const askio::IngestProgress& p) {
    if (!enabled_ || p.files_total == 0) return;
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double frac =
        p.bytes_total ? static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total)
                      : static_cast<double>(p.files_done) / static_cast<double>(p.files_total);
    const double rate = secs > 0 ? static_cast<double>(p.bytes_done) / secs : 0;
    const double eta = rate > 0 ? static_cast<double>(p.bytes_total - p.bytes_done) / rate : 0;
    constexpr int kWidth = 28;
    const int filled = static_cast<int>(frac * kWidth);
    std::string bar(static_cast<size_t>(filled), '=');
    if (filled < kWidth) bar += '>';
    bar.resize(kWidth, ' ');
    const std::string pages =
        p.pages_done ? "  " + std::to_string(p.pages_done) + " pages" : std::string();
    std::fprintf(
        stderr, "\r[%s] %zu/%zu files%s  %s/%s  %s/s  ETA %.0fs   ", bar.c_str(), p.files_done,
        p.files_total, pages.c_str(), HumanBytes(static_cast<double>(p.bytes_done)).c_str(),
        HumanBytes(static_cast<double>(p.bytes_total)).c_str(), HumanBytes(rate).c_str(), eta);
    drawn_ = true;
  }
  void Finish() {
    if (drawn_) std::fprintf(stderr, "\n");
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

// Adds one run's counts to another's (for --url after files).
void MergeReport(askio::IngestReport& from, askio::IngestReport& into) {
  into.added += from.added;
  into.replaced += from.replaced;
  into.unchanged += from.unchanged;
  into.failed += from.failed;
  into.pruned += from.pruned;
  into.chunks += from.chunks;
  into.bytes += from.bytes;
  into.pages += from.pages;
  into.parse_seconds += from.parse_seconds;
  into.store_seconds += from.store_seconds;
  into.index_seconds += from.index_seconds;
  into.total_seconds += from.total_seconds;
  for (const auto& [type, t] : from.by_type) {
    askio::IngestTypeSummary& s = into.by_type[type];
    s.files += t.files;
    s.failed += t.failed;
    s.pages += t.pages;
    s.chunks += t.chunks;
    s.seconds += t.seconds;
  }
  for (auto& f : from.files) into.files.push_back(std::move(f));
}

const char* OutcomeName(askio::IngestFileResult::Outcome o) {
  switch (o) {
    case askio::IngestFileResult::Outcome::kAdded:
      return "added";
    case askio::IngestFileResult::Outcome::kReplaced:
      return "replaced";
    case askio::IngestFileResult::Outcome::kUnchanged:
      return "unchanged";
    case askio::IngestFileResult::Outcome::kFailed:
      return "failed";
  }
  return "?";
}

struct Globals {
  std::string data_dir;
  std::string config;  // askio.toml; default model::DefaultConfigPath(data_dir)
  bool json = false;
  bool print_committed = false;  // ingest: a line per committed document
};

// Opens a KB with the models askio.toml and the environment configure for
// it. A model that cannot be reached is a warning: the KB still answers,
// lexically and with the built-in reader.
askio::Result<std::unique_ptr<askio::KnowledgeBase>> OpenKb(const Globals& g,
                                                            const std::string& name,
                                                            bool create = false) {
  auto kb = askio::KnowledgeBase::Open(g.data_dir, name,
                                       create ? askio::KnowledgeBase::OpenMode::kCreateIfMissing
                                              : askio::KnowledgeBase::OpenMode::kMustExist);
  if (!kb) return kb;
  auto models = askio::model::LoadModels(g.config, name);
  if (!models) return askio::Err(models.error());
  if (askio::model::Any(*models)) {
    if (Status s = (*kb)->SetModels(std::move(*models)); !s.ok())
      std::cerr << "askio: warning: " << s.message()
                << " (searching lexically until `askio kb embed " << name << "` succeeds)\n";
  }
  // What opening found wrong with the derived indexes and did about it.
  for (const std::string& notice : (*kb)->Notices()) std::cerr << "askio: " << notice << "\n";
  return kb;
}

int RunIngest(const Globals& g, const std::string& kb_name, const std::vector<std::string>& paths,
              const std::vector<std::string>& urls, const askio::UrlOptions& url_options,
              const askio::IngestOptions& options) {
  if (paths.empty() && urls.empty())
    return Fail(askio::Status::InvalidArgument("nothing to ingest: give files, folders or --url"));
  auto kb = OpenKb(g, kb_name, /*create=*/true);
  if (!kb) return Fail(kb.error());
  askio::Result<askio::IngestReport> report = askio::IngestReport{};
  if (!paths.empty()) {
    ProgressBar bar(StderrIsTty() && !g.json);
    report = (*kb)->Ingest(paths, options, [&](const askio::IngestProgress& p) {
      bar.Update(p);
      // Acknowledgements: each line is written once the document's batch is
      // durably committed (docs/reliability.md).
      if (g.print_committed)
        for (const std::string& source : p.committed)
          std::fprintf(stderr, "askio: committed %s\n", source.c_str());
    });
    bar.Finish();
  }
  for (const std::string& url : urls) {
    if (!report) break;
    auto one = (*kb)->IngestUrl(url, url_options, options);
    if (!one) return Fail(one.error());
    MergeReport(*one, *report);
  }
  if (!report) return Fail(report.error());
  const askio::IngestReport& r = *report;
  if (g.json) {
    json by_type = json::object();
    for (const auto& [type, t] : r.by_type)
      by_type[type] = {{"files", t.files},
                       {"failed", t.failed},
                       {"pages", t.pages},
                       {"chunks", t.chunks},
                       {"seconds", t.seconds}};
    json files = json::array();
    for (const auto& f : r.files) {
      json j = {{"path", f.path},      {"outcome", OutcomeName(f.outcome)},
                {"type", f.type},      {"chunks", f.chunks},
                {"bytes", f.bytes},    {"pages", f.pages},
                {"seconds", f.seconds}};
      if (!f.error.empty()) j["error"] = f.error;
      files.push_back(j);
    }
    std::cout << json{{"kb", kb_name},
                      {"added", r.added},
                      {"replaced", r.replaced},
                      {"unchanged", r.unchanged},
                      {"failed", r.failed},
                      {"pruned", r.pruned},
                      {"chunks", r.chunks},
                      {"bytes", r.bytes},
                      {"pages", r.pages},
                      {"by_type", by_type},
                      {"seconds",
                       {{"total", r.total_seconds},
                        {"parse", r.parse_seconds},
                        {"store", r.store_seconds},
                        {"index", r.index_seconds}}},
                      {"files", files}}
                     .dump(2)
              << "\n";
  } else {
    for (const auto& f : r.files)
      if (f.outcome == askio::IngestFileResult::Outcome::kFailed)
        std::cerr << "  failed: " << f.path << ": " << f.error << "\n";
    const double mb = static_cast<double>(r.bytes) / (1 << 20);
    std::printf("Ingested into '%s': %lld added, %lld replaced, %lld unchanged, %lld failed",
                kb_name.c_str(), static_cast<long long>(r.added),
                static_cast<long long>(r.replaced), static_cast<long long>(r.unchanged),
                static_cast<long long>(r.failed));
    if (options.prune) std::printf(", %lld pruned", static_cast<long long>(r.pruned));
    std::printf("\n  %lld chunks from %.2f MB in %.2fs (%.1f MB/s)\n",
                static_cast<long long>(r.chunks), mb, r.total_seconds,
                r.total_seconds > 0 ? mb / r.total_seconds : 0.0);
    std::printf("  stages: parse+chunk %.2fs, store %.2fs, index %.2fs\n", r.parse_seconds,
                r.store_seconds, r.index_seconds);
    if (!r.by_type.empty()) {
      std::printf("\n  %-16s %7s %7s %7s %8s %9s\n", "type", "files", "failed", "pages", "chunks",
                  "seconds");
      for (const auto& [type, t] : r.by_type)
        std::printf("  %-16s %7lld %7lld %7lld %8lld %9.2f\n", type.c_str(),
                    static_cast<long long>(t.files), static_cast<long long>(t.failed),
                    static_cast<long long>(t.pages), static_cast<long long>(t.chunks), t.seconds);
    }
  }
  // Files that failed are reported, but the run itself succeeded unless
  // nothing at all could be ingested.
  const bool all_failed = r.failed > 0 && r.added + r.replaced + r.unchanged == 0;
  return all_failed ? 1 : 0;
}

// askio doctor: checks (and with --repair repairs) one KB or all of them;
// exit 0 when every KB is healthy at the end, 2 otherwise.
int RunDoctor(const Globals& g, const std::string& kb_name, bool repair) {
  std::vector<std::string> names;
  if (!kb_name.empty()) {
    names.push_back(kb_name);
  } else {
    auto all = askio::ListKnowledgeBases(g.data_dir);
    if (!all) return Fail(all.error());
    names = *all;
  }
  bool healthy = true;
  json out = json::array();
  for (const std::string& name : names) {
    askio::DoctorOptions options;
    options.repair = repair;
    if (repair) {
      auto models = askio::model::LoadModels(g.config, name);
      if (models) options.models = std::move(*models);
    }
    auto report = askio::Doctor(g.data_dir, name, options);
    if (!report) return Fail(report.error());
    healthy = healthy && report->healthy();
    if (g.json) {
      json findings = json::array();
      for (const auto& f : report->findings)
        findings.push_back(
            {{"check", f.check}, {"ok", f.ok}, {"detail", f.detail}, {"action", f.action}});
      out.push_back({{"kb", name},
                     {"healthy", report->healthy()},
                     {"repaired", report->repaired},
                     {"findings", findings}});
      continue;
    }
    std::printf("%s: %s\n", name.c_str(), report->healthy() ? "healthy" : "PROBLEMS FOUND");
    for (const auto& f : report->findings) {
      std::printf("  [%s] %-9s %s\n", f.ok ? " ok " : "FAIL", f.check.c_str(), f.detail.c_str());
      if (!f.action.empty())
        std::printf("         %-9s %s%s\n", "",
                    f.ok || report->repaired ? "" : "to repair: ", f.action.c_str());
    }
    if (!report->healthy() && !repair)
      std::printf("  run `askio doctor --kb %s --repair` to repair what can be repaired\n",
                  name.c_str());
  }
  if (g.json) std::cout << out.dump(2) << "\n";
  return healthy ? 0 : 2;
}

int RunBackup(const Globals& g, const std::string& kb_name, const std::string& dest) {
  auto r = askio::BackupKnowledgeBase(g.data_dir, kb_name, dest);
  if (!r) return Fail(r.error());
  if (g.json)
    std::cout << json{{"kb", r->kb},          {"path", r->path},       {"documents", r->documents},
                      {"chunks", r->chunks},  {"vectors", r->vectors}, {"bytes", r->bytes},
                      {"seconds", r->seconds}}
                     .dump()
              << "\n";
  else
    std::printf("Backed up '%s' to %s: %lld documents, %lld chunks, %lld vectors (%.2fs)\n",
                r->kb.c_str(), r->path.c_str(), static_cast<long long>(r->documents),
                static_cast<long long>(r->chunks), static_cast<long long>(r->vectors), r->seconds);
  return 0;
}

int RunRestore(const Globals& g, const std::string& src, const std::string& kb_name, bool replace) {
  auto r = askio::RestoreKnowledgeBase(src, g.data_dir, kb_name, replace);
  if (!r) return Fail(r.error());
  if (g.json)
    std::cout << json{{"kb", r->kb},
                      {"path", r->path},
                      {"documents", r->documents},
                      {"chunks", r->chunks},
                      {"seconds", r->seconds}}
                     .dump()
              << "\n";
  else
    std::printf("Restored '%s' from %s: %lld documents, %lld chunks, index rebuilt (%.2fs)\n",
                r->kb.c_str(), src.c_str(), static_cast<long long>(r->documents),
                static_cast<long long>(r->chunks), r->seconds);
  return 0;
}

int RunSearch(const Globals& g, const std::string& kb_name, const std::string& query, size_t limit,
              bool explain, const askio::SearchFilter& filter) {
  auto kb = OpenKb(g, kb_name);
  if (!kb) return Fail(kb.error());
  askio::SearchOptions so;
  so.limit = limit;
  so.filter = filter;
  auto hits = (*kb)->Search(query, so);
  if (!hits) return Fail(hits.error());
  if (g.json) {
    json out = json::array();
    for (size_t i = 0; i < hits->size(); ++i) {
      const auto& h = (*hits)[i];
      json hl = json::array();
      for (const auto& x : h.highlights) hl.push_back({x.begin, x.end});
      out.push_back({{"rank", i + 1},
                     {"score", h.score},
                     {"title", h.document_title},
                     {"source", h.document_source},
                     {"text", h.chunk.text},
                     {"heading_path", h.chunk.heading_path},
                     {"location", h.chunk.location},
                     {"page", h.chunk.page},
                     {"chunk_id", h.chunk.id},
                     {"document_id", h.chunk.document_id},
                     {"char_start", h.chunk.char_start},
                     {"char_end", h.chunk.char_end},
                     {"snippet", h.snippet},
                     {"highlights", hl}});
      if (explain) {
        json st = json::array();
        for (const auto& x : h.stages)
          st.push_back({{"stage", x.stage}, {"score", x.score}, {"rank", x.rank}});
        out.back()["stages"] = st;
      }
    }
    std::cout << json{{"query", query}, {"hits", out}}.dump(2) << "\n";
    return 0;
  }
  if (hits->empty()) {
    std::printf("No matches for \"%s\".\n", query.c_str());
    return 0;
  }
  const bool tty = StdoutIsTty();
  for (size_t i = 0; i < hits->size(); ++i) {
    const auto& h = (*hits)[i];
    std::printf("%zu. %s  (score %.2f)\n", i + 1,
                HeadingTrail(h.document_title, h.chunk.heading_path).c_str(), h.score);
    std::printf("   %s, %s\n", h.document_source.c_str(),
                PlaceOf(h.chunk.location, h.chunk.char_start, h.chunk.char_end).c_str());
    std::printf("   %s\n", Highlighted(h, tty).c_str());
    if (explain) {
      std::printf("   stages:");
      for (const auto& x : h.stages) {
        std::printf("  %s %.4g", x.stage.c_str(), x.score);
        if (x.rank > 0) std::printf(" (#%d)", x.rank);
      }
      std::printf("\n");
    }
    std::printf("\n");
  }
  return 0;
}

// `askio models test`: each configured provider, called once, end to end.
int RunModelsTest(const Globals& g, const std::string& kb_name) {
  auto config = askio::model::LoadModelsConfig(g.config, kb_name, askio::model::AskioEnvironment());
  if (!config) return Fail(config.error());
  const askio::Models models = askio::model::MakeModels(*config);
  json results = json::object();
  bool all_ok = true;
  auto report = [&](const char* section, const askio::model::ProviderConfig& pc, bool ok,
                    const std::string& detail, double seconds) {
    results[section] = {
        {"configured", pc.configured()}, {"ok", ok}, {"detail", detail}, {"seconds", seconds}};
    if (pc.configured() && !ok) all_ok = false;
    if (g.json) return;
    if (!pc.configured()) {
      std::printf("%-7s not configured\n", section);
    } else {
      std::printf("%-7s %s  %s  %s (%.2f s)\n", section, ok ? "ok    " : "FAILED",
                  pc.Describe().c_str(), detail.c_str(), seconds);
    }
  };
  if (models.llm) {
    askio::Stopwatch sw;
    askio::model::ChatRequest req;
    req.messages = {{"user", "Reply with the single word OK."}};
    req.max_tokens = 16;
    auto r = models.llm->Complete(req);
    report("llm", config->llm, r.has_value(),
           r ? "replied \"" + OneLine(r->text.substr(0, 60)) + "\"" : r.error().message(),
           sw.Seconds());
  } else {
    report("llm", config->llm, false, "", 0);
  }
  if (models.embed) {
    askio::Stopwatch sw;
    auto r = models.embed->Embed({"askio models test", "第二段文字"});
    report("embed", config->embed, r.has_value(),
           r ? "dimension " + std::to_string(r->front().size()) : r.error().message(),
           sw.Seconds());
  } else {
    report("embed", config->embed, false, "", 0);
  }
  if (models.rerank) {
    askio::Stopwatch sw;
    auto r = models.rerank->Rerank(
        "annual leave", {"Staff get 25 days of annual leave.", "The office opens at 8 am."});
    const bool ok = r.has_value() && r->size() == 2;
    report("rerank", config->rerank, ok,
           ok ? ((*r)[0] > (*r)[1] ? "ranked the relevant text first"
                                   : "answered, but ranked the relevant text second")
              : (r ? "wrong number of scores" : r.error().message()),
           sw.Seconds());
  } else {
    report("rerank", config->rerank, false, "", 0);
  }
  if (g.json) std::cout << results.dump(2) << "\n";
  return all_ok ? 0 : 2;
}

int RunKbEmbed(const Globals& g, const std::string& name) {
  auto kb = OpenKb(g, name);
  if (!kb) return Fail(kb.error());
  const bool bar = StderrIsTty() && !g.json;
  auto r = (*kb)->Embed([&](int64_t done, int64_t total) {
    if (bar)
      std::fprintf(stderr, "\rembedding %lld/%lld", static_cast<long long>(done),
                   static_cast<long long>(total));
  });
  if (bar) std::fprintf(stderr, "\n");
  if (!r) return Fail(r.error());
  if (g.json) {
    std::cout << json{{"chunks", r->chunks},
                      {"embedded", r->embedded},
                      {"cached", r->cached},
                      {"indexed", r->indexed},
                      {"seconds", r->seconds}}
                     .dump()
              << "\n";
  } else {
    std::printf(
        "%lld chunks: %lld embedded now, %lld already had vectors; %lld in the dense "
        "index (%.1f s).\n",
        static_cast<long long>(r->chunks), static_cast<long long>(r->embedded),
        static_cast<long long>(r->cached), static_cast<long long>(r->indexed), r->seconds);
  }
  return 0;
}

json EntityJson(const askio::GraphEntity& e) {
  return {{"id", e.id},
          {"name", e.name},
          {"type", e.type},
          {"aliases", e.aliases},
          {"merge_reasons", e.merge_reasons},
          {"mentions", e.mentions},
          {"chunks", e.chunks}};
}

// `askio graph build|stats|entity|neighbours|export|clear`.
int RunGraph(const Globals& g, const std::string& what, const std::string& kb_name,
             const std::string& name, const std::string& format, const std::string& output,
             size_t limit, const askio::GraphBuildOptions& build, bool confirmed) {
  auto kb = OpenKb(g, kb_name);
  if (!kb) return Fail(kb.error());
  if (what == "build" && build.use_model && !confirmed) {
    // A model build costs money: say what it would send, then stop.
    auto e = (*kb)->EstimateGraphBuild(build);
    if (!e) return Fail(e.error());
    if (g.json) {
      std::cout << json{{"model", e->model},
                        {"chunks", e->chunks},
                        {"requests", e->requests},
                        {"input_tokens", e->input_tokens},
                        {"output_tokens", e->output_tokens},
                        {"cost", e->cost}}
                       .dump()
                << "\n";
    } else {
      std::printf(
          "Extracting with %s would send %lld chunks in %lld requests: about %lld input and %lld "
          "output tokens",
          e->model.c_str(), static_cast<long long>(e->chunks), static_cast<long long>(e->requests),
          static_cast<long long>(e->input_tokens), static_cast<long long>(e->output_tokens));
      if (e->cost > 0)
        std::printf(", cost about %.2f", e->cost);
      else
        std::printf(" (--price-in/--price-out give a cost)");
      std::printf(".\nRun again with --yes to start.\n");
    }
    return 0;
  }
  if (what == "build") {
    const bool bar = StderrIsTty() && !g.json;
    auto r = (*kb)->BuildGraph(build, [&](int64_t done, int64_t total) {
      if (bar)
        std::fprintf(stderr, "\rextracting %lld/%lld chunks", static_cast<long long>(done),
                     static_cast<long long>(total));
    });
    if (bar) std::fprintf(stderr, "\n");
    if (!r) return Fail(r.error());
    if (g.json) {
      std::cout << json{{"chunks", r->chunks},
                        {"extracted", r->extracted},
                        {"cached", r->cached},
                        {"seconds", r->seconds}}
                       .dump()
                << "\n";
    } else {
      std::printf(
          "%lld chunks: %lld extracted now, %lld already in the graph (%.1f s). The graph is on: "
          "ingestion keeps it current.\n",
          static_cast<long long>(r->chunks), static_cast<long long>(r->extracted),
          static_cast<long long>(r->cached), r->seconds);
    }
    return 0;
  }
  if (what == "clear") {
    if (askio::Status s = (*kb)->ClearGraph(); !s.ok()) return Fail(s);
    if (!g.json) std::printf("The graph of %s is empty and off.\n", kb_name.c_str());
    return 0;
  }
  if (what == "stats") {
    auto st = (*kb)->GraphStatistics();
    if (!st) return Fail(st.error());
    json types = json::object();
    for (const auto& [type, n] : st->by_type) types[type] = n;
    const json out = {{"enabled", st->enabled},     {"entities", st->entities},
                      {"aliases", st->aliases},     {"mentions", st->mentions},
                      {"relations", st->relations}, {"cooccurrences", st->cooccurrences},
                      {"edges", st->edges},         {"chunks", st->chunks},
                      {"documents", st->documents}, {"by_type", types}};
    if (g.json) {
      std::cout << out.dump(2) << "\n";
    } else {
      std::printf(
          "graph %s: %lld entities (%lld aliases), %lld mentions in %lld chunks of %lld "
          "documents; %lld stated relations, %lld co-occurrences, %lld connected pairs\n",
          st->enabled ? "on" : "off (askio graph build turns it on)",
          static_cast<long long>(st->entities), static_cast<long long>(st->aliases),
          static_cast<long long>(st->mentions), static_cast<long long>(st->chunks),
          static_cast<long long>(st->documents), static_cast<long long>(st->relations),
          static_cast<long long>(st->cooccurrences), static_cast<long long>(st->edges));
      for (const auto& [type, n] : st->by_type)
        std::printf("  %-13s %lld\n", type.c_str(), static_cast<long long>(n));
    }
    return 0;
  }
  if (what == "export") {
    auto text = (*kb)->ExportGraph(format);
    if (!text) return Fail(text.error());
    if (output.empty() || output == "-") {
      std::cout << *text;
      return 0;
    }
    std::ofstream out(output, std::ios::binary | std::ios::trunc);
    out << *text;
    out.close();
    if (!out) return Fail(askio::Status::IOError("cannot write " + output));
    if (!g.json) std::printf("Wrote %s (%zu bytes).\n", output.c_str(), text->size());
    return 0;
  }
  // entity, neighbours
  auto e = (*kb)->FindEntity(name);
  if (!e) return Fail(e.error());
  auto neighbours = (*kb)->EntityNeighbours(e->id, what == "entity" ? 5 : limit);
  if (!neighbours) return Fail(neighbours.error());
  if (g.json) {
    json list = json::array();
    for (const askio::GraphNeighbour& n : *neighbours) {
      json labels = json::array(), evidence = json::array();
      for (const askio::GraphEdgeLabel& l : n.labels)
        labels.push_back({{"predicate", l.predicate},
                          {"outgoing", l.outgoing},
                          {"cooccurs", l.cooccurs},
                          {"count", l.count}});
      for (const askio::GraphEvidence& ev : n.evidence)
        evidence.push_back({{"chunk_id", ev.chunk_id},
                            {"title", ev.document_title},
                            {"source", ev.document_source},
                            {"sentence", ev.sentence}});
      list.push_back({{"entity", EntityJson(n.entity)},
                      {"weight", n.weight},
                      {"labels", labels},
                      {"evidence", evidence}});
    }
    std::cout << json{{"entity", EntityJson(*e)}, {"neighbours", list}}.dump(2) << "\n";
    return 0;
  }
  std::printf("%s (%s): %lld mentions in %lld chunks\n", e->name.c_str(), e->type.c_str(),
              static_cast<long long>(e->mentions), static_cast<long long>(e->chunks));
  for (size_t i = 0; i < e->aliases.size(); ++i)
    std::printf("  also: %s%s%s\n", e->aliases[i].c_str(),
                i < e->merge_reasons.size() && !e->merge_reasons[i].empty() ? "  — " : "",
                i < e->merge_reasons.size() ? e->merge_reasons[i].c_str() : "");
  if (!neighbours->empty())
    std::printf("%s:\n", what == "entity" ? "Strongest links" : "Neighbours");
  for (const askio::GraphNeighbour& n : *neighbours) {
    std::string how;
    for (const askio::GraphEdgeLabel& l : n.labels) {
      if (!how.empty()) how += ", ";
      how += l.cooccurs ? "same sentence"
                        : (l.outgoing ? "—" + l.predicate + "→" : "←" + l.predicate + "—");
      how += " ×" + std::to_string(l.count);
    }
    std::printf("  %s (%s) %s\n", n.entity.name.c_str(), n.entity.type.c_str(), how.c_str());
    for (const askio::GraphEvidence& ev : n.evidence)
      std::printf(
          "      “%s” — %s\n", ev.sentence.c_str(),
          ev.document_title.empty() ? ev.document_source.c_str() : ev.document_title.c_str());
  }
  return 0;
}

int RunAsk(const Globals& g, const std::string& kb_name, const std::string& question,
           const askio::SearchFilter& filter) {
  auto kb = OpenKb(g, kb_name);
  if (!kb) return Fail(kb.error());
  std::vector<askio::SearchHit> retrieved;
  askio::AskOptions options;
  options.filter = filter;
  auto answer = (*kb)->Ask(question, options, &retrieved);
  if (!answer) return Fail(answer.error());
  const askio::Answer& a = *answer;
  if (g.json) {
    json cites = json::array();
    for (const auto& c : a.citations) cites.push_back(CitationJson(c));
    json out = {{"question", question},   {"found", a.found},
                {"answer", a.text},       {"span", a.span},
                {"evidence", a.evidence}, {"confidence", a.confidence},
                {"citations", cites},     {"generated_by", a.generated_by},
                {"grounded", a.grounded}, {"unsupported_claims", a.unsupported_claims}};
    if (!a.fallback_reason.empty()) out["fallback_reason"] = a.fallback_reason;
    if (!a.found) {
      // What came closest, so a person can judge the "not found" themselves.
      out["reason"] = a.reason;
      json closest = json::array();
      for (size_t i = 0; i < retrieved.size() && i < 3; ++i)
        closest.push_back({{"title", retrieved[i].document_title},
                           {"source", retrieved[i].document_source},
                           {"chunk_id", retrieved[i].chunk.id},
                           {"snippet", retrieved[i].snippet}});
      out["closest"] = closest;
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (!a.fallback_reason.empty())
    std::printf("(The language model failed: %s. The built-in reader answered.)\n\n",
                a.fallback_reason.c_str());
  if (!a.found) {
    std::printf("The knowledge base does not contain an answer to this question.\n  (%s)\n",
                a.reason.c_str());
    if (!retrieved.empty()) std::printf("\nClosest passages:\n");
    for (size_t i = 0; i < retrieved.size() && i < 3; ++i)
      std::printf(
          "  - %s: %s\n",
          HeadingTrail(retrieved[i].document_title, retrieved[i].chunk.heading_path).c_str(),
          Highlighted(retrieved[i], StdoutIsTty()).c_str());
    return 0;
  }
  std::printf("%s\n", OneLine(a.text).c_str());
  if (a.generated_by == "extractive") {
    if (a.span != a.evidence) std::printf("  (from: %s)\n", OneLine(a.evidence).c_str());
  } else {
    std::printf("  (written by %s%s)\n", a.generated_by.substr(4).c_str(),
                a.grounded ? "; every claim checked against its source" : "");
    for (const std::string& claim : a.unsupported_claims)
      std::printf("  ! not supported by the cited source: %s\n", OneLine(claim).c_str());
  }
  std::printf("\nSources:\n");
  for (const auto& c : a.citations) {
    std::printf("[%d] %s — %s, %s\n    \"%s\"\n", c.number,
                HeadingTrail(c.document_title, c.heading_path).c_str(), c.document_source.c_str(),
                PlaceOf(c.location, c.char_start, c.char_end).c_str(), OneLine(c.quote).c_str());
  }
  return 0;
}

int RunContext(const Globals& g, const std::string& kb_name, const std::string& question,
               const askio::ContextOptions& options) {
  auto kb = OpenKb(g, kb_name);
  if (!kb) return Fail(kb.error());
  auto ctx = (*kb)->BuildContext(question, options);
  if (!ctx) return Fail(ctx.error());
  if (g.json) {
    json passages = json::array();
    for (const auto& p : ctx->passages)
      passages.push_back({{"title", p.document_title},
                          {"source", p.document_source},
                          {"document_id", p.document_id},
                          {"heading_path", p.heading_path},
                          {"char_start", p.char_start},
                          {"char_end", p.char_end},
                          {"chunk_ids", p.chunk_ids},
                          {"score", p.score},
                          {"text", p.text}});
    json sentences = json::array();
    for (const auto& c : ctx->sentences)
      sentences.push_back({{"citation", c.passage + 1},
                           {"char_start", c.char_start},
                           {"char_end", c.char_end},
                           {"relevance", c.relevance},
                           {"text", c.text}});
    std::cout << json{{"question", question},
                      {"tokens", ctx->tokens},
                      {"passages", passages},
                      {"sentences", sentences}}
                     .dump(2)
              << "\n";
    return 0;
  }
  if (ctx->passages.empty()) {
    std::printf("No passages match \"%s\".\n", question.c_str());
    return 0;
  }
  std::printf("Compressed context (%zu tokens):\n", ctx->tokens);
  for (const auto& c : ctx->sentences)
    std::printf("  [%d] %s\n", c.passage + 1, OneLine(c.text).c_str());
  std::printf("\nSources:\n");
  for (size_t i = 0; i < ctx->passages.size(); ++i) {
    const auto& p = ctx->passages[i];
    std::printf("[%zu] %s — %s, chars %lld–%lld\n", i + 1,
                HeadingTrail(p.document_title, p.heading_path).c_str(), p.document_source.c_str(),
                static_cast<long long>(p.char_start), static_cast<long long>(p.char_end));
  }
  return 0;
}

int RunEval(const Globals& g, askio::eval::EvalOptions options) {
  const bool show = StderrIsTty() && !g.json;
  // The same protocol, lexical or hybrid: the models of --config (or the
  // ASKIO_* variables) take part when configured.
  auto models = askio::model::LoadModels(g.config, "eval");
  if (!models) return Fail(models.error());
  options.models = std::move(*models);
  auto result = askio::eval::RunEval(options, [&](size_t done, size_t total) {
    if (show) std::fprintf(stderr, "\r  %zu/%zu questions", done, total);
  });
  if (show) std::fprintf(stderr, "\n");
  if (!result) return Fail(result.error());
  const auto& r = *result;
  if (g.json) {
    std::cout << json{{"questions", r.questions},
                      {"passages", r.passages},
                      {"chunks", r.chunks},
                      {"hit@1", r.hit_at_1},
                      {"hit@5", r.hit_at_5},
                      {"mrr@10", r.mrr_at_10},
                      {"em", r.em},
                      {"f1", r.f1},
                      {"answered", r.answered},
                      {"evidence_has_answer", r.evidence_has_answer},
                      {"ingest_seconds", r.ingest_seconds},
                      {"graph_seconds", r.graph_seconds},
                      {"latency_ms_p50", r.latency_ms_p50},
                      {"latency_ms_p99", r.latency_ms_p99}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::printf("questions %lld, passages %lld, chunks %lld\n", static_cast<long long>(r.questions),
              static_cast<long long>(r.passages), static_cast<long long>(r.chunks));
  std::printf("Hit@1 %.4f  Hit@5 %.4f  MRR@10 %.4f\n", r.hit_at_1, r.hit_at_5, r.mrr_at_10);
  std::printf("EM %.1f  F1 %.1f  answered %.1f%%\n", r.em, r.f1, 100 * r.answered);
  std::printf("ingest %.2fs  latency p50 %.2f ms  p99 %.2f ms\n", r.ingest_seconds,
              r.latency_ms_p50, r.latency_ms_p99);
  return 0;
}

int RunDocs(const Globals& g, const std::string& kb_name) {
  auto kb = OpenKb(g, kb_name);
  if (!kb) return Fail(kb.error());
  auto docs = (*kb)->ListDocuments();
  if (!docs) return Fail(docs.error());
  if (g.json) {
    json out = json::array();
    for (const askio::DocumentInfo& d : *docs)
      out.push_back({{"id", d.id},
                     {"source", d.source},
                     {"title", d.title},
                     {"type", d.type},
                     {"chunks", d.chunk_count},
                     {"version", d.version},
                     {"tags", d.tags},
                     {"updated_at", d.updated_at}});
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  for (const askio::DocumentInfo& d : *docs) {
    std::string tags;
    for (const std::string& t : d.tags) tags += (tags.empty() ? "" : ",") + t;
    std::printf("%6lld  %-9s %6lld chunks  %s%s%s\n", static_cast<long long>(d.id), d.type.c_str(),
                static_cast<long long>(d.chunk_count), d.source.c_str(), tags.empty() ? "" : "  #",
                tags.c_str());
  }
  if (docs->empty()) std::printf("No documents in %s.\n", kb_name.c_str());
  return 0;
}

int RunTag(const Globals& g, const std::string& kb_name, int64_t document_id,
           const std::vector<std::string>& tags) {
  auto kb = OpenKb(g, kb_name);
  if (!kb) return Fail(kb.error());
  if (askio::Status s = (*kb)->SetDocumentTags(document_id, tags); !s.ok()) return Fail(s);
  if (!g.json)
    std::printf("Document %lld: %zu tag(s).\n", static_cast<long long>(document_id), tags.size());
  return 0;
}

int RunKbList(const Globals& g) {
  auto names = askio::ListKnowledgeBases(g.data_dir);
  if (!names) return Fail(names.error());
  json out = json::array();
  for (const std::string& n : *names) {
    auto kb = OpenKb(g, n);
    if (!kb) return Fail(kb.error());
    auto st = (*kb)->Stats();
    if (!st) return Fail(st.error());
    out.push_back({{"name", n}, {"documents", st->documents}, {"chunks", st->chunks}});
  }
  if (g.json) {
    std::cout << out.dump(2) << "\n";
  } else if (out.empty()) {
    std::printf("No knowledge bases in %s\n", g.data_dir.c_str());
  } else {
    for (const auto& j : out)
      std::printf("%-24s %8lld documents %10lld chunks\n", j["name"].get<std::string>().c_str(),
                  j["documents"].get<long long>(), j["chunks"].get<long long>());
  }
  return 0;
}

int RunKbStats(const Globals& g, const std::string& name) {
  auto kb = OpenKb(g, name);
  if (!kb) return Fail(kb.error());
  auto st = (*kb)->Stats();
  if (!st) return Fail(st.error());
  const json out = {{"name", st->name},
                    {"path", (*kb)->path()},
                    {"documents", st->documents},
                    {"chunks", st->chunks},
                    {"text_bytes", st->text_bytes},
                    {"analyzer", st->analyzer},
                    {"weighting", st->weighting},
                    {"index_applied_seq", st->index_applied_seq},
                    {"outbox_seq", st->outbox_seq},
                    {"created_at", st->created_at}};
  if (g.json) {
    std::cout << out.dump(2) << "\n";
  } else {
    for (auto it = out.begin(); it != out.end(); ++it)
      std::printf("%-18s %s\n", it.key().c_str(),
                  it->is_string() ? it->get<std::string>().c_str() : it->dump().c_str());
  }
  return 0;
}

// Serves until SIGINT or SIGTERM. The signals are taken by a thread that
// waits for them (sigwait), so stopping runs as ordinary code, not in a
// signal handler.
// The write end of the pipe a stop signal is reported through.
int g_stop_pipe_write = -1;

extern "C" void OnStopSignal(int) {
  const char byte = 's';
  // write() is async-signal-safe; everything else happens on the waiter.
  [[maybe_unused]] ssize_t n = write(g_stop_pipe_write, &byte, 1);
}

// Serves until SIGINT or SIGTERM. The signal handler only writes a byte to a
// pipe and a waiting thread does the stopping, as ordinary code. (Blocking
// the signals instead does not work: libraries start threads before main
// — OpenBLAS does — and a thread that does not block SIGTERM would take its
// default action and kill the process mid-request.)
int RunServe(const Globals& g, askio::server::ServeOptions options) {
  options.data_dir = g.data_dir;
  options.config_path = g.config;
  int stop_pipe[2];
  if (pipe(stop_pipe) != 0) return Fail(Status::IOError("cannot create a pipe"));
  g_stop_pipe_write = stop_pipe[1];
  struct sigaction on_stop {};
  on_stop.sa_handler = OnStopSignal;
  sigemptyset(&on_stop.sa_mask);
  sigaction(SIGINT, &on_stop, nullptr);
  sigaction(SIGTERM, &on_stop, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client gone mid-write is an error value, not a death
  auto server = askio::server::HttpServer::Create(options);
  if (!server) return Fail(server.error());
  auto port = (*server)->Bind();
  if (!port) return Fail(port.error());
  const std::string host =
      options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  // The first line says where; tests and scripts read the port from it.
  std::printf("askio: serving http://%s:%d\n", host.c_str(), *port);
  std::fflush(stdout);
  std::thread waiter([&] {
    char byte;
    while (read(stop_pipe[0], &byte, 1) < 0 && errno == EINTR) {
    }
    (*server)->Stop();
  });
  const Status s = (*server)->Run();
  OnStopSignal(0);  // wake the waiter if Run ended for another reason
  waiter.join();
  if (!s.ok()) return Fail(s);
  std::fprintf(stderr, "askio: stopped\n");
  return 0;
}

int RunKeys(const Globals& g, const std::string& action, const std::string& kb,
            const std::string& role, const std::string& name, double rate, int64_t id) {
  using namespace askio::server;
  auto store = ServerStore::Open(g.data_dir);
  if (!store) return Fail(store.error());
  if (action == "create") {
    if (kb != "*") {
      if (Status s = askio::ValidateKbName(kb); !s.ok()) return Fail(s);
    }
    auto r = ParseRole(role);
    if (!r) return Fail(r.error());
    auto created = (*store)->CreateKey(kb, *r, name, rate);
    if (!created) return Fail(created.error());
    if (g.json) {
      std::cout << json{{"id", created->key.id},
                        {"kb", kb},
                        {"role", role},
                        {"name", name},
                        {"key", created->secret}}
                       .dump()
                << "\n";
    } else {
      std::printf("Created key %lld (%s on %s). It is shown only now; store it safely:\n",
                  static_cast<long long>(created->key.id), role.c_str(),
                  kb == "*" ? "every knowledge base" : kb.c_str());
      std::printf("%s\n", created->secret.c_str());
    }
    return 0;
  }
  if (action == "list") {
    auto keys = (*store)->ListKeys();
    if (!keys) return Fail(keys.error());
    if (g.json) {
      json list = json::array();
      for (const ApiKey& k : *keys) list.push_back(ApiKeyJson(k));
      std::cout << json{{"keys", list}}.dump() << "\n";
      return 0;
    }
    if (keys->empty()) {
      std::printf("No API keys: askio serve runs open on 127.0.0.1 only.\n");
      return 0;
    }
    std::printf("%-5s %-8s %-20s %-20s %-21s %s\n", "ID", "ROLE", "KB", "NAME", "CREATED",
                "LAST USED");
    for (const ApiKey& k : *keys)
      std::printf("%-5lld %-8s %-20s %-20s %-21s %s\n", static_cast<long long>(k.id),
                  RoleName(k.role), k.kb.c_str(), k.name.c_str(), k.created_at.c_str(),
                  k.last_used_at.empty() ? "never" : k.last_used_at.c_str());
    return 0;
  }
  // revoke
  if (Status s = (*store)->RevokeKey(id); !s.ok()) return Fail(s);
  if (g.json)
    std::cout << json{{"revoked", id}}.dump() << "\n";
  else
    std::printf("Revoked key %lld.\n", static_cast<long long>(id));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"askio — questions answered from your own documents, with citations"};
  app.require_subcommand(1);
  app.fallthrough();
  Globals g;
  app.add_option("--data-dir", g.data_dir,
                 "Where knowledge bases live (default $ASKIO_DATA_DIR, else "
                 "$XDG_DATA_HOME/askio)");
  app.add_flag("--json", g.json, "Machine-readable output");
  app.add_option("--config", g.config,
                 "Model configuration (default $ASKIO_CONFIG, else DATA_DIR/askio.toml); "
                 "ASKIO_<SECTION>_<KEY> variables override it");

  std::string kb_name;
  std::vector<std::string> paths;
  askio::IngestOptions ingest_options;
  std::vector<std::string> urls;
  askio::UrlOptions url_options;
  bool no_ocr = false;
  auto* ingest = app.add_subcommand(
      "ingest",
      "Add files, folders, archives and URLs to a knowledge base (PDF, Word, Excel, PowerPoint, "
      "HTML, Markdown, text, CSV, JSON, EPUB, images, Notion exports; see docs/formats.md)");
  ingest->add_option("--kb", kb_name, "Knowledge base (created if missing)")->required();
  ingest->add_option("paths", paths, "Files or folders (folders recurse)");
  ingest->add_option("--url", urls, "Fetch and ingest a web page or file (http/https)")
      ->allow_extra_args(false);  // one value each time, so paths can follow
  ingest
      ->add_option("--include", ingest_options.include,
                   "Only files matching this glob (e.g. '*.pdf'; repeatable)")
      ->allow_extra_args(false);  // one value each time, so paths can follow
  ingest
      ->add_option("--exclude", ingest_options.exclude,
                   "Skip files and folders matching this glob (repeatable)")
      ->allow_extra_args(false);  // one value each time, so paths can follow
  ingest->add_option("-j,--jobs", ingest_options.jobs, "Parser threads (default: one per core)")
      ->check(CLI::Range(1, 64));
  ingest->add_flag("--no-ocr", no_ocr, "Do not OCR images and scanned PDF pages");
  ingest->add_option("--ocr-lang", ingest_options.ocr_languages,
                     "Tesseract languages (default chi_sim+eng)");
  ingest
      ->add_option("--allow-host", url_options.allow_hosts,
                   "Let --url fetch this host even if it is private (repeatable)")
      ->allow_extra_args(false);  // one value each time, so paths can follow
  ingest->add_flag("--allow-private-urls", url_options.allow_private,
                   "Let --url fetch private and loopback addresses");
  ingest->add_flag("--prune", ingest_options.prune, "Remove documents whose files are gone");
  ingest->add_flag("--print-committed", g.print_committed,
                   "Print 'askio: committed SOURCE' on stderr as each document is durably stored");
  ingest->add_option("--chunk-size", ingest_options.chunking.target_chars,
                     "Target chunk size in characters");
  ingest->add_option("--chunk-overlap", ingest_options.chunking.overlap_chars,
                     "Overlap in characters");
  ingest
      ->add_option("--tag", ingest_options.tags,
                   "Tag every document of this run (repeatable; replaces their tags)")
      ->allow_extra_args(false);  // one value each time, so paths can follow

  std::string query;
  size_t limit = 10;
  auto* search = app.add_subcommand("search", "Ranked passages for a query");
  search->add_option("--kb", kb_name, "Knowledge base")->required();
  search->add_option("query", query, "What to look for")->required();
  search->add_option("-k,--limit", limit, "Number of results")->check(CLI::Range(1, 1000));
  bool explain = false;
  search->add_flag("--explain", explain, "Show each hit's score and rank in every stage");

  auto* ask = app.add_subcommand("ask", "A short answer with citations, or \"not found\"");
  ask->add_option("--kb", kb_name, "Knowledge base")->required();
  ask->add_option("question", query, "The question")->required();
  // Both search and ask can be limited to some documents.
  askio::SearchFilter filter;
  for (CLI::App* cmd : {search, ask}) {
    cmd->add_option("--tag", filter.tags, "Only documents with this tag (repeatable: any of them)")
        ->allow_extra_args(false);
    cmd->add_option("--type", filter.types,
                    "Only documents of this type: pdf, docx, ... (repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--source-prefix", filter.source_prefix,
                    "Only documents whose source starts with this (e.g. a folder)");
    cmd->add_option("--document", filter.document_ids, "Only this document id (repeatable)")
        ->allow_extra_args(false);
  }

  auto* graph_cmd = app.add_subcommand(
      "graph", "The knowledge graph: entities and relations extracted from the documents");
  graph_cmd->require_subcommand(1);
  std::string graph_name, graph_format = "json", graph_output;
  size_t graph_limit = 20;
  auto* graph_build = graph_cmd->add_subcommand(
      "build", "Extract every chunk not yet in the graph and keep the graph current from now on");
  auto* graph_stats = graph_cmd->add_subcommand("stats", "Counts of entities, relations, mentions");
  auto* graph_entity =
      graph_cmd->add_subcommand("entity", "An entity: aliases and why, strongest links");
  auto* graph_neighbours = graph_cmd->add_subcommand(
      "neighbours", "An entity's neighbours with the sentences behind each edge");
  auto* graph_export = graph_cmd->add_subcommand("export", "The whole graph as JSON or GraphML");
  auto* graph_clear = graph_cmd->add_subcommand("clear", "Empty the graph and turn it off");
  for (CLI::App* c :
       {graph_build, graph_stats, graph_entity, graph_neighbours, graph_export, graph_clear})
    c->add_option("--kb", kb_name, "Knowledge base")->required();
  for (CLI::App* c : {graph_entity, graph_neighbours})
    c->add_option("name", graph_name, "Entity name or alias")->required();
  graph_neighbours->add_option("-k,--limit", graph_limit, "Neighbours")->check(CLI::Range(1, 500));
  askio::GraphBuildOptions graph_build_options;
  bool graph_yes = false;
  graph_build->add_flag("--llm", graph_build_options.use_model,
                        "Extract with the configured chat model ([llm]); prints the cost first");
  graph_build->add_flag("--yes", graph_yes, "With --llm: start without showing the estimate");
  graph_build
      ->add_option("--chunks-per-request", graph_build_options.chunks_per_request,
                   "With --llm: chunks in one prompt")
      ->check(CLI::Range(1, 32));
  graph_build->add_option("--price-in", graph_build_options.input_price_per_million,
                          "With --llm: price per million input tokens, for the estimate");
  graph_build->add_option("--price-out", graph_build_options.output_price_per_million,
                          "With --llm: price per million output tokens, for the estimate");
  graph_export->add_option("--format", graph_format, "json or graphml")
      ->check(CLI::IsMember({"json", "graphml"}));
  graph_export->add_option("-o,--output", graph_output, "File (default: standard output)");

  auto* docs = app.add_subcommand("docs", "List a knowledge base's documents (id, type, tags)");
  docs->add_option("--kb", kb_name, "Knowledge base")->required();

  std::vector<std::string> new_tags;
  int64_t tag_document = 0;
  auto* tag = app.add_subcommand("tag", "Replace a document's tags (see `search --tag`)");
  tag->add_option("--kb", kb_name, "Knowledge base")->required();
  tag->add_option("document", tag_document, "Document id (from `askio docs`)")->required();
  tag->add_option("tags", new_tags, "The tags (none: remove all)");

  askio::ContextOptions context_options;
  auto* context = app.add_subcommand(
      "context",
      "The passages and sentences a reader would get for a question (recall + compression)");
  context->add_option("--kb", kb_name, "Knowledge base")->required();
  context->add_option("question", query, "The question")->required();
  context->add_option("--budget", context_options.token_budget,
                      "Token budget for the kept sentences");
  context->add_option("--hits", context_options.hits, "Hits to recall around");
  context->add_option("--recall-chars", context_options.recall_chars,
                      "Largest passage recalled around one hit, in characters");

  askio::eval::EvalOptions eval_options;
  auto* eval = app.add_subcommand("eval", "Evaluate retrieval and answers on SQuAD-format files");
  eval->add_option("files", eval_options.corpus_files, "Corpus files (SQuAD v1 JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  eval->add_option("--queries", eval_options.query_files,
                   "Question files (default: the corpus files)")
      ->check(CLI::ExistingFile);
  eval->add_option("--chunk-size", eval_options.ingest.chunking.target_chars, "Target chunk size");
  eval->add_option("--chunk-overlap", eval_options.ingest.chunking.overlap_chars, "Chunk overlap");
  eval->add_option("--weighting", eval_options.weighting,
                   "Ranking scheme, e.g. \"bm25 k1=1.2 b=0.75\"");
  eval->add_option("--min-confidence", eval_options.ask.min_confidence,
                   "Reader abstention threshold (0-1)");
  eval->add_option("--prf-docs", eval_options.ask.feedback.documents,
                   "Pseudo-relevance feedback: expand from the top N hits (default 0: off)");
  eval->add_option("--prf-terms", eval_options.ask.feedback.terms, "Expansion terms added");
  eval->add_option("--prf-weight", eval_options.ask.feedback.weight,
                   "Weight of the expansion terms");
  eval->add_flag("--graph", eval_options.graph,
                 "Build the knowledge graph first, so its retrieval stage runs (docs/graph.md)");
  eval->add_option("--max-questions", eval_options.max_questions,
                   "Evaluate only the first N questions");

  auto* kb = app.add_subcommand("kb", "Manage knowledge bases");
  kb->require_subcommand(1);
  auto* kb_list = kb->add_subcommand("list", "List knowledge bases");
  std::string target;
  auto* kb_stats = kb->add_subcommand("stats", "Counts and settings of a knowledge base");
  kb_stats->add_option("name", target)->required();
  auto* kb_delete = kb->add_subcommand("delete", "Delete a knowledge base and everything in it");
  kb_delete->add_option("name", target)->required();
  auto* kb_reindex =
      kb->add_subcommand("reindex", "Rebuild the derived indexes from the catalogue");
  kb_reindex->add_option("name", target)->required();
  auto* kb_embed = kb->add_subcommand(
      "embed", "Embed chunks that have no vector yet and bring the dense index level (resumable)");
  kb_embed->add_option("name", target)->required();

  auto* models_cmd =
      app.add_subcommand("models", "Model providers (askio.toml, ASKIO_* variables)");
  models_cmd->require_subcommand(1);
  auto* models_test =
      models_cmd->add_subcommand("test", "Call each configured provider once and say what works");
  models_test->add_option("--kb", kb_name, "Use this knowledge base's overrides");

  askio::server::ServeOptions serve_options;
  double max_body_mb = 256;
  auto* serve = app.add_subcommand(
      "serve", "Serve the HTTP API, the OpenAI-compatible endpoint and the web UI (docs/api.md)");
  serve->add_option("--host", serve_options.host, "Address to listen on (default 127.0.0.1)");
  serve->add_option("--port", serve_options.port, "Port (default 8080; 0 = any free port)")
      ->check(CLI::Range(0, 65535));
  serve->add_flag("--allow-no-auth", serve_options.allow_no_auth,
                  "Serve a non-loopback address without API keys (trusted networks only)");
  serve->add_option("--threads", serve_options.threads, "Connections served at once (default 128)")
      ->check(CLI::Range(4, 1024));
  serve->add_option("--query-concurrency", serve_options.query_concurrency,
                    "Searches and answers computed at once (default: cores)");
  serve->add_option("--query-queue", serve_options.query_queue,
                    "Searches and answers that may wait; beyond it 429 (default 64)");
  serve->add_option("--max-body-mb", max_body_mb, "Largest request body, MiB (default 256)")
      ->check(CLI::Range(0.001, 65536.0));
  serve->add_option("--rate-limit", serve_options.rate_limit,
                    "Requests per second per key or client address (default 0: off)");
  serve
      ->add_option("--ingest-workers", serve_options.ingest_workers,
                   "Background ingestion workers (default 2)")
      ->check(CLI::Range(1, 16));
  serve->add_option("--web-dir", serve_options.web_dir,
                    "Serve the UI from this folder instead of the built-in copy (development)");
  serve->add_flag("--allow-private-urls", serve_options.url.allow_private,
                  "Let URL ingestion fetch private and loopback addresses");
  serve->add_flag("--no-ocr", no_ocr, "Do not OCR uploaded images and scanned PDF pages");

  // Reliability (docs/reliability.md).
  std::string backup_dest, restore_src;
  bool repair = false, replace = false;
  auto* doctor = app.add_subcommand("doctor", "Check (and --repair) knowledge bases on disk");
  doctor->add_option("--kb", kb_name, "Knowledge base (default: all)");
  doctor->add_flag("--repair", repair, "Repair what can be rebuilt from the catalogue");
  auto* backup = app.add_subcommand("backup", "Back up a knowledge base online");
  backup->add_option("--kb", kb_name, "Knowledge base")->required();
  backup->add_option("dest", backup_dest, "Backup directory (new or empty)")->required();
  auto* restore = app.add_subcommand("restore", "Restore a knowledge base from a backup");
  restore->add_option("src", restore_src, "Backup directory")->required();
  restore->add_option("--kb", kb_name, "Knowledge base to restore as")->required();
  restore->add_flag("--replace", replace, "Replace an existing knowledge base of that name");

  const auto voice_commands = AddVoiceCommands(app);

  auto* keys = app.add_subcommand("keys", "Manage API keys for askio serve");
  keys->require_subcommand(1);
  std::string key_kb, key_role = "reader", key_name;
  double key_rate = 0;
  int64_t key_id = 0;
  auto* keys_create = keys->add_subcommand("create", "Create a key (printed once)");
  keys_create->add_option("--kb", key_kb, "Knowledge base the key is for, or '*' for all")
      ->required();
  keys_create->add_option("--role", key_role, "reader, editor or admin (default reader)")
      ->check(CLI::IsMember({"reader", "editor", "admin"}));
  keys_create->add_option("--name", key_name, "A label, e.g. who uses it");
  keys_create->add_option("--rate-limit", key_rate, "Requests per second for this key");
  auto* keys_list = keys->add_subcommand("list", "List live keys");
  auto* keys_revoke = keys->add_subcommand("revoke", "Revoke a key by id");
  keys_revoke->add_option("id", key_id, "Key id (askio keys list)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 1;
  }
  if (g.data_dir.empty()) g.data_dir = askio::DefaultDataDir();
  if (g.config.empty()) g.config = askio::model::DefaultConfigPath(g.data_dir);
  // A larger target size than the default cut-off would be refused; raise
  // the cut-off with it.
  for (askio::ChunkOptions* c : {&ingest_options.chunking, &eval_options.ingest.chunking})
    if (c->target_chars > c->max_chars) c->max_chars = c->target_chars * 5 / 3;

  try {
    if (*ingest) {
      ingest_options.ocr = !no_ocr;
      return RunIngest(g, kb_name, paths, urls, url_options, ingest_options);
    }
    if (*serve) {
      serve_options.max_body_bytes = static_cast<uint64_t>(max_body_mb * (1 << 20));
      serve_options.ingest.ocr = !no_ocr;
      return RunServe(g, serve_options);
    }
    if (auto rc = RunVoiceCommand(*voice_commands, g.data_dir, g.config, g.json)) return *rc;
    if (*keys_create) return RunKeys(g, "create", key_kb, key_role, key_name, key_rate, 0);
    if (*keys_list) return RunKeys(g, "list", "", "", "", 0, 0);
    if (*keys_revoke) return RunKeys(g, "revoke", "", "", "", 0, key_id);
    if (*doctor) return RunDoctor(g, kb_name, repair);
    if (*backup) return RunBackup(g, kb_name, backup_dest);
    if (*restore) return RunRestore(g, restore_src, kb_name, replace);
    if (*search) return RunSearch(g, kb_name, query, limit, explain, filter);
    if (*tag) return RunTag(g, kb_name, tag_document, new_tags);
    if (*docs) return RunDocs(g, kb_name);
    for (CLI::App* c :
         {graph_build, graph_stats, graph_entity, graph_neighbours, graph_export, graph_clear})
      if (*c)
        return RunGraph(g, c->get_name(), kb_name, graph_name, graph_format, graph_output,
                        graph_limit, graph_build_options, graph_yes);
    if (*models_test) return RunModelsTest(g, kb_name);
    if (*kb_embed) return RunKbEmbed(g, target);
    if (*ask) return RunAsk(g, kb_name, query, filter);
    if (*eval) return RunEval(g, eval_options);
    if (*context) return RunContext(g, kb_name, query, context_options);
    if (*kb_list) return RunKbList(g);
    if (*kb_stats) return RunKbStats(g, target);
    if (*kb_delete) {
      const Status s = askio::DeleteKnowledgeBase(g.data_dir, target);
      if (!s.ok()) return Fail(s);
      if (g.json)
        std::cout << json{{"deleted", target}}.dump() << "\n";
      else
        std::printf("Deleted knowledge base '%s'.\n", target.c_str());
      return 0;
    }
    if (*kb_reindex) {
      auto k = OpenKb(g, target);
      if (!k) return Fail(k.error());
      const Status s = (*k)->Reindex();
      if (!s.ok()) return Fail(s);
      auto st = (*k)->Stats();
      if (!st) return Fail(st.error());
      if (g.json)
        std::cout << json{{"reindexed", target}, {"chunks", st->chunks}}.dump() << "\n";
      else
        std::printf("Rebuilt the index of '%s' (%lld chunks).\n", target.c_str(),
                    static_cast<long long>(st->chunks));
      return 0;
    }
  } catch (const std::exception& e) {
    // The engine reports expected failures as values; anything thrown here
    // is a bug, reported rather than aborting with a core dump.
    std::cerr << "askio: internal error: " << e.what() << "\n";
    return 2;
  }
  return 1;
}
