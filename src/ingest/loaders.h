// Format loaders: bytes (already decoded to UTF-8 and normalised) in, a
// ParsedDocument out. One function per format; type detection picks one.
#pragma once

#include <string>
#include <string_view>

#include <functional>
#include <vector>
#include "askio/status.h"

#include "ingest/detect.h"
#include "ingest/document.h"
#include "ingest/load_options.h"

namespace askio::ingest {

// Paragraphs separated by blank lines.
ParsedDocument ParsePlainText(std::string_view text);

// CommonMark + GFM tables via cmark-gfm. Headings become heading blocks,
// YAML front matter is stripped (its `title:` becomes the title), HTML is
// dropped, tables become one block per row with cells joined by " | ".
ParsedDocument ParseMarkdown(std::string_view text);

// Parses one document of a known type (not an archive): text formats are
// decoded and normalised first. Fails on undecodable, unreadable or empty
// input.
Result<ParsedDocument> LoadDocument(std::string_view bytes, FileType type,
                                    const LoadOptions& options = {});

// One document that came out of a file: the file itself, or a member of an
// archive ("bundle.zip!/docs/a.pdf").
struct LoadedItem {
  enum class State { kParsed, kUnchanged, kFailed };
  State state = State::kFailed;
  std::string source;
  FileType type = FileType::kUnknown;
  std::string hash;  // ContentHash of the item's bytes
  uint64_t bytes = 0;
  ParsedDocument doc;  // when kParsed
  std::string error;   // when kFailed
  double seconds = 0;  // spent detecting and parsing it
};

// Decides whether a document is already stored with this content, so it is
// not parsed again.
using UnchangedFn = std::function<bool(const std::string& source, const std::string& hash)>;

// Detects the type of `bytes` read from `source` and loads it: one item for
// a document, one per supported member for an archive (recursively, up to
// options.max_archive_depth; a Notion export becomes one item per page and
// database). Members whose extension askio does not read are left out, as
// in folders; members an archive refused to give (links, paths escaping it)
// come back as failed items. Never throws; errors are items.
// `name` (default: `source`) is what the extension is taken from, e.g. the
// file name a web server gave.
std::vector<LoadedItem> LoadFile(std::string_view bytes, const std::string& source,
                                 const LoadOptions& options, const UnchangedFn& unchanged = {},
                                 const std::string& name = {});

}  // namespace askio::ingest
