#include "ingest/pdf_loader.h"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/utf8.h"
#include "ingest/ocr.h"

namespace askio::ingest {
namespace {

// ---------------------------------------------------------------------------
// poppler's messages

// poppler reports problems through one process-wide callback. It is pointed
// once at a per-thread log, so a failure can say what poppler saw and
// nothing reaches the user's terminal.
thread_local std::vector<std::string>* t_poppler_log = nullptr;

void OnPopplerMessage(const std::string& message, void*) {
  if (t_poppler_log && t_poppler_log->size() < 16) t_poppler_log->push_back(message);
}

class PopplerLog {
 public:
  PopplerLog() {
    static std::once_flag once;
    std::call_once(once, [] { poppler::set_debug_error_function(&OnPopplerMessage, nullptr); });
    saved_ = t_poppler_log;
    t_poppler_log = &messages_;
  }
  ~PopplerLog() { t_poppler_log = saved_; }
  PopplerLog(const PopplerLog&) = delete;
  PopplerLog& operator=(const PopplerLog&) = delete;

  const std::vector<std::string>& messages() const { return messages_; }
  std::string First() const { return messages_.empty() ? std::string() : messages_.front(); }

 private:
  std::vector<std::string> messages_;
  std::vector<std::string>* saved_ = nullptr;
};

// ---------------------------------------------------------------------------
// Text boxes, lines, rows

struct Word {
  std::string text;
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // reading frame: x along the line, y down the page
  double size = 0;
  bool space_after = false;
  bool bold = false;
  int rotation = 0;  // 0-3 quarter turns, as poppler reports it
  // In the page's main direction: only such text makes tables and running
  // headers.
  bool upright = true;
};

struct Cell {
  std::string text;
  double x0, x1, y0, y1;
  bool bold = true;  // every word bold
};

struct Line {
  std::vector<Cell> cells;
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // bounding box of all its text
  double size = 0;                        // dominant font size (by characters)
  size_t chars = 0;
  bool upright = true;
  bool dropped = false;  // running header/footer or page number
  bool table = false;
  int region = -1;  // the table a row belongs to
};

struct Page {
  int number = 0;  // 1-based
  double height = 0;
  std::vector<Line> lines;
  std::vector<std::string> ocr_paragraphs;
};

std::string ToUtf8(const poppler::ustring& s) {
  const poppler::byte_array bytes = s.to_utf8();
  return std::string(bytes.begin(), bytes.end());
}

// Ligatures, control characters and zero-width marks from a text box, so
// that "ﬁnance" matches "finance".
std::string CleanWordText(std::string_view raw) {
  std::string out;
  size_t i = 0;
  while (i < raw.size()) {
    const char32_t c = utf8::Next(raw, i);
    switch (c) {
      case 0xFB00:
        out += "ff";
        continue;
      case 0xFB01:
        out += "fi";
        continue;
      case 0xFB02:
        out += "fl";
        continue;
      case 0xFB03:
        out += "ffi";
        continue;
      case 0xFB04:
        out += "ffl";
        continue;
      case 0xFB05:
      case 0xFB06:
        out += "st";
        continue;
      case 0x200B:
      case 0x200C:
      case 0x200D:
      case 0x2060:
      case 0xFEFF:
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) continue;
    if (c == 0xA0 || c == 0x3000) {
      out += ' ';
      continue;
    }
    utf8::Append(out, c);
  }
  return out;
}

bool IsBoldFont(std::string name) {
  if (const auto plus = name.find('+'); plus != std::string::npos) name.erase(0, plus + 1);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* w : {"bold", "black", "heavy", "semibold", "demi", "-bd", "-w6", "-w7"})
    if (name.find(w) != std::string::npos) return true;
  // TeX's bold fonts say so only in their short names (CMBX12, SFBX1000,
  // ptmb8r for Times Bold).
  for (const char* prefix :
       {"cmbx", "cmssbx", "cmb1", "cmtb", "sfbx", "ecbx", "ptmb", "phvb", "pplb"})
    if (name.starts_with(prefix)) return true;
  return false;
}

// The words of a page in poppler's reading order, their boxes turned into
// the frame where the page's main text reads left to right and downwards
// from (0, 0): a page shown rotated (/Rotate 90) is read like any other.
// Sets *width and *height to the page's size in that frame.
std::vector<Word> PageWords(poppler::page& page, double* width, double* height) {
  const poppler::rectf box = page.page_rect();
  const auto orientation = page.orientation();
  const bool turned =
      orientation == poppler::page::landscape || orientation == poppler::page::seascape;
  // The boxes come in the displayed page's coordinates.
  const double w_shown = std::abs(turned ? box.height() : box.width());
  const double h_shown = std::abs(turned ? box.width() : box.height());
  std::vector<Word> words;
  size_t chars_by_rotation[4] = {0, 0, 0, 0};
  for (const poppler::text_box& text_box : page.text_list(poppler::page::text_list_include_font)) {
    Word w;
    w.text = CleanWordText(ToUtf8(text_box.text()));
    if (w.text.find_first_not_of(' ') == std::string::npos) continue;
    const poppler::rectf r = text_box.bbox();
    w.rotation = std::clamp(text_box.rotation(), 0, 3);
    switch (w.rotation) {
      case 1:
        w.x0 = r.top();
        w.x1 = r.bottom();
        w.y0 = w_shown - r.right();
        w.y1 = w_shown - r.left();
        break;
      case 2:
        w.x0 = w_shown - r.right();
        w.x1 = w_shown - r.left();
        w.y0 = h_shown - r.bottom();
        w.y1 = h_shown - r.top();
        break;
      case 3:
        w.x0 = h_shown - r.bottom();
        w.x1 = h_shown - r.top();
        w.y0 = r.left();
        w.y1 = r.right();
        break;
      default:
        w.x0 = r.left();
        w.x1 = r.right();
        w.y0 = r.top();
        w.y1 = r.bottom();
        break;
    }
    w.size = text_box.has_font_info() ? text_box.get_font_size() : 0;
    if (!(w.size > 0) || w.size > 2000) w.size = std::max(1.0, w.y1 - w.y0);
    w.space_after = text_box.has_space_after();
    w.bold = text_box.has_font_info() && IsBoldFont(text_box.get_font_name());
    chars_by_rotation[w.rotation] += w.text.size();
    words.push_back(std::move(w));
  }
  const int main = static_cast<int>(std::max_element(chars_by_rotation, chars_by_rotation + 4) -
                                    chars_by_rotation);
  for (Word& w : words) w.upright = w.rotation == main;
  *width = main % 2 ? h_shown : w_shown;
  *height = main % 2 ? w_shown : h_shown;
  return words;
}

double RoundSize(double size) { return std::round(size * 2) / 2; }

size_t CharCount(std::string_view s) { return utf8::CodePointCount(s); }

char32_t FirstChar(std::string_view s) {
  size_t i = 0;
  return s.empty() ? 0 : utf8::Next(s, i);
}

char32_t LastChar(std::string_view s) {
  size_t i = s.size();
  while (i > 0 && (static_cast<unsigned char>(s[i - 1]) & 0xC0) == 0x80) --i;
  if (i > 0) --i;
  return s.empty() ? 0 : utf8::Next(s, i);
}

bool IsBullet(char32_t c);

// Words on one baseline, left to right, without a column gap between them.
struct Segment {
  std::vector<size_t> words;  // indices into the page's words, by x
  double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
};

// All the words of a page on one baseline, whatever order poppler read them
// in, cut into segments at column gaps.
struct PhysicalLine {
  std::vector<Segment> segments;
  double y0 = 0, y1 = 0;
  double size = 0;
  bool upright = true;
  size_t first_word = 0;  // poppler's reading position
  int region = -1;
};

void AddToSegment(Segment& s, const Word& w, size_t index) {
  if (s.words.empty()) {
    s.x0 = w.x0, s.x1 = w.x1, s.y0 = w.y0, s.y1 = w.y1;
  } else {
    s.x0 = std::min(s.x0, w.x0), s.x1 = std::max(s.x1, w.x1);
    s.y0 = std::min(s.y0, w.y0), s.y1 = std::max(s.y1, w.y1);
  }
  s.words.push_back(index);
}

void MergeSegments(Segment& into, const Segment& from) {
  into.words.insert(into.words.end(), from.words.begin(), from.words.end());
  into.x0 = std::min(into.x0, from.x0), into.x1 = std::max(into.x1, from.x1);
  into.y0 = std::min(into.y0, from.y0), into.y1 = std::max(into.y1, from.y1);
}

std::string SegmentText(const std::vector<Word>& words, const Segment& s) {
  std::string text;
  for (size_t k = 0; k < s.words.size(); ++k) {
    const Word& w = words[s.words[k]];
    if (k > 0) {
      const Word& prev = words[s.words[k - 1]];
      const bool next_in_stream = s.words[k] == s.words[k - 1] + 1;
      const double gap = w.x0 - prev.x1;
      if ((next_in_stream && prev.space_after) || gap > 0.25 * std::max(w.size, prev.size))
        text += ' ';
    }
    text += w.text;
  }
  return RemoveSpacesBetweenCjk(text);
}

// A gap wider than a word space: poppler ended its line there, or the gap
// is wide anyway, or it sits between two CJK characters (which are never
// separated by spaces).
bool IsColumnGap(const Word& a, size_t a_index, const Word& b, size_t b_index) {
  const double size = std::max(a.size, b.size);
  const double gap = b.x0 - a.x1;
  if (gap > 3.0 * size) return true;
  if (gap > 0.6 * size && (b_index != a_index + 1 || !a.space_after)) return true;
  return gap > 0.5 * size && IsCjk(LastChar(a.text)) && IsCjk(FirstChar(b.text));
}

bool IsMarker(std::string_view text) {
  const std::u32string s = utf8::ToCodePoints(text);
  if (s.size() == 1 && (IsBullet(s[0]) || s[0] == '-' || s[0] == 0x2013 || s[0] == '*'))
    return true;
  // "1." "12)" "(3)" "a." "iv."
  if (s.empty() || s.size() > 5) return false;
  const char32_t last = s.back();
  if (last != '.' && last != ')' && last != 0x3001) return false;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    const char32_t c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '(')) return false;
  }
  return true;
}

// "3", "2.1", "4.10.2", "A.1", "第三章", "第2节".
bool IsSectionNumber(std::string_view text) {
  const std::u32string s = utf8::ToCodePoints(text);
  if (s.empty() || s.size() > 10) return false;
  if (s.front() == 0x7B2C) {  // 第 ... 章/节/条/部分
    const char32_t last = s.back();
    return s.size() >= 3 && (last == 0x7AE0 || last == 0x8282 || last == 0x6761 || last == 0x7BC7);
  }
  size_t i = 0;
  if (s[0] >= 'A' && s[0] <= 'Z') {
    if (s.size() == 1) return false;  // a lone capital is a word ("A")
    ++i;
    if (s[i] != '.') return false;
  }
  bool digit = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digit = true;
    } else if (s[i] != '.') {
      return false;
    }
  }
  return digit;
}

std::vector<PhysicalLine> PhysicalLines(const std::vector<Word>& words) {
  std::vector<size_t> order(words.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return words[a].y0 < words[b].y0; });
  std::vector<std::vector<size_t>> members;
  std::vector<size_t> seed;  // the first word of each line: its baseline
  for (size_t i : order) {
    const Word& w = words[i];
    int best = -1;
    double best_overlap = 0;
    // Sorted by top, a word can only join one of the last few lines.
    const size_t from = members.size() > 12 ? members.size() - 12 : 0;
    for (size_t l = from; l < members.size(); ++l) {
      const Word& s = words[seed[l]];
      if (s.rotation != w.rotation) continue;
      const double overlap = std::min(s.y1, w.y1) - std::max(s.y0, w.y0);
      const double min_h = std::min(s.y1 - s.y0, w.y1 - w.y0);
      if (overlap >= 0.5 * min_h && overlap > best_overlap) {
        best = static_cast<int>(l);
        best_overlap = overlap;
      }
    }
    if (best < 0) {
      members.push_back({i});
      seed.push_back(i);
    } else {
      members[best].push_back(i);
    }
  }

  std::vector<PhysicalLine> lines;
  for (std::vector<size_t>& m : members) {
    std::sort(m.begin(), m.end(), [&](size_t a, size_t b) {
      return words[a].x0 < words[b].x0 || (words[a].x0 == words[b].x0 && a < b);
    });
    PhysicalLine line;
    line.upright = words[m.front()].upright;
    line.first_word = *std::min_element(m.begin(), m.end());
    std::map<double, size_t> size_chars;
    for (size_t k = 0; k < m.size(); ++k) {
      const Word& w = words[m[k]];
      if (k == 0 || (line.upright && IsColumnGap(words[m[k - 1]], m[k - 1], w, m[k])))
        line.segments.emplace_back();
      AddToSegment(line.segments.back(), w, m[k]);
      size_chars[RoundSize(w.size)] += CharCount(w.text);
    }
    // A bullet or list number set off by a tab belongs to its item, and a
    // section number set off by a quad belongs to its heading.
    for (size_t s = 0; s + 1 < line.segments.size();) {
      const std::string text = SegmentText(words, line.segments[s]);
      if (IsMarker(text) || (s == 0 && line.segments.size() == 2 && IsSectionNumber(text))) {
        MergeSegments(line.segments[s], line.segments[s + 1]);
        line.segments.erase(line.segments.begin() + static_cast<long>(s) + 1);
      } else {
        ++s;
      }
    }
    size_t best = 0;
    for (const auto& [size, n] : size_chars)
      if (n > best) best = n, line.size = size;
    line.y0 = line.segments.front().y0, line.y1 = line.segments.front().y1;
    for (const Segment& s : line.segments)
      line.y0 = std::min(line.y0, s.y0), line.y1 = std::max(line.y1, s.y1);
    lines.push_back(std::move(line));
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const PhysicalLine& a, const PhysicalLine& b) { return a.y0 < b.y0; });
  return lines;
}

struct Column {
  double x0, x1;
};

// Places each segment of a line in one of the region's columns, cutting a
// segment that runs into the next column at a wide word gap (poppler joins
// "Migration rehearsal" and the next cell's "Fang" when they are close).
// Returns false when the line does not fit the columns (it spans them).
bool AssignColumns(const std::vector<Word>& words, PhysicalLine& line, std::vector<Column>& columns,
                   std::vector<int>& assignment) {
  std::vector<Segment> out;
  std::vector<int> where;
  for (const Segment& segment : line.segments) {
    Segment rest = segment;
    while (true) {
      std::vector<int> hits;
      for (size_t c = 0; c < columns.size(); ++c)
        if (std::min(rest.x1, columns[c].x1) - std::max(rest.x0, columns[c].x0) > 0)
          hits.push_back(static_cast<int>(c));
      if (hits.size() <= 1) {
        out.push_back(rest);
        where.push_back(hits.empty() ? -1 : hits[0]);
        break;
      }
      // Cut before the first word that starts inside the second column.
      const Column& next = columns[hits[1]];
      size_t cut = 0;
      for (size_t k = 1; k < rest.words.size() && !cut; ++k) {
        const Word& w = words[rest.words[k]];
        const Word& prev = words[rest.words[k - 1]];
        if (w.x0 >= next.x0 - w.size && w.x0 - prev.x1 > 0.6 * w.size) cut = k;
      }
      if (!cut) return false;
      Segment head, tail;
      for (size_t k = 0; k < rest.words.size(); ++k)
        AddToSegment(k < cut ? head : tail, words[rest.words[k]], rest.words[k]);
      if (std::min(head.x1, columns[hits[0]].x1) - std::max(head.x0, columns[hits[0]].x0) <= 0)
        return false;
      out.push_back(head);
      where.push_back(hits[0]);
      rest = tail;
    }
  }
  // New columns for segments in empty space (a column whose first rows
  // were blank); then grow the spans.
  for (size_t s = 0; s < out.size(); ++s) {
    if (where[s] >= 0) continue;
    columns.push_back({out[s].x0, out[s].x1});
    std::sort(columns.begin(), columns.end(),
              [](const Column& a, const Column& b) { return a.x0 < b.x0; });
    for (size_t t = 0; t < out.size(); ++t) where[t] = -1;
    for (size_t t = 0; t < out.size(); ++t)
      for (size_t c = 0; c < columns.size(); ++c)
        if (std::min(out[t].x1, columns[c].x1) - std::max(out[t].x0, columns[c].x0) > 0) {
          if (where[t] >= 0) return false;
          where[t] = static_cast<int>(c);
        }
    if (std::find(where.begin(), where.end(), -1) != where.end()) return false;
  }
  // Two segments in one column are one cell.
  std::vector<Segment> merged;
  std::vector<int> merged_where;
  for (size_t s = 0; s < out.size(); ++s) {
    if (!merged.empty() && merged_where.back() == where[s]) {
      MergeSegments(merged.back(), out[s]);
      continue;
    }
    merged.push_back(out[s]);
    merged_where.push_back(where[s]);
  }
  for (size_t s = 0; s < merged.size(); ++s) {
    Column& c = columns[merged_where[s]];
    c.x0 = std::min(c.x0, merged[s].x0);
    c.x1 = std::max(c.x1, merged[s].x1);
  }
  line.segments = std::move(merged);
  assignment = std::move(merged_where);
  return true;
}

// Lines whose words stand in columns (a table, or a page set in columns):
// consecutive physical lines, the first with at least two segments, every
// segment inside one column.
struct Region {
  std::vector<size_t> lines;                 // physical lines, top to bottom
  std::vector<std::vector<int>> columns_of;  // per line, each segment's column
  std::vector<Column> columns;
  double size = 0;
};

std::vector<Region> FindRegions(const std::vector<Word>& words, std::vector<PhysicalLine>& lines) {
  std::vector<Region> regions;
  for (size_t i = 0; i < lines.size();) {
    PhysicalLine& first = lines[i];
    if (!first.upright || first.segments.size() < 2) {
      ++i;
      continue;
    }
    Region region;
    region.size = std::max(first.size, 1.0);
    for (const Segment& s : first.segments) region.columns.push_back({s.x0, s.x1});
    std::vector<int> assignment;
    for (size_t c = 0; c < first.segments.size(); ++c) assignment.push_back(static_cast<int>(c));
    region.lines.push_back(i);
    region.columns_of.push_back(assignment);
    double bottom = first.y1;
    size_t j = i + 1;
    for (; j < lines.size(); ++j) {
      PhysicalLine& l = lines[j];
      if (!l.upright || std::abs(l.size - region.size) > 0.2 * region.size) break;
      const double gap = l.y0 - bottom;
      // Bordered tables pad their rows; a lone cell must follow closely.
      if (gap > (l.segments.size() >= 2 ? 2.0 : 1.0) * region.size) break;
      PhysicalLine trial = l;
      std::vector<Column> columns = region.columns;
      if (!AssignColumns(words, trial, columns, assignment)) break;
      if (columns.size() != region.columns.size()) {
        // A new column only from a line that has cells in others too.
        if (trial.segments.size() < 2) break;
        // Earlier rows were placed by column index: shift them.
        for (std::vector<int>& row : region.columns_of)
          for (int& c : row) {
            const Column& old = region.columns[c];
            for (size_t k = 0; k < columns.size(); ++k)
              if (std::min(old.x1, columns[k].x1) - std::max(old.x0, columns[k].x0) > 0) {
                c = static_cast<int>(k);
                break;
              }
          }
      }
      l = std::move(trial);
      region.columns = std::move(columns);
      region.lines.push_back(j);
      region.columns_of.push_back(assignment);
      bottom = std::max(bottom, l.y1);
    }
    // One line with a wide gap is not a table: a run-in heading ("Blanks."
    // then a quad), a form line, a justified line poppler cut in two.
    if (region.lines.size() >= 2) {
      for (size_t k : region.lines) lines[k].region = static_cast<int>(regions.size());
      regions.push_back(std::move(region));
    }
    i = j;
  }
  return regions;
}

// Text set in columns rather than a table: every column mostly full lines
// of running text.
bool IsProse(const std::vector<Word>& words, const std::vector<PhysicalLine>& lines,
             const Region& region, double page_width) {
  if (region.lines.size() < 3 || region.columns.size() < 2) return false;
  for (size_t c = 0; c < region.columns.size(); ++c) {
    const double width = region.columns[c].x1 - region.columns[c].x0;
    if (width < 0.2 * page_width) return false;
    size_t segments = 0, full = 0, chars = 0;
    for (size_t k = 0; k < region.lines.size(); ++k) {
      const PhysicalLine& l = lines[region.lines[k]];
      for (size_t s = 0; s < l.segments.size(); ++s) {
        if (region.columns_of[k][s] != static_cast<int>(c)) continue;
        ++segments;
        full += l.segments[s].x1 - l.segments[s].x0 >= 0.85 * width;
        chars += CharCount(SegmentText(words, l.segments[s]));
      }
    }
    if (segments < 3 || full * 5 < segments * 3 || chars < 15 * segments) return false;
  }
  return true;
}

Line SingleLine(const std::vector<Word>& words, const Segment& s, double size, bool upright) {
  Line line;
  Cell cell{SegmentText(words, s), s.x0, s.x1, s.y0, s.y1, true};
  for (size_t w : s.words) cell.bold = cell.bold && words[w].bold;
  line.x0 = s.x0, line.x1 = s.x1, line.y0 = s.y0, line.y1 = s.y1;
  line.size = size;
  line.chars = CharCount(cell.text);
  line.upright = upright;
  line.cells.push_back(std::move(cell));
  return line;
}

// Whether a line of a table region continues the row above (its cells
// wrap) rather than starting a new one: each of its segments sits under a
// segment of the line above whose column had no room for its first word.
bool ContinuesRow(const std::vector<Word>& words, const PhysicalLine& above,
                  const std::vector<int>& above_columns, const PhysicalLine& line,
                  const std::vector<int>& line_columns, const std::vector<Column>& columns) {
  for (size_t s = 0; s < line.segments.size(); ++s) {
    const int c = line_columns[s];
    const Segment* over = nullptr;
    for (size_t t = 0; t < above.segments.size(); ++t)
      if (above_columns[t] == c) over = &above.segments[t];
    if (!over) return false;
    const Word& first = words[line.segments[s].words.front()];
    const double room = columns[c].x1 - over->x1;
    if (first.x1 - first.x0 + 0.2 * first.size < room) return false;
  }
  return true;
}

// Table rows from a region: a line starts a new row unless it is close
// below the previous one and its cells are the overflow of that line's.
std::vector<Line> TableRows(const std::vector<Word>& words, const std::vector<PhysicalLine>& lines,
                            const Region& region, int region_id) {
  double min_gap = 1e18;
  for (size_t k = 1; k < region.lines.size(); ++k)
    min_gap = std::min(min_gap, lines[region.lines[k]].y0 - lines[region.lines[k - 1]].y1);
  std::vector<Line> rows;
  for (size_t k = 0; k < region.lines.size(); ++k) {
    const PhysicalLine& l = lines[region.lines[k]];
    // A line with every column filled is a row of its own, even where the
    // line above reaches its column's edge (the widest entry does).
    const bool new_row = k == 0 ||
                         l.y0 - lines[region.lines[k - 1]].y1 > min_gap + 0.4 * region.size ||
                         l.segments.size() >= region.columns.size() ||
                         !ContinuesRow(words, lines[region.lines[k - 1]], region.columns_of[k - 1],
                                       l, region.columns_of[k], region.columns);
    if (new_row) {
      Line row;
      row.table = true;
      row.region = region_id;
      row.size = region.size;
      row.x0 = region.columns.front().x0, row.x1 = region.columns.back().x1;
      row.y0 = l.y0, row.y1 = l.y1;
      for (const Column& c : region.columns)
        row.cells.push_back({"", c.x0, c.x1, l.y0, l.y1, true});
      rows.push_back(std::move(row));
    }
    Line& row = rows.back();
    row.y1 = std::max(row.y1, l.y1);
    for (size_t s = 0; s < l.segments.size(); ++s) {
      Cell& cell = row.cells[region.columns_of[k][s]];
      AppendWrappedLine(cell.text, SegmentText(words, l.segments[s]));
      for (size_t w : l.segments[s].words) cell.bold = cell.bold && words[w].bold;
    }
  }
  for (Line& row : rows) {
    for (Cell& c : row.cells) {
      if (c.text.empty()) c.bold = false;
      row.chars += CharCount(c.text);
    }
  }
  return rows;
}

// The page's lines in reading order: poppler's order of its text blocks,
// with tables laid out as rows and columns of text read one column after
// the other.
std::vector<Line> PageLines(const std::vector<Word>& words, double page_width) {
  std::vector<PhysicalLine> lines = PhysicalLines(words);
  const std::vector<Region> regions = FindRegions(words, lines);
  struct Item {
    size_t key;
    std::vector<Line> lines;
  };
  std::vector<Item> items;
  std::vector<size_t> region_key(regions.size(), SIZE_MAX);
  for (const PhysicalLine& l : lines)
    if (l.region >= 0) region_key[l.region] = std::min(region_key[l.region], l.first_word);
  for (size_t r = 0; r < regions.size(); ++r) {
    Item item{region_key[r], {}};
    const Region& region = regions[r];
    if (IsProse(words, lines, region, page_width)) {
      for (size_t c = 0; c < region.columns.size(); ++c)
        for (size_t k = 0; k < region.lines.size(); ++k) {
          const PhysicalLine& l = lines[region.lines[k]];
          for (size_t s = 0; s < l.segments.size(); ++s)
            if (region.columns_of[k][s] == static_cast<int>(c))
              item.lines.push_back(SingleLine(words, l.segments[s], l.size, true));
        }
    } else {
      item.lines = TableRows(words, lines, region, static_cast<int>(r));
    }
    items.push_back(std::move(item));
  }
  for (const PhysicalLine& l : lines) {
    if (l.region >= 0) continue;
    Segment all = l.segments.front();
    for (size_t s = 1; s < l.segments.size(); ++s) MergeSegments(all, l.segments[s]);
    items.push_back({l.first_word, {SingleLine(words, all, l.size, l.upright)}});
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.key < b.key; });
  std::vector<Line> out;
  for (Item& item : items)
    for (Line& l : item.lines) out.push_back(std::move(l));
  return out;
}

// ---------------------------------------------------------------------------
// Running headers, footers, page numbers

std::u32string Lower32(std::string_view s) {
  std::u32string out = utf8::ToCodePoints(s);
  for (char32_t& c : out)
    if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
  return out;
}

// "12", "- 12 -", "Page 3", "Page 3 of 10", "3 / 10", "第 3 页", "第3页 共10页",
// "iv".
bool IsPageNumber(std::string_view text) {
  std::u32string s = Lower32(text);
  if (s.size() > 24) return false;
  std::u32string rest;
  for (size_t i = 0; i < s.size(); ++i) {
    const char32_t c = s[i];
    if (c == ' ' || c == '-' || c == 0x2013 || c == 0x2014 || c == '/' || c == '|' || c == '.' ||
        c == ',' || c == 0xFF0C || c == 0x7B2C || c == 0x9875 || c == 0x5171 || c == '(' ||
        c == ')' || c == '[' || c == ']')
      continue;
    rest += c;
  }
  for (std::u32string word : {U"page", U"pg", U"of", U"p"}) {
    for (size_t at; (at = rest.find(word)) != std::u32string::npos;) {
      // Only as whole tokens next to digits; "p" alone would eat letters.
      const bool before_ok = at == 0 || (rest[at - 1] >= '0' && rest[at - 1] <= '9');
      const size_t end = at + word.size();
      const bool after_ok = end == rest.size() || (rest[end] >= '0' && rest[end] <= '9');
      if (!before_ok || !after_ok) break;
      rest.erase(at, word.size());
    }
  }
  if (rest.empty()) return false;
  if (std::all_of(rest.begin(), rest.end(), [](char32_t c) { return c >= '0' && c <= '9'; }))
    return rest.size() <= 8;
  return rest.size() <= 6 && std::all_of(rest.begin(), rest.end(), [](char32_t c) {
           return c == 'i' || c == 'v' || c == 'x' || c == 'l';
         });
}

std::string LineText(const Line& line) {
  std::string out;
  for (const Cell& c : line.cells) {
    if (!out.empty()) out += " | ";
    out += c.text;
  }
  return out;
}

// The text with digits masked and spaces removed, so "Handbook — 3" on page
// 3 matches "Handbook — 4" on page 4.
std::string RunningKey(const Line& line) {
  std::string key;
  for (char c : LineText(line)) {
    if (c == ' ') continue;
    key += (c >= '0' && c <= '9') ? '#' : c;
  }
  return key;
}

// The topmost and bottommost two lines of a page, when they sit in its top
// or bottom eighth.
std::vector<size_t> MarginLines(const Page& page) {
  std::vector<size_t> order;
  for (size_t i = 0; i < page.lines.size(); ++i)
    if (page.lines[i].upright) order.push_back(i);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return page.lines[a].y0 < page.lines[b].y0; });
  std::vector<size_t> out;
  const double band = page.height / 8;
  for (size_t k = 0; k < order.size() && k < 2; ++k)
    if (page.lines[order[k]].y1 < band) out.push_back(order[k]);
  for (size_t k = 0; k < order.size() && k < 2; ++k) {
    const size_t i = order[order.size() - 1 - k];
    if (page.lines[i].y0 > page.height - band && std::find(out.begin(), out.end(), i) == out.end())
      out.push_back(i);
  }
  return out;
}

void DropRunningHeadersAndFooters(std::vector<Page>& pages) {
  std::unordered_map<std::string, std::vector<std::pair<size_t, size_t>>> seen;
  size_t pages_with_text = 0;
  for (size_t p = 0; p < pages.size(); ++p) {
    if (pages[p].lines.empty()) continue;
    ++pages_with_text;
    for (size_t i : MarginLines(pages[p])) {
      Line& line = pages[p].lines[i];
      if (IsPageNumber(LineText(line))) {
        line.dropped = true;
        continue;
      }
      auto& where = seen[RunningKey(line)];
      if (where.empty() || where.back().first != p) where.emplace_back(p, i);
    }
  }
  // Books alternate headers between left and right pages, so each appears
  // on about half of them.
  for (const auto& [key, where] : seen) {
    if (where.size() < 2 || where.size() * 5 < pages_with_text * 2) continue;
    for (const auto& [p, i] : where) pages[p].lines[i].dropped = true;
  }
}

// ---------------------------------------------------------------------------
// Blocks

bool IsSentenceEnd(std::string_view text) {
  std::u32string s = utf8::ToCodePoints(text);
  while (!s.empty() && (s.back() == ' ' || s.back() == '"' || s.back() == '\'' ||
                        s.back() == 0x201D || s.back() == 0x2019 || s.back() == ')' ||
                        s.back() == 0xFF09 || s.back() == 0x300D || s.back() == 0x300F))
    s.pop_back();
  if (s.empty()) return false;
  switch (s.back()) {
    case '.':
    case '!':
    case '?':
    case ':':
    case ';':
    case 0x3002:
    case 0xFF01:
    case 0xFF1F:
    case 0xFF1A:
    case 0xFF1B:
    case 0x2026:
      return true;
    default:
      return false;
  }
}

// A bullet that always opens a list item (Symbol/Wingdings bullets land in
// the private use area).
bool IsBullet(char32_t c) {
  switch (c) {
    case 0x2022:
    case 0x25CF:
    case 0x25CB:
    case 0x25E6:
    case 0x25AA:
    case 0x25A0:
    case 0x25A1:
    case 0x25C6:
    case 0x25C7:
    case 0x25BA:
    case 0x25B6:
    case 0x27A2:
    case 0x2713:
    case 0x2714:
    case 0x2023:
    case 0x2043:
    case 0x2219:
    case 0x00B7:
    case 0x30FB:
    case 0x2027:
      return true;
    default:
      return c >= 0xF000 && c <= 0xF0FF;
  }
}

// "1.", "2)", "(3)", "a.", "一、", "4、" — a list item only where a new paragraph
// may start, since a wrapped sentence can begin with "2026." too.
bool StartsWithNumbering(std::string_view text) {
  const std::u32string s = utf8::ToCodePoints(text.substr(0, std::min<size_t>(text.size(), 24)));
  size_t i = 0;
  const bool paren = !s.empty() && (s[0] == '(' || s[0] == 0xFF08);
  if (paren) ++i;
  const size_t start = i;
  while (i < s.size() &&
         ((s[i] >= '0' && s[i] <= '9') ||
          std::u32string_view(U"一二三四五六七八九十").find(s[i]) != std::u32string_view::npos))
    ++i;
  if (i == start || i - start > 3 || i >= s.size()) return false;
  const char32_t c = s[i];
  if (paren) return c == ')' || c == 0xFF09;
  return c == 0x3001 || ((c == '.' || c == ')') && i + 1 < s.size() && s[i + 1] == ' ');
}

// Strips a leading bullet and its space; empty when the line has none.
std::string StripBullet(std::string_view text) {
  size_t i = 0;
  const char32_t c = utf8::Next(text, i);
  if (!IsBullet(c) && !(c == '-' || c == 0x2013 || c == '*')) return {};
  if (i >= text.size() || text[i] != ' ') {
    if (!IsBullet(c)) return {};
  }
  while (i < text.size() && text[i] == ' ') ++i;
  return std::string(text.substr(i));
}

bool HasDigit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool HasWordCharacter(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const char32_t c = utf8::Next(s, i);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c < 0x2000) ||
        (IsCjk(c) && !(c >= 0x3000 && c <= 0x303F) && !(c >= 0xFF00 && c <= 0xFF20)))
      return true;
  }
  return false;
}

// A short line set clearly larger than the body text; bold needs less
// (LaTeX sets 12 pt bold subsections over 11 pt text, and 12 pt roman
// author names).
bool IsHeadingCandidate(const Line& l, double body) {
  if (l.table || l.cells.size() != 1 || l.chars > 120 || !HasWordCharacter(l.cells[0].text))
    return false;
  const double size = RoundSize(l.size);
  if (size >= body * 1.15 && size - body >= 1.0) return true;
  return l.cells[0].bold && size >= body * 1.08 && size - body >= 0.8;
}

class BlockBuilder {
 public:
  BlockBuilder(double body_size, std::vector<double> heading_sizes)
      : body_(body_size), heading_sizes_(std::move(heading_sizes)) {}

  void AddPage(const Page& page, std::vector<Block>& out) {
    out_ = &out;
    page_ = page.number;
    location_ = "page " + std::to_string(page_);
    std::vector<const Line*> lines;
    for (const Line& l : page.lines)
      if (!l.dropped) lines.push_back(&l);
    for (const Line* l : lines) {
      if (l->table) {
        FlushParagraph();
        if (!table_.empty() && table_.back().region != l->region) FlushTable();
        table_.push_back(*l);
        continue;
      }
      FlushTable();
      AddLine(*l, ColumnRight(lines, *l));
    }
    FlushParagraph();
    FlushTable();
    for (const std::string& p : page.ocr_paragraphs) Emit(Block::Kind::kParagraph, 0, p);
  }

 private:
  struct Paragraph {
    Block::Kind kind = Block::Kind::kParagraph;
    int level = 0;
    std::string text;
    double x0 = 0, x1 = 0, y1 = 0, size = 0;
    int lines = 0;
    double inner_gap = -1;  // gap between its lines so far
    bool ended = false;     // its last line ended short with a full stop
  };

  // The right edge of the text column a line belongs to: the widest line
  // starting at the same left edge. A line well short of it ends a paragraph.
  static double ColumnRight(const std::vector<const Line*>& lines, const Line& l) {
    double right = l.x1;
    for (const Line* o : lines)
      if (o->cells.size() == 1 && std::abs(o->x0 - l.x0) < l.size * 1.5)
        right = std::max(right, o->x1);
    return right;
  }

  int HeadingLevel(const Line& l) const {
    if (!IsHeadingCandidate(l, body_)) return 0;
    const double size = RoundSize(l.size);
    for (size_t k = 0; k < heading_sizes_.size(); ++k)
      if (heading_sizes_[k] == size) return static_cast<int>(std::min<size_t>(k + 1, 6));
    return 0;
  }

  void AddLine(const Line& l, double column_right) {
    const std::string& text = l.cells[0].text;
    const int level = HeadingLevel(l);
    if (level > 0) {
      const bool wrapped = cur_.kind == Block::Kind::kHeading && cur_.level == level &&
                           l.y0 - cur_.y1 < 0.8 * l.size && cur_.lines < 3;
      if (!wrapped) FlushParagraph();
      Append(l, text, Block::Kind::kHeading, level);
      cur_.ended = true;  // the text after a heading is a new paragraph
      return;
    }
    std::string bullet_text = StripBullet(text);
    const bool bullet = !bullet_text.empty();
    const double gap = l.y0 - cur_.y1;
    bool fresh = cur_.text.empty() || cur_.kind == Block::Kind::kHeading || cur_.ended ||
                 std::abs(RoundSize(l.size) - RoundSize(cur_.size)) > 0.15 * l.size ||
                 gap > 0.8 * l.size || gap < -0.5 * l.size || l.x1 < cur_.x0 || l.x0 > cur_.x1 ||
                 (cur_.inner_gap >= 0 && gap > cur_.inner_gap + 0.35 * l.size) ||
                 // A list item's lines hang under its text, never left of
                 // its bullet: a line out there is the next paragraph.
                 (cur_.kind == Block::Kind::kListItem && l.x0 < cur_.x0 - 0.5 * l.size);
    if (bullet) {
      // "- " and "* " open an item only where a paragraph may start anyway.
      const char32_t first = utf8::ToCodePoints(text.substr(0, 4)).front();
      if (IsBullet(first) || fresh) {
        FlushParagraph();
        Append(l, bullet_text, Block::Kind::kListItem, 0);
        cur_.ended = l.x1 < column_right - 2.5 * l.size && IsSentenceEnd(text);
        return;
      }
    }
    if (fresh) {
      FlushParagraph();
      Append(l, text, StartsWithNumbering(text) ? Block::Kind::kListItem : Block::Kind::kParagraph,
             0);
    } else {
      Append(l, text, cur_.kind, 0);
      cur_.inner_gap = cur_.inner_gap < 0 ? gap : std::max(cur_.inner_gap, gap);
    }
    cur_.ended = l.x1 < column_right - 2.5 * l.size && IsSentenceEnd(text);
  }

  void Append(const Line& l, std::string_view text, Block::Kind kind, int level) {
    if (cur_.text.empty()) {
      cur_.kind = kind;
      cur_.level = level;
      cur_.x0 = l.x0;
      cur_.x1 = l.x1;
      cur_.size = l.size;
      cur_.lines = 0;
      cur_.inner_gap = -1;
    }
    AppendWrappedLine(cur_.text, text);
    cur_.x0 = std::min(cur_.x0, l.x0);
    cur_.x1 = std::max(cur_.x1, l.x1);
    cur_.y1 = l.y1;
    ++cur_.lines;
  }

  void FlushParagraph() {
    if (!cur_.text.empty()) Emit(cur_.kind, cur_.level, cur_.text);
    cur_ = Paragraph{};
  }

  // Rows as records: with a header row (bold, or words over a body of
  // numbers), "header: value | header: value", like the HTML loader.
  void FlushTable() {
    if (table_.empty()) return;
    const Line& first = table_.front();
    bool header = table_.size() >= 2 && first.cells.size() >= 2;
    if (header) {
      const bool bold =
          std::all_of(first.cells.begin(), first.cells.end(), [](const Cell& c) { return c.bold; });
      bool body_bold = true;
      size_t numeric_rows = 0;
      for (size_t r = 1; r < table_.size(); ++r) {
        for (const Cell& c : table_[r].cells) body_bold = body_bold && c.bold;
        numeric_rows += HasDigit(LineText(table_[r]));
      }
      const bool words_over_numbers =
          !HasDigit(LineText(first)) && numeric_rows * 2 >= table_.size() - 1;
      header = (bold && !body_bold) || words_over_numbers;
    }
    for (size_t r = 0; r < table_.size(); ++r) {
      const Line& row = table_[r];
      std::string text;
      const bool keyed = header && r > 0 && row.cells.size() == first.cells.size();
      for (size_t c = 0; c < row.cells.size(); ++c) {
        if (row.cells[c].text.empty()) continue;
        if (!text.empty()) text += " | ";
        if (keyed && !first.cells[c].text.empty()) text += first.cells[c].text + ": ";
        text += row.cells[c].text;
      }
      if (!text.empty()) Emit(Block::Kind::kTableRow, 0, text);
    }
    table_.clear();
  }

  void Emit(Block::Kind kind, int level, std::string text) {
    Block b;
    b.kind = kind;
    b.level = level;
    b.text = std::move(text);
    b.page = page_;
    b.location = location_;
    out_->push_back(std::move(b));
  }

  double body_;
  std::vector<double> heading_sizes_;  // largest first
  std::vector<Block>* out_ = nullptr;
  int page_ = 0;
  std::string location_;
  Paragraph cur_;
  std::vector<Line> table_;
};

// The body size is the one most characters are set in; sizes clearly above
// it, used on short lines, are heading sizes, ranked largest first.
void HeadingSizes(const std::vector<Page>& pages, double& body, std::vector<double>& headings) {
  std::map<double, size_t> chars;
  for (const Page& p : pages)
    for (const Line& l : p.lines)
      if (!l.dropped) chars[RoundSize(l.size)] += l.chars;
  size_t best = 0;
  body = 0;
  for (const auto& [size, n] : chars)
    if (n > best) best = n, body = size;
  std::map<double, size_t> candidates;
  for (const Page& p : pages)
    for (const Line& l : p.lines)
      if (!l.dropped && IsHeadingCandidate(l, body)) candidates[RoundSize(l.size)] += l.chars;
  headings.clear();
  for (const auto& [size, n] : candidates) {
    // A size used for more text than the body is a second body (a large-print
    // section), not a heading.
    if (n > best) continue;
    headings.push_back(size);
  }
  std::sort(headings.rbegin(), headings.rend());
}

bool MeaningfulTitle(std::string& title) {
  const auto first = title.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return false;
  title.erase(0, first);
  title.erase(title.find_last_not_of(" \t\r\n") + 1);
  if (!utf8::IsValid(title) || title.size() > 300) return false;
  std::string lower;
  for (char c : title) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* placeholder : {"untitled", "title", "document", "microsoft word", "slide 1",
                                  "powerpoint presentation", "pdf", "无标题", "unknown"})
    if (lower == placeholder) return false;
  if (lower.starts_with("microsoft word - ") || lower.starts_with("untitled") ||
      lower.find(":\\") != std::string::npos || lower.starts_with("/"))
    return false;
  for (const char* ext : {".doc", ".docx", ".pdf", ".tex", ".dvi", ".ps", ".indd", ".odt", ".rtf",
                          ".txt", ".ppt", ".pptx", ".xls", ".xlsx", ".qxd", ".html", ".htm"})
    if (lower.ends_with(ext)) return false;
  return true;
}

bool HasEofMarker(std::string_view bytes) {
  const size_t tail = std::min<size_t>(bytes.size(), 4096);
  return bytes.substr(bytes.size() - tail).find("%%EOF") != std::string_view::npos;
}

// Pages are rendered for OCR at 300 dpi, lower for pages so large that the
// bitmap would pass this many pixels.
constexpr double kMaxRenderPixels = 60e6;

Result<std::vector<std::string>> OcrPage(const poppler::page& page, const LoadOptions& options) {
  const poppler::rectf box = page.page_rect(poppler::media_box);
  const double w_in = std::abs(box.width()) / 72, h_in = std::abs(box.height()) / 72;
  if (!(w_in > 0) || !(h_in > 0)) return std::vector<std::string>{};
  double dpi = 300;
  if (w_in * h_in * dpi * dpi > kMaxRenderPixels) dpi = std::sqrt(kMaxRenderPixels / (w_in * h_in));
  if (dpi < 20) return std::vector<std::string>{};  // a poster-sized page: no legible scan
  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  renderer.set_image_format(poppler::image::format_gray8);
  poppler::image image = renderer.render_page(&page, dpi, dpi);
  if (!image.is_valid() || image.width() <= 0 || image.height() <= 0)
    return std::vector<std::string>{};
  int bpp = 1;
  switch (image.format()) {
    case poppler::image::format_gray8:
      bpp = 1;
      break;
    case poppler::image::format_rgb24:
    case poppler::image::format_bgr24:
      bpp = 3;
      break;
    case poppler::image::format_argb32:
      bpp = 4;
      break;
    default:
      return std::vector<std::string>{};
  }
  const auto* pixels = reinterpret_cast<const unsigned char*>(image.const_data());
  // A blank page (a separator, the back of a sheet) costs a second of OCR
  // for nothing; anything with a few hundred dark pixels gets it.
  if (bpp == 1) {
    size_t dark = 0;
    for (int y = 0; y < image.height(); ++y) {
      const unsigned char* row = pixels + static_cast<size_t>(y) * image.bytes_per_row();
      for (int x = 0; x < image.width(); ++x) dark += row[x] < 128;
    }
    if (dark < 200) return std::vector<std::string>{};
  }
  auto text =
      RecognizePixels(pixels, image.width(), image.height(), bpp, image.bytes_per_row(), options);
  if (!text) return Err(text.error());
  return OcrParagraphs(*text);
}

Result<ParsedDocument> Parse(std::string_view bytes, const LoadOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  if (bytes.empty()) return Err(Status::InvalidArgument("empty file (0 bytes), not a PDF"));
  if (bytes.size() > static_cast<size_t>(INT_MAX))
    return Err(Status::InvalidArgument("PDF larger than 2 GB"));
  if (bytes.substr(0, 1024).find("%PDF-") == std::string_view::npos)
    return Err(Status::Unsupported("not a PDF (no %PDF- header)"));

  PopplerLog log;
  std::unique_ptr<poppler::document> pdf(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!pdf) {
    const std::string why = log.First();
    return Err(Status::Corruption("damaged PDF, poppler cannot open it" +
                                  (why.empty() ? std::string() : " (" + why + ")")));
  }
  if (pdf->is_locked())
    return Err(Status::Unsupported("PDF is encrypted with a password; askio cannot read it"));
  // poppler rebuilds a missing cross-reference table by scanning the file,
  // which "succeeds" on a cut-off download and silently loses its end.
  if (!HasEofMarker(bytes) && !log.messages().empty())
    return Err(Status::Corruption(
        "PDF is truncated (no end-of-file marker; poppler: " + log.First() + ")"));
  const int page_count = pdf->pages();
  if (page_count <= 0) {
    const std::string why = log.First();
    return Err(Status::Corruption("damaged PDF: no pages" +
                                  (why.empty() ? std::string() : " (" + why + ")")));
  }

  ParsedDocument doc;
  doc.type = "pdf";
  doc.pages = page_count;
  doc.title = ToUtf8(pdf->get_title());
  if (!MeaningfulTitle(doc.title)) doc.title.clear();

  const int to_read = std::clamp(options.max_pages, 0, page_count);
  const double budget = options.time_budget_seconds;
  std::vector<Page> pages;
  pages.reserve(to_read);
  for (int i = 0; i < to_read; ++i) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (budget > 0 && elapsed > budget)
      return Err(Status::InvalidArgument("PDF took longer than " + Seconds(budget) +
                                         " s to read (stopped at page " + std::to_string(i + 1) +
                                         " of " + std::to_string(page_count) + ")"));
    Page page;
    page.number = i + 1;
    std::unique_ptr<poppler::page> p(pdf->create_page(i));
    if (!p) {
      pages.push_back(std::move(page));
      continue;
    }
    double width = 0;
    const std::vector<Word> words = PageWords(*p, &width, &page.height);
    page.lines = PageLines(words, width);
    if (page.lines.empty() && options.ocr) {
      LoadOptions ocr_options = options;
      if (budget > 0) ocr_options.time_budget_seconds = std::max(0.001, budget - elapsed);
      auto paragraphs = OcrPage(*p, ocr_options);
      if (!paragraphs) {
        Status s = paragraphs.error();
        return Err(Status(s.code(), "page " + std::to_string(i + 1) + ": " + s.message()));
      }
      page.ocr_paragraphs = std::move(*paragraphs);
    }
    pages.push_back(std::move(page));
  }

  DropRunningHeadersAndFooters(pages);
  double body = 0;
  std::vector<double> heading_sizes;
  HeadingSizes(pages, body, heading_sizes);
  BlockBuilder builder(body, heading_sizes);
  for (const Page& page : pages) builder.AddPage(page, doc.blocks);
  return doc;
}

}  // namespace

Result<ParsedDocument> ParsePdf(std::string_view bytes, const LoadOptions& options) {
  try {
    return Parse(bytes, options);
  } catch (const std::bad_alloc&) {
    return Err(Status::IOError("out of memory reading the PDF"));
  } catch (const std::exception& e) {
    return Err(Status::Internal(std::string("PDF reader failed: ") + e.what()));
  }
}

}  // namespace askio::ingest
