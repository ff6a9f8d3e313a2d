// Model configuration: askio.toml sections [llm], [embed], [rerank], and
// for voice [stt] (speech-to-text) and [tts] (text-to-speech), each
// overridable per knowledge base as [kb.NAME.llm] etc., and every key also
// from the environment as ASKIO_<SECTION>_<KEY> (ASKIO_LLM_BASE_URL,
// ASKIO_EMBED_MODEL, ASKIO_RERANK_API_KEY, ...), which wins over the file.
//
//   [llm]
//   base_url = "https://dashscope.aliyuncs.com/compatible-mode/v1"
//   model = "qwen-plus"
//   api_key = "sk-..."
//   timeout_seconds = 60
//
// Keys: base_url, model, api_key, timeout_seconds, connect_timeout_seconds,
// max_retries, concurrency, batch_size, extra_body (a JSON object as text);
// [tts] also takes voice, [stt] also language.
#pragma once

#include <map>
#include <string>

#include "askio/status.h"
#include "model/provider.h"

namespace askio::model {

struct ModelsConfig {
  ProviderConfig llm, embed, rerank;  // unconfigured ones have an empty base_url
  // Voice providers (src/voice/); unconfigured: the offline engines.
  ProviderConfig stt, tts;
};

// Reads `toml_path` (a missing file is not an error: the environment alone
// may configure everything) and applies `env` (name -> value; normally the
// process environment) on top. `kb` selects [kb.NAME.*] overrides.
// Unknown sections or keys, and wrong types, are errors that name them.
Result<ModelsConfig> LoadModelsConfig(const std::string& toml_path, const std::string& kb,
                                      const std::map<std::string, std::string>& env);

// The process environment's ASKIO_* variables.
std::map<std::string, std::string> AskioEnvironment();

// Where askio.toml is looked for: $ASKIO_CONFIG, else DATA_DIR/askio.toml.
std::string DefaultConfigPath(const std::string& data_dir);

}  // namespace askio::model
