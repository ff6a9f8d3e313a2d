// Byte-level decoding of text files into UTF-8.
#pragma once

#include <string>
#include <string_view>

#include "askio/status.h"

namespace askio::ingest {

struct DecodedText {
  std::string utf8;
  std::string encoding;  // "UTF-8", "UTF-16LE", "GB18030", "Big5", ...
};

// Accepts UTF-8 (with or without BOM), UTF-16 with a BOM, and GB18030/Big5
// when the bytes decode strictly in that encoding and ICU's detector agrees.
// Anything else is rejected rather than guessed into mojibake.
Result<DecodedText> DecodeText(std::string_view bytes);

// Converts `bytes` from the named charset (any ICU knows), strictly: any
// sequence invalid in it is an error rather than a replacement character.
Result<DecodedText> DecodeAs(std::string_view bytes, const std::string& charset);

}  // namespace askio::ingest
