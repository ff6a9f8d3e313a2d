// Format loaders: bytes (already decoded to UTF-8 and normalised) in, a
// ParsedDocument out. One function per format; type detection picks one.
#pragma once

#include <string>
#include <string_view>

#include "askio/status.h"
#include "ingest/document.h"

namespace askio::ingest {

enum class FileType { kUnknown, kText, kMarkdown, kHtml, kJson, kJsonLines };

// By extension for now (.txt .text .md .markdown .mdown .mkd .html .htm
// .xhtml .json .jsonl .ndjson); content sniffing arrives with the binary
// formats.
FileType DetectFileType(const std::string& path);
const char* FileTypeName(FileType type);
FileType FileTypeFromName(std::string_view name);

// Paragraphs separated by blank lines.
ParsedDocument ParsePlainText(std::string_view text);

// CommonMark + GFM tables via cmark-gfm. Headings become heading blocks,
// YAML front matter is stripped (its `title:` becomes the title), HTML is
// dropped, tables become one block per row with cells joined by " | ".
ParsedDocument ParseMarkdown(std::string_view text);

// Decodes, normalises and parses a file's bytes. Fails on undecodable or
// empty input.
Result<ParsedDocument> LoadDocument(std::string_view bytes, FileType type);

}  // namespace askio::ingest
