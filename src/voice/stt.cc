#include "voice/stt.h"

#include <pocketsphinx.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "common/clock.h"
#include "voice/tts.h"
#include "voice/vad.h"

namespace askio::voice {
namespace {

namespace fs = std::filesystem;

// PocketSphinx decodes one utterance at a time well up to about half a
// minute; whisper-style servers take up to 25 MB (about 13 minutes of
// 16 kHz 16-bit audio), of which we send at most ten minutes at once.
constexpr double kSphinxMaxSegmentSeconds = 30;
constexpr double kProviderMaxSegmentSeconds = 600;

// What to decode: a recording up to `max_seconds` whole (cutting a short
// question only loses words; the decoders handle its silences), a longer
// one cut at pauses into speech segments of at most `max_seconds`.
std::vector<Segment> PiecesOf(const Audio& audio, double max_seconds) {
  if (audio.samples.empty()) return {};
  if (audio.seconds() <= max_seconds) return {{0, audio.samples.size()}};
  VadOptions vad;
  vad.padding_seconds = 0.25;
  std::vector<Segment> segments = DetectSpeech(audio, vad);
  return SplitLongSegments(audio, std::move(segments), max_seconds);
}

void AppendText(std::string& text, std::string_view piece) {
  if (piece.empty()) return;
  if (!text.empty() && !MostlyChinese(piece)) text += ' ';
  text += piece;
}

struct DecoderDeleter {
  void operator()(ps_decoder_t* d) const { ps_free(d); }
};
using Decoder = std::unique_ptr<ps_decoder_t, DecoderDeleter>;

class PocketSphinx final : public SpeechToText {
 public:
  explicit PocketSphinx(std::string model_dir) : dir_(std::move(model_dir)) {}

  Status Check() {
    for (const char* part : {"en-us/mdef", "en-us.lm.bin", "cmudict-en-us.dict"})
      if (!fs::exists(fs::path(dir_) / part))
        return Status::NotFound("the pocketsphinx en-us model is not at " + dir_ + " (missing " +
                                part + "; install the pocketsphinx-en-us package)");
    auto d = NewDecoder();
    if (!d) return d.error();
    Release(std::move(*d));
    return Status::Ok();
  }

  Result<Transcript> Transcribe(const Audio& audio, const SttOptions& options) override {
    if (!options.language.empty() && options.language != "en" &&
        !options.language.starts_with("en-"))
      return Err(Status::Unsupported(
          "pocketsphinx recognises English only; configure an [stt] provider (a whisper "
          "server) for '" +
          options.language + "'"));
    const Stopwatch sw;
    const Audio pcm = Resample(audio, 16000);
    Transcript t;
    t.engine = name();
    t.language = "en";
    t.audio_seconds = audio.seconds();
    auto decoder = Acquire();
    if (!decoder) return Err(decoder.error());
    std::vector<int16_t> buffer;
    for (const Segment& s : PiecesOf(pcm, kSphinxMaxSegmentSeconds)) {
      if (options.cancelled && options.cancelled->load()) {
        Release(std::move(*decoder));
        return Err(Status::IOError("cancelled"));
      }
      buffer.resize(s.end - s.begin);
      for (size_t i = 0; i < buffer.size(); ++i)
        buffer[i] = static_cast<int16_t>(
            std::lrint(std::clamp(pcm.samples[s.begin + i], -1.0f, 1.0f) * 32767.0f));
      ps_decoder_t* d = decoder->get();
      if (ps_start_utt(d) < 0 || ps_process_raw(d, buffer.data(), buffer.size(), FALSE, TRUE) < 0 ||
          ps_end_utt(d) < 0)
        return Err(Status::Internal("pocketsphinx failed to decode a segment"));
      int32 score = 0;
      const char* hyp = ps_get_hyp(d, &score);
      std::string text = hyp ? hyp : "";
      if (text.empty()) continue;
      t.segments.push_back({s.begin / 16000.0, s.end / 16000.0, text});
      AppendText(t.text, text);
    }
    Release(std::move(*decoder));
    t.seconds = sw.Seconds();
    return t;
  }

  std::string name() const override { return "pocketsphinx (en-us)"; }

 private:
  Result<Decoder> NewDecoder() {
    const std::string hmm = (fs::path(dir_) / "en-us").string();
    const std::string lm = (fs::path(dir_) / "en-us.lm.bin").string();
    const std::string dict = (fs::path(dir_) / "cmudict-en-us.dict").string();
    cmd_ln_t* config =
        cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", hmm.c_str(), "-lm", lm.c_str(), "-dict",
                    dict.c_str(), "-logfn", "/dev/null", static_cast<const char*>(nullptr));
    if (!config) return Err(Status::Internal("pocketsphinx rejected its configuration"));
    Decoder d(ps_init(config));
    cmd_ln_free_r(config);  // the decoder keeps its own reference
    if (!d) return Err(Status::Internal("pocketsphinx could not load the model at " + dir_));
    return d;
  }

  Result<Decoder> Acquire() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        Decoder d = std::move(idle_.back());
        idle_.pop_back();
        return d;
      }
    }
    return NewDecoder();
  }

  void Release(Decoder d) {
    std::lock_guard lock(mu_);
    if (idle_.size() < 8) idle_.push_back(std::move(d));
  }

  std::string dir_;
  std::mutex mu_;
  std::vector<Decoder> idle_;
};

class ProviderStt final : public SpeechToText {
 public:
  explicit ProviderStt(const model::ProviderConfig& config)
      : client_(model::MakeOpenAiTranscriber(config)) {}

  Result<Transcript> Transcribe(const Audio& audio, const SttOptions& options) override {
    const Stopwatch sw;
    const Audio pcm = Resample(audio, 16000);
    Transcript t;
    t.engine = name();
    t.audio_seconds = audio.seconds();
    t.language = options.language;
    const std::vector<Segment> pieces = PiecesOf(pcm, kProviderMaxSegmentSeconds);
    model::CallOptions call;
    call.cancelled = options.cancelled;
    for (const Segment& s : pieces) {
      Audio piece;
      piece.sample_rate = pcm.sample_rate;
      piece.samples.assign(pcm.samples.begin() + s.begin, pcm.samples.begin() + s.end);
      model::TranscriptionRequest request;
      request.audio = EncodeWav(piece);
      request.language = options.language;
      auto r = client_->Transcribe(request, call);
      if (!r) return Err(r.error());
      if (t.language.empty()) t.language = r->language;
      std::string text = r->text;
      while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.erase(0, 1);
      while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.pop_back();
      if (text.empty()) continue;
      t.segments.push_back({s.begin / 16000.0, s.end / 16000.0, text});
      AppendText(t.text, text);
    }
    if (t.language.empty() && !t.text.empty()) t.language = MostlyChinese(t.text) ? "zh" : "en";
    t.seconds = sw.Seconds();
    return t;
  }

  std::string name() const override { return "stt:" + client_->config().Describe(); }

 private:
  std::unique_ptr<model::Transcriber> client_;
};

// Lower-cased words; CJK characters one each.
std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(std::move(word));
    word.clear();
  };
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (std::isalnum(c) || c == '\'')
        word += static_cast<char>(std::tolower(c));
      else
        flush();
      ++i;
      continue;
    }
    const size_t len = std::min<size_t>(c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2, s.size() - i);
    const std::string_view cp = s.substr(i, len);
    i += len;
    flush();
    // CJK punctuation (U+3000-303F, U+FF00-FF0F...) is not a word.
    if (MostlyChinese(cp)) out.emplace_back(cp);
  }
  flush();
  return out;
}

}  // namespace

std::string DefaultPocketSphinxModelDir() {
  if (const char* dir = std::getenv("ASKIO_POCKETSPHINX_MODEL_DIR"); dir && *dir) return dir;
  return "/usr/share/pocketsphinx/model/en-us";
}

Result<std::unique_ptr<SpeechToText>> MakePocketSphinx(const std::string& model_dir) {
  auto engine =
      std::make_unique<PocketSphinx>(model_dir.empty() ? DefaultPocketSphinxModelDir() : model_dir);
  ASKIO_RETURN_IF_ERROR(engine->Check());
  return std::unique_ptr<SpeechToText>(std::move(engine));
}

std::unique_ptr<SpeechToText> MakeProviderSpeechToText(const model::ProviderConfig& config) {
  return std::make_unique<ProviderStt>(config);
}

Result<std::unique_ptr<SpeechToText>> MakeSpeechToText(const model::ProviderConfig& stt,
                                                       std::string_view engine) {
  if (engine == "provider" || (engine == "auto" && stt.configured())) {
    if (!stt.configured())
      return Err(Status::InvalidArgument(
          "no speech-to-text provider is configured: set [stt] base_url and model in askio.toml "
          "(or ASKIO_STT_BASE_URL and ASKIO_STT_MODEL)"));
    return MakeProviderSpeechToText(stt);
  }
  if (engine == "auto" || engine == "pocketsphinx" || engine == "offline")
    return MakePocketSphinx();
  return Err(Status::InvalidArgument("unknown speech-to-text engine '" + std::string(engine) +
                                     "' (auto, pocketsphinx, provider)"));
}

double WordErrorRate(std::string_view reference, std::string_view hypothesis) {
  const std::vector<std::string> r = Words(reference), h = Words(hypothesis);
  if (r.empty()) return h.empty() ? 0.0 : 1.0;
  std::vector<size_t> prev(h.size() + 1), cur(h.size() + 1);
  for (size_t j = 0; j <= h.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= r.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= h.size(); ++j)
      cur[j] =
          std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r[i - 1] == h[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return static_cast<double>(prev[h.size()]) / static_cast<double>(r.size());
}

}  // namespace askio::voice
