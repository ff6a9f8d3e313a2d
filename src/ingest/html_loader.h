// HTML loader: the page's main content (no navigation, scripts, styles,
// headers, footers, asides or forms), headings as the heading path, table
// rows as records ("header: value | header: value", so a row answers on its
// own), links and emphasis as their text.
#pragma once

#include <string_view>

#include "ingest/document.h"

namespace askio::ingest {

// `html` must already be UTF-8 (see DecodeHtml for the charset).
ParsedDocument ParseHtml(std::string_view html);

// The charset an HTML file declares (BOM, <meta charset>, or <meta
// http-equiv content="...; charset=...">), lower-cased; empty if none.
std::string DeclaredHtmlCharset(std::string_view bytes);

}  // namespace askio::ingest
