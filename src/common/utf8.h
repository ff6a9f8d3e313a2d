// Minimal UTF-8 helpers used on hot paths where going through ICU's UTF-16
// strings would cost more than the work itself.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace askio::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// Decodes the code point at s[i] and advances i past it. Malformed sequences
// yield kReplacement and advance by one byte.
char32_t Next(std::string_view s, size_t& i);

void Append(std::string& out, char32_t c);

// Returns true if s is well-formed UTF-8; on failure *error_offset (if given)
// receives the byte offset of the first bad sequence.
bool IsValid(std::string_view s, size_t* error_offset = nullptr);

// `s` with every malformed sequence replaced by U+FFFD (a copy of `s` when
// it is already valid). For text from sources that promise UTF-8 but need
// not deliver it: XML parts, archive member names, HTML entities.
std::string MakeValid(std::string_view s);

size_t CodePointCount(std::string_view s);

// Whole-string conversions, for code that indexes by code point.
std::u32string ToCodePoints(std::string_view s);
std::string FromCodePoints(std::u32string_view s);

// Byte offset of the code point with index `cp_index` (clamped to s.size()).
size_t ByteOffsetOf(std::string_view s, size_t cp_index);

// The longest prefix of s that is at most max_bytes long and ends on a code
// point boundary.
std::string_view TruncateBytes(std::string_view s, size_t max_bytes);

}  // namespace askio::utf8
