# The system libraries askio links, found once for the main build and for
# the fuzz project (fuzz/CMakeLists.txt). Every one is a Debian package
# installed by scripts/setup-deps.sh.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc icu-i18n)
pkg_check_modules(CMARK REQUIRED IMPORTED_TARGET libcmark-gfm)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(OPENCC REQUIRED IMPORTED_TARGET opencc)
pkg_check_modules(GUMBO REQUIRED IMPORTED_TARGET gumbo)
pkg_check_modules(POPPLER REQUIRED IMPORTED_TARGET poppler-cpp)
pkg_check_modules(TESSERACT REQUIRED IMPORTED_TARGET tesseract lept)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(PUGIXML REQUIRED IMPORTED_TARGET pugixml)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(OPENSSL REQUIRED IMPORTED_TARGET openssl)
find_library(MAGIC_LIB magic REQUIRED)
find_package(xapian REQUIRED)
find_package(nlohmann_json REQUIRED)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
# FAISS (static, from libfaiss-dev) links OpenMP and the system BLAS
# (OpenBLAS through Debian's alternatives).
find_package(OpenMP REQUIRED)
find_package(faiss REQUIRED)
find_package(Threads REQUIRED)
find_library(STEMMER_LIB stemmer REQUIRED)
find_library(CMARK_EXT_LIB cmark-gfm-extensions REQUIRED)
# Voice (src/voice/): offline speech-to-text (pocketsphinx and its en-us
# model), text-to-speech (espeak-ng), audio decoding and encoding
# (libsndfile) and resampling (libsoxr).
pkg_check_modules(POCKETSPHINX REQUIRED pocketsphinx sphinxbase)
# Debian's pocketsphinx.pc names /usr/include/sphinxbase, which does not
# exist (sphinxbase's headers are under the multiarch folder): only the
# folders that exist are used.
set(ASKIO_POCKETSPHINX_INCLUDE_DIRS "")
foreach(dir IN LISTS POCKETSPHINX_INCLUDE_DIRS)
  if(EXISTS "${dir}")
    list(APPEND ASKIO_POCKETSPHINX_INCLUDE_DIRS "${dir}")
  endif()
endforeach()
if(NOT TARGET askio_pocketsphinx)
  add_library(askio_pocketsphinx INTERFACE)
  target_include_directories(askio_pocketsphinx SYSTEM INTERFACE ${ASKIO_POCKETSPHINX_INCLUDE_DIRS})
  target_link_libraries(askio_pocketsphinx INTERFACE ${POCKETSPHINX_LINK_LIBRARIES})
endif()
pkg_check_modules(ESPEAKNG REQUIRED IMPORTED_TARGET espeak-ng)
pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
pkg_check_modules(SOXR REQUIRED IMPORTED_TARGET soxr)
