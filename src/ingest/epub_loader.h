// EPUB: the chapters of the spine, in reading order, each read as HTML.
#pragma once

#include "askio/status.h"
#include "ingest/archive.h"
#include "ingest/document.h"
#include "ingest/load_options.h"

namespace askio::ingest {

// Blocks carry page = chapter number and location "chapter N"; the title
// comes from the package's dc:title.
Result<ParsedDocument> ParseEpub(const ArchiveContents& package, const LoadOptions& options);

}  // namespace askio::ingest
