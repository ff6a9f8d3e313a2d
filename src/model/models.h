// Configured models, ready for KnowledgeBase::SetModels: what the CLI and
// the server call with askio.toml and the environment.
#pragma once

#include <string>

#include "askio/engine.h"
#include "model/model_config.h"

namespace askio::model {

// Clients for the configured providers (unconfigured ones stay null).
Models MakeModels(const ModelsConfig& config);

// LoadModelsConfig(config_path, kb, the process environment) + MakeModels.
Result<Models> LoadModels(const std::string& config_path, const std::string& kb);

// Whether any provider is configured.
inline bool Any(const Models& m) { return m.llm || m.embed || m.rerank; }

}  // namespace askio::model
