// Voice over HTTP (docs/api.md, Voice): ask a knowledge base by speaking
// (POST /api/kbs/{kb}/voice/ask: audio in; transcript, answer, citations
// and the spoken answer out, as JSON or as a stream of events with the
// audio sentence by sentence), and OpenAI's audio endpoints
// (/v1/audio/transcriptions, /v1/audio/speech) over the configured engines.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "common/clock.h"
#include "model/model_config.h"
#include "server/http_context.h"
#include "voice/audio.h"
#include "voice/stt.h"
#include "voice/tts.h"
#include "voice/voice_ask.h"

namespace askio::server {
namespace {

// The most audio one request may upload: OpenAI's limit for transcriptions,
// about 13 minutes of 16 kHz 16-bit WAV. Refused from Content-Length before
// a byte is read, and counted while reading when there is none.
constexpr uint64_t kMaxAudioUploadBytes = 25ull << 20;
// OpenAI's limit for /v1/audio/speech input.
constexpr size_t kMaxSpeechInputChars = 4096;

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    const size_t n = std::min<size_t>(3, in.size() - i);
    uint32_t chunk = 0;
    for (size_t k = 0; k < 3; ++k)
      chunk = (chunk << 8) | (k < n ? static_cast<unsigned char>(in[i + k]) : 0u);
    for (size_t k = 0; k < 4; ++k) out += k <= n ? kAlphabet[(chunk >> (18 - 6 * k)) & 0x3F] : '=';
  }
  return out;
}

// The engines, made on first use from askio.toml and the environment (per
// KB, since [kb.NAME.stt] may differ) and kept: PocketSphinx's model takes
// seconds to load.
class VoiceEngines {
 public:
  explicit VoiceEngines(std::string config_path) : config_path_(std::move(config_path)) {}

  Result<std::shared_ptr<voice::SpeechToText>> Stt(const std::string& kb) {
    std::lock_guard lock(mu_);
    if (auto it = stt_.find(kb); it != stt_.end()) return it->second;
    auto config = model::LoadModelsConfig(config_path_, kb, model::AskioEnvironment());
    if (!config) return Err(config.error());
    std::shared_ptr<voice::SpeechToText> engine;
    if (config->stt.configured()) {
      engine = voice::MakeProviderSpeechToText(config->stt);
    } else {
      if (!offline_stt_) {
        auto made = voice::MakePocketSphinx();
        if (!made) return Err(made.error());
        offline_stt_ = std::move(*made);
      }
      engine = offline_stt_;
    }
    stt_[kb] = engine;
    return engine;
  }

  Result<std::shared_ptr<voice::TextToSpeech>> Tts(const std::string& kb) {
    std::lock_guard lock(mu_);
    if (auto it = tts_.find(kb); it != tts_.end()) return it->second;
    auto config = model::LoadModelsConfig(config_path_, kb, model::AskioEnvironment());
    if (!config) return Err(config.error());
    auto made = voice::MakeTextToSpeech(config->tts, "auto");
    if (!made) return Err(made.error());
    std::shared_ptr<voice::TextToSpeech> engine = std::move(*made);
    tts_[kb] = engine;
    return engine;
  }

 private:
  std::string config_path_;
  std::mutex mu_;
  std::shared_ptr<voice::SpeechToText> offline_stt_;
  std::map<std::string, std::shared_ptr<voice::SpeechToText>> stt_;
  std::map<std::string, std::shared_ptr<voice::TextToSpeech>> tts_;
};

// An uploaded recording and the form fields (or query parameters) with it.
struct AudioUpload {
  std::string audio;
  std::map<std::string, std::string> fields;

  std::string Field(const httplib::Request& req, const std::string& name) const {
    if (auto it = fields.find(name); it != fields.end()) return it->second;
    return req.has_param(name) ? req.get_param_value(name) : "";
  }
};

// Reads the body: multipart/form-data with the audio in `file`, or the
// audio itself as the body (any audio/* type). Oversized bodies get 413.
Result<AudioUpload> ReadAudioUpload(Call& call, const httplib::ContentReader& read,
                                    bool* too_large) {
  *too_large = false;
  const std::string length = call.req.get_header_value("Content-Length");
  if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > kMaxAudioUploadBytes) {
    *too_large = true;
    return AudioUpload{};
  }
  AudioUpload upload;
  uint64_t total = 0;
  bool ok = true;
  if (call.req.is_multipart_form_data()) {
    std::string current;  // the field being read; "\x01file" for the audio
    ok = read(
        [&](const httplib::MultipartFormData& part) {
          current = part.name == "file" || !part.filename.empty() ? "\x01file" : part.name;
          return true;
        },
        [&](const char* data, size_t len) {
          total += len;
          if (total > kMaxAudioUploadBytes) {
            *too_large = true;
            return false;
          }
          if (current == "\x01file")
            upload.audio.append(data, len);
          else if (upload.fields[current].size() + len <= 4096)
            upload.fields[current].append(data, len);
          return true;
        });
  } else {
    ok = read([&](const char* data, size_t len) {
      total += len;
      if (total > kMaxAudioUploadBytes) {
        *too_large = true;
        return false;
      }
      upload.audio.append(data, len);
      return true;
    });
  }
  if (*too_large) return upload;
  if (!ok) return Err(Status::InvalidArgument("the upload was cut short or malformed"));
  if (upload.audio.empty())
    return Err(Status::InvalidArgument(
        call.req.is_multipart_form_data()
            ? "no audio in the upload (send it as the form field \"file\")"
            : "no audio in the request body (send audio/wav, audio/flac, audio/ogg or audio/mpeg, "
              "or multipart/form-data with a \"file\")"));
  return upload;
}

void WriteTooLarge(Call& call) {
  WriteError(
      call.res,
      {413, "payload_too_large",
       "audio uploads are limited to " + std::to_string(kMaxAudioUploadBytes >> 20) + " MiB"},
      call.spec->openai);
  call.res.set_header("Connection", "close");
}

json PhonemesJson(const std::vector<voice::PhonemeTiming>& phonemes) {
  json out = json::array();
  for (const voice::PhonemeTiming& p : phonemes)
    out.push_back({{"start", std::round(p.start_seconds * 1000) / 1000},
                   {"duration", std::round(p.duration_seconds * 1000) / 1000},
                   {"phoneme", p.phoneme},
                   {"viseme", p.viseme}});
  return out;
}

json TranscriptJson(const voice::Transcript& t) {
  return {{"text", t.text},
          {"language", t.language},
          {"engine", t.engine},
          {"audio_seconds", t.audio_seconds},
          {"took_ms", t.seconds * 1000}};
}

// Runs `fn` on a query worker; false (a 429 written) when all are busy.
bool RunHeavy(ServerContext* c, Call& call, const std::function<void()>& fn) {
  if (c->gate->Run(fn)) return true;
  c->metrics.Add("askio_rejected_total", "reason=\"overloaded\"");
  WriteError(call.res, {429, "overloaded", "too many queries in progress; retry shortly", 1},
             call.spec->openai);
  call.res.set_header("Retry-After", "1");
  return false;
}

}  // namespace

void RegisterVoiceRoutes(ServerContext& ctx) {
  ServerContext* const c = &ctx;
  auto engines = std::make_shared<VoiceEngines>(ctx.options.config_path);

  // What the voice surface can do here, for the web UI.
  ctx.route("GET", "/api/voice",
            RouteSpec{.name = "/api/voice", .role = Role::kReader, .kb_scoped = false},
            [](Call& call) -> Status {
              json formats = json::array();
              for (voice::AudioFormat f :
                   {voice::AudioFormat::kWav, voice::AudioFormat::kPcm, voice::AudioFormat::kFlac,
                    voice::AudioFormat::kOpus, voice::AudioFormat::kMp3})
                if (voice::CanEncode(f)) formats.push_back(voice::AudioFormatName(f));
              WriteJson(call.res, {{"speech_to_text", true},
                                   {"text_to_speech", true},
                                   {"formats", formats},
                                   {"max_upload_bytes", kMaxAudioUploadBytes}});
              return Status::Ok();
            });

  // -- ask by voice --
  ctx.upload_route(
      R"(/api/kbs/([^/]+)/voice/ask)",
      RouteSpec{.name = "/api/kbs/{kb}/voice/ask", .role = Role::kReader},
      [c, engines](Call& call, const httplib::ContentReader& read) -> Status {
        const Stopwatch sw;
        bool too_large = false;
        auto upload = ReadAudioUpload(call, read, &too_large);
        if (too_large) return WriteTooLarge(call), Status::Ok();
        if (!upload) return upload.error();
        // format: the spoken answer's encoding, or "none" for text only.
        std::string format_name = upload->Field(call.req, "format");
        if (format_name.empty()) format_name = "wav";
        std::optional<voice::AudioFormat> format;
        if (format_name != "none") {
          auto f = voice::ParseAudioFormat(format_name);
          if (!f) return f.error();
          if (!voice::CanEncode(*f))
            return Status::Unsupported(std::string("this server cannot encode ") +
                                       voice::AudioFormatName(*f) + " (use wav)");
          format = *f;
        }
        const std::string stream_field = upload->Field(call.req, "stream");
        const bool stream =
            stream_field == "true" || stream_field == "1" ||
            call.req.get_header_value("Accept").find("text/event-stream") != std::string::npos;
        voice::VoiceAskOptions options;
        options.stt.language = upload->Field(call.req, "language");
        options.tts.voice = upload->Field(call.req, "voice");

        auto audio = voice::DecodeAudio(upload->audio);
        if (!audio) return audio.error();
        auto stt = engines->Stt(call.kb_name);
        if (!stt) return stt.error();
        std::shared_ptr<voice::TextToSpeech> tts;
        if (format) {
          auto made = engines->Tts(call.kb_name);
          if (!made) return made.error();
          tts = *made;
        }

        // Recognition and retrieval on a query worker; the speech in the
        // stream (below) or here for a whole answer.
        Result<voice::VoiceAnswer> answer = Err(Status::Internal("not run"));
        voice::TextToSpeech* speak_now = stream ? nullptr : tts.get();
        if (!RunHeavy(c, call, [&] {
              answer = voice::VoiceAsk(*call.kb, **stt, speak_now, *audio, options);
            }))
          return Status::Ok();
        if (!answer) return answer.error();
        json answer_json = AnswerJson(answer->answer, answer->retrieved);

        if (!stream) {
          json out = {{"transcript", TranscriptJson(answer->transcript)},
                      {"answer", answer_json},
                      {"spoken_text", answer->spoken_text}};
          if (format) {
            auto bytes = voice::EncodeAudio(answer->speech.audio, *format);
            if (!bytes) return bytes.error();
            out["audio"] = {{"format", voice::AudioFormatName(*format)},
                            {"mime_type", voice::MimeTypeOf(*format)},
                            {"sample_rate", answer->speech.audio.sample_rate},
                            {"seconds", answer->speech.audio.seconds()},
                            {"base64", Base64(*bytes)}};
            out["phonemes"] = PhonemesJson(answer->speech.phonemes);
          }
          out["took_ms"] = sw.Seconds() * 1000;
          out["timings_ms"] = {{"speech_to_text", answer->transcript.seconds * 1000},
                               {"ask", answer->ask_seconds * 1000},
                               {"text_to_speech", answer->speech.seconds * 1000}};
          WriteJson(call.res, out);
          return Status::Ok();
        }

        // Streamed: transcript and answer at once, then each sentence's
        // audio as soon as it is synthesised (on this connection's thread;
        // a client that leaves stops the synthesis), then done.
        struct State {
          std::vector<std::string> sentences;
          size_t next = 0;
          double offset = 0;
          bool head_sent = false, done = false;
        };
        auto state = std::make_shared<State>();
        if (tts)
          state->sentences = voice::SpeechSentences(voice::SpeakableText(answer->spoken_text));
        std::string head = SseEvent("transcript", TranscriptJson(answer->transcript)) +
                           SseEvent("answer", {{"answer", answer_json},
                                               {"spoken_text", answer->spoken_text},
                                               {"sentences", state->sentences.size()}});
        const double started = sw.Seconds();
        call.res.set_header("Cache-Control", "no-cache");
        call.res.set_header("X-Accel-Buffering", "no");
        call.res.set_chunked_content_provider(
            "text/event-stream",
            [state, head, tts, format, options, started](size_t, httplib::DataSink& sink) {
              if (!state->head_sent) {
                state->head_sent = true;
                return sink.write(head.data(), head.size());
              }
              if (state->next < state->sentences.size()) {
                const size_t i = state->next++;
                const std::string& sentence = state->sentences[i];
                auto r = tts->SpeakSentence(sentence, voice::MostlyChinese(sentence) ? "zh" : "en",
                                            options.tts);
                std::string event;
                if (!r) {
                  event = SseEvent(
                      "error",
                      {{"error",
                        {{"code", "text_to_speech_failed"}, {"message", r.error().message()}}}});
                  state->next = state->sentences.size();
                } else {
                  auto bytes = voice::EncodeAudio(r->audio, *format);
                  std::vector<voice::PhonemeTiming> phonemes = r->phonemes;
                  for (voice::PhonemeTiming& p : phonemes) p.start_seconds += state->offset;
                  event = SseEvent("audio", {{"index", i},
                                             {"text", sentence},
                                             {"start", state->offset},
                                             {"seconds", r->audio.seconds()},
                                             {"format", voice::AudioFormatName(*format)},
                                             {"mime_type", voice::MimeTypeOf(*format)},
                                             {"sample_rate", r->audio.sample_rate},
                                             {"base64", bytes ? Base64(*bytes) : std::string()},
                                             {"phonemes", PhonemesJson(phonemes)}});
                  state->offset += r->audio.seconds();
                }
                return sink.write(event.data(), event.size());
              }
              if (!state->done) {
                state->done = true;
                const std::string done =
                    SseEvent("done", {{"seconds", state->offset}, {"head_ms", started * 1000}});
                if (!sink.write(done.data(), done.size())) return false;
              }
              sink.done();
              return true;
            });
        return Status::Ok();
      });

  // -- OpenAI's audio endpoints --
  ctx.upload_route(
      "/v1/audio/transcriptions",
      RouteSpec{.name = "/v1/audio/transcriptions",
                .role = Role::kReader,
                .kb_scoped = false,
                .openai = true},
      [c, engines](Call& call, const httplib::ContentReader& read) -> Status {
        if (!call.req.is_multipart_form_data())
          return Status::InvalidArgument(
              "send multipart/form-data with the audio as \"file\" (and \"model\")");
        bool too_large = false;
        auto upload = ReadAudioUpload(call, read, &too_large);
        if (too_large) return WriteTooLarge(call), Status::Ok();
        if (!upload) return upload.error();
        const std::string response_format = upload->Field(call.req, "response_format");
        if (!response_format.empty() && response_format != "json" && response_format != "text" &&
            response_format != "verbose_json")
          return Status::InvalidArgument("response_format must be json, text or verbose_json");
        auto audio = voice::DecodeAudio(upload->audio);
        if (!audio) return audio.error();
        // The engines configured globally ("kb:NAME" models pick a KB's).
        std::string kb;
        if (const std::string m = upload->Field(call.req, "model"); m.starts_with("kb:")) {
          kb = m.substr(3);
          if (!call.who.CanSee(kb)) return Status::NotFound("model '" + m + "' does not exist");
        }
        auto stt = engines->Stt(kb);
        if (!stt) return stt.error();
        voice::SttOptions options;
        options.language = upload->Field(call.req, "language");
        Result<voice::Transcript> t = Err(Status::Internal("not run"));
        if (!RunHeavy(c, call, [&] { t = (*stt)->Transcribe(*audio, options); }))
          return Status::Ok();
        if (!t) return t.error();
        if (response_format == "text") {
          call.res.set_content(t->text + "\n", "text/plain; charset=utf-8");
          return Status::Ok();
        }
        json out = {{"text", t->text}};
        if (response_format == "verbose_json") {
          json segments = json::array();
          for (size_t i = 0; i < t->segments.size(); ++i)
            segments.push_back({{"id", i},
                                {"start", t->segments[i].start_seconds},
                                {"end", t->segments[i].end_seconds},
                                {"text", t->segments[i].text}});
          out["task"] = "transcribe";
          out["language"] = t->language;
          out["duration"] = t->audio_seconds;
          out["segments"] = segments;
        }
        WriteJson(call.res, out);
        return Status::Ok();
      });

  ctx.route(
      "POST", "/v1/audio/speech",
      RouteSpec{
          .name = "/v1/audio/speech", .role = Role::kReader, .kb_scoped = false, .openai = true},
      [engines](Call& call) -> Status {
        auto body = ParseJsonBody(call.req);
        if (!body) return body.error();
        if (!body->contains("input") || !(*body)["input"].is_string() ||
            (*body)["input"].get<std::string>().empty())
          return Status::InvalidArgument("'input' is required (the text to speak)");
        const std::string input = (*body)["input"];
        if (input.size() > kMaxSpeechInputChars * 4)
          return Status::InvalidArgument("'input' is longer than 4096 characters");
        std::string format_name = body->value("response_format", "mp3");
        if (format_name == "aac")
          return Status::Unsupported(
              "response_format aac is not available here (wav, pcm, "
              "flac, opus, mp3)");
        auto format = voice::ParseAudioFormat(format_name);
        if (!format) return format.error();
        if (!voice::CanEncode(*format))
          return Status::Unsupported(std::string("this server cannot encode ") + format_name);
        voice::TtsOptions options;
        // OpenAI's voice names (alloy, nova, ...) mean nothing to espeak-ng:
        // those choose by language; an espeak-ng voice name is used as is.
        const std::string voice_name = body->value("voice", "");
        static const std::set<std::string> kOpenAiVoices = {"alloy", "ash",     "ballad", "coral",
                                                            "echo",  "fable",   "onyx",   "nova",
                                                            "sage",  "shimmer", "verse"};
        if (!kOpenAiVoices.count(voice_name)) options.voice = voice_name;
        if (body->contains("speed") && (*body)["speed"].is_number())
          options.speed = std::clamp((*body)["speed"].get<double>(), 0.25, 4.0);
        std::string kb;
        if (const std::string m = body->value("model", ""); m.starts_with("kb:")) {
          kb = m.substr(3);
          if (!call.who.CanSee(kb)) return Status::NotFound("model '" + m + "' does not exist");
        }
        auto tts = engines->Tts(kb);
        if (!tts) return tts.error();
        std::shared_ptr<voice::TextToSpeech> engine = *tts;

        if (*format != voice::AudioFormat::kWav && *format != voice::AudioFormat::kPcm) {
          // Compressed formats are encoded whole.
          auto speech = voice::Speak(*engine, input, options);
          if (!speech) return speech.error();
          auto bytes = voice::EncodeAudio(speech->audio, *format);
          if (!bytes) return bytes.error();
          call.res.set_content(*bytes, voice::MimeTypeOf(*format));
          return Status::Ok();
        }
        // WAV and PCM stream sentence by sentence: a WAV header of unknown
        // length first (as streaming TTS servers send), then the samples.
        // PCM is OpenAI's: 24 kHz, 16-bit little-endian, mono.
        struct State {
          std::vector<std::string> sentences;
          size_t next = 0;
          bool header_sent = false;
        };
        auto state = std::make_shared<State>();
        state->sentences = voice::SpeechSentences(voice::SpeakableText(input));
        if (state->sentences.empty()) return Status::InvalidArgument("nothing to speak in 'input'");
        const bool pcm = *format == voice::AudioFormat::kPcm;
        call.res.set_chunked_content_provider(
            voice::MimeTypeOf(*format),
            [state, engine, options, pcm](size_t, httplib::DataSink& sink) {
              if (state->next >= state->sentences.size()) {
                sink.done();
                return true;
              }
              const std::string& sentence = state->sentences[state->next++];
              auto r = engine->SpeakSentence(sentence, voice::MostlyChinese(sentence) ? "zh" : "en",
                                             options);
              if (!r) return false;  // the response breaks off: the client sees an error
              const voice::Audio audio =
                  pcm ? voice::Resample(r->audio, 24000) : std::move(r->audio);
              std::string out;
              if (!state->header_sent && !pcm)
                out = voice::WavHeader(audio.sample_rate, 0xFFFFFFFFu);
              state->header_sent = true;
              out += voice::PcmS16(audio.samples);
              return sink.write(out.data(), out.size());
            });
        return Status::Ok();
      });
}

}  // namespace askio::server
