#include "ingest/epub_loader.h"

#include <pugixml.hpp>

#include <string>

#include "ingest/html_loader.h"
#include "ingest/loaders.h"

namespace askio::ingest {
namespace {

// pugixml never resolves external entities or expands DTD entities, so
// parse_default is safe for untrusted XML.
Result<pugi::xml_document*> ParseXml(const ArchiveMember& m, pugi::xml_document& doc) {
  const pugi::xml_parse_result r = doc.load_buffer(m.bytes.data(), m.bytes.size());
  if (!r) return Err(Status::Corruption(m.name + ": " + r.description()));
  return &doc;
}

// Element names without their namespace prefix ("opf:item" -> "item").
std::string_view LocalName(const pugi::xml_node& n) {
  std::string_view name = n.name();
  const size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view local) {
  for (pugi::xml_node c : parent.children())
    if (LocalName(c) == local) return c;
  return {};
}

// Resolves `href` (percent-encoded, relative to the OPF's folder).
std::string Resolve(const std::string& base_dir, std::string_view href) {
  std::string decoded;
  for (size_t i = 0; i < href.size(); ++i) {
    if (href[i] == '%' && i + 2 < href.size() && std::isxdigit(href[i + 1]) &&
        std::isxdigit(href[i + 2])) {
      decoded += static_cast<char>(std::stoi(std::string(href.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (href[i] == '#') {
      break;
    } else {
      decoded += href[i];
    }
  }
  return SafeMemberName(base_dir + decoded);
}

}  // namespace

Result<ParsedDocument> ParseEpub(const ArchiveContents& package, const LoadOptions& options) {
  const ArchiveMember* container = FindMember(package, "META-INF/container.xml");
  if (!container) return Err(Status::Corruption("EPUB without META-INF/container.xml"));
  pugi::xml_document container_xml;
  if (auto r = ParseXml(*container, container_xml); !r) return Err(r.error());
  std::string opf_path;
  // <container><rootfiles><rootfile full-path="OEBPS/content.opf"/>
  for (pugi::xpath_node x : container_xml.select_nodes("//*[local-name()='rootfile']")) {
    opf_path = x.node().attribute("full-path").value();
    if (!opf_path.empty()) break;
  }
  const ArchiveMember* opf = FindMember(package, SafeMemberName(opf_path));
  if (!opf) return Err(Status::Corruption("EPUB package document '" + opf_path + "' is missing"));
  pugi::xml_document opf_xml;
  if (auto r = ParseXml(*opf, opf_xml); !r) return Err(r.error());
  const std::string base_dir =
      opf->name.find('/') == std::string::npos ? "" : opf->name.substr(0, opf->name.rfind('/') + 1);

  ParsedDocument doc;
  doc.type = "epub";
  const pugi::xml_node root = opf_xml.document_element();
  if (pugi::xml_node meta = Child(root, "metadata"))
    if (pugi::xml_node title = Child(meta, "title")) doc.title = title.child_value();

  std::vector<std::pair<std::string, std::string>> manifest;  // id -> href
  if (pugi::xml_node m = Child(root, "manifest"))
    for (pugi::xml_node item : m.children())
      if (LocalName(item) == "item")
        manifest.emplace_back(item.attribute("id").value(), item.attribute("href").value());
  const pugi::xml_node spine = Child(root, "spine");
  if (!spine) return Err(Status::Corruption("EPUB package document has no spine"));

  int chapter = 0;
  for (pugi::xml_node ref : spine.children()) {
    if (LocalName(ref) != "itemref") continue;
    const std::string_view idref = ref.attribute("idref").value();
    std::string href;
    for (const auto& [id, h] : manifest)
      if (id == idref) href = h;
    const ArchiveMember* page =
        href.empty() ? nullptr : FindMember(package, Resolve(base_dir, href));
    if (!page) continue;  // a spine entry without content: skip, as readers do
    if (++chapter > options.max_pages) break;
    auto parsed = LoadDocument(page->bytes, FileType::kHtml);
    if (!parsed) continue;  // a title page with only an image has no text
    const std::string location = "chapter " + std::to_string(chapter);
    for (Block& b : parsed->blocks) {
      b.page = chapter;
      b.location = location;
      doc.blocks.push_back(std::move(b));
    }
  }
  doc.pages = chapter;
  if (doc.blocks.empty()) return Err(Status::InvalidArgument("EPUB has no readable chapters"));
  return doc;
}

}  // namespace askio::ingest
