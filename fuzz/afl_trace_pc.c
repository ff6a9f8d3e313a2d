// AFL++ edge coverage from GCC's -fsanitize-coverage=trace-pc.
//
// Debian 12's afl-g++-fast (AFL++'s GCC plugin) refuses to run: it was built
// against gcc 12.2.0-14 and the archive now has 12.2.0-14+deb12u1, and the
// plugin's version check compares the configure strings ("GCC and plugin have
// incompatible versions, expected GCC 12.2.0, is 12.2.0"). So the targets are
// compiled by plain g++ with -fsanitize-coverage=trace-pc, which calls
// __sanitizer_cov_trace_pc() at the start of every basic block, and this
// callback records the edge (previous block, this block) in AFL++'s shared
// coverage map exactly as AFL's classic instrumentation does. Everything else
// (fork server, shared-memory input, persistent mode) is AFL++'s own runtime,
// afl-compiler-rt.o, and the libFuzzer-style main() is libAFLDriver.a.
//
// This file must be compiled without instrumentation or sanitizers.
#include <stdint.h>

// AFL++'s coverage map: a dummy area until the fork server maps the shared
// one. At least 64 KiB (MAP_SIZE) either way.
extern uint8_t* __afl_area_ptr;
// The previous block, per thread; AFL++'s runtime zeroes it before each run
// in persistent mode, which keeps coverage stable from run to run.
extern __thread uint16_t __afl_prev_loc[];

__attribute__((no_sanitize_address, no_sanitize_undefined, no_instrument_function)) void
__sanitizer_cov_trace_pc(void) {
  uintptr_t pc = (uintptr_t)__builtin_return_address(0);
  // Mix the address bits so nearby blocks spread over the map.
  pc ^= pc >> 15;
  pc *= 0x2c1b3c6dU;
  pc ^= pc >> 12;
  const uint16_t cur = (uint16_t)pc;
  uint8_t* hit = &__afl_area_ptr[(uint16_t)(cur ^ __afl_prev_loc[0])];
  // Saturating: a counter that wraps to 0 would look like a lost edge.
  *hit += (*hit != 255);
  __afl_prev_loc[0] = cur >> 1;
}
