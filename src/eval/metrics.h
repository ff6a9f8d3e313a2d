// Answer metrics exactly as the official CMRC 2018 evaluation script defines
// them (see ../shared/data/README.md): mixed segmentation (each CJK character
// one token, other runs split into words), F1 from the longest common
// contiguous token run, EM on punctuation-stripped strings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace askio::eval {

// The script's tokeniser: lower-cased, stripped; with remove_punct, its
// special characters are dropped.
std::vector<std::string> MixedSegmentation(std::string_view text, bool remove_punct);
std::string RemovePunctuation(std::string_view text);

// Max over gold answers, in [0, 1].
double F1Score(const std::vector<std::string>& golds, std::string_view prediction);
double ExactMatch(const std::vector<std::string>& golds, std::string_view prediction);

}  // namespace askio::eval
