// PDF loader (poppler): the text of each page in reading order, as blocks
// that carry their page ("page N"). Layout is recovered from the text boxes:
// lines clearly larger than the body text become headings (levels by size
// rank), lines whose words sit in columns become table rows (cells joined by
// " | ", "header: value" when the table's first row is a header), wrapped
// lines are joined into paragraphs (no space between CJK characters,
// end-of-line hyphens removed), and running headers, footers and bare page
// numbers are dropped. Pages with no text layer are OCR'd when options.ocr
// is on (rendered at 300 dpi) and are empty otherwise.
#pragma once

#include <string_view>

#include "askio/status.h"
#include "ingest/document.h"
#include "ingest/load_options.h"

namespace askio::ingest {

// type "pdf"; `pages` is the page count of the file, of which the first
// options.max_pages are read; the title is the Title metadata unless it is
// empty or a placeholder (a file name, "untitled"). Fails with a clear Status
// on empty, non-PDF, truncated or damaged input, on password-protected files,
// and when the parse runs past options.time_budget_seconds.
Result<ParsedDocument> ParsePdf(std::string_view bytes, const LoadOptions& options);

}  // namespace askio::ingest
