// `askio keys`: keys are created (shown once), listed without their secret,
// and revoked; bad arguments are user errors.
#include <gtest/gtest.h>

#include <string>

#include "cli_util.h"
#include "test_util.h"

namespace askio {
namespace {

using askio::testing::ParseJsonOutput;
using askio::testing::RunAskioIn;
using askio::testing::TempDir;

TEST(CliKeys, CreateListRevoke) {
  TempDir dir;
  const std::string data = dir / "data";
  auto created = RunAskioIn(data, {"keys", "create", "--kb", "handbook", "--role", "editor",
                                   "--name", "ci bot"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  // Human output ends with the key on its own line.
  const std::string out = created.out;
  const size_t at = out.rfind("askio_");
  ASSERT_NE(at, std::string::npos) << out;
  const std::string secret = out.substr(at, out.find('\n', at) - at);
  EXPECT_EQ(secret.size(), 46u);

  auto json_created = RunAskioIn(data, {"--json", "keys", "create", "--kb", "*", "--role", "admin"});
  ASSERT_EQ(json_created.exit_code, 0) << json_created.err;
  auto j = ParseJsonOutput(json_created);
  EXPECT_EQ(j["kb"], "*");
  EXPECT_EQ(j["role"], "admin");
  EXPECT_TRUE(j["key"].get<std::string>().starts_with("askio_"));

  auto listed = RunAskioIn(data, {"--json", "keys", "list"});
  ASSERT_EQ(listed.exit_code, 0);
  auto keys = ParseJsonOutput(listed)["keys"];
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0]["kb"], "handbook");
  EXPECT_EQ(keys[0]["role"], "editor");
  EXPECT_EQ(keys[0]["name"], "ci bot");
  // A listing never shows a secret.
  EXPECT_EQ(listed.out.find(secret), std::string::npos);
  EXPECT_EQ(listed.out.find("askio_"), std::string::npos);

  auto revoked = RunAskioIn(data, {"keys", "revoke", std::to_string(keys[0]["id"].get<int64_t>())});
  EXPECT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_EQ(ParseJsonOutput(RunAskioIn(data, {"--json", "keys", "list"}))["keys"].size(), 1u);
  auto again = RunAskioIn(data, {"keys", "revoke", std::to_string(keys[0]["id"].get<int64_t>())});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("no live key"), std::string::npos) << again.err;
}

TEST(CliKeys, BadArgumentsAreUserErrors) {
  TempDir dir;
  const std::string data = dir / "data";
  EXPECT_EQ(RunAskioIn(data, {"keys", "create", "--kb", "hb", "--role", "god"}).exit_code, 1);
  EXPECT_EQ(RunAskioIn(data, {"keys", "create", "--kb", "../x"}).exit_code, 1);
  EXPECT_EQ(RunAskioIn(data, {"keys", "create"}).exit_code, 1);
  // Serving a public address without keys is refused with the way out.
  auto serve = RunAskioIn(data, {"serve", "--host", "0.0.0.0", "--port", "0"});
  EXPECT_EQ(serve.exit_code, 1);
  EXPECT_NE(serve.err.find("askio keys create"), std::string::npos) << serve.err;
}

}  // namespace
}  // namespace askio
