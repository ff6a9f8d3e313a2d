// Running the askio binary in tests: a private data directory, and its
// --json output parsed (a test failure, not an exception, when it is not JSON).
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_util.h"

namespace askio::testing {

// askio --data-dir DATA_DIR args..., with $ASKIO_DATA_DIR unset.
inline CommandResult RunAskioIn(const std::string& data_dir, std::vector<std::string> args) {
  args.insert(args.begin(), {ASKIO_BINARY, "--data-dir", data_dir});
  return RunCommand(args, {{"ASKIO_DATA_DIR", "\x01unset"}});
}

inline nlohmann::json ParseJsonOutput(const CommandResult& r) {
  try {
    return nlohmann::json::parse(r.out);
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << "not JSON: " << e.what() << "\nstdout: " << r.out << "\nstderr: " << r.err;
    return nlohmann::json();
  }
}

}  // namespace askio::testing
