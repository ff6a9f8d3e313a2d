// askio_fuzz_pack PACKAGE OUT: writes the text members of a ZIP package
// (.docx, .xlsx, .pptx, .epub) in the parts format of the *_parts targets
// (parts.h), for their seed corpora. Binary members (images, fonts) are left
// out. Exit status 1 when the package cannot be read.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "ingest/archive.h"
#include "parts.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: askio_fuzz_pack PACKAGE OUT\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto contents = askio::ingest::ReadArchive(bytes, {}, [](std::string_view name) {
    for (std::string_view ext : {".xml", ".rels", ".opf", ".ncx", ".xhtml", ".html", ".htm"})
      if (name.ends_with(ext)) return true;
    return name == "mimetype";
  });
  if (!contents) {
    std::cerr << argv[1] << ": " << contents.error().message() << "\n";
    return 1;
  }
  std::ofstream out(argv[2], std::ios::binary);
  out << askio::fuzz::FormatParts(*contents);
  return out ? 0 : 1;
}
