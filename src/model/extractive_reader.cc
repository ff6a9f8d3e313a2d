#include "model/extractive_reader.h"

#include <algorithm>
#include <unordered_set>

#include "common/utf8.h"
#include "model/span_finder.h"
#include "retrieve/question_terms.h"
#include "text/sentences.h"

namespace askio::model {
namespace {

using retrieve::Coverage;
using retrieve::TermsOf;
using retrieve::TotalWeight;

// Below this share of the question's context found around it, a span is a
// guess; the whole sentence is the safer answer.
constexpr double kMinSpanAlignment = 0.3;
// How much less than its chunk the answer sentence may cover (confidence).
constexpr double kSentenceSlack = 0.2;

struct Candidate {
  size_t hit;         // index into hits
  size_t begin, end;  // bytes of the sentence in the chunk text
  double coverage;
  double score;
};

}  // namespace

Answer ReadAnswer(const std::vector<WeightedTerm>& question, const std::vector<SearchHit>& hits,
                  const ReaderOptions& options, std::string_view question_text) {
  Answer answer;
  const double total = TotalWeight(question);
  if (hits.empty() || total <= 0) {
    answer.reason =
        hits.empty() ? "no passage matches the question" : "the question has no searchable words";
    return answer;
  }

  std::vector<Candidate> candidates;
  const size_t n = std::min(hits.size(), options.candidate_chunks);
  // A sentence is read in its section: the heading path says what it is about
  // (the row "城市: 成都 | 每日上限: 200元" under "交通费").
  std::vector<std::unordered_set<std::string>> heading_terms(n);
  for (size_t h = 0; h < n; ++h) {
    std::string headings;
    for (const std::string& part : hits[h].chunk.heading_path) headings += part + "\n";
    heading_terms[h] = TermsOf(headings);
  }
  auto in_section = [&](size_t h, std::string_view text) {
    std::unordered_set<std::string> terms = TermsOf(text);
    terms.insert(heading_terms[h].begin(), heading_terms[h].end());
    return terms;
  };
  for (size_t h = 0; h < n; ++h) {
    const std::string& text = hits[h].chunk.text;
    for (const text::Span& s : text::SplitSentences(text)) {
      const double cov = Coverage(
          question, in_section(h, std::string_view(text).substr(s.begin, s.end - s.begin)));
      // Earlier hits are better evidence: BM25 saw the whole chunk.
      const double score = cov * (1.0 - 0.05 * static_cast<double>(h));
      candidates.push_back({h, s.begin, s.end, cov, score});
    }
  }
  if (candidates.empty()) {
    answer.reason = "the matching passages contain no sentences";
    return answer;
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  const Candidate& best = candidates.front();
  // Confidence: the question must be covered by the answer's chunk as a
  // whole, and nearly as well by the answer sentence itself. Either alone
  // separates present from absent answers worse (docs/quality.md).
  const double chunk_coverage = Coverage(question, in_section(best.hit, hits[best.hit].chunk.text));
  answer.confidence = std::min(best.coverage + kSentenceSlack, chunk_coverage);
  if (answer.confidence < options.min_confidence) {
    answer.reason = "the best passage covers only " +
                    std::to_string(static_cast<int>(answer.confidence * 100)) + "% of the question";
    return answer;
  }
  answer.found = true;

  // Cite the answer's chunk first, then other chunks that also cover the
  // question well, each with its best sentence as the quote.
  std::vector<size_t> cited_hits;
  std::vector<const Candidate*> quotes;
  for (const Candidate& c : candidates) {
    if (cited_hits.size() >= options.max_citations) break;
    // The answer's own sentence is always cited; others only if they cover enough.
    if (!cited_hits.empty() && c.coverage + kSentenceSlack < options.min_confidence) break;
    if (std::find(cited_hits.begin(), cited_hits.end(), c.hit) != cited_hits.end()) continue;
    cited_hits.push_back(c.hit);
    quotes.push_back(&c);
  }
  for (size_t i = 0; i < cited_hits.size(); ++i) {
    const SearchHit& hit = hits[cited_hits[i]];
    const Candidate& q = *quotes[i];
    Citation cite;
    cite.number = static_cast<int>(i + 1);
    cite.chunk_id = hit.chunk.id;
    cite.document_title = hit.document_title;
    cite.document_source = hit.document_source;
    cite.heading_path = hit.chunk.heading_path;
    const std::string_view text = hit.chunk.text;
    cite.char_start =
        hit.chunk.char_start + static_cast<int64_t>(utf8::CodePointCount(text.substr(0, q.begin)));
    cite.char_end =
        cite.char_start +
        static_cast<int64_t>(utf8::CodePointCount(text.substr(q.begin, q.end - q.begin)));
    // The quote's own place (one row of a sheet, one page), not the chunk's.
    cite.location = LocationOf(hit.chunk, cite.char_start - hit.chunk.char_start,
                               cite.char_end - hit.chunk.char_start);
    cite.quote = std::string(text.substr(q.begin, q.end - q.begin));
    answer.citations.push_back(std::move(cite));
  }
  answer.evidence = answer.citations.front().quote;
  answer.span = answer.evidence;
  if (!question_text.empty()) {
    if (auto span = FindAnswerSpan(question_text, answer.evidence);
        span && span->alignment >= kMinSpanAlignment)
      answer.span = answer.evidence.substr(span->begin, span->end - span->begin);
  }
  answer.text = answer.span + " [1]";
  return answer;
}

}  // namespace askio::model
