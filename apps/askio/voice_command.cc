#include "voice_command.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "askio/engine.h"
#include "model/model_config.h"
#include "model/models.h"
#include "voice/prepare.h"
#include "voice/voice_ask.h"

using askio::Status;
using nlohmann::json;
namespace voice = askio::voice;

struct VoiceCommands {
  CLI::App* transcribe = nullptr;
  CLI::App* speak = nullptr;
  CLI::App* ask = nullptr;
  CLI::App* prepare = nullptr;

  std::vector<std::string> inputs;
  std::string kb;
  std::string text;
  std::string output;
  std::string format;  // default: from the output's extension, else wav
  std::string stt_engine = "auto";
  std::string tts_engine = "auto";
  std::string language;
  std::string voice_name;
  std::string phonemes_path;
  double speed = 1.0;
  voice::PrepareOptions prepare_options;
  bool no_denoise = false;
};

namespace {

int ExitCodeFor(const Status& s) { return s.ok() ? 0 : s.IsUserError() ? 1 : 2; }

int Fail(const Status& s) {
  std::cerr << "askio: " << s.message() << "\n";
  return ExitCodeFor(s);
}

// The format asked for, else the output file's extension, else WAV.
askio::Result<voice::AudioFormat> OutputFormat(const VoiceCommands& v) {
  std::string name = v.format;
  if (name.empty()) {
    const size_t dot = v.output.rfind('.');
    name = dot == std::string::npos ? "wav" : v.output.substr(dot + 1);
    if (name == "ogg") name = "opus";
    if (name != "wav" && name != "flac" && name != "opus" && name != "mp3" && name != "pcm")
      name = "wav";
  }
  return voice::ParseAudioFormat(name);
}

askio::Result<askio::model::ModelsConfig> VoiceConfig(const std::string& config,
                                                      const std::string& kb) {
  return askio::model::LoadModelsConfig(config, kb, askio::model::AskioEnvironment());
}

json PhonemesJson(const std::vector<voice::PhonemeTiming>& phonemes) {
  json out = json::array();
  for (const voice::PhonemeTiming& p : phonemes)
    out.push_back({{"start", p.start_seconds},
                   {"duration", p.duration_seconds},
                   {"phoneme", p.phoneme},
                   {"viseme", p.viseme}});
  return out;
}

Status WriteSpeech(const VoiceCommands& v, const voice::Speech& speech) {
  auto format = OutputFormat(v);
  if (!format) return format.error();
  auto bytes = voice::EncodeAudio(speech.audio, *format);
  if (!bytes) return bytes.error();
  if (v.output == "-") {
    std::fwrite(bytes->data(), 1, bytes->size(), stdout);
    std::fflush(stdout);
  } else {
    ASKIO_RETURN_IF_ERROR(voice::WriteFileBytes(v.output, *bytes));
  }
  if (!v.phonemes_path.empty())
    ASKIO_RETURN_IF_ERROR(
        voice::WriteFileBytes(v.phonemes_path, PhonemesJson(speech.phonemes).dump(1) + "\n"));
  return Status::Ok();
}

int RunTranscribe(const VoiceCommands& v, const std::string& config, bool as_json) {
  auto models = VoiceConfig(config, "");
  if (!models) return Fail(models.error());
  auto stt = voice::MakeSpeechToText(models->stt, v.stt_engine);
  if (!stt) return Fail(stt.error());
  json all = json::array();
  for (const std::string& path : v.inputs) {
    auto audio = voice::ReadAudioFile(path);
    if (!audio) return Fail(audio.error());
    voice::SttOptions options;
    options.language = v.language;
    auto t = (*stt)->Transcribe(*audio, options);
    if (!t) return Fail(t.error());
    if (as_json) {
      all.push_back(
          {{"file", path},
           {"text", t->text},
           {"language", t->language},
           {"engine", t->engine},
           {"audio_seconds", t->audio_seconds},
           {"seconds", t->seconds},
           {"real_time_factor", t->audio_seconds > 0 ? t->seconds / t->audio_seconds : 0}});
    } else if (v.inputs.size() > 1) {
      std::printf("%s: %s\n", path.c_str(), t->text.c_str());
    } else {
      std::printf("%s\n", t->text.c_str());
    }
  }
  if (as_json) std::cout << (all.size() == 1 ? all[0] : all).dump(2) << "\n";
  return 0;
}

int RunSpeak(const VoiceCommands& v, const std::string& config, bool as_json) {
  std::string text = v.text;
  if (text == "-") text.assign(std::istreambuf_iterator<char>(std::cin), {});
  if (v.output.empty())
    return Fail(Status::InvalidArgument("give -o FILE (or -o - for standard output)"));
  auto models = VoiceConfig(config, "");
  if (!models) return Fail(models.error());
  auto tts = voice::MakeTextToSpeech(models->tts, v.tts_engine);
  if (!tts) return Fail(tts.error());
  voice::TtsOptions options;
  options.voice = v.voice_name;
  options.speed = v.speed;
  auto speech = voice::Speak(**tts, text, options);
  if (!speech) return Fail(speech.error());
  if (speech->audio.samples.empty())
    return Fail(Status::InvalidArgument("nothing to speak in the text"));
  if (Status s = WriteSpeech(v, *speech); !s.ok()) return Fail(s);
  if (v.output != "-") {
    if (as_json)
      std::cout << json{{"output", v.output},
                        {"seconds", speech->audio.seconds()},
                        {"sentences", speech->sentences},
                        {"engine", (*tts)->name()},
                        {"first_chunk_seconds", speech->first_chunk_seconds},
                        {"synthesis_seconds", speech->seconds}}
                       .dump(2)
                << "\n";
    else
      std::fprintf(stderr, "Wrote %s (%.1f s of speech, %zu sentence%s, %s).\n", v.output.c_str(),
                   speech->audio.seconds(), speech->sentences.size(),
                   speech->sentences.size() == 1 ? "" : "s", (*tts)->name().c_str());
  }
  return 0;
}

int RunAsk(const VoiceCommands& v, const std::string& data_dir, const std::string& config,
           bool as_json) {
  auto kb = askio::KnowledgeBase::Open(data_dir, v.kb, askio::KnowledgeBase::OpenMode::kMustExist);
  if (!kb) return Fail(kb.error());
  auto models = askio::model::LoadModels(config, v.kb);
  if (!models) return Fail(models.error());
  if (askio::model::Any(*models))
    if (Status s = (*kb)->SetModels(std::move(*models)); !s.ok())
      std::cerr << "askio: warning: " << s.message() << "\n";
  auto voice_config = VoiceConfig(config, v.kb);
  if (!voice_config) return Fail(voice_config.error());
  auto stt = voice::MakeSpeechToText(voice_config->stt, v.stt_engine);
  if (!stt) return Fail(stt.error());
  std::unique_ptr<voice::TextToSpeech> tts;
  if (!v.output.empty()) {
    auto made = voice::MakeTextToSpeech(voice_config->tts, v.tts_engine);
    if (!made) return Fail(made.error());
    tts = std::move(*made);
  }
  auto audio = voice::ReadAudioFile(v.inputs.at(0));
  if (!audio) return Fail(audio.error());
  voice::VoiceAskOptions options;
  options.stt.language = v.language;
  options.tts.voice = v.voice_name;
  options.tts.speed = v.speed;
  auto r = voice::VoiceAsk(**kb, **stt, tts.get(), *audio, options);
  if (!r) return Fail(r.error());
  if (tts)
    if (Status s = WriteSpeech(v, r->speech); !s.ok()) return Fail(s);
  if (as_json) {
    json cites = json::array();
    for (const askio::Citation& c : r->answer.citations)
      cites.push_back({{"number", c.number},
                       {"title", c.document_title},
                       {"source", c.document_source},
                       {"location", c.location},
                       {"quote", c.quote}});
    std::cout << json{{"transcript", r->transcript.text},
                      {"stt_engine", r->transcript.engine},
                      {"found", r->answer.found},
                      {"answer", r->answer.text},
                      {"spoken", r->spoken_text},
                      {"citations", cites},
                      {"output", v.output},
                      {"audio_seconds", r->speech.audio.seconds()},
                      {"stt_seconds", r->transcript.seconds},
                      {"ask_seconds", r->ask_seconds},
                      {"first_audio_seconds", r->first_audio_seconds},
                      {"total_seconds", r->total_seconds}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::printf("You asked: %s\n\n", r->transcript.text.c_str());
  if (r->answer.found) {
    std::printf("%s\n", r->answer.text.c_str());
    if (!r->answer.citations.empty()) std::printf("\nSources:\n");
    for (const askio::Citation& c : r->answer.citations)
      std::printf("[%d] %s — %s\n", c.number, c.document_title.c_str(), c.document_source.c_str());
  } else {
    std::printf("%s\n  (%s)\n", r->spoken_text.c_str(), r->answer.reason.c_str());
  }
  if (tts && v.output != "-")
    std::fprintf(stderr, "\nSpoken answer: %s (%.1f s; first audio after %.2f s)\n",
                 v.output.c_str(), r->speech.audio.seconds(), r->first_audio_seconds);
  return 0;
}

int RunPrepare(const VoiceCommands& v, const std::string& config, bool as_json) {
  auto models = VoiceConfig(config, "");
  if (!models) return Fail(models.error());
  auto stt = voice::MakeSpeechToText(models->stt, v.stt_engine);
  if (!stt) return Fail(stt.error());
  voice::PrepareOptions options = v.prepare_options;
  options.output_dir = v.output;
  options.denoise = !v.no_denoise;
  options.language = v.language;
  const bool tty = isatty(STDERR_FILENO) == 1;
  auto report = voice::PrepareDataset(v.inputs, **stt, options, [&](size_t done, size_t total) {
    if (tty) std::fprintf(stderr, "\r%zu/%zu recordings", done, total);
  });
  if (tty) std::fprintf(stderr, "\n");
  if (!report) return Fail(report.error());
  if (as_json) {
    std::cout << json{{"output", v.output},
                      {"clips", report->clips.size()},
                      {"clip_seconds", report->clip_seconds},
                      {"rejected", report->rejected.size()},
                      {"input_seconds", report->input_seconds},
                      {"seconds", report->seconds}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::printf("%zu clips (%.1f s) from %zu recordings (%.1f s); %zu rejected.\n",
              report->clips.size(), report->clip_seconds, report->inputs, report->input_seconds,
              report->rejected.size());
  for (const voice::RejectedClip& r : report->rejected)
    std::printf("  rejected %s at %.1f s: %s\n", r.source.c_str(), r.start_seconds,
                r.reason.c_str());
  std::printf("Wrote %s/metadata.csv, %s/wavs/, %s/report.json and report.txt.\n", v.output.c_str(),
              v.output.c_str(), v.output.c_str());
  return 0;
}

}  // namespace

std::shared_ptr<VoiceCommands> AddVoiceCommands(CLI::App& app) {
  auto v = std::make_shared<VoiceCommands>();
  auto* cmd = app.add_subcommand(
      "voice", "Speech in and out: transcribe, speak, ask by voice, prepare a voice dataset");
  cmd->require_subcommand(1);
  const char* stt_help =
      "Speech-to-text: auto ([stt] provider if configured, else pocketsphinx), "
      "pocketsphinx, provider";
  const char* tts_help =
      "Text-to-speech: auto ([tts] provider if configured, else espeak), espeak, provider";
  const char* format_help = "wav, flac, opus, mp3 or pcm (default: from -o's extension, else wav)";

  v->transcribe = cmd->add_subcommand("transcribe", "Speech to text (WAV, FLAC, Ogg, MP3)");
  v->transcribe->add_option("audio", v->inputs, "Audio files")->required();
  v->transcribe->add_option("--engine", v->stt_engine, stt_help);
  v->transcribe->add_option("--language", v->language,
                            "Spoken language, ISO-639-1 (pocketsphinx: en only)");

  v->speak = cmd->add_subcommand("speak", "Text to speech (an answer's [n] markers are not read)");
  v->speak->add_option("text", v->text, "What to say ('-': standard input)")->required();
  v->speak->add_option("-o,--output", v->output, "Audio file to write ('-': standard output)")
      ->required();
  v->speak->add_option("--format", v->format, format_help);
  v->speak->add_option("--engine", v->tts_engine, tts_help);
  v->speak->add_option("--voice", v->voice_name,
                       "Voice (espeak: en-us, cmn, ...; default by the text's language)");
  v->speak->add_option("--speed", v->speed, "Speaking rate, 1 = normal")
      ->check(CLI::Range(0.5, 2.0));
  v->speak->add_option("--phonemes", v->phonemes_path,
                       "Also write phoneme and viseme timings (JSON) to this file");

  v->ask = cmd->add_subcommand("ask", "Ask a knowledge base by voice; hear the answer");
  v->ask->add_option("--kb", v->kb, "Knowledge base")->required();
  v->ask->add_option("audio", v->inputs, "The spoken question")->required()->expected(1);
  v->ask->add_option("-o,--output", v->output, "Write the spoken answer here");
  v->ask->add_option("--format", v->format, format_help);
  v->ask->add_option("--stt-engine", v->stt_engine, stt_help);
  v->ask->add_option("--tts-engine", v->tts_engine, tts_help);
  v->ask->add_option("--language", v->language, "Spoken language of the question, ISO-639-1");
  v->ask->add_option("--voice", v->voice_name, "Voice of the answer");
  v->ask->add_option("--speed", v->speed, "Speaking rate, 1 = normal")->check(CLI::Range(0.5, 2.0));
  v->ask->add_option("--phonemes", v->phonemes_path,
                     "Also write the answer's phoneme and viseme timings (JSON) here");

  v->prepare = cmd->add_subcommand(
      "prepare",
      "Cut long recordings into transcribed 2-10 s clips with metadata.csv (VITS-style)");
  v->prepare->add_option("inputs", v->inputs, "Recordings")->required();
  v->prepare->add_option("-o,--output", v->output, "Dataset folder")->required();
  v->prepare->add_option("--min-seconds", v->prepare_options.min_clip_seconds,
                         "Shortest clip (default 2)");
  v->prepare->add_option("--max-seconds", v->prepare_options.max_clip_seconds,
                         "Longest clip (default 10)");
  v->prepare->add_option("--split-silence", v->prepare_options.split_silence_seconds,
                         "A pause this long (s) ends a clip (default 0.6)");
  v->prepare
      ->add_option("--sample-rate", v->prepare_options.sample_rate,
                   "Sample rate of the clips (default 22050)")
      ->check(CLI::Range(8000, 48000));
  v->prepare->add_option("--target-db", v->prepare_options.target_rms_db,
                         "Speech loudness after normalising, dBFS (default -20)");
  v->prepare->add_flag("--no-denoise", v->no_denoise, "Keep the stationary noise");
  v->prepare->add_option("--engine", v->stt_engine, stt_help);
  v->prepare->add_option("--language", v->language, "Spoken language, ISO-639-1");
  return v;
}

std::optional<int> RunVoiceCommand(const VoiceCommands& v, const std::string& data_dir,
                                   const std::string& config, bool json) {
  if (*v.transcribe) return RunTranscribe(v, config, json);
  if (*v.speak) return RunSpeak(v, config, json);
  if (*v.ask) return RunAsk(v, data_dir, config, json);
  if (*v.prepare) return RunPrepare(v, config, json);
  return std::nullopt;
}
