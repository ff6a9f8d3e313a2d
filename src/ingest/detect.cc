#include "ingest/detect.h"

#include <magic.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <memory>

#include "ingest/archive.h"

namespace askio::ingest {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool StartsWith(std::string_view bytes, std::string_view sig, size_t at = 0) {
  return bytes.size() >= at + sig.size() && bytes.substr(at, sig.size()) == sig;
}

bool IsBinaryFormat(FileType t) {
  switch (t) {
    case FileType::kPdf:
    case FileType::kDocx:
    case FileType::kXlsx:
    case FileType::kPptx:
    case FileType::kEpub:
    case FileType::kImage:
    case FileType::kArchive:
      return true;
    default:
      return false;
  }
}

// Looks like text: no NUL bytes in the head, or a UTF-16 byte order mark.
bool LooksLikeText(std::string_view bytes) {
  if (StartsWith(bytes, "\xFF\xFE") || StartsWith(bytes, "\xFE\xFF")) return true;
  const std::string_view head = bytes.substr(0, 8192);
  return head.find('\0') == std::string_view::npos;
}

// libmagic's MIME type for the head of `bytes`. A magic_t is not
// thread-safe, so each thread loads its own (once; ~1 ms).
std::string MagicMime(std::string_view bytes) {
  struct Cookie {
    magic_t m = nullptr;
    Cookie() {
      m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR);
      if (m && magic_load(m, nullptr) != 0) {
        magic_close(m);
        m = nullptr;
      }
    }
    ~Cookie() {
      if (m) magic_close(m);
    }
  };
  thread_local Cookie cookie;
  if (!cookie.m) return {};
  const std::string_view head = bytes.substr(0, 64 * 1024);
  const char* mime = magic_buffer(cookie.m, head.data(), head.size());
  return mime ? mime : "";
}

// What kind of ZIP: an OOXML package, an EPUB, an OpenDocument file or a
// plain bundle, from its member names.
Result<FileType> ClassifyZip(std::string_view bytes) {
  auto names = ListArchive(bytes, 4096);
  if (!names) return Err(Status::Corruption("corrupt ZIP file: " + names.error().message()));
  bool content_types = false, word = false, xl = false, ppt = false, container = false, odf = false;
  for (const std::string& n : *names) {
    content_types |= n == "[Content_Types].xml";
    word |= n.starts_with("word/");
    xl |= n.starts_with("xl/");
    ppt |= n.starts_with("ppt/");
    container |= n == "META-INF/container.xml";
    odf |= n == "content.xml";
  }
  if (content_types && word) return FileType::kDocx;
  if (content_types && xl) return FileType::kXlsx;
  if (content_types && ppt) return FileType::kPptx;
  if (container && !names->empty() && names->front() == "mimetype") return FileType::kEpub;
  if (odf && !names->empty() && names->front() == "mimetype")
    return Err(Status::Unsupported(
        "OpenDocument files (.odt/.ods/.odp) are not supported: save as .docx/.xlsx/.pptx or PDF"));
  return FileType::kArchive;
}

}  // namespace

FileType TypeFromExtension(const std::string& path) {
  const std::string name = Lower(std::filesystem::path(path).filename().string());
  for (const char* suffix : {".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst"})
    if (name.ends_with(suffix)) return FileType::kArchive;
  const std::string ext = Lower(std::filesystem::path(path).extension().string());
  static const std::pair<const char*, FileType> kByExtension[] = {
      {".md", FileType::kMarkdown},     {".markdown", FileType::kMarkdown},
      {".mdown", FileType::kMarkdown},  {".mkd", FileType::kMarkdown},
      {".txt", FileType::kText},        {".text", FileType::kText},
      {".html", FileType::kHtml},       {".htm", FileType::kHtml},
      {".xhtml", FileType::kHtml},      {".json", FileType::kJson},
      {".jsonl", FileType::kJsonLines}, {".ndjson", FileType::kJsonLines},
      {".csv", FileType::kCsv},         {".tsv", FileType::kTsv},
      {".tab", FileType::kTsv},         {".pdf", FileType::kPdf},
      {".docx", FileType::kDocx},       {".xlsx", FileType::kXlsx},
      {".pptx", FileType::kPptx},       {".epub", FileType::kEpub},
      {".png", FileType::kImage},       {".jpg", FileType::kImage},
      {".jpeg", FileType::kImage},      {".tif", FileType::kImage},
      {".tiff", FileType::kImage},      {".zip", FileType::kArchive},
      {".tar", FileType::kArchive},     {".tgz", FileType::kArchive},
      {".tbz2", FileType::kArchive},    {".txz", FileType::kArchive},
      {".7z", FileType::kArchive},
  };
  for (const auto& [e, type] : kByExtension)
    if (ext == e) return type;
  return FileType::kUnknown;
}

Result<FileType> DetectType(std::string_view bytes, const std::string& name) {
  if (bytes.empty()) return Err(Status::InvalidArgument("empty file (0 bytes)"));
  const FileType by_name = TypeFromExtension(name);

  // Signatures of the binary formats askio reads.
  if (bytes.substr(0, 1024).find("%PDF-") != std::string_view::npos) return FileType::kPdf;
  if (StartsWith(bytes, "PK\x03\x04") || StartsWith(bytes, "PK\x05\x06")) return ClassifyZip(bytes);
  if (StartsWith(bytes, "\x89PNG\r\n\x1a\n") || StartsWith(bytes, "\xFF\xD8\xFF") ||
      StartsWith(bytes, std::string_view("II*\0", 4)) ||
      StartsWith(bytes, std::string_view("MM\0*", 4)))
    return FileType::kImage;
  if (StartsWith(bytes, "\x1F\x8B") || StartsWith(bytes, "BZh") ||
      StartsWith(bytes, std::string_view("\xFD"
                                         "7zXZ\0",
                                         6)) ||
      StartsWith(bytes, "\x28\xB5\x2F\xFD") || StartsWith(bytes, "7z\xBC\xAF\x27\x1C") ||
      StartsWith(bytes, "ustar", 257))
    return FileType::kArchive;
  if (StartsWith(bytes, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"))
    return Err(Status::Unsupported(
        "legacy Office format (.doc/.xls/.ppt) is not supported: save as .docx/.xlsx/.pptx or "
        "PDF"));

  if (LooksLikeText(bytes)) {
    if (IsBinaryFormat(by_name))
      return Err(Status::InvalidArgument(std::string("content is text, not ") +
                                         FileTypeName(by_name) +
                                         " (wrong extension, or a saved error page?)"));
    if (by_name != FileType::kUnknown) return by_name;
    const std::string mime = MagicMime(bytes);
    if (mime == "text/html" ||
        (mime == "text/xml" && bytes.find("<html") != std::string_view::npos))
      return FileType::kHtml;
    if (mime == "application/json") return FileType::kJson;
    return FileType::kText;
  }
  const std::string mime = MagicMime(bytes);
  return Err(Status::Unsupported("unsupported file type" +
                                 (mime.empty() ? std::string() : " (" + mime + ")")));
}

const char* FileTypeName(FileType type) {
  switch (type) {
    case FileType::kText:
      return "text";
    case FileType::kMarkdown:
      return "markdown";
    case FileType::kHtml:
      return "html";
    case FileType::kJson:
      return "json";
    case FileType::kJsonLines:
      return "jsonl";
    case FileType::kCsv:
      return "csv";
    case FileType::kTsv:
      return "tsv";
    case FileType::kPdf:
      return "pdf";
    case FileType::kDocx:
      return "docx";
    case FileType::kXlsx:
      return "xlsx";
    case FileType::kPptx:
      return "pptx";
    case FileType::kEpub:
      return "epub";
    case FileType::kImage:
      return "image";
    case FileType::kArchive:
      return "archive";
    case FileType::kUnknown:
      break;
  }
  return "unknown";
}

FileType FileTypeFromName(std::string_view name) {
  for (int t = static_cast<int>(FileType::kText); t <= static_cast<int>(FileType::kArchive); ++t)
    if (name == FileTypeName(static_cast<FileType>(t))) return static_cast<FileType>(t);
  return FileType::kUnknown;
}

}  // namespace askio::ingest
