#include "ingest/loaders.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "common/clock.h"
#include "common/hash.h"
#include "common/utf8.h"
#include "ingest/archive.h"
#include "ingest/csv_loader.h"
#include "ingest/decode.h"
#include "ingest/epub_loader.h"
#include "ingest/html_loader.h"
#include "ingest/json_loader.h"
#include "ingest/notion_loader.h"
#include "ingest/ocr.h"
#include "ingest/ooxml_loader.h"
#include "ingest/pdf_loader.h"
#include "text/normalize.h"

namespace askio::ingest {
namespace {

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

namespace {

// Whatever a loader's source promised: valid UTF-8 and heading levels 1-6
// from here on (fuzzing found XML runs, HTML character references and
// archive names that break the first, deep Notion trees the second).
void Sanitize(ParsedDocument& doc) {
  doc.title = utf8::MakeValid(doc.title);
  for (Block& b : doc.blocks) {
    b.text = utf8::MakeValid(b.text);
    b.location = utf8::MakeValid(b.location);
    if (b.kind == Block::Kind::kHeading) b.level = std::clamp(b.level, 1, 6);
  }
}

bool HasText(const ParsedDocument& doc) {
  return std::any_of(doc.blocks.begin(), doc.blocks.end(), [](const Block& b) {
    return b.kind != Block::Kind::kHeading && !b.text.empty();
  });
}

// Text that came out of binary formats (XML, PDF text layers, OCR) is
// normalised like decoded text files, block by block.
void NormalizeBlocks(ParsedDocument& doc) {
  doc.title = text::NormalizeDocumentText(doc.title);
  for (Block& b : doc.blocks) b.text = text::NormalizeDocumentText(b.text);
}

Result<ParsedDocument> LoadTextFormat(std::string_view bytes, FileType type) {
  auto decoded = type == FileType::kHtml ? DecodeHtml(bytes) : DecodeText(bytes);
  if (!decoded) return Err(decoded.error());
  const std::string text = text::NormalizeDocumentText(decoded->utf8);
  switch (type) {
    case FileType::kMarkdown:
      return ParseMarkdown(text);
    case FileType::kText:
      return ParsePlainText(text);
    case FileType::kHtml:
      return ParseHtml(text);
    case FileType::kJson:
    case FileType::kJsonLines:
      return ParseJson(text, type == FileType::kJsonLines);
    case FileType::kCsv:
      return ParseDelimited(text, ',', "");
    case FileType::kTsv:
      return ParseDelimited(text, '\t', "");
    default:
      return Err(Status::Unsupported(std::string("not a text format: ") + FileTypeName(type)));
  }
}

Result<ParsedDocument> LoadPackage(std::string_view bytes, FileType type,
                                   const LoadOptions& options) {
  auto package = ReadArchive(bytes, options.archive);
  if (!package) return Err(package.error());
  switch (type) {
    case FileType::kDocx:
      return ParseDocx(*package, options);
    case FileType::kXlsx:
      return ParseXlsx(*package, options);
    case FileType::kPptx:
      return ParsePptx(*package, options);
    case FileType::kEpub:
      return ParseEpub(*package, options);
    default:
      return Err(Status::Unsupported(std::string("not a package format: ") + FileTypeName(type)));
  }
}

}  // namespace

Result<ParsedDocument> LoadDocument(std::string_view bytes, FileType type,
                                    const LoadOptions& options) {
  Result<ParsedDocument> doc = Err(Status::Unsupported("unsupported file type"));
  switch (type) {
    case FileType::kUnknown:
      break;
    case FileType::kArchive:
      return Err(Status::Unsupported("an archive holds many documents: load it with LoadFile"));
    case FileType::kPdf:
      doc = ParsePdf(bytes, options);
      if (doc) NormalizeBlocks(*doc);
      break;
    case FileType::kImage:
      if (!options.ocr) return Err(Status::Unsupported("image skipped: OCR is turned off"));
      doc = ParseImage(bytes, options);
      if (doc) NormalizeBlocks(*doc);
      break;
    case FileType::kDocx:
    case FileType::kXlsx:
    case FileType::kPptx:
    case FileType::kEpub:
      doc = LoadPackage(bytes, type, options);
      if (doc && type != FileType::kEpub) NormalizeBlocks(*doc);
      break;
    default:
      doc = LoadTextFormat(bytes, type);
  }
  if (!doc) return doc;
  if (doc->type.empty()) doc->type = FileTypeName(type);
  Sanitize(*doc);
  if (!HasText(*doc))
    return Err(Status::InvalidArgument(type == FileType::kPdf && !options.ocr
                                           ? "no text (a scanned PDF? OCR is turned off)"
                                           : "empty document (no text)"));
  return doc;
}

namespace {

void LoadInto(std::string_view bytes, const std::string& source, const std::string& name,
              const LoadOptions& options, const UnchangedFn& unchanged, int depth,
              std::vector<LoadedItem>& out) {
  Stopwatch sw;
  LoadedItem item;
  item.source = source;
  item.bytes = bytes.size();
  auto type = DetectType(bytes, name);
  if (!type) {
    item.type = TypeFromExtension(name);
    item.error = type.error().message();
    item.seconds = sw.Seconds();
    out.push_back(std::move(item));
    return;
  }
  item.type = *type;
  if (*type != FileType::kArchive) {
    item.hash = ContentHash(bytes);
    if (unchanged && unchanged(source, item.hash)) {
      item.state = LoadedItem::State::kUnchanged;
    } else if (auto doc = LoadDocument(bytes, *type, options); !doc) {
      item.error = doc.error().message();
    } else {
      item.doc = std::move(*doc);
      item.state = LoadedItem::State::kParsed;
    }
    item.seconds = sw.Seconds();
    out.push_back(std::move(item));
    return;
  }

  // An archive: its members become documents of their own.
  if (depth >= options.max_archive_depth) {
    item.error = "archive nested deeper than " + std::to_string(options.max_archive_depth) +
                 " levels: not opened";
    out.push_back(std::move(item));
    return;
  }
  auto contents = ReadArchive(bytes, options.archive, [](std::string_view member) {
    const std::string_view base = member.substr(member.rfind('/') + 1);
    return !base.empty() && base.front() != '.' && !member.starts_with("__MACOSX/") &&
           TypeFromExtension(std::string(member)) != FileType::kUnknown;
  });
  if (!contents) {
    item.error = contents.error().message();
    item.seconds = sw.Seconds();
    out.push_back(std::move(item));
    return;
  }
  const double open_seconds = sw.Seconds();
  for (const std::string& why : contents->skipped) {
    LoadedItem skipped;
    skipped.source = source + "!/" + why.substr(0, why.find(": "));
    skipped.type = FileType::kArchive;
    skipped.error = "ignored: " + why.substr(why.find(": ") + 2);
    out.push_back(std::move(skipped));
  }
  if (IsNotionExport(*contents)) {
    for (NotionDocument& page : ParseNotionExport(*contents, options)) {
      LoadedItem n;
      n.source = source + "!/" + page.member;
      n.type = FileType::kMarkdown;
      const ArchiveMember* m = FindMember(*contents, page.member);
      n.bytes = m ? m->bytes.size() : 0;
      n.hash = m ? ContentHash(m->bytes) : std::string();
      if (!page.doc) {
        n.error = page.doc.error().message();
      } else if (unchanged && unchanged(n.source, n.hash)) {
        n.state = LoadedItem::State::kUnchanged;
      } else {
        n.doc = std::move(*page.doc);
        Sanitize(n.doc);
        n.state = LoadedItem::State::kParsed;
      }
      out.push_back(std::move(n));
    }
    if (!out.empty()) out.back().seconds += open_seconds;
    return;
  }
  const size_t before = out.size();
  for (const ArchiveMember& m : contents->members)
    LoadInto(m.bytes, source + "!/" + m.name, m.name, options, unchanged, depth + 1, out);
  // An archive with nothing askio reads is reported, not silently dropped.
  if (out.size() == before && contents->skipped.empty()) {
    item.error = "the archive holds no files of a type askio reads";
    item.seconds = sw.Seconds();
    out.push_back(std::move(item));
  }
}

}  // namespace

std::vector<LoadedItem> LoadFile(std::string_view bytes, const std::string& source,
                                 const LoadOptions& options, const UnchangedFn& unchanged,
                                 const std::string& name) {
  std::vector<LoadedItem> out;
  LoadInto(bytes, source, name.empty() ? source : name, options, unchanged, 0, out);
  return out;
}

}  // namespace askio::ingest
