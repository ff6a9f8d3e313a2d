// Finds the answer span inside a supporting sentence, without a model.
//
// Chinese reading-comprehension questions are mostly the sentence they ask
// about with the answer replaced by an interrogative: "生命数耗完即算为什么？"
// asks about "…生命数耗完即算为踢爆。". So the question is split at its
// interrogative into a left context L and a right context R; the sentence is
// aligned with the end of L and the start of R, and what lies between is the
// answer. The question's form (谁, 什么时候, 多少, ...) then narrows the span
// to a value of the right type (a date, a number with its unit, ...).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace askio::model {

enum class QuestionType { kUnknown, kPerson, kTime, kPlace, kNumber, kReason, kThing };

QuestionType ClassifyQuestion(std::string_view question);
const char* QuestionTypeName(QuestionType type);

struct AnswerSpan {
  size_t begin = 0, end = 0;  // bytes in the sentence
  // How much of the question's context around the interrogative was found
  // around the span (0..1): the span's confidence.
  double alignment = 0;
};

// Returns nullopt when no span is framed well enough (the caller answers with
// the whole sentence), including for questions without Chinese characters.
std::optional<AnswerSpan> FindAnswerSpan(std::string_view question, std::string_view sentence);

}  // namespace askio::model
