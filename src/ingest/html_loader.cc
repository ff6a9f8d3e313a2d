#include "ingest/html_loader.h"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace askio::ingest {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Boilerplate: everything a reader skips. Also elements whose class or id
// says so (class="nav", id="footer", ...).
bool IsBoilerplate(const GumboElement& e) {
  switch (e.tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_HEAD:
      return true;
    default:
      break;
  }
  // Whole words only: a substring test dropped Python's "module-http.cookies"
  // section (and would drop class="unavailable"). Any word of a class names
  // the element ("site-footer", "main-nav"); an id only by its first word
  // (id="footer", id="nav-main"), because ids of content sections are built
  // from their titles.
  auto parts = [](const char* value) {
    std::vector<std::string> out(1);
    for (const char* c = value; *c; ++c) {
      if (std::isalnum(static_cast<unsigned char>(*c))) {
        out.back() += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
      } else if (!out.back().empty()) {
        out.emplace_back();
      }
    }
    if (out.back().empty()) out.pop_back();
    return out;
  };
  auto boilerplate_word = [](const std::string& w) {
    for (const char* b : {"nav", "navbar", "navigation", "menu", "menubar", "footer", "sidebar",
                          "breadcrumb", "breadcrumbs", "cookie", "cookies", "banner"})
      if (w == b) return true;
    return false;
  };
  if (const GumboAttribute* a = gumbo_get_attribute(&e.attributes, "class"))
    for (const std::string& w : parts(a->value))
      if (boilerplate_word(w)) return true;
  if (const GumboAttribute* a = gumbo_get_attribute(&e.attributes, "id")) {
    const std::vector<std::string> words = parts(a->value);
    if (!words.empty() && boilerplate_word(words.front())) return true;
  }
  if (const GumboAttribute* a = gumbo_get_attribute(&e.attributes, "role")) {
    const std::string role = Lower(a->value);
    for (const char* r :
         {"navigation", "banner", "contentinfo", "complementary", "menu", "menubar"})
      if (role == r) return true;
  }
  return false;
}

int HeadingLevel(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_H1:
      return 1;
    case GUMBO_TAG_H2:
      return 2;
    case GUMBO_TAG_H3:
      return 3;
    case GUMBO_TAG_H4:
      return 4;
    case GUMBO_TAG_H5:
      return 5;
    case GUMBO_TAG_H6:
      return 6;
    default:
      return 0;
  }
}

bool IsBlock(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_BR:
      return true;
    default:
      return HeadingLevel(tag) > 0;
  }
}

// Text of a node with whitespace collapsed (inside <pre>, kept).
void AppendText(const GumboNode* node, std::string& out, bool pre) {
  if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA ||
      node->type == GUMBO_NODE_WHITESPACE) {
    const char* t = node->v.text.text;
    if (pre) {
      out += t;
      return;
    }
    for (; *t; ++t) {
      const bool space = *t == ' ' || *t == '\n' || *t == '\t' || *t == '\r';
      if (space) {
        if (!out.empty() && out.back() != ' ') out += ' ';
      } else {
        out += *t;
      }
    }
    return;
  }
  if (node->type != GUMBO_NODE_ELEMENT) return;
  const GumboElement& e = node->v.element;
  if (IsBoilerplate(e)) return;
  if (e.tag == GUMBO_TAG_BR) out += pre ? "\n" : " ";
  if (e.tag == GUMBO_TAG_IMG) {
    if (const GumboAttribute* alt = gumbo_get_attribute(&e.attributes, "alt")) out += alt->value;
    return;
  }
  for (unsigned i = 0; i < e.children.length; ++i)
    AppendText(static_cast<const GumboNode*>(e.children.data[i]), out,
               pre || e.tag == GUMBO_TAG_PRE);
}

std::string Trimmed(std::string s) {
  const auto first = s.find_first_not_of(" \n\t");
  if (first == std::string::npos) return {};
  s.erase(0, first);
  s.erase(s.find_last_not_of(" \n\t") + 1);
  return s;
}

class Walker {
 public:
  explicit Walker(ParsedDocument& doc) : doc_(doc) {}

  void Walk(const GumboNode* node) {
    if (node->type != GUMBO_NODE_ELEMENT) {
      AppendText(node, inline_, false);
      return;
    }
    const GumboElement& e = node->v.element;
    if (IsBoilerplate(e)) return;
    if (const int level = HeadingLevel(e.tag)) {
      Flush();
      std::string text;
      AppendText(node, text, false);
      text = Trimmed(std::move(text));
      if (!text.empty()) doc_.blocks.push_back({Block::Kind::kHeading, level, text});
      return;
    }
    if (e.tag == GUMBO_TAG_TABLE) {
      // Each table keeps its own header row.
      Flush();
      std::vector<std::string> saved = std::move(header_);
      header_.clear();
      for (unsigned i = 0; i < e.children.length; ++i)
        Walk(static_cast<const GumboNode*>(e.children.data[i]));
      header_ = std::move(saved);
      return;
    }
    if (e.tag == GUMBO_TAG_TR) {
      Flush();
      std::vector<std::string> cells;
      bool all_th = true;
      for (unsigned i = 0; i < e.children.length; ++i) {
        const auto* cell = static_cast<const GumboNode*>(e.children.data[i]);
        if (cell->type != GUMBO_NODE_ELEMENT) continue;
        all_th = all_th && cell->v.element.tag == GUMBO_TAG_TH;
        std::string text;
        AppendText(cell, text, false);
        cells.push_back(Trimmed(std::move(text)));
      }
      if (cells.empty()) return;
      if (all_th && header_.empty()) {
        header_ = cells;
        std::string row;
        for (const std::string& c : cells) row += (row.empty() ? "" : " | ") + c;
        doc_.blocks.push_back({Block::Kind::kTableRow, 0, row});
        return;
      }
      // A row is a record: "header: value" pairs, so it answers on its own.
      std::string row;
      for (size_t i = 0; i < cells.size(); ++i) {
        if (cells[i].empty()) continue;
        if (!row.empty()) row += " | ";
        if (i < header_.size() && !header_[i].empty()) row += header_[i] + ": ";
        row += cells[i];
      }
      if (!row.empty()) doc_.blocks.push_back({Block::Kind::kTableRow, 0, row});
      return;
    }
    if (e.tag == GUMBO_TAG_PRE) {
      Flush();
      std::string text;
      AppendText(node, text, true);
      text = Trimmed(std::move(text));
      if (!text.empty()) doc_.blocks.push_back({Block::Kind::kCode, 0, text});
      return;
    }
    const bool block = IsBlock(e.tag);
    if (block) Flush();
    for (unsigned i = 0; i < e.children.length; ++i)
      Walk(static_cast<const GumboNode*>(e.children.data[i]));
    if (block) Flush(e.tag == GUMBO_TAG_LI ? Block::Kind::kListItem : Block::Kind::kParagraph);
  }

  void Flush(Block::Kind kind = Block::Kind::kParagraph) {
    std::string text = Trimmed(std::move(inline_));
    inline_.clear();
    if (!text.empty()) doc_.blocks.push_back({kind, 0, std::move(text)});
  }

 private:
  ParsedDocument& doc_;
  std::string inline_;
  std::vector<std::string> header_;  // the current table's header cells
};

const GumboNode* FindElement(const GumboNode* node, GumboTag tag) {
  if (node->type != GUMBO_NODE_ELEMENT) return nullptr;
  if (node->v.element.tag == tag) return node;
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i)
    if (const GumboNode* found = FindElement(static_cast<const GumboNode*>(children.data[i]), tag))
      return found;
  return nullptr;
}

}  // namespace

ParsedDocument ParseHtml(std::string_view html) {
  ParsedDocument doc;
  doc.type = "html";
  GumboOptions options = kGumboDefaultOptions;
  // Malformed pages produce thousands of parse errors; the list is unused,
  // so stop recording it early.
  options.max_errors = 100;
  GumboOutput* out = gumbo_parse_with_options(&options, html.data(), html.size());
  if (const GumboNode* title = FindElement(out->root, GUMBO_TAG_TITLE)) {
    std::string text;
    AppendText(title, text, false);
    doc.title = Trimmed(std::move(text));
  }
  // Prefer the page's <main> or <article> when it has one: that is the content.
  const GumboNode* root = FindElement(out->root, GUMBO_TAG_MAIN);
  if (!root) root = FindElement(out->root, GUMBO_TAG_ARTICLE);
  if (!root) root = FindElement(out->root, GUMBO_TAG_BODY);
  if (!root) root = out->root;
  Walker walker(doc);
  walker.Walk(root);
  walker.Flush();
  gumbo_destroy_output(&options, out);
  if (doc.title.empty()) {
    for (const Block& b : doc.blocks)
      if (b.kind == Block::Kind::kHeading) {
        doc.title = b.text;
        break;
      }
  }
  return doc;
}

std::string DeclaredHtmlCharset(std::string_view bytes) {
  const std::string head = Lower(bytes.substr(0, std::min<size_t>(bytes.size(), 4096)));
  for (size_t at = head.find("charset"); at != std::string::npos;
       at = head.find("charset", at + 1)) {
    size_t i = at + 7;
    while (i < head.size() &&
           (head[i] == ' ' || head[i] == '=' || head[i] == '"' || head[i] == '\''))
      ++i;
    size_t j = i;
    while (j < head.size() &&
           (std::isalnum(static_cast<unsigned char>(head[j])) || head[j] == '-' || head[j] == '_'))
      ++j;
    if (j > i) return head.substr(i, j - i);
  }
  return {};
}

}  // namespace askio::ingest
