// File type detection: by content first (signatures, the members of a ZIP,
// libmagic), the extension only to tell text formats apart. An unsupported
// type is reported, never guessed into garbage.
#pragma once

#include <string>
#include <string_view>

#include "askio/status.h"

namespace askio::ingest {

enum class FileType {
  kUnknown,
  kText,
  kMarkdown,
  kHtml,
  kJson,
  kJsonLines,
  kCsv,
  kTsv,
  kPdf,
  kDocx,
  kXlsx,
  kPptx,
  kEpub,
  kImage,
  kArchive,  // ZIP, tar (plain or compressed), 7z: a bundle of files
};

// The type an extension names (case-insensitive; .tar.gz and friends count
// as archives); kUnknown for extensions askio does not read. Used to pick
// files out of folders and archives before their content is read.
FileType TypeFromExtension(const std::string& path);

// Detects the type of `bytes` named `name`. A binary signature wins over the
// extension (a PDF named .docx is read as a PDF); text under a binary
// format's extension (an HTML error page saved as .pdf) is refused; text is
// told apart by extension, then by content (HTML, JSON) when the extension
// says nothing.
Result<FileType> DetectType(std::string_view bytes, const std::string& name);

const char* FileTypeName(FileType type);
FileType FileTypeFromName(std::string_view name);

}  // namespace askio::ingest
