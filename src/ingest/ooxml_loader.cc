#include "ingest/ooxml_loader.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ingest/csv_loader.h"

namespace askio::ingest {
namespace {

// ---------------------------------------------------------------- XML ----

// Writers agree on namespace URIs but not on prefixes (w:, a:, x:, or a
// default namespace), so elements and attributes are matched by local name.
std::string_view Local(const char* name) {
  const std::string_view s(name);
  const size_t colon = s.find(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

bool Is(pugi::xml_node n, std::string_view local) {
  return n.type() == pugi::node_element && Local(n.name()) == local;
}

pugi::xml_node Child(pugi::xml_node n, std::string_view local) {
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling())
    if (Is(c, local)) return c;
  return {};
}

std::string_view Attr(pugi::xml_node n, std::string_view local) {
  for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute())
    if (Local(a.name()) == local) return a.value();
  return {};
}

// The relationship id (r:id). Elements such as <p:sldId id="256" r:id="rId2">
// also carry an unprefixed id, so only a prefixed one counts.
std::string_view RelId(pugi::xml_node n) {
  for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
    const std::string_view name = a.name();
    if (name.find(':') != std::string_view::npos && Local(a.name()) == "id") return a.value();
  }
  return {};
}

int ToInt(std::string_view s, int fallback = 0) {
  if (s.empty()) return fallback;
  char* end = nullptr;
  const std::string copy(s);
  const long v = std::strtol(copy.c_str(), &end, 10);
  if (end == copy.c_str()) return fallback;
  return static_cast<int>(std::clamp<long>(v, -1'000'000'000, 1'000'000'000));
}

// An on/off property (<w:tblHeader/>, <w:tblHeader w:val="false"/>).
bool OnOff(pugi::xml_node n) {
  if (!n) return false;
  const std::string_view v = Attr(n, "val");
  return v != "0" && v != "false" && v != "off";
}

// mc:AlternateContent offers the same content several ways; reading every
// branch would repeat it. The first Choice is the modern form.
pugi::xml_node ChosenBranch(pugi::xml_node alternate) {
  if (pugi::xml_node choice = Child(alternate, "Choice")) return choice;
  return Child(alternate, "Fallback");
}

// Hostile files nest elements hundreds of thousands deep, which would
// overflow the stack of the recursive walks; real documents nest a few
// dozen levels. Content deeper than this is not read.
constexpr int kMaxNesting = 256;

class NestingGuard {
 public:
  explicit NestingGuard(int& depth) : depth_(depth) { ++depth_; }
  ~NestingGuard() { --depth_; }
  NestingGuard(const NestingGuard&) = delete;
  NestingGuard& operator=(const NestingGuard&) = delete;
  bool too_deep() const { return depth_ > kMaxNesting; }

 private:
  int& depth_;
};

std::string Trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Spreadsheet strings escape characters XML cannot carry as _xHHHH_ (a CR
// in a cell is "_x000D_"; a literal "_x000D_" is written "_x005F_x000D_").
std::string DecodeXString(std::string_view s) {
  if (s.find("_x") == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '_' && i + 6 < s.size() && s[i + 1] == 'x' && s[i + 6] == '_' &&
        std::all_of(s.begin() + static_cast<long>(i) + 2, s.begin() + static_cast<long>(i) + 6,
                    [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
      const uint32_t cp =
          static_cast<uint32_t>(std::strtoul(std::string(s.substr(i + 2, 4)).c_str(), nullptr, 16));
      if (cp == '\t' || cp == '\n' || cp == '\r')
        out += ' ';
      else if (cp >= 0x20 && (cp < 0xD800 || cp > 0xDFFF))
        AppendUtf8(cp, out);
      i += 7;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// ------------------------------------------------------------ package ----

// Parses `xml` (part `name`, or the piece of it starting at byte `offset`)
// into `doc`.
Status ParseXml(std::string_view name, std::string_view xml, size_t offset, pugi::xml_document& doc,
                unsigned extra_flags = 0) {
  // parse_doctype only keeps the DOCTYPE as a node so it can be refused
  // below; pugixml never resolves external entities nor expands entities
  // declared in a DTD, with or without it. parse_ws_pcdata_single keeps
  // <w:t xml:space="preserve"> </w:t>, the space between two runs.
  const unsigned flags =
      pugi::parse_default | pugi::parse_doctype | pugi::parse_ws_pcdata_single | extra_flags;
  const pugi::xml_parse_result r = doc.load_buffer(xml.data(), xml.size(), flags);
  if (!r)
    return Status::Corruption(std::string(name) + ": malformed XML at byte " +
                              std::to_string(offset + static_cast<size_t>(r.offset)) + " (" +
                              r.description() + ")");
  for (pugi::xml_node n = doc.first_child(); n; n = n.next_sibling())
    if (n.type() == pugi::node_doctype)
      return Status::Corruption(std::string(name) +
                                ": declares a DTD (<!DOCTYPE>), which OOXML forbids; "
                                "refusing a broken or hostile file");
  return Status::Ok();
}

class Package {
 public:
  // Indexed once: a deck has a few parts per slide, and looking each up by
  // scanning thousands of members would be quadratic.
  explicit Package(const ArchiveContents& archive) {
    for (const ArchiveMember& m : archive.members) {
      parts_.try_emplace(m.name, &m.bytes);
      // Part names are case-insensitive (ECMA-376 Part 2); writers differ.
      lower_parts_.try_emplace(Lower(m.name), &m.bytes);
    }
  }

  const std::string* Bytes(std::string_view name) const {
    if (auto it = parts_.find(std::string(name)); it != parts_.end()) return it->second;
    if (auto it = lower_parts_.find(Lower(name)); it != lower_parts_.end()) return it->second;
    return nullptr;
  }

  // Parses part `name` into `doc`: false if the package lacks it; an error
  // if it is not well-formed XML or declares a DTD.
  Result<bool> Load(std::string_view name, pugi::xml_document& doc,
                    unsigned extra_flags = 0) const {
    const std::string* bytes = Bytes(name);
    if (!bytes) return false;
    ASKIO_RETURN_IF_ERROR(ParseXml(name, *bytes, 0, doc, extra_flags));
    return true;
  }

 private:
  std::unordered_map<std::string, const std::string*> parts_, lower_parts_;
};

std::string DirOf(std::string_view part) {
  const size_t slash = part.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(part.substr(0, slash + 1));
}

// A relationship target, relative to the source part's folder (or absolute
// from the package root), as a normalised part name.
std::string Resolve(std::string_view source_part, std::string_view target) {
  std::string path = target.starts_with('/') ? std::string(target.substr(1))
                                             : DirOf(source_part) + std::string(target);
  std::vector<std::string> segments;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    const std::string seg = path.substr(pos, slash - pos);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    pos = slash + 1;
  }
  std::string out;
  for (const std::string& s : segments) out += (out.empty() ? "" : "/") + s;
  return out;
}

struct Relationship {
  std::string type;    // the full type URI
  std::string target;  // resolved part name
};
using Relationships = std::map<std::string, Relationship, std::less<>>;

// The relationships of `part` ("" for the package itself).
Result<Relationships> LoadRelationships(const Package& package, std::string_view part) {
  const std::string rels_part =
      DirOf(part) + "_rels/" + std::string(part.substr(DirOf(part).size())) + ".rels";
  pugi::xml_document xml;
  auto loaded = package.Load(rels_part, xml);
  if (!loaded) return Err(loaded.error());
  Relationships rels;
  if (!*loaded) return rels;
  for (pugi::xml_node r = xml.document_element().first_child(); r; r = r.next_sibling()) {
    if (!Is(r, "Relationship") || Attr(r, "TargetMode") == "External") continue;
    rels[std::string(Attr(r, "Id"))] = {std::string(Attr(r, "Type")),
                                        Resolve(part, Attr(r, "Target"))};
  }
  return rels;
}

// Types differ between transitional and strict OOXML only in their prefix,
// so they are matched by their last segment ("officeDocument", "styles").
std::string TargetOfType(const Relationships& rels, std::string_view type_name,
                         std::string fallback) {
  for (const auto& [id, rel] : rels) {
    const std::string_view type = rel.type;
    if (type.size() > type_name.size() && type.ends_with(type_name) &&
        type[type.size() - type_name.size() - 1] == '/')
      return rel.target;
  }
  return fallback;
}

Result<std::string> MainPart(const Package& package, std::string fallback) {
  auto rels = LoadRelationships(package, "");
  if (!rels) return Err(rels.error());
  return TargetOfType(*rels, "officeDocument", std::move(fallback));
}

// dc:title from the core properties; a broken core part only loses the title.
std::string CoreTitle(const Package& package) {
  std::string part = "docProps/core.xml";
  if (auto rels = LoadRelationships(package, ""))
    part = TargetOfType(*rels, "core-properties", part);
  pugi::xml_document xml;
  auto loaded = package.Load(part, xml);
  if (!loaded || !*loaded) return {};
  return Trim(Child(xml.document_element(), "title").child_value());
}

Status MissingPart(const std::string& part, const char* what) {
  return Status::Corruption(part + ": missing from the package (" + what + ")");
}

// ---------------------------------------------------------------- DOCX ----

// Excel's column limit; Word tables are far narrower.
constexpr int kMaxTableColumns = 16384;

std::string Roman(int n) {
  static const std::pair<int, const char*> kDigits[] = {
      {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
      {40, "xl"},  {10, "x"},   {9, "ix"},  {5, "v"},    {4, "iv"},  {1, "i"}};
  std::string out;
  for (const auto& [value, digits] : kDigits)
    while (n >= value && out.size() < 32) {
      out += digits;
      n -= value;
    }
  return out;
}

// "heading 3" -> 3, "title" -> 1; also the Chinese names some templates
// give their own styles ("标题 2").
int LevelFromStyleName(const std::string& lower_name) {
  if (lower_name == "title") return 1;
  for (std::string_view prefix : {std::string_view("heading"), std::string_view("标题")}) {
    if (!lower_name.starts_with(prefix)) continue;
    std::string_view rest = std::string_view(lower_name).substr(prefix.size());
    while (rest.starts_with(' ')) rest.remove_prefix(1);
    if (rest.size() == 1 && rest[0] >= '1' && rest[0] <= '9') return rest[0] - '0';
  }
  return 0;
}

class DocxReader {
 public:
  explicit DocxReader(const Package& package) : package_(package) {}

  Status LoadStyles(const std::string& part) {
    pugi::xml_document xml;
    auto loaded = package_.Load(part, xml);
    if (!loaded) return loaded.error();
    if (!*loaded) return Status::Ok();
    for (pugi::xml_node s = xml.document_element().first_child(); s; s = s.next_sibling()) {
      if (!Is(s, "style") || Attr(s, "type") != "paragraph") continue;
      Style style;
      style.name = Lower(Attr(Child(s, "name"), "val"));
      style.based_on = Attr(Child(s, "basedOn"), "val");
      if (pugi::xml_node ppr = Child(s, "pPr")) {
        if (pugi::xml_node o = Child(ppr, "outlineLvl")) style.outline = ToInt(Attr(o, "val"), -1);
        if (pugi::xml_node num = Child(ppr, "numPr"))
          if (pugi::xml_node id = Child(num, "numId")) style.numbered = Attr(id, "val") != "0";
      }
      const std::string id(Attr(s, "styleId"));
      if (Attr(s, "default") == "1" || Attr(s, "default") == "true") default_style_ = id;
      styles_[id] = std::move(style);
    }
    return Status::Ok();
  }

  // Block content: the body, a table cell, a text box, a footnote.
  void Body(pugi::xml_node container, ParsedDocument& out) {
    const NestingGuard guard(depth_);
    if (guard.too_deep()) return;
    for (pugi::xml_node n = container.first_child(); n; n = n.next_sibling()) {
      if (n.type() != pugi::node_element) continue;
      const std::string_view name = Local(n.name());
      if (name == "p") {
        Paragraph(n, out);
      } else if (name == "tbl") {
        Table(n, out);
      } else if (name == "sdt") {
        // A table of contents repeats the headings with page numbers.
        const std::string_view gallery =
            Attr(Child(Child(Child(n, "sdtPr"), "docPartObj"), "docPartGallery"), "val");
        if (gallery != "Table of Contents") Body(Child(n, "sdtContent"), out);
      } else if (name == "customXml" || name == "ins" || name == "moveTo" || name == "smartTag") {
        Body(n, out);
      } else if (name == "AlternateContent") {
        Body(ChosenBranch(n), out);
      }
    }
  }

  // "[3]" in the text; the note itself comes at the end under that number.
  std::string NoteMark(bool endnote, std::string_view id) {
    auto& numbers = endnote ? endnote_numbers_ : footnote_numbers_;
    const auto [it, added] =
        numbers.try_emplace(std::string(id), static_cast<int>(numbers.size()) + 1);
    return "[" + (endnote ? Roman(it->second) : std::to_string(it->second)) + "]";
  }

  Status AppendNotes(const std::string& part, bool endnote, ParsedDocument& doc) {
    pugi::xml_document xml;
    auto loaded = package_.Load(part, xml);
    if (!loaded) return loaded.error();
    if (!*loaded) return Status::Ok();
    std::vector<std::pair<int, std::string>> notes;
    auto& numbers = endnote ? endnote_numbers_ : footnote_numbers_;
    for (pugi::xml_node n = xml.document_element().first_child(); n; n = n.next_sibling()) {
      if (!Is(n, endnote ? "endnote" : "footnote")) continue;
      // The separator lines between text and notes are notes too.
      const std::string_view type = Attr(n, "type");
      if (!type.empty() && type != "normal") continue;
      const std::string id(Attr(n, "id"));
      const auto [it, added] = numbers.try_emplace(id, static_cast<int>(numbers.size()) + 1);
      std::string text = BlocksText(n);
      if (!text.empty()) notes.emplace_back(it->second, std::move(text));
    }
    if (notes.empty()) return Status::Ok();
    std::sort(notes.begin(), notes.end());
    doc.blocks.push_back({Block::Kind::kHeading, 1, endnote ? "Endnotes" : "Footnotes"});
    for (auto& [number, text] : notes)
      doc.blocks.push_back(
          {Block::Kind::kParagraph, 0,
           "[" + (endnote ? Roman(number) : std::to_string(number)) + "] " + text});
    return Status::Ok();
  }

  const std::string& first_title() const { return first_title_; }

 private:
  struct Style {
    std::string name;  // lower-cased
    std::string based_on;
    int outline = -1;   // w:outlineLvl (0-based; 9 = body text), -1 when unset
    int numbered = -1;  // -1 unset, 0 numbering removed, 1 numbered
  };

  const Style* Find(const std::string& id) const {
    auto it = styles_.find(id);
    return it == styles_.end() ? nullptr : &it->second;
  }

  // Properties are inherited along w:basedOn; the hop limit guards cycles.
  int HeadingLevel(std::string id) const {
    for (int hops = 0; hops < 32; ++hops) {
      const Style* s = Find(id);
      if (!s) return 0;
      if (const int level = LevelFromStyleName(s->name)) return level;
      if (s->outline >= 0) return s->outline <= 8 ? s->outline + 1 : 0;
      id = s->based_on;
    }
    return 0;
  }

  bool Numbered(std::string id) const {
    for (int hops = 0; hops < 32; ++hops) {
      const Style* s = Find(id);
      if (!s) return false;
      if (s->numbered >= 0) return s->numbered == 1;
      id = s->based_on;
    }
    return false;
  }

  void Paragraph(pugi::xml_node p, ParsedDocument& out) {
    std::string style = default_style_;
    int outline = -1, numbered = -1;
    if (pugi::xml_node ppr = Child(p, "pPr")) {
      if (pugi::xml_node s = Child(ppr, "pStyle")) style = Attr(s, "val");
      if (pugi::xml_node o = Child(ppr, "outlineLvl")) outline = ToInt(Attr(o, "val"), -1);
      if (pugi::xml_node num = Child(ppr, "numPr"))
        if (pugi::xml_node id = Child(num, "numId")) numbered = Attr(id, "val") != "0";
    }
    const Style* own = Find(style);
    if (own && own->name.starts_with("toc ")) return;  // table-of-contents lines

    std::vector<pugi::xml_node> boxes;
    std::string text;
    Inline(p, text, boxes);
    text = Trim(text);
    if (!text.empty()) {
      const int level = outline >= 0 ? (outline <= 8 ? outline + 1 : 0) : HeadingLevel(style);
      if (level > 0) {
        out.blocks.push_back({Block::Kind::kHeading, std::min(level, 6), text});
        if (own && own->name == "title" && first_title_.empty()) first_title_ = text;
      } else if (numbered == 1 || (numbered == -1 && Numbered(style))) {
        out.blocks.push_back({Block::Kind::kListItem, 0, std::move(text)});
      } else {
        out.blocks.push_back({Block::Kind::kParagraph, 0, std::move(text)});
      }
    }
    // Text boxes anchored in the paragraph read as paragraphs after it.
    for (pugi::xml_node box : boxes) Body(box, out);
  }

  void Inline(pugi::xml_node node, std::string& out, std::vector<pugi::xml_node>& boxes) {
    const NestingGuard guard(depth_);
    if (guard.too_deep()) return;
    for (pugi::xml_node n = node.first_child(); n; n = n.next_sibling()) {
      if (n.type() != pugi::node_element) continue;
      const std::string_view name = Local(n.name());
      if (name == "t") {
        out += n.child_value();
      } else if (name == "tab" || name == "ptab") {
        out += ' ';
      } else if (name == "br" || name == "cr") {
        out += '\n';
      } else if (name == "noBreakHyphen") {
        out += '-';
      } else if (name == "footnoteReference" || name == "endnoteReference") {
        out += NoteMark(name == "endnoteReference", Attr(n, "id"));
      } else if (name == "txbxContent") {
        boxes.push_back(n);
      } else if (name == "AlternateContent") {
        Inline(ChosenBranch(n), out, boxes);
      } else if (name == "del" || name == "moveFrom" || name == "delText" || name == "instrText" ||
                 name == "delInstrText" || name == "pPr" || name == "rPr" || name == "rt") {
        // Deleted text, field codes (HYPERLINK "...", PAGE), formatting,
        // and ruby guide text above the base text.
      } else {
        Inline(n, out, boxes);  // runs, hyperlinks, insertions, fields, math
      }
    }
  }

  // The text of block content, paragraphs joined by spaces (a table cell,
  // a note).
  std::string BlocksText(pugi::xml_node container) {
    ParsedDocument inner;
    Body(container, inner);
    std::string text;
    for (const Block& b : inner.blocks) text += (text.empty() ? "" : " ") + b.text;
    return text;
  }

  // Rows and cells may be wrapped in content controls or custom XML.
  static void Collect(pugi::xml_node parent, std::string_view local,
                      std::vector<pugi::xml_node>& out, int depth = 0) {
    if (depth > kMaxNesting) return;
    for (pugi::xml_node n = parent.first_child(); n; n = n.next_sibling()) {
      if (Is(n, local)) {
        out.push_back(n);
      } else if (Is(n, "sdt")) {
        Collect(Child(n, "sdtContent"), local, out, depth + 1);
      } else if (Is(n, "customXml") || Is(n, "ins") || Is(n, "moveTo")) {
        Collect(n, local, out, depth + 1);
      }
    }
  }

  void Table(pugi::xml_node tbl, ParsedDocument& out) {
    struct Cell {
      pugi::xml_node node;
      int col, span;
      bool continues;  // a vertical merge's lower part
    };
    std::vector<pugi::xml_node> tr_nodes;
    Collect(tbl, "tr", tr_nodes);
    std::vector<std::vector<Cell>> grid;
    int header_rows = 0, width = 0;
    bool leading = true;
    for (pugi::xml_node tr : tr_nodes) {
      const pugi::xml_node trpr = Child(tr, "trPr");
      leading = leading && OnOff(Child(trpr, "tblHeader"));
      if (leading) ++header_rows;
      int col = std::clamp(ToInt(Attr(Child(trpr, "gridBefore"), "val")), 0, 1000);
      std::vector<pugi::xml_node> tcs;
      Collect(tr, "tc", tcs);
      std::vector<Cell> row;
      for (pugi::xml_node tc : tcs) {
        if (col >= kMaxTableColumns) break;
        const pugi::xml_node tcpr = Child(tc, "tcPr");
        const int span = std::clamp(ToInt(Attr(Child(tcpr, "gridSpan"), "val"), 1), 1, 1000);
        const pugi::xml_node vmerge = Child(tcpr, "vMerge");
        row.push_back({tc, col, span, vmerge && Attr(vmerge, "val") != "restart"});
        col += span;
      }
      width = std::max(width, col);
      grid.push_back(std::move(row));
    }
    // A one-column table is a box around text (a note, a code sample), not
    // data: read its cells as ordinary content.
    if (width <= 1) {
      for (const auto& row : grid)
        for (const Cell& c : row) Body(c.node, out);
      return;
    }

    std::vector<SparseRow> rows;
    std::map<int, std::string> above;  // last text starting at each column
    for (size_t r = 0; r < grid.size(); ++r) {
      SparseRow row;
      row.number = static_cast<int64_t>(r) + 1;
      for (const Cell& c : grid[r]) {
        std::string text = c.continues ? above[c.col] : BlocksText(c.node);
        above[c.col] = text;
        if (!text.empty()) row.cells.emplace_back(c.col, std::move(text));
      }
      rows.push_back(std::move(row));
    }
    // Several repeated header rows ("Sales" spanning "2023 | 2024") make one
    // header: "Sales 2023 | Sales 2024".
    if (header_rows >= 2 && header_rows <= 8 && static_cast<size_t>(header_rows) < grid.size()) {
      std::map<int, std::string> merged;
      for (int r = 0; r < header_rows; ++r)
        for (const Cell& c : grid[r]) {
          std::string text = c.continues ? std::string() : Trim(BlocksText(c.node));
          if (text.empty()) continue;
          for (int col = c.col; col < c.col + c.span && col < width; ++col) {
            std::string& h = merged[col];
            if (!h.ends_with(text)) h += (h.empty() ? "" : " ") + text;
          }
        }
      SparseRow header;
      header.number = 1;
      for (auto& [col, text] : merged) header.cells.emplace_back(col, std::move(text));
      rows.erase(rows.begin(), rows.begin() + header_rows);
      rows.insert(rows.begin(), std::move(header));
    }
    TablePlacement placement;
    placement.number_rows = false;
    AppendTable(rows, placement, out);
  }

  const Package& package_;
  std::map<std::string, Style, std::less<>> styles_;
  std::string default_style_;
  std::map<std::string, int, std::less<>> footnote_numbers_, endnote_numbers_;
  std::string first_title_;
  int depth_ = 0;  // of Body and Inline
};

// ---------------------------------------------------------------- XLSX ----

// How a number cell reads, from its style's number format.
struct NumberFormat {
  bool date = false, time = false, seconds = false, percent = false;
};

NumberFormat AnalyseFormatCode(std::string_view code) {
  NumberFormat f;
  if (Lower(code).find("general") != std::string::npos) return f;
  bool m = false;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(code[i])));
    if (c == '"') {  // literal text
      const size_t close = code.find('"', i + 1);
      i = close == std::string_view::npos ? code.size() : close;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;                  // an escaped or padding character
    } else if (c == '[') {  // colour, locale, condition; [h] [mm] [ss] are elapsed time
      const size_t close = code.find(']', i + 1);
      const std::string inner = Lower(
          code.substr(i + 1, (close == std::string_view::npos ? code.size() : close) - i - 1));
      if (!inner.empty() && inner.find_first_not_of("hms") == std::string::npos) {
        f.time = true;
        f.seconds = f.seconds || inner.find('s') != std::string::npos;
      }
      i = close == std::string_view::npos ? code.size() : close;
    } else if (c == 'y' || c == 'd' || c == 'e') {
      f.date = true;
    } else if (c == 'h') {
      f.time = true;
    } else if (c == 's') {
      f.time = f.seconds = true;
    } else if (c == 'm') {
      m = true;
    } else if (c == '%') {
      f.percent = true;
    }
  }
  // "m" is minutes beside hours or seconds, else the month.
  if (m && !f.time) f.date = true;
  if (f.date || f.time) f.percent = false;
  return f;
}

NumberFormat BuiltinFormat(int id) {
  NumberFormat f;
  if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) || id == 36 ||
      (id >= 50 && id <= 54) || id == 57 || id == 58)
    f.date = true;
  if ((id >= 18 && id <= 22) || (id >= 32 && id <= 35) || (id >= 45 && id <= 47) || id == 55 ||
      id == 56)
    f.time = true;
  f.seconds = id == 19 || id == 21 || id == 33 || id == 35 || (id >= 45 && id <= 47);
  f.percent = id == 9 || id == 10;
  return f;
}

// Days since 1970-01-01 -> civil date (H. Hinnant's algorithm).
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

std::string FormatDate(double serial, const NumberFormat& f, bool date1904) {
  if (!std::isfinite(serial) || serial < 0 || serial > 2958466) return {};  // past 9999-12-31
  int64_t days = static_cast<int64_t>(std::floor(serial));
  int64_t secs = std::llround((serial - static_cast<double>(days)) * 86400);
  if (secs >= 86400) {
    ++days;
    secs -= 86400;
  }
  char buf[64];
  std::string out;
  if (f.date) {
    if (!date1904 && days == 60) {
      out = "1900-02-29";  // Lotus 1-2-3's leap-year bug, kept by Excel
    } else {
      // Serial 1 is 1900-01-01 (1904-01-02 in the 1904 system); 1900
      // serials past the phantom 29 February are one day ahead.
      int64_t unix_days = date1904 ? days - 24107 : days - 25569;
      if (!date1904 && days < 60) ++unix_days;
      int64_t y;
      unsigned m, d;
      CivilFromDays(unix_days, y, m, d);
      std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
      out = buf;
    }
  }
  if (f.time) {
    if (f.seconds)
      std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                    static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
    else
      std::snprintf(buf, sizeof buf, "%02lld:%02lld", static_cast<long long>(secs / 3600),
                    static_cast<long long>(secs / 60 % 60));
    out += (out.empty() ? "" : " ") + std::string(buf);
  }
  return out;
}

// Numbers as the file stores them, except binary noise: writers store
// 0.1+0.2 as 0.30000000000000004, which no one typed.
std::string FormatNumber(std::string_view v, const NumberFormat& f, bool date1904) {
  if (!f.date && !f.time && !f.percent) {
    size_t digits = 0;
    for (char c : v) {
      if (c == 'e' || c == 'E') break;
      if (c >= '0' && c <= '9') ++digits;
    }
    if (digits <= 15) return std::string(v);
  }
  const std::string s(v);
  char* end = nullptr;
  const double x = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) return s;
  if (f.date || f.time) {
    std::string date = FormatDate(x, f, date1904);
    return date.empty() ? s : date;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", f.percent ? x * 100 : x);
  return std::string(buf) + (f.percent ? "%" : "");
}

// Concatenated text of a shared or inline string: plain <t>, or rich-text
// runs <r><t>; phonetic guides (<rPh>, furigana) are not the text.
std::string StringItemText(pugi::xml_node si) {
  std::string out;
  for (pugi::xml_node n = si.first_child(); n; n = n.next_sibling()) {
    if (Is(n, "t"))
      out += n.text().get();
    else if (Is(n, "r"))
      out += Child(n, "t").text().get();
  }
  return DecodeXString(out);
}

// "BC12" -> column 54 (0-based), row 12; false if malformed.
bool ParseCellRef(std::string_view ref, int& col, int64_t& row) {
  size_t i = 0;
  int c = 0;
  while (i < ref.size() && std::isalpha(static_cast<unsigned char>(ref[i]))) {
    c = c * 26 + (std::toupper(static_cast<unsigned char>(ref[i])) - 'A' + 1);
    if (++i > 3) return false;
  }
  if (i == 0 || c > kMaxTableColumns) return false;
  int64_t r = 0;
  const size_t digits_at = i;
  for (; i < ref.size() && std::isdigit(static_cast<unsigned char>(ref[i])); ++i) {
    r = r * 10 + (ref[i] - '0');
    if (r > 1'048'576) return false;
  }
  if (i != ref.size()) return false;
  col = c - 1;
  row = i == digits_at ? 0 : r;
  return true;
}

class XlsxReader {
 public:
  XlsxReader(const Package& package, bool date1904) : package_(package), date1904_(date1904) {}

  Status LoadSharedStrings(const std::string& part) {
    pugi::xml_document xml;
    auto loaded = package_.Load(part, xml, pugi::parse_embed_pcdata);
    if (!loaded) return loaded.error();
    if (!*loaded) return Status::Ok();
    for (pugi::xml_node si = xml.document_element().first_child(); si; si = si.next_sibling())
      if (Is(si, "si")) strings_.push_back(StringItemText(si));
    return Status::Ok();
  }

  Status LoadStyles(const std::string& part) {
    pugi::xml_document xml;
    auto loaded = package_.Load(part, xml);
    if (!loaded) return loaded.error();
    if (!*loaded) return Status::Ok();
    const pugi::xml_node root = xml.document_element();
    std::map<int, NumberFormat> custom;
    for (pugi::xml_node f = Child(Child(root, "numFmts"), "numFmt"); f; f = f.next_sibling())
      if (Is(f, "numFmt"))
        custom[ToInt(Attr(f, "numFmtId"), -1)] = AnalyseFormatCode(Attr(f, "formatCode"));
    for (pugi::xml_node xf = Child(Child(root, "cellXfs"), "xf"); xf; xf = xf.next_sibling()) {
      if (!Is(xf, "xf")) continue;
      const int id = ToInt(Attr(xf, "numFmtId"));
      auto it = custom.find(id);
      formats_.push_back(it != custom.end() ? it->second : BuiltinFormat(id));
    }
    return Status::Ok();
  }

  // Appends one sheet; `cells_left` is the workbook's remaining cell budget.
  Status AppendSheet(const std::string& part, const std::string& name, int page,
                     int64_t& cells_left, ParsedDocument& doc) {
    const std::string* bytes = package_.Bytes(part);
    if (!bytes) return Status::Ok();  // listed but absent: nothing to read
    // The rows are where a large workbook is large (a 100,000-row export is
    // ~100 MB of XML, its DOM several times that), so <sheetData> is parsed
    // a few megabytes of rows at a time and the rest of the sheet (merged
    // cells) on its own. Should the text not split cleanly (UTF-16, odd
    // markup), the whole part is parsed at once.
    const SheetSplit split = SplitSheet(*bytes);
    pugi::xml_document xml;
    std::vector<SparseRow> rows;
    int64_t row_number = 0;
    if (split.ok) {
      const std::string outer = bytes->substr(0, split.rows_begin) + bytes->substr(split.rows_end);
      ASKIO_RETURN_IF_ERROR(ParseXml(part, outer, 0, xml));
      const std::string close_row = "</" + split.prefix + "row>";
      constexpr size_t kChunkBytes = 4 << 20;
      for (size_t at = split.rows_begin; at < split.rows_end && cells_left > 0;) {
        size_t end = split.rows_end;
        if (end - at > kChunkBytes) {
          const size_t close = bytes->find(close_row, at + kChunkBytes);
          if (close != std::string::npos && close < split.rows_end) end = close + close_row.size();
        }
        pugi::xml_document chunk;
        ASKIO_RETURN_IF_ERROR(ParseXml(part, std::string_view(*bytes).substr(at, end - at), at,
                                       chunk, pugi::parse_embed_pcdata | pugi::parse_fragment));
        if (!ReadRows(chunk, rows, row_number, cells_left)) break;
        at = end;
      }
    } else {
      ASKIO_RETURN_IF_ERROR(ParseXml(part, *bytes, 0, xml, pugi::parse_embed_pcdata));
      ReadRows(Child(xml.document_element(), "sheetData"), rows, row_number, cells_left);
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const SparseRow& a, const SparseRow& b) { return a.number < b.number; });
    FillMerges(Child(xml.document_element(), "mergeCells"), rows, cells_left);
    TablePlacement placement;
    placement.heading = name;
    placement.place = "sheet " + name;
    placement.page = page;
    AppendTable(rows, placement, doc);
    return Status::Ok();
  }

 private:
  // Where the rows of a sheet are: the content of its <sheetData>.
  struct SheetSplit {
    bool ok = false;
    size_t rows_begin = 0, rows_end = 0;
    std::string prefix;  // "x:" when the writer prefixes its elements
  };

  static SheetSplit SplitSheet(std::string_view xml) {
    SheetSplit split;
    for (size_t at = xml.find("sheetData"); at != std::string_view::npos;
         at = xml.find("sheetData", at + 1)) {
      // The start tag: '<', an optional prefix, the name, then a space, '>' or '/'.
      size_t lt = at;
      while (lt > 0 && xml[lt - 1] != '<' && xml[lt - 1] != '>' && at - lt < 32) --lt;
      if (lt == 0 || xml[lt - 1] != '<') continue;
      const std::string_view prefix = xml.substr(lt, at - lt);
      if (!prefix.empty() &&
          (prefix.back() != ':' || prefix.find_first_of(" \t\r\n/!?\"'") != std::string_view::npos))
        continue;
      const size_t after = at + 9;
      if (after >= xml.size() ||
          std::string_view(" \t\r\n>/").find(xml[after]) == std::string_view::npos)
        continue;
      size_t gt = after;
      char quote = 0;
      for (; gt < xml.size(); ++gt) {
        if (quote) {
          if (xml[gt] == quote) quote = 0;
        } else if (xml[gt] == '"' || xml[gt] == '\'') {
          quote = xml[gt];
        } else if (xml[gt] == '>') {
          break;
        }
      }
      if (gt == xml.size() || xml[gt - 1] == '/') return split;  // no rows
      const std::string close = "</" + std::string(prefix) + "sheetData";
      const size_t end = xml.find(close, gt + 1);
      if (end == std::string_view::npos) return split;
      split.ok = true;
      split.rows_begin = gt + 1;
      split.rows_end = end;
      split.prefix = prefix;
      return split;
    }
    return split;
  }

  // Reads the <row> children of `parent`; false once a limit is reached.
  bool ReadRows(pugi::xml_node parent, std::vector<SparseRow>& rows, int64_t& row_number,
                int64_t& cells_left) const {
    for (pugi::xml_node r = parent.first_child(); r; r = r.next_sibling()) {
      if (!Is(r, "row")) continue;
      if (cells_left <= 0 || static_cast<int64_t>(rows.size()) >= kMaxTableRows) return false;
      const int declared = ToInt(Attr(r, "r"));
      row_number = declared > 0 ? declared : row_number + 1;
      SparseRow row;
      row.number = row_number;
      int col = -1;
      bool sorted = true;
      for (pugi::xml_node c = r.first_child(); c && cells_left > 0; c = c.next_sibling()) {
        if (!Is(c, "c")) continue;
        int ref_col;
        int64_t ref_row;
        col = ParseCellRef(Attr(c, "r"), ref_col, ref_row) ? ref_col : col + 1;
        if (col >= kMaxTableColumns) break;
        std::string value = CellText(c);
        if (value.empty()) continue;
        --cells_left;
        sorted = sorted && (row.cells.empty() || row.cells.back().first < col);
        row.cells.emplace_back(col, std::move(value));
      }
      if (!sorted) {
        // Out of order or repeated references: columns ascending, the last
        // value of a repeated cell wins.
        std::stable_sort(row.cells.begin(), row.cells.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<std::pair<int, std::string>> unique;
        for (auto& cell : row.cells) {
          if (!unique.empty() && unique.back().first == cell.first)
            unique.back() = std::move(cell);
          else
            unique.push_back(std::move(cell));
        }
        row.cells = std::move(unique);
      }
      if (!row.cells.empty()) rows.push_back(std::move(row));
    }
    return true;
  }

  std::string CellText(pugi::xml_node c) const {
    const std::string_view type = Attr(c, "t");
    if (type == "inlineStr") return StringItemText(Child(c, "is"));
    const std::string_view v = Child(c, "v").text().get();
    if (v.empty()) return {};
    if (type == "s") {
      const int index = ToInt(v, -1);
      return index >= 0 && static_cast<size_t>(index) < strings_.size() ? strings_[index]
                                                                        : std::string();
    }
    if (type == "b") return v == "1" || v == "true" ? "TRUE" : "FALSE";
    if (type == "str" || type == "e" || type == "d") return DecodeXString(v);
    const int style = ToInt(Attr(c, "s"));
    const NumberFormat format = style >= 0 && static_cast<size_t>(style) < formats_.size()
                                    ? formats_[style]
                                    : NumberFormat{};
    return FormatNumber(v, format, date1904_);
  }

  // A value merged down a column (a category beside its items) belongs to
  // every row of the merge, so each record carries it. Merges across columns
  // (titles, grouped headers) stay in their first cell.
  static void FillMerges(pugi::xml_node merges, std::vector<SparseRow>& rows, int64_t& cells_left) {
    // Overlapping merges over many rows could make this quadratic; real
    // sheets use a tiny fraction of this.
    int64_t steps_left = kMaxWorkbookCells;
    for (pugi::xml_node m = Child(merges, "mergeCell"); m && cells_left > 0 && steps_left > 0;
         m = m.next_sibling()) {
      const std::string_view ref = Attr(m, "ref");
      const size_t colon = ref.find(':');
      int left, right;
      int64_t top, bottom;
      if (colon == std::string_view::npos || !ParseCellRef(ref.substr(0, colon), left, top) ||
          !ParseCellRef(ref.substr(colon + 1), right, bottom) || bottom <= top)
        continue;
      auto by_number = [](const SparseRow& row, int64_t n) { return row.number < n; };
      auto first = std::lower_bound(rows.begin(), rows.end(), top, by_number);
      if (first == rows.end() || first->number != top) continue;
      auto cell = std::lower_bound(first->cells.begin(), first->cells.end(), left,
                                   [](const auto& c, int k) { return c.first < k; });
      if (cell == first->cells.end() || cell->first != left) continue;
      const std::string value = cell->second;
      for (auto it = first + 1;
           it != rows.end() && it->number <= bottom && cells_left > 0 && --steps_left > 0; ++it) {
        auto at = std::lower_bound(it->cells.begin(), it->cells.end(), left,
                                   [](const auto& c, int k) { return c.first < k; });
        if (at != it->cells.end() && at->first == left) continue;
        it->cells.insert(at, {left, value});
        --cells_left;
      }
    }
  }

  const Package& package_;
  bool date1904_;
  std::vector<std::string> strings_;
  std::vector<NumberFormat> formats_;  // by cell style index (the s attribute)
};

// ---------------------------------------------------------------- PPTX ----

// A DrawingML paragraph's text (<a:p>: runs, line breaks, fields).
void DrawingText(pugi::xml_node node, std::string& out, int depth = 0) {
  if (depth > kMaxNesting) return;
  for (pugi::xml_node n = node.first_child(); n; n = n.next_sibling()) {
    if (n.type() != pugi::node_element) continue;
    const std::string_view name = Local(n.name());
    if (name == "t")
      out += n.child_value();
    else if (name == "br")
      out += '\n';
    else if (name == "AlternateContent")
      DrawingText(ChosenBranch(n), out, depth + 1);
    else if (name != "rPr" && name != "pPr" && name != "endParaRPr")
      DrawingText(n, out, depth + 1);
  }
}

std::vector<std::pair<pugi::xml_node, std::string>> Paragraphs(pugi::xml_node tx_body) {
  std::vector<std::pair<pugi::xml_node, std::string>> out;
  for (pugi::xml_node p = Child(tx_body, "p"); p; p = p.next_sibling()) {
    if (!Is(p, "p")) continue;
    std::string text;
    DrawingText(p, text);
    text = Trim(text);
    if (!text.empty()) out.emplace_back(p, std::move(text));
  }
  return out;
}

class SlideReader {
 public:
  SlideReader(int number, ParsedDocument& doc) : number_(number), doc_(doc) {
    location_ = "slide " + std::to_string(number);
  }

  void Shapes(pugi::xml_node tree) {
    const NestingGuard guard(depth_);
    if (guard.too_deep()) return;
    for (pugi::xml_node n = tree.first_child(); n; n = n.next_sibling()) {
      if (n.type() != pugi::node_element) continue;
      const std::string_view name = Local(n.name());
      if (name == "sp") {
        Shape(n);
      } else if (name == "grpSp") {
        Shapes(n);
      } else if (name == "graphicFrame") {
        if (pugi::xml_node tbl = Child(Child(Child(n, "graphic"), "graphicData"), "tbl"))
          Table(tbl);
      } else if (name == "AlternateContent") {
        Shapes(ChosenBranch(n));
      }
    }
  }

  // Speaker notes: the notes page's body placeholder (the others hold the
  // slide image, the slide number, headers).
  void Notes(pugi::xml_node tree) {
    const NestingGuard guard(depth_);
    if (guard.too_deep()) return;
    for (pugi::xml_node n = tree.first_child(); n; n = n.next_sibling()) {
      if (Is(n, "grpSp")) Notes(n);
      if (!Is(n, "sp")) continue;
      const pugi::xml_node ph = Child(Child(Child(n, "nvSpPr"), "nvPr"), "ph");
      if (!ph || Attr(ph, "type") != "body") continue;
      for (auto& [p, text] : Paragraphs(Child(n, "txBody")))
        Push(Block::Kind::kParagraph, 0, "Notes: " + text, notes_);
    }
  }

  // Title first (or "Slide K", so slides never run together), then the rest.
  void Finish(std::string* deck_title) {
    if (body_.empty() && notes_.empty() && title_.empty()) return;
    Block heading{Block::Kind::kHeading, 1,
                  title_.empty() ? "Slide " + std::to_string(number_) : title_};
    heading.page = number_;
    heading.location = location_;
    doc_.blocks.push_back(std::move(heading));
    if (deck_title->empty() && !title_.empty()) *deck_title = title_;
    for (Block& b : body_) doc_.blocks.push_back(std::move(b));
    for (Block& b : notes_) doc_.blocks.push_back(std::move(b));
  }

 private:
  void Push(Block::Kind kind, int level, std::string text, std::vector<Block>& to) {
    Block b{kind, level, std::move(text)};
    b.page = number_;
    b.location = location_;
    to.push_back(std::move(b));
  }

  void Shape(pugi::xml_node sp) {
    const pugi::xml_node ph = Child(Child(Child(sp, "nvSpPr"), "nvPr"), "ph");
    const std::string_view type = ph ? Attr(ph, "type") : std::string_view();
    if (type == "dt" || type == "ftr" || type == "sldNum" || type == "hdr") return;
    auto paragraphs = Paragraphs(Child(sp, "txBody"));
    if ((type == "title" || type == "ctrTitle") && title_.empty()) {
      for (auto& [p, text] : paragraphs) title_ += (title_.empty() ? "" : " ") + text;
      return;
    }
    // Content placeholders are bulleted by the slide master unless the
    // paragraph says otherwise.
    const bool bulleted_by_default = ph && (type.empty() || type == "body" || type == "obj");
    for (auto& [p, text] : paragraphs) {
      const pugi::xml_node ppr = Child(p, "pPr");
      bool bullet = bulleted_by_default || ToInt(Attr(ppr, "lvl")) > 0;
      if (Child(ppr, "buChar") || Child(ppr, "buAutoNum")) bullet = true;
      if (Child(ppr, "buNone")) bullet = false;
      Push(bullet ? Block::Kind::kListItem : Block::Kind::kParagraph, 0, std::move(text), body_);
    }
  }

  void Table(pugi::xml_node tbl) {
    std::vector<SparseRow> rows;
    std::map<int, std::string> above;
    int64_t number = 0;
    for (pugi::xml_node tr = Child(tbl, "tr"); tr; tr = tr.next_sibling()) {
      if (!Is(tr, "tr")) continue;
      SparseRow row;
      row.number = ++number;
      int col = 0;
      // Spanned-over cells are present as hMerge/vMerge placeholders.
      for (pugi::xml_node tc = Child(tr, "tc"); tc; tc = tc.next_sibling()) {
        if (!Is(tc, "tc")) continue;
        const int c = col++;
        if (Attr(tc, "hMerge") == "1" || Attr(tc, "hMerge") == "true") continue;
        std::string text;
        if (Attr(tc, "vMerge") == "1" || Attr(tc, "vMerge") == "true") {
          text = above[c];
        } else {
          for (auto& [p, t] : Paragraphs(Child(tc, "txBody")))
            text += (text.empty() ? "" : " ") + t;
          above[c] = text;
        }
        if (!text.empty()) row.cells.emplace_back(c, std::move(text));
      }
      rows.push_back(std::move(row));
    }
    ParsedDocument table;
    TablePlacement placement;
    placement.place = location_;
    placement.number_rows = false;
    placement.page = number_;
    AppendTable(rows, placement, table);
    for (Block& b : table.blocks) body_.push_back(std::move(b));
  }

  int number_;
  std::string location_;
  ParsedDocument& doc_;
  std::string title_;
  std::vector<Block> body_, notes_;
  int depth_ = 0;  // of Shapes and Notes
};

}  // namespace

Result<ParsedDocument> ParseDocx(const ArchiveContents& archive, const LoadOptions&) {
  const Package package(archive);
  auto main = MainPart(package, "word/document.xml");
  if (!main) return Err(main.error());
  pugi::xml_document xml;
  auto loaded = package.Load(*main, xml);
  if (!loaded) return Err(loaded.error());
  if (!*loaded) return Err(MissingPart(*main, "not a Word document?"));
  const pugi::xml_node body = Child(xml.document_element(), "body");
  if (!body) return Err(Status::Corruption(*main + ": no <w:body> (not a Word document?)"));

  auto rels = LoadRelationships(package, *main);
  if (!rels) return Err(rels.error());
  const std::string dir = DirOf(*main);
  DocxReader reader(package);
  ASKIO_RETURN_IF_ERROR(reader.LoadStyles(TargetOfType(*rels, "styles", dir + "styles.xml")));

  ParsedDocument doc;
  doc.type = "docx";
  reader.Body(body, doc);
  ASKIO_RETURN_IF_ERROR(
      reader.AppendNotes(TargetOfType(*rels, "footnotes", dir + "footnotes.xml"), false, doc));
  ASKIO_RETURN_IF_ERROR(
      reader.AppendNotes(TargetOfType(*rels, "endnotes", dir + "endnotes.xml"), true, doc));
  doc.title = CoreTitle(package);
  if (doc.title.empty()) doc.title = reader.first_title();
  return doc;
}

Result<ParsedDocument> ParseXlsx(const ArchiveContents& archive, const LoadOptions& options) {
  const Package package(archive);
  auto main = MainPart(package, "xl/workbook.xml");
  if (!main) return Err(main.error());
  pugi::xml_document xml;
  auto loaded = package.Load(*main, xml);
  if (!loaded) return Err(loaded.error());
  if (!*loaded) return Err(MissingPart(*main, "not an Excel workbook?"));
  const pugi::xml_node workbook = xml.document_element();
  auto rels = LoadRelationships(package, *main);
  if (!rels) return Err(rels.error());

  const std::string_view date1904 = Attr(Child(workbook, "workbookPr"), "date1904");
  XlsxReader reader(package, date1904 == "1" || date1904 == "true");
  const std::string dir = DirOf(*main);
  ASKIO_RETURN_IF_ERROR(
      reader.LoadSharedStrings(TargetOfType(*rels, "sharedStrings", dir + "sharedStrings.xml")));
  ASKIO_RETURN_IF_ERROR(reader.LoadStyles(TargetOfType(*rels, "styles", dir + "styles.xml")));

  ParsedDocument doc;
  doc.type = "xlsx";
  doc.title = CoreTitle(package);
  int64_t cells_left = kMaxWorkbookCells;
  for (pugi::xml_node sheet = Child(Child(workbook, "sheets"), "sheet"); sheet;
       sheet = sheet.next_sibling()) {
    if (!Is(sheet, "sheet")) continue;
    const int page = ++doc.pages;
    if (page > options.max_pages || cells_left <= 0) continue;  // still counted
    auto rel = rels->find(RelId(sheet));
    if (rel == rels->end()) continue;
    ASKIO_RETURN_IF_ERROR(reader.AppendSheet(rel->second.target, DecodeXString(Attr(sheet, "name")),
                                             page, cells_left, doc));
  }
  return doc;
}

Result<ParsedDocument> ParsePptx(const ArchiveContents& archive, const LoadOptions& options) {
  const Package package(archive);
  auto main = MainPart(package, "ppt/presentation.xml");
  if (!main) return Err(main.error());
  pugi::xml_document xml;
  auto loaded = package.Load(*main, xml);
  if (!loaded) return Err(loaded.error());
  if (!*loaded) return Err(MissingPart(*main, "not a PowerPoint presentation?"));
  auto rels = LoadRelationships(package, *main);
  if (!rels) return Err(rels.error());

  ParsedDocument doc;
  doc.type = "pptx";
  doc.title = CoreTitle(package);
  std::string first_slide_title;
  for (pugi::xml_node id = Child(Child(xml.document_element(), "sldIdLst"), "sldId"); id;
       id = id.next_sibling()) {
    if (!Is(id, "sldId")) continue;
    const int number = ++doc.pages;
    if (number > options.max_pages) continue;  // still counted
    auto rel = rels->find(RelId(id));
    if (rel == rels->end()) continue;
    const std::string& part = rel->second.target;
    pugi::xml_document slide;
    auto got = package.Load(part, slide);
    if (!got) return Err(got.error());
    if (!*got) continue;
    SlideReader reader(number, doc);
    reader.Shapes(Child(Child(slide.document_element(), "cSld"), "spTree"));

    auto slide_rels = LoadRelationships(package, part);
    if (!slide_rels) return Err(slide_rels.error());
    const std::string notes_part = TargetOfType(*slide_rels, "notesSlide", "");
    if (!notes_part.empty()) {
      pugi::xml_document notes;
      auto got_notes = package.Load(notes_part, notes);
      if (!got_notes) return Err(got_notes.error());
      if (*got_notes) reader.Notes(Child(Child(notes.document_element(), "cSld"), "spTree"));
    }
    reader.Finish(&first_slide_title);
  }
  if (doc.title.empty()) doc.title = first_slide_title;
  return doc;
}

}  // namespace askio::ingest
