// Reading archives (ZIP, tar, tar.gz/bz2/xz; also the ZIP inside OOXML and
// EPUB files) through libarchive, safely: members are decompressed as a
// stream and counted as they come, so a zip bomb is stopped by the bytes it
// actually produces, never by what its headers claim.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "askio/status.h"

namespace askio::ingest {

struct ArchiveLimits {
  // One member, uncompressed.
  uint64_t max_member_bytes = 256ull << 20;
  // All members together, uncompressed.
  uint64_t max_total_bytes = 1ull << 30;
  size_t max_members = 20000;
  // Uncompressed bytes per archive byte, enforced once the output passes
  // ratio_floor_bytes (small archives of repetitive text legitimately
  // compress very well).
  double max_ratio = 100;
  uint64_t ratio_floor_bytes = 16ull << 20;
};

struct ArchiveMember {
  // Relative path inside the archive, '/'-separated, normalised: never
  // absolute, never containing "..".
  std::string name;
  std::string bytes;
};

struct ArchiveContents {
  std::vector<ArchiveMember> members;  // regular files, in archive order
  // Members left out and why ("../../etc/passwd: path escapes the archive",
  // "link: symbolic links are not followed").
  std::vector<std::string> skipped;
};

// Reads the regular-file members `want` accepts (all when it is empty).
// Exceeding a limit is an error for the whole archive (a bomb is not
// partially ingested).
Result<ArchiveContents> ReadArchive(std::string_view bytes, const ArchiveLimits& limits,
                                    const std::function<bool(std::string_view name)>& want = {});

// The member called `name`, or nullptr.
const ArchiveMember* FindMember(const ArchiveContents& archive, std::string_view name);

// The normalised form of an archive path ("a/./b" -> "a/b"); empty when it
// must not be used: absolute, a drive letter, or escaping with "..".
std::string SafeMemberName(std::string_view raw);

// Just the member names (no data decompressed), for type detection.
Result<std::vector<std::string>> ListArchive(std::string_view bytes, size_t max_names = 64);

}  // namespace askio::ingest
