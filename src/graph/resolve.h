// Entity resolution: when two names denote the same entity, and why.
//
// Every rule is explainable in one line, and every merge the graph store
// makes records that line:
//   1. Same key: names equal after NFKC case folding (width, case),
//      Traditional→Simplified folding, and dropping spaces and punctuation
//      ("Tsinghua  University" = "tsinghua university", 清華大學 = 清华大学).
//   2. Same key without a legal-form suffix: "Acme Corp" = "Acme Inc." =
//      "ACME Corporation"; 华为技术有限公司 = 华为技术 (only for organisations
//      or untyped names).
//   3. An alias the text states: a parenthesised name in the other script
//      (清华大学（Tsinghua University）), an abbreviation introduced by
//      简称/以下简称/全称 or in parentheses and matching the initials
//      ("Tsinghua University (THU)").
// Types must agree for any merge (an untyped name joins a typed one).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "graph/extract.h"

namespace askio::graph {

// Rule 1's key: folded, no spaces or punctuation. Empty for a name with no
// letters, digits or Han characters.
std::string FoldedName(std::string_view name);

// Rule 2 on top of rule 1: the key the store resolves names by.
std::string NameKey(std::string_view name);

// The legal-form suffix NameKey dropped ("corp", "有限公司"), or "".
std::string_view LegalSuffix(std::string_view folded);

// Whether `abbrev` (e.g. "THU", "MIT") is made of the initials of the
// capitalised words of `full` ("Tsinghua University", "Massachusetts
// Institute of Technology"), in order, allowing skipped function words and
// extra letters from a word's inside ("IBM" for International Business Machines).
bool IsAcronymOf(std::string_view abbrev, std::string_view full);

// Whether a Chinese abbreviation keeps its full name's characters in order
// and starts with its first (北大 of 北京大学, 清华 of 清华大学).
bool IsChineseAbbreviationOf(std::string_view abbrev, std::string_view full);

// An alias the text states: `outer` followed by a bracket holding `inner`
// (marker: the words before inner inside the bracket, e.g. "简称", "英文名",
// or "" for none). Returns the reason, or nullopt when the bracket is not a
// name of the same thing (a year, a description, an unrelated name).
std::optional<std::string> StatedAlias(std::string_view outer, std::string_view inner,
                                       std::string_view marker);

struct MergeDecision {
  bool merge = false;
  std::string reason;  // why, or why not, in one line
};

// Rules 1 and 2 (rule 3 needs the text and is decided at extraction).
MergeDecision DecideMerge(std::string_view name_a, EntityType type_a, std::string_view name_b,
                          EntityType type_b);

bool TypesCompatible(EntityType a, EntityType b);

}  // namespace askio::graph
