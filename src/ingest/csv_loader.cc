#include "ingest/csv_loader.h"

#include <algorithm>

namespace askio::ingest {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// A record is one line of text, so line breaks inside a cell become spaces.
std::string Clean(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (IsSpace(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

using Cells = std::vector<std::pair<int, std::string>>;

Cells CleanCells(const Cells& cells) {
  Cells out;
  for (const auto& [col, text] : cells) {
    std::string t = Clean(text);
    if (!t.empty()) out.emplace_back(col, std::move(t));
  }
  return out;
}

const std::string* HeaderOf(const Cells& header, int col) {
  auto it = std::lower_bound(header.begin(), header.end(), col,
                             [](const auto& cell, int c) { return cell.first < c; });
  return it != header.end() && it->first == col ? &it->second : nullptr;
}

}  // namespace

void AppendTable(const std::vector<SparseRow>& rows, const TablePlacement& placement,
                 ParsedDocument& doc) {
  auto located = [&](Block::Kind kind, int level, std::string text, int64_t number) {
    Block b{kind, level, std::move(text)};
    b.page = placement.page;
    b.location = placement.place;
    if (placement.number_rows && number > 0)
      b.location += (b.location.empty() ? "row " : ", row ") + std::to_string(number);
    doc.blocks.push_back(std::move(b));
  };
  // Cleaned a row at a time: a sheet can hold millions of cells, and a
  // cleaned copy of all of them would double the memory a workbook needs.
  auto cleaned = [&](size_t i) { return CleanCells(rows[i].cells); };
  auto next_non_empty = [&](size_t from) {
    while (from < rows.size() && cleaned(from).empty()) ++from;
    return from;
  };
  size_t h = next_non_empty(0);
  if (h == rows.size()) return;  // an empty sheet (or a chart sheet) adds nothing
  if (!placement.heading.empty()) located(Block::Kind::kHeading, 1, placement.heading, 0);
  Cells header = cleaned(h);
  // Titles above the header: a single cell followed by a clearly wider row.
  // Narrow tables (two columns with one header blank) keep their first row.
  for (int titles = 0; titles < 3 && header.size() == 1; ++titles) {
    const size_t n = next_non_empty(h + 1);
    if (n == rows.size()) break;
    Cells next = cleaned(n);
    if (next.size() < 3) break;
    located(Block::Kind::kParagraph, 0, header[0].second, rows[h].number);
    h = n;
    header = std::move(next);
  }

  std::string header_text;
  for (const auto& [col, text] : header) header_text += (header_text.empty() ? "" : " | ") + text;
  located(Block::Kind::kTableRow, 0, std::move(header_text), rows[h].number);

  for (size_t i = h + 1; i < rows.size(); ++i) {
    const Cells cells = cleaned(i);
    if (cells.empty()) continue;
    std::string record;
    for (const auto& [col, text] : cells) {
      if (!record.empty()) record += " | ";
      if (const std::string* name = HeaderOf(header, col)) record += *name + ": ";
      record += text;
    }
    located(Block::Kind::kTableRow, 0, std::move(record), rows[i].number);
  }
}

void AppendRecords(const std::vector<std::vector<std::string>>& rows, const std::string& sheet_name,
                   ParsedDocument& doc) {
  std::vector<SparseRow> sparse;
  sparse.reserve(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    SparseRow row;
    row.number = static_cast<int64_t>(r) + 1;
    for (size_t c = 0; c < rows[r].size(); ++c)
      if (!rows[r][c].empty()) row.cells.emplace_back(static_cast<int>(c), rows[r][c]);
    sparse.push_back(std::move(row));
  }
  TablePlacement placement;
  placement.heading = sheet_name;
  if (!sheet_name.empty()) placement.place = "sheet " + sheet_name;
  AppendTable(sparse, placement, doc);
}

ParsedDocument ParseDelimited(std::string_view text, char delimiter,
                              const std::string& sheet_name) {
  ParsedDocument doc;
  doc.type = delimiter == '\t' ? "tsv" : "csv";
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);

  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  const size_t n = text.size();
  auto end_row = [&] {
    row.push_back(std::move(field));
    field.clear();
    // A blank line is one empty field: keep it as an empty row so later
    // rows keep the numbers a spreadsheet would show.
    if (row.size() == 1 && row[0].empty()) row.clear();
    rows.push_back(std::move(row));
    row.clear();
  };
  while (i < n && static_cast<int64_t>(rows.size()) < kMaxTableRows) {
    const char c = text[i];
    if (c == '"' && field.empty()) {
      // Quoted field: up to the next quote not doubled. Writers in the wild
      // put text after the closing quote ("a"b,); keep it rather than fail.
      ++i;
      while (i < n) {
        if (text[i] == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
      while (i < n && text[i] != delimiter && text[i] != '\n' && text[i] != '\r')
        field += text[i++];
      continue;
    }
    if (c == delimiter) {
      row.push_back(std::move(field));
      field.clear();
      ++i;
    } else if (c == '\n' || c == '\r') {
      i += (c == '\r' && i + 1 < n && text[i + 1] == '\n') ? 2 : 1;
      end_row();
    } else {
      field += c;
      ++i;
    }
  }
  if (!field.empty() || !row.empty()) end_row();
  AppendRecords(rows, sheet_name, doc);
  return doc;
}

}  // namespace askio::ingest
