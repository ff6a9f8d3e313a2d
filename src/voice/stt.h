// Speech-to-text: one interface, two engines. PocketSphinx runs offline
// with Debian's en-us model (English only); the provider engine posts to an
// OpenAI-compatible /audio/transcriptions endpoint ([stt] in askio.toml:
// whisper.cpp's server, faster-whisper servers, OpenAI), which is what
// Mandarin needs. Long recordings are cut at pauses (voice activity) into
// pieces the engine handles well, and the pieces' texts are joined.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "askio/status.h"
#include "model/provider.h"
#include "voice/audio.h"

namespace askio::voice {

struct TranscriptSegment {
  double start_seconds = 0;
  double end_seconds = 0;
  std::string text;
};

struct Transcript {
  std::string text;
  std::string language;  // "en", "zh", ... when known
  std::string engine;    // "pocketsphinx (en-us)", "stt:MODEL @ HOST"
  double audio_seconds = 0;
  double seconds = 0;  // time spent transcribing
  std::vector<TranscriptSegment> segments;
};

struct SttOptions {
  // The spoken language as ISO-639-1 ("en", "zh"); empty: the engine's
  // default (PocketSphinx: English; a provider: its detection or [stt]
  // language).
  std::string language;
  const std::atomic<bool>* cancelled = nullptr;
};

// Thread-safe: concurrent calls are fine (PocketSphinx keeps a pool of
// decoders, one per call in flight).
class SpeechToText {
 public:
  virtual ~SpeechToText() = default;
  // Transcribes a whole recording at any sample rate (resampled as the
  // engine needs). Audio without speech gives an empty text, not an error.
  virtual Result<Transcript> Transcribe(const Audio& audio, const SttOptions& options = {}) = 0;
  virtual std::string name() const = 0;
};

// Where Debian's pocketsphinx-en-us model is: $ASKIO_POCKETSPHINX_MODEL_DIR,
// else /usr/share/pocketsphinx/model/en-us (holding en-us/, en-us.lm.bin and
// cmudict-en-us.dict).
std::string DefaultPocketSphinxModelDir();

// NotFound (naming the package) when the model is not installed.
Result<std::unique_ptr<SpeechToText>> MakePocketSphinx(const std::string& model_dir = "");
std::unique_ptr<SpeechToText> MakeProviderSpeechToText(const model::ProviderConfig& config);

// `engine`: "auto" (the provider when [stt] is configured, else
// PocketSphinx), "pocketsphinx" or "provider".
Result<std::unique_ptr<SpeechToText>> MakeSpeechToText(const model::ProviderConfig& stt,
                                                       std::string_view engine = "auto");

// Word error rate of `hypothesis` against `reference`: (substitutions +
// deletions + insertions) / reference words, after lower-casing and
// dropping punctuation; each CJK character counts as a word (so for
// Chinese it is the character error rate).
double WordErrorRate(std::string_view reference, std::string_view hypothesis);

}  // namespace askio::voice
