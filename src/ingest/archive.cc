#include "ingest/archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "common/utf8.h"

namespace askio::ingest {
namespace {

struct ReaderDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using Reader = std::unique_ptr<archive, ReaderDeleter>;

// Only formats and filters libarchive implements itself: support_*_all would
// also register filters that shell out to external programs (lrzip, lzop...).
Reader OpenReader(std::string_view bytes) {
  Reader r(archive_read_new());
  archive_read_support_format_zip(r.get());
  archive_read_support_format_tar(r.get());
  archive_read_support_format_gnutar(r.get());
  archive_read_support_format_7zip(r.get());
  archive_read_support_filter_gzip(r.get());
  archive_read_support_filter_bzip2(r.get());
  archive_read_support_filter_xz(r.get());
  archive_read_support_filter_lzma(r.get());
  archive_read_support_filter_zstd(r.get());
  if (archive_read_open_memory(r.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) return nullptr;
  return r;
}

std::string ErrorOf(archive* a) {
  const char* e = archive_error_string(a);
  return e ? e : "unreadable archive";
}

std::string MiB(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

// Normalises a member path; empty when it must not be used (absolute,
// escaping the archive, or naming nothing).
std::string SafeMemberName(std::string_view raw) {
  std::string name(raw);
  for (char& c : name)
    if (c == '\\') c = '/';
  if (name.empty() || name.front() == '/') return {};
  if (name.size() >= 2 && name[1] == ':') return {};  // C:\...
  std::string out;
  size_t pos = 0;
  while (pos <= name.size()) {
    size_t slash = name.find('/', pos);
    if (slash == std::string::npos) slash = name.size();
    const std::string_view part(name.data() + pos, slash - pos);
    if (part == "..") return {};
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out += part;
    }
    pos = slash + 1;
  }
  return utf8::MakeValid(out);
}

Result<ArchiveContents> ReadArchive(std::string_view bytes, const ArchiveLimits& limits,
                                    const std::function<bool(std::string_view name)>& want) {
  Reader r = OpenReader(bytes);
  if (!r) return Err(Status::Corruption("not a readable archive"));
  ArchiveContents out;
  uint64_t total = 0;
  size_t seen = 0;
  archive_entry* entry = nullptr;
  std::string buffer(64 * 1024, '\0');
  for (;;) {
    const int rc = archive_read_next_header(r.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      return Err(Status::Corruption("corrupt archive: " + ErrorOf(r.get())));
    if (++seen > limits.max_members)
      return Err(Status::InvalidArgument("archive has more than " +
                                         std::to_string(limits.max_members) + " members"));
    const char* raw_name = archive_entry_pathname_utf8(entry);
    if (!raw_name) raw_name = archive_entry_pathname(entry);
    const std::string raw = raw_name ? raw_name : "";
    if (archive_entry_filetype(entry) == AE_IFDIR) continue;
    if (archive_entry_filetype(entry) == AE_IFLNK || archive_entry_hardlink(entry)) {
      out.skipped.push_back(raw + ": links are not followed");
      continue;
    }
    if (archive_entry_filetype(entry) != AE_IFREG) {
      out.skipped.push_back(raw + ": not a regular file");
      continue;
    }
    std::string name = SafeMemberName(raw);
    if (name.empty()) {
      out.skipped.push_back(raw + ": path escapes the archive");
      continue;
    }
    if (archive_entry_is_encrypted(entry)) {
      out.skipped.push_back(name + ": encrypted");
      continue;
    }
    if (want && !want(name)) continue;
    // Sizes in headers are claims; count what decompression produces.
    std::string data;
    for (;;) {
      const la_ssize_t n = archive_read_data(r.get(), buffer.data(), buffer.size());
      if (n == 0) break;
      if (n < 0) return Err(Status::Corruption(name + ": " + ErrorOf(r.get())));
      const auto got = static_cast<uint64_t>(n);
      total += got;
      if (data.size() + got > limits.max_member_bytes)
        return Err(Status::InvalidArgument(name + " expands to more than " +
                                           MiB(limits.max_member_bytes) +
                                           " (archive bomb or oversized member)"));
      if (total > limits.max_total_bytes)
        return Err(Status::InvalidArgument("archive expands to more than " +
                                           MiB(limits.max_total_bytes) + " (archive bomb?)"));
      if (total > limits.ratio_floor_bytes &&
          static_cast<double>(total) > limits.max_ratio * static_cast<double>(bytes.size()))
        return Err(Status::InvalidArgument("archive expands more than " +
                                           std::to_string(static_cast<int>(limits.max_ratio)) +
                                           "x its size (archive bomb?)"));
      data.append(buffer.data(), got);
    }
    out.members.push_back({std::move(name), std::move(data)});
  }
  return out;
}

const ArchiveMember* FindMember(const ArchiveContents& archive, std::string_view name) {
  for (const ArchiveMember& m : archive.members)
    if (m.name == name) return &m;
  return nullptr;
}

Result<std::vector<std::string>> ListArchive(std::string_view bytes, size_t max_names) {
  Reader r = OpenReader(bytes);
  if (!r) return Err(Status::Corruption("not a readable archive"));
  std::vector<std::string> names;
  archive_entry* entry = nullptr;
  while (names.size() < max_names) {
    const int rc = archive_read_next_header(r.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      return Err(Status::Corruption("corrupt archive: " + ErrorOf(r.get())));
    const char* n = archive_entry_pathname_utf8(entry);
    if (!n) n = archive_entry_pathname(entry);
    names.push_back(SafeMemberName(n ? n : ""));
    archive_read_data_skip(r.get());
  }
  return names;
}

}  // namespace askio::ingest
