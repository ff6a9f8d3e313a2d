// JSON and JSON Lines: question/answer records (FAQ exports) become one
// section each, the question as its heading, so each pair is its own chunk;
// any other JSON is flattened to "key.path: value" lines.
#pragma once

#include <string_view>

#include "askio/status.h"
#include "ingest/document.h"

namespace askio::ingest {

// `lines`: JSON Lines (one value per line) rather than one JSON document.
Result<ParsedDocument> ParseJson(std::string_view text, bool lines);

}  // namespace askio::ingest
