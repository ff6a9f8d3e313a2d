#include "model/models.h"

namespace askio::model {

Models MakeModels(const ModelsConfig& config) {
  Models m;
  if (config.llm.configured()) m.llm = MakeOpenAiChat(config.llm);
  if (config.embed.configured()) m.embed = MakeOpenAiEmbedder(config.embed);
  if (config.rerank.configured()) m.rerank = MakeOpenAiReranker(config.rerank);
  return m;
}

Result<Models> LoadModels(const std::string& config_path, const std::string& kb) {
  auto config = LoadModelsConfig(config_path, kb, AskioEnvironment());
  if (!config) return Err(config.error());
  return MakeModels(*config);
}

}  // namespace askio::model
