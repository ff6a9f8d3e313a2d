// `askio voice ...`: transcribe, speak, ask by voice, prepare a voice
// dataset. Thin: the work is in src/voice/.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>

struct VoiceCommands;

// Adds the `voice` subcommand and its own subcommands to `app`.
std::shared_ptr<VoiceCommands> AddVoiceCommands(CLI::App& app);

// Runs the voice subcommand that was chosen; nullopt when none was.
std::optional<int> RunVoiceCommand(const VoiceCommands& v, const std::string& data_dir,
                                   const std::string& config, bool json);
