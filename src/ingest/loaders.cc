#include "ingest/loaders.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "common/utf8.h"
#include "ingest/decode.h"
#include "ingest/html_loader.h"
#include "ingest/json_loader.h"
#include "text/normalize.h"

namespace askio::ingest {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool IsBlankLine(std::string_view line) { return Trim(line).empty(); }

void AppendInlineText(cmark_node* node, std::string& out) {
  for (cmark_node* child = cmark_node_first_child(node); child; child = cmark_node_next(child)) {
    switch (cmark_node_get_type(child)) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_CODE:
        if (const char* lit = cmark_node_get_literal(child)) out += lit;
        break;
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK:
        out += '\n';
        break;
      case CMARK_NODE_HTML_INLINE:
        break;  // markup, not text
      default:  // emphasis, links, images (alt text), strikethrough, ...
        AppendInlineText(child, out);
    }
  }
}

std::string InlineText(cmark_node* node) {
  std::string s;
  AppendInlineText(node, s);
  return std::string(Trim(s));
}

void Walk(cmark_node* node, Block::Kind para_kind, ParsedDocument& doc) {
  for (cmark_node* child = cmark_node_first_child(node); child; child = cmark_node_next(child)) {
    const std::string_view type_name = cmark_node_get_type_string(child);
    switch (cmark_node_get_type(child)) {
      case CMARK_NODE_HEADING:
        doc.blocks.push_back(
            {Block::Kind::kHeading, cmark_node_get_heading_level(child), InlineText(child)});
        continue;
      case CMARK_NODE_PARAGRAPH:
        doc.blocks.push_back({para_kind, 0, InlineText(child)});
        continue;
      case CMARK_NODE_CODE_BLOCK:
        if (const char* lit = cmark_node_get_literal(child))
          doc.blocks.push_back({Block::Kind::kCode, 0, std::string(Trim(lit))});
        continue;
      case CMARK_NODE_ITEM:
        Walk(child, Block::Kind::kListItem, doc);
        continue;
      case CMARK_NODE_BLOCK_QUOTE:
        Walk(child, Block::Kind::kQuote, doc);
        continue;
      case CMARK_NODE_HTML_BLOCK:
      case CMARK_NODE_THEMATIC_BREAK:
        continue;
      default:
        break;
    }
    if (type_name == "table") {
      for (cmark_node* row = cmark_node_first_child(child); row; row = cmark_node_next(row)) {
        std::string line;
        for (cmark_node* cell = cmark_node_first_child(row); cell; cell = cmark_node_next(cell)) {
          if (!line.empty()) line += " | ";
          line += InlineText(cell);
        }
        doc.blocks.push_back({Block::Kind::kTableRow, 0, line});
      }
      continue;
    }
    Walk(child, para_kind, doc);  // lists and anything else that contains blocks
  }
}

// Strips a leading YAML front matter block; returns its `title:` if any.
std::string StripFrontMatter(std::string_view& text) {
  if (!text.starts_with("---\n")) return {};
  const size_t end = text.find("\n---", 3);
  if (end == std::string_view::npos || end > 64 * 1024) return {};
  const std::string_view front = text.substr(4, end - 4 + 1);
  std::string title;
  size_t pos = 0;
  while (pos < front.size()) {
    size_t nl = front.find('\n', pos);
    if (nl == std::string_view::npos) nl = front.size();
    std::string_view line = front.substr(pos, nl - pos);
    if (line.starts_with("title:")) {
      std::string_view v = Trim(line.substr(6));
      if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
        v = v.substr(1, v.size() - 2);
      title = std::string(v);
    }
    pos = nl + 1;
  }
  size_t after = text.find('\n', end + 1);
  text.remove_prefix(after == std::string_view::npos ? text.size() : after + 1);
  return title;
}

}  // namespace

FileType DetectFileType(const std::string& path) {
  const std::string ext = Lower(std::filesystem::path(path).extension().string());
  if (ext == ".md" || ext == ".markdown" || ext == ".mdown" || ext == ".mkd")
    return FileType::kMarkdown;
  if (ext == ".txt" || ext == ".text") return FileType::kText;
  if (ext == ".html" || ext == ".htm" || ext == ".xhtml") return FileType::kHtml;
  if (ext == ".json") return FileType::kJson;
  if (ext == ".jsonl" || ext == ".ndjson") return FileType::kJsonLines;
  return FileType::kUnknown;
}

const char* FileTypeName(FileType type) {
  switch (type) {
    case FileType::kText:
      return "text";
    case FileType::kMarkdown:
      return "markdown";
    case FileType::kHtml:
      return "html";
    case FileType::kJson:
      return "json";
    case FileType::kJsonLines:
      return "jsonl";
    case FileType::kUnknown:
      break;
  }
  return "unknown";
}

FileType FileTypeFromName(std::string_view name) {
  if (name == "text") return FileType::kText;
  if (name == "markdown") return FileType::kMarkdown;
  if (name == "html") return FileType::kHtml;
  if (name == "json") return FileType::kJson;
  if (name == "jsonl") return FileType::kJsonLines;
  return FileType::kUnknown;
}

ParsedDocument ParsePlainText(std::string_view text) {
  ParsedDocument doc;
  doc.type = "text";
  std::string para;
  auto flush = [&] {
    const std::string_view t = Trim(para);
    if (!t.empty()) doc.blocks.push_back({Block::Kind::kParagraph, 0, std::string(t)});
    para.clear();
  };
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    if (IsBlankLine(line)) {
      flush();
    } else {
      if (!para.empty()) para += '\n';
      para += line;
    }
    pos = nl + 1;
  }
  flush();
  return doc;
}

ParsedDocument ParseMarkdown(std::string_view text) {
  static std::once_flag registered;
  std::call_once(registered, [] { cmark_gfm_core_extensions_ensure_registered(); });

  ParsedDocument doc;
  doc.type = "markdown";
  doc.title = StripFrontMatter(text);

  cmark_parser* parser = cmark_parser_new(CMARK_OPT_DEFAULT);
  for (const char* ext : {"table", "strikethrough", "autolink", "tasklist"}) {
    if (cmark_syntax_extension* e = cmark_find_syntax_extension(ext))
      cmark_parser_attach_syntax_extension(parser, e);
  }
  cmark_parser_feed(parser, text.data(), text.size());
  cmark_node* root = cmark_parser_finish(parser);
  Walk(root, Block::Kind::kParagraph, doc);
  cmark_node_free(root);
  cmark_parser_free(parser);

  if (doc.title.empty()) {
    for (const Block& b : doc.blocks) {
      if (b.kind == Block::Kind::kHeading && b.level == 1) {
        doc.title = b.text;
        break;
      }
    }
  }
  return doc;
}

namespace {

// HTML names its charset; trust the declaration when the bytes are not UTF-8
// (and the conversion is strict), else detect as for plain text.
Result<DecodedText> DecodeHtml(std::string_view bytes) {
  const std::string declared = DeclaredHtmlCharset(bytes);
  if (!declared.empty() && declared != "utf-8" && declared != "utf8" && !utf8::IsValid(bytes)) {
    if (auto decoded = DecodeAs(bytes, declared)) return decoded;
  }
  return DecodeText(bytes);
}

}  // namespace

Result<ParsedDocument> LoadDocument(std::string_view bytes, FileType type) {
  auto decoded = type == FileType::kHtml ? DecodeHtml(bytes) : DecodeText(bytes);
  if (!decoded) return Err(decoded.error());
  const std::string text = text::NormalizeDocumentText(decoded->utf8);
  ParsedDocument doc;
  switch (type) {
    case FileType::kMarkdown:
      doc = ParseMarkdown(text);
      break;
    case FileType::kText:
      doc = ParsePlainText(text);
      break;
    case FileType::kHtml:
      doc = ParseHtml(text);
      break;
    case FileType::kJson:
    case FileType::kJsonLines: {
      auto parsed = ParseJson(text, type == FileType::kJsonLines);
      if (!parsed) return Err(parsed.error());
      doc = std::move(*parsed);
      break;
    }
    case FileType::kUnknown:
      return Err(Status::Unsupported("unsupported file type"));
  }
  const bool has_text = std::any_of(doc.blocks.begin(), doc.blocks.end(), [](const Block& b) {
    return b.kind != Block::Kind::kHeading && !b.text.empty();
  });
  if (!has_text) return Err(Status::InvalidArgument("empty document (no text)"));
  return doc;
}

}  // namespace askio::ingest
