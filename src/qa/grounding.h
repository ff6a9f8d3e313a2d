// Grounded answers from a language model: the prompt (numbered, fenced
// sources; the rules), the check of the model's citations against the
// sources afterwards, and follow-up questions made standalone.
//
// Documents are data, not instructions. Source text goes into the prompt
// inside fences the text itself cannot close (any fence-like sequence in it
// is neutralised), and the rules say that instructions inside sources are
// to be ignored. Whatever the model writes, the pipeline — not the model —
// decides the citation format and which sources are shown: citations are
// parsed from [n] markers and checked, sources are always attached.
#pragma once

#include <string>
#include <vector>

#include "askio/types.h"
#include "model/provider.h"

namespace askio::qa {

// One numbered source for the prompt (number = index + 1).
struct Source {
  std::string title;
  std::string location;  // "page 3", a heading path, ...
  std::string text;
};

// A previous turn of the conversation.
struct Turn {
  std::string question;
  std::string answer;
};

// True when the text is mostly CJK: the prompt is then in Chinese.
bool IsMostlyCjk(const std::string& text);

// Tokens as a model counts them, estimated: a CJK character is about one
// token, other words about 1.3 (BPE vocabularies of current models).
size_t EstimateTokens(const std::string& text);

// The chat messages for `question` over `sources`: a system message with the
// rules, then the sources fenced and numbered with the question.
// `history` (oldest first) is kept newest-first within `history_tokens`.
std::vector<model::ChatMessage> BuildPrompt(const std::string& question,
                                            const std::vector<Source>& sources,
                                            const std::vector<Turn>& history = {},
                                            size_t history_tokens = 800);

// A sentence of the answer and what its citations are worth.
struct ClaimCheck {
  std::string sentence;
  std::vector<int> cited;  // the [n] it carries
  bool supported = false;  // by at least one cited, existing source
  double support = 0;      // best share of the sentence's terms found in a cited source
};

struct GroundingCheck {
  std::vector<ClaimCheck> claims;  // sentences with facts (citations or not)
  std::vector<int> cited;          // valid source numbers cited anywhere, ascending
  bool grounded = false;           // at least one supported citation and no unsupported claim
  int unsupported = 0;             // claims with a citation that does not support them
  int uncited = 0;                 // claims without any citation
};

// Checks each sentence of `answer` against the sources it cites: a claim is
// supported when at least `min_support` of its content terms (analysed as
// documents are) occur in one of its cited sources. Citations to sources
// that do not exist count as unsupported.
GroundingCheck CheckCitations(const std::string& answer, const std::vector<Source>& sources,
                              double min_support = 0.5);

// The model said it cannot answer from the sources (in either language).
bool SaysNotFound(const std::string& answer);

// A follow-up ("what about its price?", "它在哪里？") made standalone without a
// model: when the question is short or leans on a pronoun, the salient
// terms of the previous question are carried forward.
std::string CarryForward(const std::string& question, const std::vector<Turn>& history);

// The messages asking a model to rewrite a follow-up into a standalone
// question (used when an LLM is configured).
std::vector<model::ChatMessage> RewritePrompt(const std::string& question,
                                              const std::vector<Turn>& history);

}  // namespace askio::qa
