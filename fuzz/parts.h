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
//
// The targets then store the members in a ZIP (no compression, so the
// fuzzer's bytes reach the XML parsers as they are) and load that, so they
// check exactly what LoadDocument promises for the format.
#pragma once

#include <archive.h>
#include <archive_entry.h>

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

// The members as a ZIP archive, stored uncompressed; empty if libarchive
// refuses.
inline std::string ZipParts(const ingest::ArchiveContents& contents) {
  size_t capacity = 1024;
  for (const ingest::ArchiveMember& m : contents.members)
    capacity += 2 * m.name.size() + m.bytes.size() + 256;
  std::string zip(capacity, '\0');
  size_t used = 0;
  struct archive* a = archive_write_new();
  bool ok = archive_write_set_format_zip(a) == ARCHIVE_OK &&
            archive_write_set_options(a, "zip:compression=store") == ARCHIVE_OK &&
            archive_write_open_memory(a, zip.data(), zip.size(), &used) == ARCHIVE_OK;
  for (const ingest::ArchiveMember& m : contents.members) {
    if (!ok) break;
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, m.name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(m.bytes.size()));
    ok = archive_write_header(a, e) >= ARCHIVE_WARN &&
         archive_write_data(a, m.bytes.data(), m.bytes.size()) ==
             static_cast<la_ssize_t>(m.bytes.size());
    archive_entry_free(e);
  }
  ok = archive_write_close(a) == ARCHIVE_OK && ok;
  archive_write_free(a);
  if (!ok) return {};
  zip.resize(used);
  return zip;
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
