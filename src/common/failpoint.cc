#include "common/failpoint.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

namespace askio::failpoint {
namespace {

struct Armed {
  std::string name;  // empty: nothing armed
  long at = 1;       // fires on this arrival
  mutable std::atomic<long> arrivals{0};
};

const Armed& Config() {
  static const Armed* armed = [] {
    auto* a = new Armed();
    if (const char* env = std::getenv("ASKIO_FAILPOINT"); env && *env) {
      std::string spec = env;
      if (const size_t at = spec.find('@'); at != std::string::npos) {
        a->at = std::max(1L, std::atol(spec.c_str() + at + 1));
        spec.resize(at);
      }
      a->name = spec;
    }
    return a;
  }();
  return *armed;
}

}  // namespace

void Hit(const char* name) {
  const Armed& a = Config();
  if (a.name.empty() || a.name != name) return;
  if (a.arrivals.fetch_add(1) + 1 < a.at) return;
  static const char kMsg[] = "askio: fail point reached, exiting\n";
  [[maybe_unused]] ssize_t n = write(2, kMsg, sizeof kMsg - 1);
  _exit(kExitCode);
}

}  // namespace askio::failpoint
