#pragma once

#include <string>
#include <string_view>

namespace askio {

// A 128-bit XXH3 content hash as 32 hex digits. Used to detect unchanged
// files cheaply on re-ingest; not a security boundary.
std::string ContentHash(std::string_view data);

}  // namespace askio
