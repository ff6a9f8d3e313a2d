#include "eval/eval.h"

#include <nlohmann/json.hpp>

#include <unistd.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "askio/engine.h"
#include "common/clock.h"
#include "eval/metrics.h"
#include "text/normalize.h"

namespace fs = std::filesystem;

namespace askio::eval {
namespace {

struct Question {
  std::string text;
  std::string passage_source;
  std::vector<std::string> answers;
};

struct Dataset {
  std::vector<DocumentInput> passages;
  std::vector<Question> questions;
};

// SQuAD v1 JSON: data[].{title, paragraphs[].{id, context, qas[]}}.
Result<Dataset> LoadSquad(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(Status::NotFound("cannot open " + path));
  nlohmann::json root;
  try {
    in >> root;
  } catch (const nlohmann::json::exception& e) {
    return Err(Status::InvalidArgument(path + " is not valid JSON: " + e.what()));
  }
  if (!root.is_object() || !root.contains("data") || !root["data"].is_array())
    return Err(Status::InvalidArgument(path + " is not in SQuAD format (no \"data\" array)"));
  const std::string file = fs::path(path).filename().string();
  Dataset ds;
  try {
    size_t article_index = 0;
    for (const auto& article : root["data"]) {
      const std::string title = article.value("title", "");
      size_t para_index = 0;
      for (const auto& para : article.at("paragraphs")) {
        std::string id = para.contains("id") && para["id"].is_string()
                             ? para["id"].get<std::string>()
                             : std::to_string(article_index) + "-" + std::to_string(para_index);
        const std::string source = file + "#" + id;
        ds.passages.push_back({source, title, "text", para.at("context").get<std::string>()});
        for (const auto& qa : para.value("qas", nlohmann::json::array())) {
          Question q{qa.at("question").get<std::string>(), source, {}};
          for (const auto& a : qa.at("answers"))
            q.answers.push_back(a.at("text").get<std::string>());
          if (!q.answers.empty()) ds.questions.push_back(std::move(q));
        }
        ++para_index;
      }
      ++article_index;
    }
  } catch (const nlohmann::json::exception& e) {
    return Err(Status::InvalidArgument(path + " is not in SQuAD format: " + e.what()));
  }
  return ds;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t idx = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[idx];
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "askio-eval-XXXXXX").string();
    if (mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

Result<EvalResult> RunEval(const EvalOptions& options, const EvalProgressFn& progress) {
  if (options.corpus_files.empty())
    return Err(Status::InvalidArgument("eval needs at least one data file"));
  std::vector<DocumentInput> passages;
  for (const std::string& f : options.corpus_files) {
    auto ds = LoadSquad(f);
    if (!ds) return Err(ds.error());
    std::move(ds->passages.begin(), ds->passages.end(), std::back_inserter(passages));
  }
  std::vector<Question> questions;
  const auto& query_files =
      options.query_files.empty() ? options.corpus_files : options.query_files;
  for (const std::string& f : query_files) {
    auto ds = LoadSquad(f);
    if (!ds) return Err(ds.error());
    std::move(ds->questions.begin(), ds->questions.end(), std::back_inserter(questions));
  }
  if (options.max_questions && questions.size() > options.max_questions)
    questions.resize(options.max_questions);

  TempDir tmp;
  if (tmp.path().empty()) return Err(Status::IOError("cannot create a temporary directory"));
  auto kb = KnowledgeBase::Open(tmp.path(), "eval", KnowledgeBase::OpenMode::kCreateIfMissing);
  if (!kb) return Err(kb.error());
  if (!options.weighting.empty()) ASKIO_RETURN_IF_ERROR((*kb)->SetWeighting(options.weighting));
  // With models, ingest embeds the passages and questions go through hybrid
  // retrieval (and the reranker and LLM, when configured).
  ASKIO_RETURN_IF_ERROR((*kb)->SetModels(options.models));

  EvalResult result;
  result.passages = static_cast<int64_t>(passages.size());
  Stopwatch ingest_sw;
  IngestOptions ingest = options.ingest;
  ingest.batch_size = 512;
  auto report = (*kb)->IngestDocuments(passages, ingest);
  if (!report) return Err(report.error());
  result.ingest_seconds = ingest_sw.Seconds();
  result.chunks = report->chunks;
  if (options.graph) {
    auto built = (*kb)->BuildGraph();
    if (!built) return Err(built.error());
    result.graph_seconds = built->seconds;
  }

  std::vector<double> latencies;
  latencies.reserve(questions.size());
  double hit1 = 0, hit5 = 0, mrr = 0, em = 0, f1 = 0, answered = 0, evidence_hits = 0;
  for (size_t i = 0; i < questions.size(); ++i) {
    const Question& q = questions[i];
    std::vector<SearchHit> hits;
    Stopwatch sw;
    auto answer = (*kb)->Ask(q.text, options.ask, &hits);
    latencies.push_back(sw.Seconds() * 1000);
    if (!answer) {
      // A question with no searchable words counts as a miss, not a failure.
      if (answer.error().code() != StatusCode::kInvalidArgument) return Err(answer.error());
      continue;
    }
    std::vector<std::string> golds;
    for (const std::string& a : q.answers) golds.push_back(text::NormalizeDocumentText(a));
    for (size_t rank = 0; rank < hits.size() && rank < 10; ++rank) {
      const SearchHit& h = hits[rank];
      if (h.document_source != q.passage_source) continue;
      const bool contains = std::any_of(golds.begin(), golds.end(), [&](const std::string& g) {
        return !g.empty() && h.chunk.text.find(g) != std::string::npos;
      });
      if (!contains) continue;
      hit1 += rank < 1;
      hit5 += rank < 5;
      mrr += 1.0 / static_cast<double>(rank + 1);
      break;
    }
    const std::string prediction = answer->found ? answer->span : "";
    em += ExactMatch(q.answers, prediction);
    f1 += F1Score(q.answers, prediction);
    answered += answer->found;
    evidence_hits +=
        answer->found && std::any_of(golds.begin(), golds.end(), [&](const std::string& g) {
          return !g.empty() && answer->evidence.find(g) != std::string::npos;
        });
    if (progress && (i % 100 == 99 || i + 1 == questions.size())) progress(i + 1, questions.size());
  }
  const double n = std::max<double>(1, static_cast<double>(questions.size()));
  result.questions = static_cast<int64_t>(questions.size());
  result.hit_at_1 = hit1 / n;
  result.hit_at_5 = hit5 / n;
  result.mrr_at_10 = mrr / n;
  result.em = 100 * em / n;
  result.f1 = 100 * f1 / n;
  result.answered = answered / n;
  result.evidence_has_answer = evidence_hits / n;
  result.latency_ms_p50 = Percentile(latencies, 0.5);
  result.latency_ms_p99 = Percentile(latencies, 0.99);
  return result;
}

}  // namespace askio::eval
