// Office Open XML: Word (.docx), Excel (.xlsx) and PowerPoint (.pptx). The
// caller opens the ZIP (ReadArchive, with its limits); these read the XML
// parts with pugixml, which never loads external entities or expands
// entities declared in a DTD. OOXML forbids DTDs altogether (ECMA-376 Part 2,
// M1.17), so a part that has one is rejected as a hostile or broken file.
//
// Errors name the part: "word/document.xml: malformed XML at byte 812 (...)".
// Parts a package needs (the main document, workbook, presentation) missing
// are errors; optional parts missing (styles, footnotes, notes, a sheet the
// workbook lists but the package lacks) are skipped.
#pragma once

#include "askio/status.h"
#include "ingest/archive.h"
#include "ingest/document.h"
#include "ingest/load_options.h"

namespace askio::ingest {

// type "docx". Headings from paragraph styles ("heading 1".."heading 9" and
// "Title" by name; any other, e.g. Chinese-named, by its outline level,
// following w:basedOn), paragraphs, list items (numbered paragraphs), tables
// as records (first row, or the rows marked as repeating headers, is the
// header; merged cells: a horizontal span counts once, a vertical one repeats
// its value in each row), text boxes, footnotes and endnotes at the end under
// "Footnotes" / "Endnotes" headings (referenced as [1] in the text). Tracked
// changes are read as accepted (insertions kept, deletions dropped); comments,
// field codes, headers, footers and tables of contents are left out. Title:
// docProps/core.xml, else the first "Title" paragraph. Levels past 6 are 6.
Result<ParsedDocument> ParseDocx(const ArchiveContents& package, const LoadOptions& options);

// type "xlsx". Each sheet in workbook order (at most options.max_pages): its
// name as a level-1 heading, its header row (the first non-empty one) and one
// record per later row, located "sheet NAME, row R" (R as Excel numbers it),
// page = the sheet's 1-based position. Cells: shared and inline strings,
// numbers (as stored, float noise such as 0.30000000000000004 rounded to 15
// digits), TRUE/FALSE, error codes, cached formula results; numbers under a
// date format as YYYY-MM-DD [HH:MM[:SS]], under a percent format as N%.
// A vertically merged cell's value repeats in each row of the merge.
// pages = the workbook's sheet count. At most kMaxTableRows rows per sheet
// and kMaxWorkbookCells cells in all are read.
inline constexpr int64_t kMaxWorkbookCells = 5'000'000;
Result<ParsedDocument> ParseXlsx(const ArchiveContents& package, const LoadOptions& options);

// type "pptx". Slides in presentation order (at most options.max_pages):
// the title placeholder as a level-1 heading ("Slide K" when the slide has
// none, so slides never run together), then text paragraphs (bulleted ones as
// list items), tables as records, and the speaker notes as paragraphs
// prefixed "Notes: ". Every block: page K, location "slide K". pages = the
// deck's slide count. Title: docProps/core.xml, else the first slide's title.
Result<ParsedDocument> ParsePptx(const ArchiveContents& package, const LoadOptions& options);

}  // namespace askio::ingest
