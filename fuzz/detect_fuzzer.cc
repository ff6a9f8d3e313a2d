// Type detection and the whole LoadFile path, for a file of any name. The
// input is the file name, a newline, then the file's bytes ("report.pdf\n%PDF-1.7
// ..."), so names and extensions are fuzzed too; an input without a newline
// in its first 256 bytes is all content, named "input".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "ingest/detect.h"
#include "ingest/loaders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace askio;
  static const ingest::LoadOptions options = fuzz::FuzzLoadOptions();
  std::string_view bytes = fuzz::AsBytes(data, size);
  std::string name = "input";
  if (const size_t nl = bytes.substr(0, 256).find('\n'); nl != std::string_view::npos) {
    name = std::string(bytes.substr(0, nl));
    bytes.remove_prefix(nl + 1);
  }
  (void)ingest::TypeFromExtension(name);
  if (auto type = ingest::DetectType(bytes, name)) {
    ASKIO_FUZZ_CHECK(*type != ingest::FileType::kUnknown);
    ASKIO_FUZZ_CHECK(ingest::FileTypeFromName(ingest::FileTypeName(*type)) == *type);
  } else {
    ASKIO_FUZZ_CHECK(!type.error().message().empty());
  }
  fuzz::CheckItems(ingest::LoadFile(bytes, "dir/" + name, options, {}, name));
  return 0;
}
