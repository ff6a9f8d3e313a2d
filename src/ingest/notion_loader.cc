#include "ingest/notion_loader.h"

#include <algorithm>
#include <set>

#include "ingest/csv_loader.h"
#include "ingest/decode.h"
#include "ingest/loaders.h"
#include "text/normalize.h"

namespace askio::ingest {
namespace {

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// Length of a trailing Notion id (with its separating space) in `stem`, or 0.
size_t IdSuffixLength(std::string_view stem) {
  if (stem.size() < 32) return 0;
  const std::string_view id = stem.substr(stem.size() - 32);
  if (!std::all_of(id.begin(), id.end(), IsHex)) return 0;
  size_t n = 32;
  if (stem.size() > 32 && stem[stem.size() - 33] == ' ') ++n;
  return n == stem.size() ? 0 : n;  // a name that is only an id keeps it
}

std::string_view Extension(std::string_view name) {
  const size_t dot = name.rfind('.');
  const size_t slash = name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
  return name.substr(dot);
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > pos) parts.emplace_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return parts;
}

Result<std::string> DecodeMember(const ArchiveMember& m) {
  auto decoded = DecodeText(m.bytes);
  if (!decoded) return Err(decoded.error());
  return text::NormalizeDocumentText(decoded->utf8);
}

}  // namespace

std::string StripNotionId(std::string_view name) {
  const std::string_view ext = Extension(name);
  std::string_view stem = name.substr(0, name.size() - ext.size());
  if (stem.ends_with("_all")) stem.remove_suffix(4);  // "DB <id>_all.csv"
  const size_t n = IdSuffixLength(stem);
  if (n == 0) return std::string(name.substr(0, name.size() - ext.size()));
  return std::string(stem.substr(0, stem.size() - n));
}

bool IsNotionExport(const ArchiveContents& archive) {
  for (const ArchiveMember& m : archive.members) {
    const std::string_view ext = Extension(m.name);
    if (ext != ".md" && ext != ".csv") continue;
    std::string_view stem = std::string_view(m.name).substr(m.name.rfind('/') + 1);
    stem.remove_suffix(ext.size());
    if (stem.ends_with("_all")) stem.remove_suffix(4);
    if (IdSuffixLength(stem) > 0) return true;
  }
  return false;
}

std::vector<NotionDocument> ParseNotionExport(const ArchiveContents& archive,
                                              const LoadOptions& options) {
  (void)options;
  // Databases come as "DB <id>.csv" (the current view) and "DB <id>_all.csv"
  // (every row): read only the complete one when both are there.
  std::set<std::string> complete_tables;
  for (const ArchiveMember& m : archive.members)
    if (m.name.ends_with("_all.csv")) complete_tables.insert(m.name.substr(0, m.name.size() - 8));

  std::vector<NotionDocument> out;
  for (const ArchiveMember& m : archive.members) {
    const std::string_view ext = Extension(m.name);
    if (ext != ".md" && ext != ".csv") continue;
    if (ext == ".csv" && !m.name.ends_with("_all.csv") &&
        complete_tables.count(m.name.substr(0, m.name.size() - 4)))
      continue;
    const std::vector<std::string> parts = SplitPath(m.name);
    // The export's own top folder ("Export-<uuid>") has no id: it is not a page.
    std::vector<std::string> ancestors;
    for (size_t i = 0; i + 1 < parts.size(); ++i)
      if (IdSuffixLength(parts[i]) > 0) ancestors.push_back(StripNotionId(parts[i]));
    const std::string title = StripNotionId(parts.back());

    auto text = DecodeMember(m);
    if (!text) {
      out.push_back({m.name, Err(text.error())});
      continue;
    }
    ParsedDocument page;
    if (ext == ".md") {
      page = ParseMarkdown(*text);
      page.type = "notion";
    } else {
      page = ParseDelimited(*text, ',', title);
      page.type = "notion-database";
    }
    page.title = title;
    // Nested pages: the pages above come first in the heading path.
    const int depth = static_cast<int>(ancestors.size());
    ParsedDocument doc;
    doc.type = page.type;
    doc.title = page.title;
    doc.pages = page.pages;
    for (int i = 0; i < depth; ++i)
      doc.blocks.push_back(
          {Block::Kind::kHeading, std::min(i + 1, 6), ancestors[static_cast<size_t>(i)]});
    for (Block& b : page.blocks) {
      if (b.kind == Block::Kind::kHeading) b.level = std::min(6, b.level + depth);
      doc.blocks.push_back(std::move(b));
    }
    const bool has_text = std::any_of(doc.blocks.begin(), doc.blocks.end(), [](const Block& b) {
      return b.kind != Block::Kind::kHeading && !b.text.empty();
    });
    if (!has_text) continue;  // an empty page (only a title) is nothing to answer from
    out.push_back({m.name, std::move(doc)});
  }
  return out;
}

}  // namespace askio::ingest
