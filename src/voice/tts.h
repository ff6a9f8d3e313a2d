// Text-to-speech: one interface, two engines. espeak-ng runs offline
// (libespeak-ng; Mandarin "cmn" for Chinese text, "en-us" otherwise) and
// reports phoneme timings, which become visemes for a lip-synced avatar;
// the provider engine posts to an OpenAI-compatible /audio/speech endpoint
// ([tts] in askio.toml). Speak() turns an answer into speech sentence by
// sentence, handing each sentence's audio to the caller as soon as it is
// made, so playback starts before the whole answer is synthesised.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "askio/status.h"
#include "model/provider.h"
#include "voice/audio.h"

namespace askio::voice {

// One phoneme as the synthesiser placed it, and the mouth shape for it.
struct PhonemeTiming {
  double start_seconds = 0;     // from the start of the whole utterance
  double duration_seconds = 0;  // until the next phoneme (or the end)
  std::string phoneme;          // espeak-ng's mnemonic, e.g. "aI", "_:" (pause)
  std::string viseme;           // sil, PP, FF, TH, DD, kk, CH, SS, nn, RR, aa, E, ih, oh, ou
};

// What an engine makes of one sentence.
struct SentenceAudio {
  Audio audio;
  std::vector<PhonemeTiming> phonemes;  // relative to this sentence; empty if unknown
};

struct TtsOptions {
  // The engine's voice ("en-us", "cmn", "alloy"); empty: chosen by the
  // text's language (espeak-ng) or [tts] voice (a provider).
  std::string voice;
  double speed = 1.0;  // 0.5-2
  const std::atomic<bool>* cancelled = nullptr;
};

// Thread-safe (espeak-ng itself is not: its calls are serialised).
class TextToSpeech {
 public:
  virtual ~TextToSpeech() = default;
  // Speaks one sentence of already-speakable text (SpeakableText).
  // `language` is "zh" or "en" (what the text is mostly written in).
  virtual Result<SentenceAudio> SpeakSentence(const std::string& sentence,
                                              const std::string& language,
                                              const TtsOptions& options) = 0;
  virtual std::string name() const = 0;
};

Result<std::unique_ptr<TextToSpeech>> MakeEspeak();
std::unique_ptr<TextToSpeech> MakeProviderTextToSpeech(const model::ProviderConfig& config);
// `engine`: "auto" (the provider when [tts] is configured, else espeak-ng),
// "espeak" or "provider".
Result<std::unique_ptr<TextToSpeech>> MakeTextToSpeech(const model::ProviderConfig& tts,
                                                       std::string_view engine = "auto");

// One sentence's audio, as Speak hands it over.
struct SpeechChunk {
  size_t index = 0;
  std::string text;  // what was spoken
  double start_seconds = 0;
  const Audio* audio = nullptr;
  const std::vector<PhonemeTiming>* phonemes = nullptr;  // times from the utterance start
};
// Return false to stop speaking.
using SpeechChunkFn = std::function<bool(const SpeechChunk&)>;

struct Speech {
  Audio audio;  // every sentence, at the first sentence's rate
  std::vector<PhonemeTiming> phonemes;
  std::vector<std::string> sentences;
  double first_chunk_seconds = 0;  // time until the first sentence was ready
  double seconds = 0;              // time to synthesise everything
  bool stopped = false;            // on_chunk asked to stop
};

// Speaks `text` (an answer, with [n] citation markers and Markdown) sentence
// by sentence, calling `on_chunk` (may be empty) after each one. Text with
// nothing speakable gives empty audio.
Result<Speech> Speak(TextToSpeech& engine, std::string_view text, const TtsOptions& options = {},
                     const SpeechChunkFn& on_chunk = nullptr);

// The text as it should be read aloud: citation markers ([1], [1, 2], 【1】)
// and Markdown removed, links and URLs reduced to their text, percentages,
// ISO dates and numeric ranges written out in the text's language
// ("35%" -> "35 percent" / "百分之35", "2024-03-05" -> "March 5, 2024" /
// "2024年3月5日", "3-5" -> "3 to 5" / "3到5"), whitespace collapsed.
std::string SpeakableText(std::string_view text);

// The sentences of speakable text, in order (long ones cut at commas).
std::vector<std::string> SpeechSentences(std::string_view text);

// Whether text is mostly Chinese (more Han characters than Latin words).
bool MostlyChinese(std::string_view text);

// The viseme of an espeak-ng phoneme mnemonic.
std::string VisemeOf(std::string_view phoneme);

}  // namespace askio::voice
