#include "voice/tts.h"

#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <mutex>
#include <optional>
#include <regex>

#include "common/clock.h"
#include "text/sentences.h"

namespace askio::voice {
namespace {

// ---- text ----

// The code point at `i` (advancing it); U+FFFD for a bad byte.
char32_t NextCodePoint(std::string_view s, size_t& i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += len;
  return cp;
}

bool IsHan(char32_t cp) {
  return (cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0x20000 && cp <= 0x2FA1F);
}

// Replaces each match of `re` in `s` by what `fn` makes of it.
template <typename Fn>
std::string ReplaceEach(const std::string& s, const std::regex& re, Fn fn) {
  std::string out;
  size_t last = 0;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out.append(s, last, static_cast<size_t>(m.position(0)) - last);
    out += fn(m);
    last = static_cast<size_t>(m.position(0) + m.length(0));
  }
  out.append(s, last, std::string::npos);
  return out;
}

constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};

// ---- espeak-ng ----

std::mutex& EspeakMutex() {
  static std::mutex mu;
  return mu;
}

struct Collector {
  std::vector<short> samples;
  std::vector<std::pair<int, std::string>> phonemes;  // (ms, mnemonic)
  const std::atomic<bool>* cancelled = nullptr;
};

int SynthCallback(short* wav, int count, espeak_EVENT* events) {
  Collector* c = events ? static_cast<Collector*>(events->user_data) : nullptr;
  if (!c) return 0;
  if (wav && count > 0) c->samples.insert(c->samples.end(), wav, wav + count);
  for (espeak_EVENT* e = events; e->type != espeakEVENT_LIST_TERMINATED; ++e) {
    if (e->type != espeakEVENT_PHONEME) continue;
    char name[9] = {};
    std::memcpy(name, e->id.string, 8);
    c->phonemes.emplace_back(e->audio_position, name);
  }
  return c->cancelled && c->cancelled->load() ? 1 : 0;
}

class Espeak final : public TextToSpeech {
 public:
  Status Init() {
    std::lock_guard lock(EspeakMutex());
    if (rate() > 0) return Status::Ok();
    const int r = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr,
                                    espeakINITIALIZE_PHONEME_EVENTS | espeakINITIALIZE_DONT_EXIT);
    if (r <= 0)
      return Status::NotFound(
          "espeak-ng could not start (is its data installed? apt-get install espeak-ng)");
    espeak_SetSynthCallback(&SynthCallback);
    rate() = r;
    return Status::Ok();
  }

  Result<SentenceAudio> SpeakSentence(const std::string& sentence, const std::string& language,
                                      const TtsOptions& options) override {
    const std::string voice = !options.voice.empty() ? options.voice
                              : language == "zh"     ? "cmn"
                                                     : "en-us";
    Collector collector;
    collector.cancelled = options.cancelled;
    int sample_rate = 0;
    {
      std::lock_guard lock(EspeakMutex());
      sample_rate = rate();
      if (espeak_SetVoiceByName(voice.c_str()) != EE_OK)
        return Err(Status::InvalidArgument("espeak-ng has no voice '" + voice + "'"));
      const int words_per_minute =
          static_cast<int>(std::clamp(175.0 * std::clamp(options.speed, 0.5, 2.0), 80.0, 450.0));
      espeak_SetParameter(espeakRATE, words_per_minute, 0);
      const espeak_ERROR e = espeak_Synth(sentence.c_str(), sentence.size() + 1, 0, POS_CHARACTER,
                                          0, espeakCHARS_UTF8, nullptr, &collector);
      if (e != EE_OK) return Err(Status::Internal("espeak-ng failed to synthesise"));
    }
    if (options.cancelled && options.cancelled->load()) return Err(Status::IOError("cancelled"));
    SentenceAudio out;
    out.audio.sample_rate = sample_rate;
    out.audio.samples.resize(collector.samples.size());
    for (size_t i = 0; i < collector.samples.size(); ++i)
      out.audio.samples[i] = static_cast<float>(collector.samples[i]) / 32768.0f;
    const double total = out.audio.seconds();
    for (size_t i = 0; i < collector.phonemes.size(); ++i) {
      PhonemeTiming p;
      p.start_seconds = std::min(total, collector.phonemes[i].first / 1000.0);
      const double next =
          i + 1 < collector.phonemes.size() ? collector.phonemes[i + 1].first / 1000.0 : total;
      p.duration_seconds = std::max(0.0, std::min(total, next) - p.start_seconds);
      p.phoneme = collector.phonemes[i].second;
      p.viseme = VisemeOf(p.phoneme);
      out.phonemes.push_back(std::move(p));
    }
    return out;
  }

  std::string name() const override { return "espeak-ng"; }

 private:
  // The output rate, once initialised (under EspeakMutex).
  static int& rate() {
    static int r = 0;
    return r;
  }
};

// ---- provider ----

uint32_t U32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
}

// A WAV as streaming servers send it: sizes may be 0 or 0xFFFFFFFF, so the
// data chunk runs to the end of what arrived. PCM 16-bit and float 32-bit.
std::optional<Audio> ParseStreamedWav(std::string_view b) {
  if (b.size() < 12 || b.substr(0, 4) != "RIFF" || b.substr(8, 4) != "WAVE") return std::nullopt;
  int rate = 0, channels = 0, bits = 0, format = 0;
  for (size_t at = 12; at + 8 <= b.size();) {
    const std::string_view id = b.substr(at, 4);
    const uint32_t size = U32(b, at + 4);
    at += 8;
    if (id == "fmt " && at + 16 <= b.size()) {
      format = static_cast<unsigned char>(b[at]) | static_cast<unsigned char>(b[at + 1]) << 8;
      channels = static_cast<unsigned char>(b[at + 2]) | static_cast<unsigned char>(b[at + 3]) << 8;
      rate = static_cast<int>(U32(b, at + 4));
      bits = static_cast<unsigned char>(b[at + 14]) | static_cast<unsigned char>(b[at + 15]) << 8;
    } else if (id == "data") {
      if (rate < 1000 || rate > 384000 || channels < 1 || channels > 8) return std::nullopt;
      const bool pcm16 = (format == 1 || format == 0xFFFE) && bits == 16;
      const bool f32 = format == 3 && bits == 32;
      if (!pcm16 && !f32) return std::nullopt;
      std::string_view data = b.substr(at);
      if (size != 0 && size != 0xFFFFFFFFu && size < data.size()) data = data.substr(0, size);
      const size_t frame = static_cast<size_t>(channels) * (bits / 8);
      Audio audio;
      audio.sample_rate = rate;
      for (size_t f = 0; f + frame <= data.size(); f += frame) {
        float sum = 0;
        for (int c = 0; c < channels; ++c) {
          const size_t o = f + static_cast<size_t>(c) * (bits / 8);
          if (pcm16) {
            const auto v = static_cast<int16_t>(static_cast<unsigned char>(data[o]) |
                                                static_cast<unsigned char>(data[o + 1]) << 8);
            sum += v / 32768.0f;
          } else {
            float v;
            const uint32_t u = U32(data, o);
            std::memcpy(&v, &u, 4);
            sum += std::isfinite(v) ? v : 0.0f;
          }
        }
        audio.samples.push_back(std::clamp(sum / channels, -1.0f, 1.0f));
      }
      return audio;
    }
    at += size + (size & 1);
    if (size == 0xFFFFFFFFu) break;
  }
  return std::nullopt;
}

class ProviderTts final : public TextToSpeech {
 public:
  explicit ProviderTts(const model::ProviderConfig& config)
      : client_(model::MakeOpenAiSpeechSynthesizer(config)) {}

  Result<SentenceAudio> SpeakSentence(const std::string& sentence, const std::string&,
                                      const TtsOptions& options) override {
    model::SpeechRequest request;
    request.input = sentence;
    request.voice = options.voice;
    request.response_format = "wav";
    request.speed = std::clamp(options.speed, 0.25, 4.0);
    std::string bytes;
    model::CallOptions call;
    call.cancelled = options.cancelled;
    auto r = client_->Synthesize(
        request,
        [&](std::string_view piece) {
          if (bytes.size() + piece.size() > (64u << 20)) return false;
          bytes.append(piece);
          return true;
        },
        call);
    if (!r) return Err(r.error());
    if (r->stopped)
      return Err(Status::IOError("text-to-speech answer larger than 64 MiB for one sentence"));
    SentenceAudio out;
    if (auto wav = ParseStreamedWav(bytes)) {
      out.audio = std::move(*wav);
    } else if (r->content_type.starts_with("audio/pcm") ||
               r->content_type.starts_with("audio/L16")) {
      // OpenAI's pcm: 24 kHz, 16-bit little-endian, mono.
      out.audio.sample_rate = 24000;
      for (size_t i = 0; i + 1 < bytes.size(); i += 2)
        out.audio.samples.push_back(
            static_cast<int16_t>(static_cast<unsigned char>(bytes[i]) |
                                 static_cast<unsigned char>(bytes[i + 1]) << 8) /
            32768.0f);
    } else {
      auto decoded = DecodeAudio(bytes);
      if (!decoded)
        return Err(Status::IOError("text-to-speech " + client_->config().Describe() +
                                   ": the audio it sent cannot be read (" + r->content_type +
                                   "): " + decoded.error().message()));
      out.audio = std::move(*decoded);
    }
    return out;
  }

  std::string name() const override { return "tts:" + client_->config().Describe(); }

 private:
  std::unique_ptr<model::SpeechSynthesizer> client_;
};

}  // namespace

bool MostlyChinese(std::string_view text) {
  size_t han = 0, latin_words = 0;
  bool in_word = false;
  for (size_t i = 0; i < text.size();) {
    const char32_t cp = NextCodePoint(text, i);
    if (IsHan(cp)) {
      ++han;
      in_word = false;
    } else if (cp < 0x80 && std::isalpha(static_cast<int>(cp))) {
      if (!in_word) ++latin_words;
      in_word = true;
    } else {
      in_word = false;
    }
  }
  return han > 0 && han >= latin_words;
}

std::string VisemeOf(std::string_view p) {
  if (p.empty() || p[0] == '_' || p[0] == ';' || p[0] == '\'' || p[0] == ',') return "sil";
  // Two-letter mnemonics first.
  if (p.starts_with("tS") || p.starts_with("dZ") || p.starts_with("ts") || p.starts_with("tC") ||
      p.starts_with("S") || p.starts_with("Z") || p.starts_with("C") || p.starts_with("s."))
    return "CH";
  if (p.starts_with("aI") || p.starts_with("aU")) return "aa";
  if (p.starts_with("oU") || p.starts_with("OI")) return "oh";
  switch (p[0]) {
    case 'p':
    case 'b':
    case 'm':
      return "PP";
    case 'f':
    case 'v':
      return "FF";
    case 'T':
    case 'D':
      return "TH";
    case 't':
    case 'd':
      return "DD";
    case 'k':
    case 'g':
    case 'N':
    case 'x':
    case 'h':
      return "kk";
    case 's':
    case 'z':
      return "SS";
    case 'n':
    case 'l':
      return "nn";
    case 'r':
    case 'R':
    case 'j':
      return "RR";
    case 'a':
    case 'A':
    case 'V':
    case '@':
    case '3':
      return "aa";
    case 'e':
    case 'E':
      return "E";
    case 'i':
    case 'I':
    case 'y':
      return "ih";
    case 'o':
    case 'O':
      return "oh";
    case 'u':
    case 'U':
    case 'w':
      return "ou";
    default:
      return "sil";
  }
}

std::string SpeakableText(std::string_view input) {
  std::string s(input);
  const bool zh = MostlyChinese(s);
  // Markdown links keep their text; bare URLs are not read out.
  static const std::regex kLink(R"(\[([^\]\[]+)\]\([^)\s]*\))");
  s = std::regex_replace(s, kLink, "$1");
  static const std::regex kUrl(R"(https?://[^\s)\]>]+)");
  s = std::regex_replace(s, kUrl, "");
  // Citation markers: [1], [1, 2], [1-3], [1][2], 【1】.
  static const std::regex kCite("\\[\\s*\\d+(?:\\s*(?:,|，|、|-|–)\\s*\\d+)*\\s*\\]");
  s = std::regex_replace(s, kCite, "");
  static const std::regex kCiteFull("【\\s*\\d+\\s*】");
  s = std::regex_replace(s, kCiteFull, "");
  // Markdown: headings, bullets, emphasis and code marks.
  static const std::regex kHeading(R"((^|\n)\s*(#{1,6}|[-*+]|\d+\.)\s+)");
  s = std::regex_replace(s, kHeading, "$1");
  static const std::regex kMarks(R"(\*\*|__|\*|`+)");
  s = std::regex_replace(s, kMarks, "");
  // ISO dates.
  static const std::regex kDate(R"(\b(\d{4})-(\d{1,2})-(\d{1,2})\b)");
  s = ReplaceEach(s, kDate, [zh](const std::smatch& m) -> std::string {
    const int month = std::stoi(m[2].str()), day = std::stoi(m[3].str());
    if (month < 1 || month > 12 || day < 1 || day > 31) return m[0].str();
    if (zh) return m[1].str() + "年" + std::to_string(month) + "月" + std::to_string(day) + "日";
    return std::string(kMonths[month - 1]) + " " + std::to_string(day) + ", " + m[1].str();
  });
  // Percentages and ranges.
  static const std::regex kPercent(R"((\d+(?:\.\d+)?)\s*[%％])");
  s = std::regex_replace(s, kPercent, zh ? "百分之$1" : "$1 percent");
  static const std::regex kRange("(\\d)\\s*(?:-|–|—|~|～)\\s*(\\d)");
  s = std::regex_replace(s, kRange, zh ? "$1到$2" : "$1 to $2");
  // Whitespace, and spaces a removed marker left before punctuation.
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space && !std::strchr(".,;:!?)", c)) out += ' ';
    space = false;
    out += c;
  }
  static const std::regex kSpaceBeforeCjkPunct(" +(。|，|；|：|！|？|、)");
  return std::regex_replace(out, kSpaceBeforeCjkPunct, "$1");
}

std::vector<std::string> SpeechSentences(std::string_view text) {
  constexpr size_t kLongBytes = 300;
  std::vector<std::string> out;
  for (const text::Span& span : text::SplitSentences(text)) {
    std::string_view s = text.substr(span.begin, span.end - span.begin);
    // A very long sentence is cut at commas, so the first audio still comes
    // soon.
    while (s.size() > kLongBytes) {
      size_t cut = std::string_view::npos;
      for (std::string_view comma : {"，", ", ", "；", "; "}) {
        const size_t at = s.rfind(comma, kLongBytes);
        if (at != std::string_view::npos && at > 20 && (cut == std::string_view::npos || at > cut))
          cut = at + comma.size();
      }
      if (cut == std::string_view::npos) break;
      out.emplace_back(s.substr(0, cut));
      s.remove_prefix(cut);
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    }
    // Nothing but punctuation is not worth a synthesiser call.
    bool speakable = false;
    for (size_t i = 0; i < s.size() && !speakable;) {
      const char32_t cp = NextCodePoint(s, i);
      speakable = IsHan(cp) || (cp < 0x80 && std::isalnum(static_cast<int>(cp))) || cp >= 0x100;
      if (cp >= 0x3000 && cp <= 0x303F) speakable = false;  // CJK punctuation
      if (cp >= 0xFF00 && cp <= 0xFF20) speakable = false;  // full-width punctuation
    }
    if (speakable) out.emplace_back(s);
  }
  return out;
}

Result<std::unique_ptr<TextToSpeech>> MakeEspeak() {
  auto engine = std::make_unique<Espeak>();
  ASKIO_RETURN_IF_ERROR(engine->Init());
  return std::unique_ptr<TextToSpeech>(std::move(engine));
}

std::unique_ptr<TextToSpeech> MakeProviderTextToSpeech(const model::ProviderConfig& config) {
  return std::make_unique<ProviderTts>(config);
}

Result<std::unique_ptr<TextToSpeech>> MakeTextToSpeech(const model::ProviderConfig& tts,
                                                       std::string_view engine) {
  if (engine == "provider" || (engine == "auto" && tts.configured())) {
    if (!tts.configured())
      return Err(Status::InvalidArgument(
          "no text-to-speech provider is configured: set [tts] base_url and model in askio.toml "
          "(or ASKIO_TTS_BASE_URL and ASKIO_TTS_MODEL)"));
    return MakeProviderTextToSpeech(tts);
  }
  if (engine == "auto" || engine == "espeak" || engine == "espeak-ng" || engine == "offline")
    return MakeEspeak();
  return Err(Status::InvalidArgument("unknown text-to-speech engine '" + std::string(engine) +
                                     "' (auto, espeak, provider)"));
}

Result<Speech> Speak(TextToSpeech& engine, std::string_view text, const TtsOptions& options,
                     const SpeechChunkFn& on_chunk) {
  const Stopwatch sw;
  Speech speech;
  speech.sentences = SpeechSentences(SpeakableText(text));
  for (size_t i = 0; i < speech.sentences.size(); ++i) {
    const std::string& sentence = speech.sentences[i];
    auto r = engine.SpeakSentence(sentence, MostlyChinese(sentence) ? "zh" : "en", options);
    if (!r) return Err(r.error());
    if (speech.audio.samples.empty() && i == 0) speech.audio.sample_rate = r->audio.sample_rate;
    Audio piece = r->audio.sample_rate == speech.audio.sample_rate
                      ? std::move(r->audio)
                      : Resample(r->audio, speech.audio.sample_rate);
    const double offset = speech.audio.seconds();
    std::vector<PhonemeTiming> phonemes = std::move(r->phonemes);
    for (PhonemeTiming& p : phonemes) p.start_seconds += offset;
    speech.audio.samples.insert(speech.audio.samples.end(), piece.samples.begin(),
                                piece.samples.end());
    speech.phonemes.insert(speech.phonemes.end(), phonemes.begin(), phonemes.end());
    if (i == 0) speech.first_chunk_seconds = sw.Seconds();
    if (on_chunk) {
      SpeechChunk chunk;
      chunk.index = i;
      chunk.text = sentence;
      chunk.start_seconds = offset;
      chunk.audio = &piece;
      chunk.phonemes = &phonemes;
      if (!on_chunk(chunk)) {
        speech.stopped = true;
        break;
      }
    }
  }
  speech.seconds = sw.Seconds();
  return speech;
}

}  // namespace askio::voice
