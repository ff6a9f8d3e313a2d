// The web UI's files, embedded in the binary at build time from web/
// (cmake/EmbedWeb.cmake generates the table), so that askio stays one file.
#pragma once

#include <string>
#include <string_view>

namespace askio::server {

struct WebAsset {
  std::string_view path;  // "/index.html"
  std::string_view content_type;
  std::string_view body;
};

// The asset at `path`, or nullptr.
const WebAsset* FindWebAsset(std::string_view path);

// By extension: text/html, text/javascript, text/css, image/svg+xml, ...
std::string ContentTypeFor(std::string_view path);

}  // namespace askio::server
