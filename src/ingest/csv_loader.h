// Tables as records: CSV/TSV files, and the table-rendering shared by the
// spreadsheet, slide and Notion-database loaders. A table's first non-empty
// row is its header; every later row becomes one kTableRow block
// "header: value | header: value" (empty cells left out), the same rendering
// as HTML tables, so a row answers a question on its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/document.h"

namespace askio::ingest {

// Rows beyond this in one table are not read (Excel's own limit is 1,048,576).
inline constexpr int64_t kMaxTableRows = 1'000'000;

// CSV (RFC 4180: quoted fields may hold delimiters, doubled quotes and line
// breaks; CRLF, LF or CR line ends; ragged rows allowed) or TSV. `text` is
// already UTF-8 (a leading BOM is dropped). A non-empty `sheet_name` becomes a
// level-1 heading and prefixes locations: "sheet NAME, row R", else "row R",
// R counting every record including the header and blank lines, as a
// spreadsheet would number them. type is "tsv" for '\t', else "csv".
ParsedDocument ParseDelimited(std::string_view text, char delimiter, const std::string& sheet_name);

// Appends one table (rows[0] is spreadsheet row 1) to `doc`: a level-1
// heading when `sheet_name` is not empty, then the header row ("a | b | c")
// and one record per later row, located as ParseDelimited describes. Blank
// rows are skipped but keep their numbers; a table with no text adds
// nothing, not even the heading.
void AppendRecords(const std::vector<std::vector<std::string>>& rows, const std::string& sheet_name,
                   ParsedDocument& doc);

// The general form, for sparse tables (spreadsheets skip empty cells and
// rows).
struct SparseRow {
  int64_t number = 0;  // the row's number in its source (1-based), for locations
  // (0-based column, text), in increasing column order. Text is cleaned up
  // here: whitespace runs (line breaks too) become one space.
  std::vector<std::pair<int, std::string>> cells;
};

struct TablePlacement {
  std::string heading;      // a level-1 heading before a non-empty table, if set
  std::string place;        // location prefix: "sheet Sales", "slide 3", or ""
  bool number_rows = true;  // append "row R" to the location
  int page = 0;             // Block::page of every block
};

// A lone cell above a wider table (a merged title such as "2024 price
// list") is kept as a paragraph rather than taken as the header.
void AppendTable(const std::vector<SparseRow>& rows, const TablePlacement& placement,
                 ParsedDocument& doc);

}  // namespace askio::ingest
