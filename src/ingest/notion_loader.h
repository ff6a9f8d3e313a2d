// Notion workspace exports: a ZIP of Markdown pages and CSV databases whose
// file and folder names end in the page's 32-hex id ("Roadmap 3f2a...9c.md",
// with sub-pages in the folder "Roadmap 3f2a...9c/").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "askio/status.h"
#include "ingest/archive.h"
#include "ingest/document.h"
#include "ingest/load_options.h"

namespace askio::ingest {

// True when any Markdown or CSV member carries a Notion id in its name.
bool IsNotionExport(const ArchiveContents& archive);

// "Roadmap 3f2a...9c" -> "Roadmap" (also without the space, and with an
// extension: "Roadmap 3f2a...9c.md" -> "Roadmap"). Other names unchanged.
std::string StripNotionId(std::string_view name);

struct NotionDocument {
  std::string member;  // the archive member it came from
  Result<ParsedDocument> doc;
};

// One document per page (titles without ids; the pages it is nested under
// as the first levels of its heading path) and per database (each row a
// record, the database's name as the sheet heading). Other members (images,
// attachments) are left out.
std::vector<NotionDocument> ParseNotionExport(const ArchiveContents& archive,
                                              const LoadOptions& options);

}  // namespace askio::ingest
