#pragma once

#include <chrono>
#include <string>

namespace askio {

// Seconds since construction, from a monotonic clock.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  void Reset() { start_ = std::chrono::steady_clock::now(); }

 private:
  std::chrono::steady_clock::time_point start_;
};

// The current UTC time as ISO 8601 ("2026-11-28T14:03:00Z").
std::string NowIso8601();

}  // namespace askio
