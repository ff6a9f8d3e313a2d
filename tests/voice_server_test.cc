// Voice over HTTP, end to end: a real server on 127.0.0.1 with the offline
// engines, a question spoken by espeak-ng and uploaded, the answer heard
// back; OpenAI's audio endpoints; limits and bad input.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "server/http_server.h"
#include "server_util.h"
#include "test_util.h"
#include "voice/audio.h"
#include "voice/stt.h"
#include "voice/tts.h"

namespace askio::server {
namespace {

using askio::testing::TempDir;
using nlohmann::json;

constexpr const char* kOffice =
    "# Office guide\n\nThe meeting room is on the third floor of the main building.\n\n"
    "The library opens at nine in the morning and closes at six.\n";

// The voice routes on a real server (tests/server_util.h), reading slowly
// enough for speech recognition.
class RunningServer : public server::testing::RunningServer {
 public:
  explicit RunningServer(const TempDir& dir) : server::testing::RunningServer(Options(dir)) {}
  httplib::Client Client() const { return server::testing::RunningServer::Client("", 60); }

 private:
  static ServeOptions Options(const TempDir& dir) {
    ServeOptions o;
    o.data_dir = dir / "data";
    o.port = 0;
    o.threads = 16;
    o.ingest.ocr = false;
    return o;
  }
};

using server::testing::Body;
using server::testing::RawExchange;

std::string Unbase64(const std::string& in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    int v = -1;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
    if (ch == '+') v = 62;
    if (ch == '/') v = 63;
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

// The question, as a person with espeak-ng's Klatt voice would ask it.
std::string SpokenQuestion(const std::string& text) {
  auto tts = voice::MakeEspeak();
  EXPECT_TRUE(tts);
  voice::TtsOptions o;
  o.voice = "en-us+klatt2";
  auto speech = voice::Speak(**tts, text, o);
  EXPECT_TRUE(speech);
  return voice::EncodeWav(speech->audio);
}

void MakeKb(httplib::Client& c) {
  ASSERT_EQ(c.Post("/api/kbs", R"({"name":"office"})", "application/json")->status, 201);
  httplib::MultipartFormDataItems files = {{"files", kOffice, "office.md", "text/markdown"}};
  auto up = c.Post("/api/kbs/office/documents", files);
  ASSERT_TRUE(up);
  ASSERT_EQ(up->status, 202) << up->body;
  const int64_t job = json::parse(up->body)["job"]["id"];
  std::string events;
  c.Get("/api/kbs/office/jobs/" + std::to_string(job) + "/events",
        [&](const char* data, size_t len) {
          events.append(data, len);
          return true;
        });
  ASSERT_NE(events.find("succeeded"), std::string::npos) << events;
}

TEST(VoiceServer, AskByVoiceEndToEnd) {
  TempDir dir;
  RunningServer server(dir);
  auto c = server.Client();
  MakeKb(c);
  const std::string question = SpokenQuestion("Where is the meeting room?");

  // Multipart, JSON answer with the spoken answer inside.
  httplib::MultipartFormDataItems form = {{"file", question, "question.wav", "audio/wav"}};
  auto r = c.Post("/api/kbs/office/voice/ask", form);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json j = json::parse(r->body);
  const std::string heard = j["transcript"]["text"];
  EXPECT_LE(voice::WordErrorRate("where is the meeting room", heard), 0.5) << heard;
  EXPECT_EQ(j["transcript"]["engine"], "pocketsphinx (en-us)");
  ASSERT_TRUE(j["answer"]["found"].get<bool>()) << r->body;
  EXPECT_NE(j["answer"]["text"].get<std::string>().find("third floor"), std::string::npos);
  ASSERT_FALSE(j["answer"]["citations"].empty());
  EXPECT_EQ(j["answer"]["citations"][0]["source"], "office.md");
  // What is spoken has no [n] markers.
  EXPECT_EQ(j["spoken_text"].get<std::string>().find("[1]"), std::string::npos) << j["spoken_text"];
  EXPECT_EQ(j["audio"]["format"], "wav");
  auto audio = voice::DecodeAudio(Unbase64(j["audio"]["base64"]));
  ASSERT_TRUE(audio) << audio.error().message();
  EXPECT_NEAR(audio->seconds(), j["audio"]["seconds"].get<double>(), 0.01);
  EXPECT_GT(audio->seconds(), 0.5);
  EXPECT_FALSE(j["phonemes"].empty());
  EXPECT_TRUE(j["phonemes"][0].contains("viseme"));

  // The raw body, text only.
  auto plain = c.Post("/api/kbs/office/voice/ask?format=none", question, "audio/wav");
  ASSERT_TRUE(plain);
  ASSERT_EQ(plain->status, 200) << plain->body;
  json p = json::parse(plain->body);
  EXPECT_FALSE(p.contains("audio"));
  EXPECT_EQ(p["transcript"]["text"], heard);

  // Streamed: transcript, answer, then the audio sentence by sentence.
  httplib::Headers sse = {{"Accept", "text/event-stream"}};
  std::string raw;
  auto streamed = c.Post("/api/kbs/office/voice/ask?format=wav", sse, question, "audio/wav");
  ASSERT_TRUE(streamed);
  ASSERT_EQ(streamed->status, 200) << streamed->body;
  raw = streamed->body;
  // Parsed by hand: std::regex recurses per character and the audio
  // events are long.
  std::vector<std::string> names;
  std::vector<json> data;
  for (size_t at = 0; at < raw.size();) {
    const size_t end = raw.find("\n\n", at);
    if (end == std::string::npos) break;
    const std::string block = raw.substr(at, end - at);
    at = end + 2;
    if (!block.starts_with("event: ")) continue;
    const size_t nl = block.find('\n');
    ASSERT_NE(nl, std::string::npos) << block.substr(0, 200);
    names.push_back(block.substr(7, nl - 7));
    ASSERT_TRUE(block.compare(nl + 1, 6, "data: ") == 0) << block.substr(0, 200);
    data.push_back(json::parse(block.substr(nl + 7)));
  }
  ASSERT_GE(names.size(), 4u) << raw;
  EXPECT_EQ(names[0], "transcript");
  EXPECT_EQ(names[1], "answer");
  EXPECT_EQ(names.back(), "done");
  const size_t sentences = data[1]["sentences"];
  ASSERT_EQ(names.size(), 3 + sentences);
  for (size_t i = 0; i < sentences; ++i) {
    EXPECT_EQ(names[2 + i], "audio");
    auto piece = voice::DecodeAudio(Unbase64(data[2 + i]["base64"]));
    ASSERT_TRUE(piece);
    EXPECT_NEAR(piece->seconds(), data[2 + i]["seconds"].get<double>(), 0.01);
  }
}

TEST(VoiceServer, BadAudioAndLimits) {
  TempDir dir;
  RunningServer server(dir);
  auto c = server.Client();
  MakeKb(c);
  auto empty = c.Post("/api/kbs/office/voice/ask", "", "audio/wav");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 400) << empty->body;
  auto text = c.Post("/api/kbs/office/voice/ask", "this is not audio", "audio/wav");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 415) << text->body;
  EXPECT_EQ(json::parse(text->body)["error"]["code"], "unsupported");
  auto truncated = c.Post("/api/kbs/office/voice/ask", voice::WavHeader(16000, 64000), "audio/wav");
  ASSERT_TRUE(truncated);
  EXPECT_EQ(truncated->status, 400) << truncated->body;
  // Silence: nothing recognised.
  voice::Audio silence;
  silence.samples.assign(16000, 0.0f);
  auto quiet = c.Post("/api/kbs/office/voice/ask", voice::EncodeWav(silence), "audio/wav");
  ASSERT_TRUE(quiet);
  EXPECT_EQ(quiet->status, 400) << quiet->body;
  EXPECT_NE(quiet->body.find("no speech"), std::string::npos);
  auto format =
      c.Post("/api/kbs/office/voice/ask?format=aiff", voice::EncodeWav(silence), "audio/wav");
  ASSERT_TRUE(format);
  EXPECT_EQ(format->status, 400);
  auto missing_kb = c.Post("/api/kbs/nope/voice/ask", voice::EncodeWav(silence), "audio/wav");
  ASSERT_TRUE(missing_kb);
  EXPECT_EQ(missing_kb->status, 404);
  // Refused from Content-Length before a byte is read.
  const std::string big = RawExchange(
      server.port(),
      "POST /api/kbs/office/voice/ask HTTP/1.1\r\nHost: x\r\nContent-Type: audio/wav\r\n"
      "Content-Length: 30000000\r\n\r\n");
  EXPECT_NE(big.find("413"), std::string::npos) << big;
  EXPECT_NE(big.find("payload_too_large"), std::string::npos) << big;
  auto info = Body(c.Get("/api/voice"));
  EXPECT_EQ(info["max_upload_bytes"], 25 << 20);
  EXPECT_NE(std::find(info["formats"].begin(), info["formats"].end(), "opus"),
            info["formats"].end());
}

TEST(VoiceServer, OpenAiAudioEndpoints) {
  TempDir dir;
  RunningServer server(dir);
  auto c = server.Client();
  const std::string question = SpokenQuestion("The meeting room is on the third floor.");

  httplib::MultipartFormDataItems form = {{"file", question, "q.wav", "audio/wav"},
                                          {"model", "whisper-1", "", ""}};
  auto t = Body(c.Post("/v1/audio/transcriptions", form));
  EXPECT_LE(
      voice::WordErrorRate("the meeting room is on the third floor", t["text"].get<std::string>()),
      0.3)
      << t.dump();
  form.push_back({"response_format", "text", "", ""});
  auto text = c.Post("/v1/audio/transcriptions", form);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 200);
  EXPECT_EQ(text->body, t["text"].get<std::string>() + "\n");
  EXPECT_NE(text->get_header_value("Content-Type").find("text/plain"), std::string::npos);
  // Not multipart, or no file: OpenAI's error shape.
  auto bad = c.Post("/v1/audio/transcriptions", question, "audio/wav");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(json::parse(bad->body)["error"].contains("type"));

  // Speech, streamed WAV: a header of unknown length, then the samples.
  size_t pieces = 0;
  std::string wav;
  auto spoken = c.Post("/v1/audio/speech",
                       R"({"model":"tts-1","input":"The room is on the third floor [1]. )"
                       R"(It opens at nine.","voice":"alloy","response_format":"wav"})",
                       "application/json");
  ASSERT_TRUE(spoken);
  ASSERT_EQ(spoken->status, 200) << spoken->body;
  wav = spoken->body;
  (void)pieces;
  EXPECT_EQ(spoken->get_header_value("Content-Type"), "audio/wav");
  ASSERT_GT(wav.size(), 44u);
  EXPECT_EQ(wav.substr(0, 4), "RIFF");
  auto heard = voice::DecodeAudio(wav);
  ASSERT_TRUE(heard) << heard.error().message();
  EXPECT_GT(heard->seconds(), 1.5);
  // MP3 (OpenAI's default format), whole.
  auto mp3 =
      c.Post("/v1/audio/speech", R"({"model":"tts-1","input":"Hello there."})", "application/json");
  ASSERT_TRUE(mp3);
  ASSERT_EQ(mp3->status, 200) << mp3->body;
  EXPECT_EQ(mp3->get_header_value("Content-Type"), "audio/mpeg");
  auto decoded = voice::DecodeAudio(mp3->body);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_GT(decoded->seconds(), 0.3);
  // PCM: 24 kHz 16-bit, as OpenAI sends it.
  auto pcm = c.Post("/v1/audio/speech",
                    R"({"model":"tts-1","input":"Hello there.","response_format":"pcm"})",
                    "application/json");
  ASSERT_TRUE(pcm);
  ASSERT_EQ(pcm->status, 200);
  EXPECT_EQ(pcm->body.size() % 2, 0u);
  EXPECT_NEAR(static_cast<double>(pcm->body.size()) / 2 / 24000, decoded->seconds(), 0.2);
  // Errors in OpenAI's shape.
  auto no_input = c.Post("/v1/audio/speech", R"({"model":"tts-1"})", "application/json");
  ASSERT_TRUE(no_input);
  EXPECT_EQ(no_input->status, 400);
  EXPECT_EQ(json::parse(no_input->body)["error"]["type"], "invalid_request_error");
  auto aac =
      c.Post("/v1/audio/speech", R"({"model":"tts-1","input":"Hi.","response_format":"aac"})",
             "application/json");
  ASSERT_TRUE(aac);
  EXPECT_EQ(aac->status, 415);
}

}  // namespace
}  // namespace askio::server
