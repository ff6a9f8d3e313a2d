#include "model/model_config.h"

#include <toml++/toml.h>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

extern char** environ;

namespace askio::model {
namespace {

enum class Kind { kString, kSeconds, kRetries, kCount, kJsonObject };

struct Key {
  const char* name;
  Kind kind;
};

constexpr Key kKeys[] = {
    {"base_url", Kind::kString},
    {"model", Kind::kString},
    {"api_key", Kind::kString},
    {"timeout_seconds", Kind::kSeconds},
    {"connect_timeout_seconds", Kind::kSeconds},
    {"max_retries", Kind::kRetries},
    {"concurrency", Kind::kCount},
    {"batch_size", Kind::kCount},
    {"extra_body", Kind::kJsonObject},
    {"voice", Kind::kString},     // [tts] only
    {"language", Kind::kString},  // [stt] only
};

constexpr const char* kSections[] = {"llm", "embed", "rerank", "stt", "tts"};

const Key* FindKey(std::string_view name) {
  for (const Key& k : kKeys)
    if (name == k.name) return &k;
  return nullptr;
}

ProviderConfig* SectionOf(ModelsConfig& config, std::string_view name) {
  if (name == "llm") return &config.llm;
  if (name == "embed") return &config.embed;
  if (name == "rerank") return &config.rerank;
  if (name == "stt") return &config.stt;
  if (name == "tts") return &config.tts;
  return nullptr;
}

std::string KnownKeys() {
  std::string out;
  for (const Key& k : kKeys) out += (out.empty() ? "" : ", ") + std::string(k.name);
  return out;
}

const char* Expected(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return "a string";
    case Kind::kSeconds:
      return "a number of seconds > 0";
    case Kind::kRetries:
      return "an integer >= 0";
    case Kind::kCount:
      return "an integer >= 1";
    case Kind::kJsonObject:
      return "a JSON object (as text or as a TOML table)";
  }
  return "";
}

const char* TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    default:
      return "a date/time";
  }
}

// Upper bounds keep a typo (timeout_seconds = 6000000) from meaning "hang".
constexpr double kMaxSeconds = 86400;
constexpr int64_t kMaxRetries = 100;
constexpr int64_t kMaxCount = 1 << 20;

// Stores an already type-checked value.
struct Value {
  std::string text;
  double number = 0;
  int64_t integer = 0;
};

void Assign(ProviderConfig& c, const Key& key, Value v) {
  const std::string_view name = key.name;
  if (name == "base_url") c.base_url = std::move(v.text);
  if (name == "model") c.model = std::move(v.text);
  if (name == "api_key") c.api_key = std::move(v.text);
  if (name == "extra_body") c.extra_body = std::move(v.text);
  if (name == "voice") c.voice = std::move(v.text);
  if (name == "language") c.language = std::move(v.text);
  if (name == "timeout_seconds") c.timeout_seconds = v.number;
  if (name == "connect_timeout_seconds") c.connect_timeout_seconds = v.number;
  if (name == "max_retries") c.max_retries = static_cast<int>(v.integer);
  if (name == "concurrency") c.concurrency = static_cast<size_t>(v.integer);
  if (name == "batch_size") c.batch_size = static_cast<size_t>(v.integer);
}

bool InRange(Kind kind, const Value& v) {
  switch (kind) {
    case Kind::kSeconds:
      return std::isfinite(v.number) && v.number > 0 && v.number <= kMaxSeconds;
    case Kind::kRetries:
      return v.integer >= 0 && v.integer <= kMaxRetries;
    case Kind::kCount:
      return v.integer >= 1 && v.integer <= kMaxCount;
    default:
      return true;
  }
}

bool IsJsonObject(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  return !j.is_discarded() && j.is_object();
}

// Reads a TOML value; `where` is "FILE:LINE: [SECTION] KEY".
Status SetFromToml(ProviderConfig& c, const Key& key, const toml::node& node,
                   const std::string& where) {
  Value v;
  bool ok = false;
  switch (key.kind) {
    case Kind::kString:
      if (auto s = node.value_exact<std::string>()) v.text = std::move(*s), ok = true;
      break;
    case Kind::kSeconds:
      if (node.is_integer() || node.is_floating_point())
        v.number = *node.value<double>(), ok = true;
      break;
    case Kind::kRetries:
    case Kind::kCount:
      if (auto i = node.value_exact<int64_t>()) v.integer = *i, ok = true;
      break;
    case Kind::kJsonObject:
      if (auto s = node.value_exact<std::string>()) {
        if (!IsJsonObject(*s))
          return Status::InvalidArgument(where + " must be " + Expected(key.kind) +
                                         ": the text is not a JSON object");
        v.text = std::move(*s), ok = true;
      } else if (const toml::table* t = node.as_table()) {
        std::ostringstream json;
        json << toml::json_formatter(*t);
        // Compact, as an extra_body written as text would be.
        v.text = nlohmann::json::parse(json.str()).dump(), ok = true;
      }
      break;
  }
  if (!ok)
    return Status::InvalidArgument(where + " must be " + Expected(key.kind) + ", not " +
                                   TypeName(node));
  if (!InRange(key.kind, v))
    return Status::InvalidArgument(where + " must be " + Expected(key.kind));
  Assign(c, key, std::move(v));
  return Status::Ok();
}

// Reads an environment value (always text).
Status SetFromString(ProviderConfig& c, const Key& key, const std::string& text,
                     const std::string& where) {
  Value v;
  char* end = nullptr;
  switch (key.kind) {
    case Kind::kString:
      v.text = text;
      break;
    case Kind::kSeconds:
      v.number = std::strtod(text.c_str(), &end);
      if (end != text.c_str() + text.size())
        return Status::InvalidArgument(where + " must be " + Expected(key.kind));
      break;
    case Kind::kRetries:
    case Kind::kCount:
      errno = 0;
      v.integer = std::strtoll(text.c_str(), &end, 10);
      if (end != text.c_str() + text.size() || errno == ERANGE)
        return Status::InvalidArgument(where + " must be " + Expected(key.kind));
      break;
    case Kind::kJsonObject:
      if (!IsJsonObject(text))
        return Status::InvalidArgument(where + " must be " + Expected(key.kind));
      v.text = text;
      break;
  }
  if (!InRange(key.kind, v))
    return Status::InvalidArgument(where + " must be " + Expected(key.kind));
  Assign(c, key, std::move(v));
  return Status::Ok();
}

// voice belongs to [tts] and language to [stt]; elsewhere they would be
// silently ignored, which hides a misplaced line.
Status CheckKeyInSection(const Key& key, std::string_view label, const std::string& where) {
  const std::string_view name = key.name;
  const std::string_view section = label.substr(label.rfind('.') + 1);
  if (name == "voice" && section != "tts")
    return Status::InvalidArgument(where + ": 'voice' belongs in [tts]");
  if (name == "language" && section != "stt")
    return Status::InvalidArgument(where + ": 'language' belongs in [stt]");
  return Status::Ok();
}

std::string Where(const std::string& path, const toml::node& node) {
  const toml::source_position pos = node.source().begin;
  return pos.line > 0 ? path + ":" + std::to_string(pos.line) : path;
}

// Applies one [llm]/[embed]/[rerank] table. `label` is "llm" or
// "kb.NAME.llm", for messages.
Status ApplySection(const std::string& path, const std::string& label, const toml::node& node,
                    ProviderConfig& target) {
  const toml::table* table = node.as_table();
  if (!table)
    return Status::InvalidArgument(Where(path, node) + ": " + label + " must be a table ([" +
                                   label + "]), not " + TypeName(node));
  for (const auto& [name, value] : *table) {
    const std::string where = Where(path, value) + ": [" + label + "] " + std::string(name.str());
    const Key* key = FindKey(name.str());
    if (!key) return Status::InvalidArgument(where + ": unknown key (known: " + KnownKeys() + ")");
    ASKIO_RETURN_IF_ERROR(CheckKeyInSection(*key, label, where));
    ASKIO_RETURN_IF_ERROR(SetFromToml(target, *key, value, where));
  }
  return Status::Ok();
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(Status::IOError("cannot read " + path + ": " + std::strerror(errno)));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return Err(Status::IOError("cannot read " + path));
  return out.str();
}

Status ApplyFile(const std::string& path, const std::string& kb, ModelsConfig& config) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (path.empty() || status.type() == std::filesystem::file_type::not_found) return Status::Ok();
  if (std::filesystem::is_directory(status))
    return Status::IOError("cannot read " + path + ": it is a directory");
  Result<std::string> text = ReadWholeFile(path);
  if (!text) return text.error();

  toml::table root;
  try {
    root = toml::parse(*text, path);
  } catch (const toml::parse_error& e) {
    const toml::source_position pos = e.source().begin;
    return Status::InvalidArgument(path + ":" + std::to_string(pos.line) + ":" +
                                   std::to_string(pos.column) + ": " +
                                   std::string(e.description()));
  }

  // Per-KB sections apply after the global ones, whatever the file order;
  // every KB's sections are checked, so a typo surfaces whichever KB is used.
  const toml::table* kb_tables = nullptr;
  for (const auto& [name, node] : root) {
    const std::string_view section = name.str();
    if (ProviderConfig* target = SectionOf(config, section)) {
      ASKIO_RETURN_IF_ERROR(ApplySection(path, std::string(section), node, *target));
    } else if (section == "kb") {
      kb_tables = node.as_table();
      if (!kb_tables)
        return Status::InvalidArgument(Where(path, node) +
                                       ": kb must be a table of knowledge "
                                       "bases ([kb.NAME.llm]), not " +
                                       TypeName(node));
    } else {
      return Status::InvalidArgument(Where(path, node) + ": unknown section [" +
                                     std::string(section) +
                                     "] (known: llm, embed, rerank, stt, tts, kb)");
    }
  }
  if (!kb_tables) return Status::Ok();
  for (const auto& [kb_name, kb_node] : *kb_tables) {
    const std::string label = "kb." + std::string(kb_name.str());
    const toml::table* sections = kb_node.as_table();
    if (!sections)
      return Status::InvalidArgument(Where(path, kb_node) + ": " + label +
                                     " must be a table, not " + TypeName(kb_node));
    const bool selected = kb_name.str() == kb;
    for (const auto& [name, node] : *sections) {
      ModelsConfig scratch;
      ProviderConfig* target = SectionOf(selected ? config : scratch, name.str());
      if (!target)
        return Status::InvalidArgument(Where(path, node) + ": unknown section [" + label + "." +
                                       std::string(name.str()) +
                                       "] (known: llm, embed, rerank, stt, tts)");
      ASKIO_RETURN_IF_ERROR(
          ApplySection(path, label + "." + std::string(name.str()), node, *target));
    }
  }
  return Status::Ok();
}

Status ApplyEnvironment(const std::map<std::string, std::string>& env, ModelsConfig& config) {
  constexpr std::string_view kPrefix = "ASKIO_";
  for (const auto& [name, value] : env) {
    if (!name.starts_with(kPrefix) || value.empty()) continue;
    const std::string_view rest = std::string_view(name).substr(kPrefix.size());
    for (const char* section : kSections) {
      std::string upper = section;
      for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      upper += '_';
      if (!rest.starts_with(upper)) continue;
      std::string key_name(rest.substr(upper.size()));
      for (char& ch : key_name)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      const std::string where = "environment variable " + name;
      const Key* key = FindKey(key_name);
      if (!key)
        return Status::InvalidArgument(where + ": unknown key '" + key_name + "' for [" + section +
                                       "] (known: " + KnownKeys() + ")");
      ASKIO_RETURN_IF_ERROR(CheckKeyInSection(*key, section, where));
      ASKIO_RETURN_IF_ERROR(SetFromString(*SectionOf(config, section), *key, value, where));
      break;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ModelsConfig> LoadModelsConfig(const std::string& toml_path, const std::string& kb,
                                      const std::map<std::string, std::string>& env) {
  ModelsConfig config;
  ASKIO_RETURN_IF_ERROR(ApplyFile(toml_path, kb, config));
  ASKIO_RETURN_IF_ERROR(ApplyEnvironment(env, config));
  return config;
}

std::map<std::string, std::string> AskioEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry = *e;
    if (!entry.starts_with("ASKIO_")) continue;
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

std::string DefaultConfigPath(const std::string& data_dir) {
  if (const char* path = std::getenv("ASKIO_CONFIG"); path && *path) return path;
  return (std::filesystem::path(data_dir) / "askio.toml").string();
}

}  // namespace askio::model
