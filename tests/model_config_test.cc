// askio.toml's model sections, per-KB overrides and ASKIO_* environment
// precedence.
#include "model/model_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>
#include <string>
#include <string_view>

#include "test_util.h"

namespace askio::model {
namespace {

using askio::testing::TempDir;
using askio::testing::WriteFile;

::testing::AssertionResult Contains(std::string_view haystack, std::string_view needle) {
  if (haystack.find(needle) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\"" << haystack << "\" does not contain \"" << needle << "\"";
}

constexpr std::string_view kToml = R"(
[llm]
base_url = "https://dashscope.aliyuncs.com/compatible-mode/v1"
model = "qwen-plus"
api_key = "sk-global"
timeout_seconds = 30
extra_body = '{"enable_thinking": false}'

[embed]
base_url = "http://127.0.0.1:11434/v1"
model = "bge-m3"
batch_size = 16
concurrency = 2
timeout_seconds = 12.5

[kb.legal.llm]
model = "qwen-max"
max_retries = 5

[kb.legal.rerank]
base_url = "http://127.0.0.1:8080/v1"
model = "bge-reranker-v2-m3"
extra_body = { return_documents = false }

[kb.other.embed]
model = "text-embedding-3-small"
)";

std::string Write(const TempDir& dir, std::string_view text) {
  const std::string path = dir / "askio.toml";
  WriteFile(path, text);
  return path;
}

TEST(ModelConfig, ReadsTheGlobalSections) {
  TempDir dir;
  Result<ModelsConfig> c = LoadModelsConfig(Write(dir, kToml), "", {});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->llm.base_url, "https://dashscope.aliyuncs.com/compatible-mode/v1");
  EXPECT_EQ(c->llm.model, "qwen-plus");
  EXPECT_EQ(c->llm.api_key, "sk-global");
  EXPECT_EQ(c->llm.timeout_seconds, 30);
  EXPECT_EQ(c->llm.max_retries, 3);  // the default
  EXPECT_EQ(c->llm.extra_body, R"({"enable_thinking": false})");
  EXPECT_TRUE(c->llm.configured());
  EXPECT_EQ(c->embed.model, "bge-m3");
  EXPECT_EQ(c->embed.batch_size, 16u);
  EXPECT_EQ(c->embed.concurrency, 2u);
  EXPECT_EQ(c->embed.timeout_seconds, 12.5);
  EXPECT_FALSE(c->rerank.configured());
}

TEST(ModelConfig, KnowledgeBaseSectionsOverrideFieldByField) {
  TempDir dir;
  Result<ModelsConfig> c = LoadModelsConfig(Write(dir, kToml), "legal", {});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->llm.model, "qwen-max");
  EXPECT_EQ(c->llm.max_retries, 5);
  // Not overridden: from [llm].
  EXPECT_EQ(c->llm.base_url, "https://dashscope.aliyuncs.com/compatible-mode/v1");
  EXPECT_EQ(c->llm.api_key, "sk-global");
  EXPECT_EQ(c->llm.timeout_seconds, 30);
  EXPECT_EQ(c->rerank.model, "bge-reranker-v2-m3");
  EXPECT_EQ(c->rerank.extra_body, R"({"return_documents":false})");
  EXPECT_EQ(c->embed.model, "bge-m3");  // [kb.other.embed] is another KB's

  c = LoadModelsConfig(Write(dir, kToml), "other", {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->embed.model, "text-embedding-3-small");
  EXPECT_EQ(c->embed.batch_size, 16u);
  EXPECT_EQ(c->llm.model, "qwen-plus");
}

TEST(ModelConfig, EnvironmentWinsOverTheFile) {
  TempDir dir;
  const std::map<std::string, std::string> env = {
      {"ASKIO_LLM_MODEL", "deepseek-chat"},
      {"ASKIO_LLM_API_KEY", "sk-env"},
      {"ASKIO_LLM_TIMEOUT_SECONDS", "7.5"},
      {"ASKIO_RERANK_MAX_RETRIES", "0"},
      {"ASKIO_EMBED_EXTRA_BODY", R"({"dimensions": 256})"},
      {"ASKIO_EMBED_BATCH_SIZE", ""},    // empty: as if unset
      {"ASKIO_DATA_DIR", "/elsewhere"},  // not a model setting
      {"ASKIO_CONFIG", "/x.toml"},
  };
  Result<ModelsConfig> c = LoadModelsConfig(Write(dir, kToml), "legal", env);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->llm.model, "deepseek-chat");  // over [kb.legal.llm] too
  EXPECT_EQ(c->llm.api_key, "sk-env");
  EXPECT_EQ(c->llm.timeout_seconds, 7.5);
  EXPECT_EQ(c->llm.max_retries, 5);  // the file's, not in the environment
  EXPECT_EQ(c->rerank.max_retries, 0);
  EXPECT_EQ(c->embed.extra_body, R"({"dimensions": 256})");
  EXPECT_EQ(c->embed.batch_size, 16u);
}

TEST(ModelConfig, EnvironmentAloneConfiguresWithoutAFile) {
  TempDir dir;
  Result<ModelsConfig> c = LoadModelsConfig(
      dir / "missing.toml", "kb",
      {{"ASKIO_EMBED_BASE_URL", "http://localhost:8081/v1"}, {"ASKIO_EMBED_MODEL", "e5"}});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE(c->embed.configured());
  EXPECT_FALSE(c->llm.configured());
  EXPECT_EQ(c->embed.batch_size, 32u);
}

TEST(ModelConfig, UnknownSectionsAndKeysAreNamed) {
  TempDir dir;
  Result<ModelsConfig> c = LoadModelsConfig(Write(dir, "[llm]\nmodle = \"x\"\n"), "", {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(c.error().message(), "askio.toml:2: [llm] modle: unknown key"));

  c = LoadModelsConfig(Write(dir, "[server]\nport = 1\n"), "", {});
  ASSERT_FALSE(c);
  EXPECT_TRUE(Contains(c.error().message(), "unknown section [server]"));

  c = LoadModelsConfig(Write(dir, "[kb.docs.chat]\nmodel = \"x\"\n"), "", {});
  ASSERT_FALSE(c);
  EXPECT_TRUE(Contains(c.error().message(), "unknown section [kb.docs.chat]"));

  // Checked in every KB, not only the one asked for.
  c = LoadModelsConfig(Write(dir, "[kb.docs.llm]\nbase = \"x\"\n"), "other", {});
  ASSERT_FALSE(c);
  EXPECT_TRUE(Contains(c.error().message(), "[kb.docs.llm] base: unknown key"));

  c = LoadModelsConfig("", "", {{"ASKIO_LLM_APIKEY", "sk"}});
  ASSERT_FALSE(c);
  EXPECT_TRUE(Contains(c.error().message(), "ASKIO_LLM_APIKEY: unknown key 'apikey'"));
}

TEST(ModelConfig, WrongTypesAndRangesAreNamed) {
  TempDir dir;
  const std::string path = dir / "askio.toml";
  Result<ModelsConfig> c = LoadModelsConfig(Write(dir, "[embed]\nbatch_size = \"16\"\n"), "", {});
  ASSERT_FALSE(c);
  EXPECT_TRUE(Contains(c.error().message(), path + ":2: [embed] batch_size must be an integer "
                                                   ">= 1, not a string"));

  c = LoadModelsConfig(Write(dir, "[llm]\ntimeout_seconds = 0\n"), "", {});
  ASSERT_FALSE(c);
  EXPECT_TRUE(Contains(c.error().message(), "[llm] timeout_seconds must be a number of seconds"));

  c = LoadModelsConfig(Write(dir, "[llm]\nmodel = 3\n"), "", {});
  ASSERT_FALSE(c);
  EXPECT_TRUE(Contains(c.error().message(), "[llm] model must be a string, not an integer"));

  c = LoadModelsConfig(Write(dir, "[rerank]\nextra_body = \"[1]\"\n"), "", {});
  ASSERT_FALSE(c);
  EXPECT_TRUE(Contains(c.error().message(), "[rerank] extra_body must be a JSON object"));

  c = LoadModelsConfig(Write(dir, "llm = \"qwen\"\n"), "", {});
  ASSERT_FALSE(c);
  EXPECT_TRUE(Contains(c.error().message(), "llm must be a table"));

  c = LoadModelsConfig("", "", {{"ASKIO_LLM_TIMEOUT_SECONDS", "soon"}});
  ASSERT_FALSE(c);
  EXPECT_TRUE(Contains(c.error().message(),
                       "environment variable ASKIO_LLM_TIMEOUT_SECONDS must be a number"));
  c = LoadModelsConfig("", "", {{"ASKIO_EMBED_CONCURRENCY", "0"}});
  ASSERT_FALSE(c);
  EXPECT_TRUE(Contains(c.error().message(), "ASKIO_EMBED_CONCURRENCY must be an integer >= 1"));
}

TEST(ModelConfig, InvalidTomlReportsLineAndColumn) {
  TempDir dir;
  const std::string path = Write(dir, "[llm]\nmodel = \"unterminated\n");
  Result<ModelsConfig> c = LoadModelsConfig(path, "", {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(c.error().message(), path + ":2:")) << c.error().message();

  c = LoadModelsConfig(dir.path(), "", {});  // a directory
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), StatusCode::kIOError);
}

TEST(ModelConfig, EnvironmentAndDefaultPath) {
  ::setenv("ASKIO_TEST_MODEL_CONFIG_VAR", "42", 1);
  const std::map<std::string, std::string> env = AskioEnvironment();
  ::unsetenv("ASKIO_TEST_MODEL_CONFIG_VAR");
  ASSERT_TRUE(env.contains("ASKIO_TEST_MODEL_CONFIG_VAR"));
  EXPECT_EQ(env.at("ASKIO_TEST_MODEL_CONFIG_VAR"), "42");
  for (const auto& [name, value] : env) EXPECT_TRUE(name.starts_with("ASKIO_")) << name;

  const char* saved = std::getenv("ASKIO_CONFIG");
  const std::string saved_value = saved ? saved : "";
  ::unsetenv("ASKIO_CONFIG");
  EXPECT_EQ(DefaultConfigPath("/data"), "/data/askio.toml");
  ::setenv("ASKIO_CONFIG", "/etc/askio.toml", 1);
  EXPECT_EQ(DefaultConfigPath("/data"), "/etc/askio.toml");
  if (saved)
    ::setenv("ASKIO_CONFIG", saved_value.c_str(), 1);
  else
    ::unsetenv("ASKIO_CONFIG");
}

}  // namespace
}  // namespace askio::model
