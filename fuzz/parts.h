// The "parts" input format of the *_parts targets: a package's members as
// text, so the fuzzer mutates XML rather than compressed ZIP streams.
//
//   === word/document.xml
//   <?xml version="1.0"?><w:document ...>...</w:document>
//   === word/_rels/document.xml.rels
//   ...
//
// A line starting with "=== " names a member; its bytes run to the newline
// before the next such line (or the end). Bytes before the first header are
// ignored. Names are normalised as ReadArchive does (SafeMemberName), and
// members with unusable names are dropped, as ReadArchive would.
#pragma once

#include <string>
#include <string_view>

#include "ingest/archive.h"

namespace askio::fuzz {

inline constexpr std::string_view kPartHeader = "=== ";

inline ingest::ArchiveContents ParseParts(std::string_view in) {
  ingest::ArchiveContents out;
  const std::string separator = std::string("\n").append(kPartHeader);
  size_t pos = 0;
  if (!in.starts_with(kPartHeader)) {
    pos = in.find(separator);
    if (pos != std::string_view::npos) ++pos;  // past the '\n'
  }
  while (pos != std::string_view::npos && pos < in.size()) {
    const size_t name_begin = pos + kPartHeader.size();
    const size_t name_end = in.find('\n', name_begin);
    if (name_end == std::string_view::npos) break;
    const size_t next = in.find(separator, name_end);
    const size_t body_end = next == std::string_view::npos ? in.size() : next;
    std::string name = ingest::SafeMemberName(in.substr(name_begin, name_end - name_begin));
    if (!name.empty())
      out.members.push_back({std::move(name), std::string(in.substr(name_end + 1, body_end - name_end - 1))});
    pos = next == std::string_view::npos ? next : next + 1;
  }
  return out;
}

inline std::string FormatParts(const ingest::ArchiveContents& contents) {
  std::string out;
  for (const ingest::ArchiveMember& m : contents.members) {
    if (!out.empty()) out += '\n';
    out.append(kPartHeader).append(m.name).append("\n").append(m.bytes);
  }
  return out;
}

}  // namespace askio::fuzz
