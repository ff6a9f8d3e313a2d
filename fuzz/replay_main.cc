// A main() for the fuzz targets without a fuzzing engine: runs the harness
// once on each file given, recursing into folders, so a seed corpus or a
// crash reproducer can be replayed under the sanitizers anywhere g++ runs.
//   fuzz_pdf [-v] FILE_OR_FOLDER...
// A sanitizer report or an invariant violation aborts; the file being run
// is printed first with -v, and on every failure by the sanitizers' stack.
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" __attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)(void));

namespace {

const char* volatile g_current = nullptr;

void PrintCurrent() {
  if (g_current) std::fprintf(stderr, "\nreplay: failed on %s\n", g_current);
}

void OnAbort(int sig) {
  PrintCurrent();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  bool verbose = false;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "-v") == 0) {
      verbose = true;
      continue;
    }
    const std::filesystem::path p = argv[i];
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
    } else {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  // Name the input on the way out, whether a sanitizer or abort() ends it.
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(PrintCurrent);
  std::signal(SIGABRT, OnAbort);
  size_t bytes = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "replay: cannot read %s\n", f.c_str());
      return 2;
    }
    const std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const std::string name = f.string();
    g_current = name.c_str();
    if (verbose) std::fprintf(stderr, "replay: %s (%zu bytes)\n", name.c_str(), data.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    g_current = nullptr;
    bytes += data.size();
  }
  std::printf("replay: %zu inputs, %zu bytes, no failures\n", files.size(), bytes);
  return 0;
}
