// The voice library (src/voice/): audio decoding and encoding, voice
// activity, speech-to-text and text-to-speech (offline engines and the
// OpenAI-compatible providers against the fake server), the espeak-ng ->
// pocketsphinx round trip, and dataset preparation on a synthetic recording.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>

#include "fake_openai_server.h"
#include "model/model_config.h"
#include "model/openai_internal.h"
#include "voice/audio.h"
#include "voice/prepare.h"
#include "voice/stt.h"
#include "voice/tts.h"
#include "voice/vad.h"

namespace askio::voice {
namespace {

namespace fs = std::filesystem;

// The round trip: espeak-ng speaks these, pocketsphinx transcribes them.
// pocketsphinx's acoustic model is trained on people; of espeak-ng's
// English voices the Klatt variant "en-us+klatt2" is the one it follows
// best (measured over five voices and two speeds, docs/benchmarks.md). The
// bound on the mean word error rate leaves room for about one more
// misheard word in ten than measured (0.26: 0, 0.375, 0.25, 0.4).
constexpr const char* kSpeakerVoice = "en-us+klatt2";
const std::vector<std::string> kRoundTripSentences = {
    "The meeting room is on the third floor.",
    "Please send your receipts to the finance office.",
    "The library opens at nine in the morning.",
    "Where is the meeting room?",
};
constexpr double kRoundTripMaxMeanWer = 0.35;

Audio Tone(double seconds, double hz, double amplitude, int rate = 16000) {
  Audio a;
  a.sample_rate = rate;
  a.samples.resize(static_cast<size_t>(seconds * rate));
  for (size_t i = 0; i < a.samples.size(); ++i)
    a.samples[i] = static_cast<float>(amplitude * std::sin(2 * std::numbers::pi * hz * i / rate));
  return a;
}

void Append(Audio& to, const Audio& more) {
  to.samples.insert(to.samples.end(), more.samples.begin(), more.samples.end());
}

fs::path TempDir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("askio-voice-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// One engine of each kind for the whole binary: loading pocketsphinx's
// model takes seconds.
SpeechToText& Sphinx() {
  static std::unique_ptr<SpeechToText> engine = [] {
    auto e = MakePocketSphinx();
    EXPECT_TRUE(e.has_value()) << (e ? "" : e.error().message());
    return e ? std::move(*e) : nullptr;
  }();
  return *engine;
}

TextToSpeech& Espeak() {
  static std::unique_ptr<TextToSpeech> engine = [] {
    auto e = MakeEspeak();
    EXPECT_TRUE(e.has_value()) << (e ? "" : e.error().message());
    return e ? std::move(*e) : nullptr;
  }();
  return *engine;
}

// ---- audio ----

TEST(VoiceAudio, WavRoundTripAndResample) {
  const Audio tone = Tone(0.5, 440, 0.5, 22050);
  auto decoded = DecodeAudio(EncodeWav(tone));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded->sample_rate, 22050);
  ASSERT_EQ(decoded->samples.size(), tone.samples.size());
  for (size_t i = 0; i < tone.samples.size(); i += 97)
    EXPECT_NEAR(decoded->samples[i], tone.samples[i], 1e-3);
  const Audio at16 = Resample(tone, 16000);
  EXPECT_EQ(at16.sample_rate, 16000);
  EXPECT_NEAR(at16.seconds(), 0.5, 0.01);
  // The level survives resampling.
  EXPECT_NEAR(RmsDb(at16.samples.data(), at16.samples.size()),
              RmsDb(tone.samples.data(), tone.samples.size()), 0.5);
}

TEST(VoiceAudio, StereoIsMixedToMono) {
  // A hand-made stereo WAV: left +0.5, right -0.5 -> silence.
  std::string wav = "RIFF";
  auto u32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) wav += static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  auto u16 = [&](uint16_t v) {
    wav += static_cast<char>(v & 0xFF), wav += static_cast<char>(v >> 8);
  };
  const uint32_t frames = 1000;
  u32(36 + frames * 4);
  wav += "WAVEfmt ";
  u32(16), u16(1), u16(2), u32(8000), u32(8000 * 4), u16(4), u16(16);
  wav += "data";
  u32(frames * 4);
  for (uint32_t i = 0; i < frames; ++i) u16(16384), u16(static_cast<uint16_t>(-16384));
  auto a = DecodeAudio(wav);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->samples.size(), frames);
  EXPECT_LT(PeakDb(a->samples.data(), a->samples.size()), -60);
}

TEST(VoiceAudio, BadInputIsAClearError) {
  auto empty = DecodeAudio("");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message().find("empty"), std::string::npos);

  auto text = DecodeAudio("this is not audio at all, just some text in a file\n");
  ASSERT_FALSE(text);
  EXPECT_TRUE(text.error().IsUserError());

  // A WAV header that promises data that never comes.
  const std::string header_only = WavHeader(16000, 32000);
  auto truncated = DecodeAudio(header_only);
  ASSERT_FALSE(truncated);
  EXPECT_TRUE(truncated.error().IsUserError()) << truncated.error().message();

  // Cut in the middle of the header.
  auto cut = DecodeAudio(EncodeWav(Tone(0.1, 440, 0.5)).substr(0, 20));
  ASSERT_FALSE(cut);

  // Random bytes.
  std::string noise(5000, '\0');
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 2654435761u) >> 13);
  EXPECT_FALSE(DecodeAudio(noise));

  auto missing = ReadAudioFile("/nonexistent/question.wav");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
}

TEST(VoiceAudio, EncodesCompressedFormatsItCan) {
  const Audio tone = Tone(1.0, 440, 0.4, 22050);
  for (AudioFormat f : {AudioFormat::kFlac, AudioFormat::kOpus, AudioFormat::kMp3}) {
    SCOPED_TRACE(AudioFormatName(f));
    auto bytes = EncodeAudio(tone, f);
    if (!CanEncode(f)) {
      ASSERT_FALSE(bytes);
      EXPECT_EQ(bytes.error().code(), StatusCode::kUnsupported);
      continue;
    }
    ASSERT_TRUE(bytes) << bytes.error().message();
    EXPECT_LT(bytes->size(), EncodeWav(tone).size());
    auto back = DecodeAudio(*bytes);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_NEAR(back->seconds(), 1.0, 0.1);
  }
  // Debian 12's libsndfile 1.2 writes all three.
  EXPECT_TRUE(CanEncode(AudioFormat::kFlac));
  EXPECT_TRUE(CanEncode(AudioFormat::kOpus));
  EXPECT_TRUE(CanEncode(AudioFormat::kMp3));
  EXPECT_FALSE(ParseAudioFormat("aiff"));
}

// ---- voice activity ----

TEST(VoiceVad, FindsBurstsBetweenSilences) {
  Audio a = Tone(0.5, 0, 0);  // silence
  for (int i = 0; i < 3; ++i) {
    Append(a, Tone(1.0, 300, 0.3));
    Append(a, Tone(1.0, 0, 0));
  }
  // A 20 ms click is not speech.
  Append(a, Tone(0.02, 1000, 0.9));
  Append(a, Tone(1.0, 0, 0));
  const std::vector<Segment> s = DetectSpeech(a);
  ASSERT_EQ(s.size(), 3u);
  for (size_t i = 0; i < s.size(); ++i) {
    const double start = s[i].begin / 16000.0, len = (s[i].end - s[i].begin) / 16000.0;
    EXPECT_NEAR(start, 0.5 + 2.0 * i, 0.15);
    EXPECT_NEAR(len, 1.0, 0.25);
  }
  // A pause shorter than the hangover stays inside one segment.
  Audio b = Tone(1.0, 300, 0.3);
  Append(b, Tone(0.2, 0, 0));
  Append(b, Tone(1.0, 300, 0.3));
  Append(b, Tone(1.0, 0, 0));
  EXPECT_EQ(DetectSpeech(b).size(), 1u);
  // Long segments are cut.
  const auto cut = SplitLongSegments(a, {{0, a.samples.size()}}, 2.0);
  for (const Segment& seg : cut) EXPECT_LE(seg.end - seg.begin, 32000u);
  EXPECT_GE(cut.size(), 4u);
}

// ---- text ----

TEST(VoiceText, SpeakableTextDropsMarkersAndReadsNumbers) {
  EXPECT_EQ(SpeakableText("The fee is 35% [1]."), "The fee is 35 percent.");
  EXPECT_EQ(SpeakableText("Open 9-17 [1][2], see **the** `docs` [3, 4]."),
            "Open 9 to 17, see the docs.");
  EXPECT_EQ(SpeakableText("It opened on 2024-03-05 [2]."), "It opened on March 5, 2024.");
  EXPECT_EQ(SpeakableText("See [the handbook](https://example.com/h.pdf) or https://x.org/a ."),
            "See the handbook or.");
  EXPECT_EQ(SpeakableText("报销比例为35%[1]。"), "报销比例为百分之35。");
  EXPECT_EQ(SpeakableText("会议于2024-03-05举行【2】，持续3-5天。"),
            "会议于2024年3月5日举行，持续3到5天。");
  EXPECT_EQ(SpeakableText("# Title\n- first item\n- second"), "Title first item second");
}

TEST(VoiceText, LongInputsAreSafe) {
  // The longest /v1/audio/speech input (4096 characters) as one digit run,
  // one URL and one bracket: the patterns must not recurse the stack away.
  EXPECT_EQ(SpeakableText(std::string(4096, '7') + "%"), std::string(4096, '7') + " percent");
  EXPECT_EQ(SpeakableText("see https://example.com/" + std::string(4096, 'a') + " now"), "see now");
  EXPECT_FALSE(SpeakableText("[" + std::string(4096, '1') + "] x").empty());
  EXPECT_GT(SpeechSentences(std::string(20000, 'a')).size(), 0u);
}

TEST(VoiceText, SentencesLanguageAndVisemes) {
  // A sentence of nothing but punctuation is not spoken.
  const auto s = SpeechSentences("First one. Second one! 第三句。 。 ...");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], "First one.");
  EXPECT_EQ(s[2], "第三句。");
  EXPECT_TRUE(MostlyChinese("会议室在三楼"));
  EXPECT_TRUE(MostlyChinese("会议室在 Building A 三楼"));
  EXPECT_FALSE(MostlyChinese("The room is in 北京"));
  EXPECT_FALSE(MostlyChinese("12345"));
  EXPECT_EQ(VisemeOf("m"), "PP");
  EXPECT_EQ(VisemeOf("f"), "FF");
  EXPECT_EQ(VisemeOf("aI"), "aa");
  EXPECT_EQ(VisemeOf("_:"), "sil");
  EXPECT_EQ(VisemeOf("tS"), "CH");
}

TEST(VoiceText, WordErrorRate) {
  EXPECT_DOUBLE_EQ(WordErrorRate("the third floor", "The third floor."), 0.0);
  EXPECT_DOUBLE_EQ(WordErrorRate("the third floor", "the floor"), 1.0 / 3);
  EXPECT_DOUBLE_EQ(WordErrorRate("a b", "a x b y"), 1.0);
  EXPECT_DOUBLE_EQ(WordErrorRate("会议室在三楼", "会议室在二楼"), 1.0 / 6);
  EXPECT_DOUBLE_EQ(WordErrorRate("", ""), 0.0);
}

// ---- configuration ----

TEST(VoiceConfig, SttAndTtsSections) {
  const fs::path dir = TempDir("config");
  const fs::path toml = dir / "askio.toml";
  std::ofstream(toml) << "[stt]\nbase_url = \"http://127.0.0.1:9/v1\"\nmodel = \"whisper-1\"\n"
                         "language = \"zh\"\n[tts]\nbase_url = \"http://127.0.0.1:9/v1\"\n"
                         "model = \"tts-1\"\nvoice = \"nova\"\n";
  auto c = model::LoadModelsConfig(toml.string(), "", {{"ASKIO_TTS_VOICE", "alloy"}});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE(c->stt.configured());
  EXPECT_EQ(c->stt.language, "zh");
  EXPECT_EQ(c->tts.model, "tts-1");
  EXPECT_EQ(c->tts.voice, "alloy");  // the environment wins
  EXPECT_FALSE(c->llm.configured());

  std::ofstream(toml) << "[llm]\nvoice = \"nova\"\n";
  auto wrong = model::LoadModelsConfig(toml.string(), "", {});
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message().find("belongs in [tts]"), std::string::npos);
  fs::remove_all(dir);

  // Engine choice: auto picks the provider only when configured.
  model::ProviderConfig none;
  auto stt = MakeSpeechToText(none, "provider");
  ASSERT_FALSE(stt);
  EXPECT_NE(stt.error().message().find("[stt]"), std::string::npos);
  EXPECT_FALSE(MakeTextToSpeech(none, "festival"));
}

// ---- offline engines ----

TEST(VoiceOffline, EspeakToPocketsphinxRoundTrip) {
  TtsOptions options;
  options.voice = kSpeakerVoice;
  double total_wer = 0, audio_seconds = 0, stt_seconds = 0;
  for (const std::string& sentence : kRoundTripSentences) {
    auto speech = Speak(Espeak(), sentence, options);
    ASSERT_TRUE(speech) << speech.error().message();
    EXPECT_GT(speech->audio.seconds(), 0.8);
    EXPECT_LT(speech->audio.seconds(), 6.0);
    // Through a WAV file, as the CLI and the server take it.
    auto decoded = DecodeAudio(EncodeWav(speech->audio));
    ASSERT_TRUE(decoded);
    auto t = Sphinx().Transcribe(*decoded);
    ASSERT_TRUE(t) << t.error().message();
    EXPECT_EQ(t->language, "en");
    const double wer = WordErrorRate(sentence, t->text);
    std::printf("round trip: \"%s\" -> \"%s\" (WER %.3f, %.2f s for %.2f s of audio)\n",
                sentence.c_str(), t->text.c_str(), wer, t->seconds, t->audio_seconds);
    EXPECT_LE(wer, 0.6) << sentence << " -> " << t->text;
    total_wer += wer;
    audio_seconds += t->audio_seconds;
    stt_seconds += t->seconds;
  }
  const double mean = total_wer / static_cast<double>(kRoundTripSentences.size());
  std::printf("round trip: mean WER %.3f, real-time factor %.2f\n", mean,
              stt_seconds / audio_seconds);
  EXPECT_LE(mean, kRoundTripMaxMeanWer);
}

TEST(VoiceOffline, PocketsphinxIsEnglishOnlyAndSilenceIsEmpty) {
  SttOptions zh;
  zh.language = "zh";
  auto refused = Sphinx().Transcribe(Tone(1, 300, 0.2), zh);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), StatusCode::kUnsupported);
  EXPECT_NE(refused.error().message().find("[stt]"), std::string::npos);
  auto silence = Sphinx().Transcribe(Tone(2, 0, 0));
  ASSERT_TRUE(silence) << silence.error().message();
  EXPECT_EQ(silence->text, "");
}

TEST(VoiceOffline, MandarinSpeechHasPlausibleDurationAndVisemes) {
  const std::string text = "会议室在三楼，开放时间是上午九点到下午五点。";
  const size_t characters = 20;  // Han characters in `text`
  std::vector<SpeechChunk> chunks;
  size_t chunk_calls = 0;
  auto speech = Speak(Espeak(), text, {}, [&](const SpeechChunk& c) {
    ++chunk_calls;
    EXPECT_EQ(c.audio->sample_rate, 22050);
    return true;
  });
  ASSERT_TRUE(speech) << speech.error().message();
  EXPECT_EQ(chunk_calls, 1u);
  const double per_char = speech->audio.seconds() / characters;
  std::printf("Mandarin: %.2f s for %zu characters (%.3f s each)\n", speech->audio.seconds(),
              characters, per_char);
  EXPECT_GE(per_char, 0.15);
  EXPECT_LE(per_char, 0.6);
  // Phoneme events came with it, in order, inside the audio.
  ASSERT_GT(speech->phonemes.size(), 20u);
  double last = -1;
  size_t mouths = 0;
  for (const PhonemeTiming& p : speech->phonemes) {
    EXPECT_GE(p.start_seconds, last);
    EXPECT_LE(p.start_seconds + p.duration_seconds, speech->audio.seconds() + 1e-6);
    last = p.start_seconds;
    mouths += p.viseme != "sil";
  }
  EXPECT_GT(mouths, 10u);

  // English text gets an English voice: the same characters' worth of
  // English is spoken in a plausible English time, and Chinese is not read
  // as letter names (which would take far longer than 0.6 s a character).
  auto english = Speak(Espeak(), "The room is on the third floor.");
  ASSERT_TRUE(english);
  EXPECT_GT(english->audio.seconds(), 1.0);
  EXPECT_LT(english->audio.seconds(), 4.0);
}

TEST(VoiceOffline, SpeakStreamsSentenceBySentence) {
  std::vector<std::string> seen;
  std::vector<double> starts;
  auto speech = Speak(Espeak(), "First sentence here [1]. And a second one [2]! A third.", {},
                      [&](const SpeechChunk& c) {
                        seen.push_back(c.text);
                        starts.push_back(c.start_seconds);
                        return true;
                      });
  ASSERT_TRUE(speech) << speech.error().message();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "First sentence here.");
  EXPECT_EQ(seen[1], "And a second one!");
  EXPECT_DOUBLE_EQ(starts[0], 0.0);
  EXPECT_GT(starts[1], 0.5);
  EXPECT_GT(starts[2], starts[1]);
  EXPECT_LE(speech->first_chunk_seconds, speech->seconds);
  // Stopping after the first sentence stops.
  size_t calls = 0;
  auto stopped = Speak(Espeak(), "One. Two. Three.", {}, [&](const SpeechChunk&) {
    ++calls;
    return false;
  });
  ASSERT_TRUE(stopped);
  EXPECT_TRUE(stopped->stopped);
  EXPECT_EQ(calls, 1u);
  // Nothing speakable: no audio, no error.
  auto nothing = Speak(Espeak(), " [1] ");
  ASSERT_TRUE(nothing);
  EXPECT_TRUE(nothing->audio.samples.empty());
}

// ---- providers, against the fake server ----

TEST(VoiceProvider, TranscriptionIsAMultipartUpload) {
  testing::FakeOpenAi fake;
  model::ProviderConfig config = fake.Config("whisper-1");
  config.api_key = "sk-voice";
  config.language = "en";
  auto stt = MakeSpeechToText(config, "auto");
  ASSERT_TRUE(stt);
  const Audio question = Tone(1.5, 300, 0.3, 22050);
  auto t = (*stt)->Transcribe(question);
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->text, "the meeting room is on the third floor");
  EXPECT_EQ(t->engine, "stt:whisper-1 @ " + model::internal::HostOf(fake.BaseUrl()));
  const auto uploads = fake.Uploads();
  ASSERT_EQ(uploads.size(), 1u);
  const testing::FakeUpload& u = uploads[0];
  EXPECT_TRUE(u.well_formed);
  EXPECT_NE(u.content_type.find("multipart/form-data; boundary="), std::string::npos);
  EXPECT_EQ(u.fields.at("model"), "whisper-1");
  EXPECT_EQ(u.fields.at("language"), "en");
  EXPECT_EQ(u.fields.at("response_format"), "json");
  EXPECT_EQ(u.file_field, "file");
  EXPECT_EQ(u.file_type, "audio/wav");
  // The file is the audio, as 16 kHz WAV.
  auto sent = DecodeAudio(u.file_bytes);
  ASSERT_TRUE(sent) << sent.error().message();
  EXPECT_EQ(sent->sample_rate, 16000);
  EXPECT_NEAR(sent->seconds(), 1.5, 0.01);
  EXPECT_EQ(fake.Requests(testing::FakeOpenAi::kTranscriptions)[0].authorization,
            "Bearer sk-voice");
}

TEST(VoiceProvider, TranscriptionRetriesAndReportsErrors) {
  testing::FakeOpenAi fake;
  auto client = model::MakeOpenAiTranscriber(fake.Config("whisper-1"));
  fake.FailNext(testing::FakeOpenAi::kTranscriptions, 1, 503, "0");
  model::TranscriptionRequest request;
  request.audio = EncodeWav(Tone(0.5, 300, 0.3));
  auto ok = client->Transcribe(request);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->attempts, 2);
  fake.RequireApiKey("secret");
  auto denied = client->Transcribe(request);
  ASSERT_FALSE(denied);
  EXPECT_NE(denied.error().message().find("authentication"), std::string::npos);
  request.audio.clear();
  EXPECT_FALSE(client->Transcribe(request));
}

TEST(VoiceProvider, SpeechIsStreamedAndDecoded) {
  testing::FakeOpenAi fake;
  testing::FakeAudioOptions o;
  o.chunk_bytes = 1000;
  fake.SetAudioOptions(o);
  model::ProviderConfig config = fake.Config("tts-1");
  config.voice = "nova";
  // The client hands bytes over as they arrive: many pieces, the WAV
  // header first.
  auto client = model::MakeOpenAiSpeechSynthesizer(config);
  model::SpeechRequest request;
  request.input = "Hello there.";
  std::vector<std::string> pieces;
  auto r = client->Synthesize(request, [&](std::string_view b) {
    pieces.emplace_back(b);
    return true;
  });
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->content_type, "audio/wav");
  ASSERT_GT(pieces.size(), 3u);
  EXPECT_EQ(pieces[0].substr(0, 4), "RIFF");
  const auto req = fake.Requests(testing::FakeOpenAi::kSpeech).back().json;
  EXPECT_EQ(req["voice"], "nova");
  EXPECT_EQ(req["input"], "Hello there.");
  EXPECT_EQ(req["response_format"], "wav");

  // Stopping early stops the transfer.
  size_t calls = 0;
  auto stopped = client->Synthesize(request, [&](std::string_view) { return ++calls < 2; });
  ASSERT_TRUE(stopped);
  EXPECT_TRUE(stopped->stopped);
  EXPECT_EQ(calls, 2u);

  // Through the TextToSpeech engine: a sentence per request, decoded from
  // the streamed WAV (whose sizes say 0xFFFFFFFF).
  auto tts = MakeTextToSpeech(config, "auto");
  ASSERT_TRUE(tts);
  auto speech = Speak(**tts, "One sentence [1]. Another sentence.");
  ASSERT_TRUE(speech) << speech.error().message();
  EXPECT_EQ(speech->audio.sample_rate, 24000);
  // 0.02 s per character of "One sentence." (13) and "Another sentence." (17).
  EXPECT_NEAR(speech->audio.seconds(), 0.02 * 30, 0.01);
  const auto sent = fake.Requests(testing::FakeOpenAi::kSpeech);
  EXPECT_EQ(sent[sent.size() - 2].json["input"], "One sentence.");

  // Raw PCM (OpenAI's 24 kHz s16le) works too.
  o.pcm = true;
  fake.SetAudioOptions(o);
  auto pcm = Speak(**tts, "Raw pcm please.");
  ASSERT_TRUE(pcm) << pcm.error().message();
  EXPECT_NEAR(pcm->audio.seconds(), 0.02 * 15, 0.01);

  // A server error is a clear error.
  fake.FailNext(testing::FakeOpenAi::kSpeech, 1, 400);
  auto failed = Speak(**tts, "Fails.");
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message().find("text-to-speech"), std::string::npos);
}

// ---- dataset preparation ----

// A long recording as a speaker would make one: sentences of 2-10 s with
// 1.5 s pauses, stationary noise under everything (espeak-ng speaks, sox
// makes and mixes the noise), plus one clipped sentence and one short word
// that must be rejected.
TEST(VoicePrepare, SyntheticLongRecording) {
  const fs::path dir = TempDir("prepare");
  const std::vector<std::string> sentences = {
      "The meeting room is on the third floor of the main building.",
      "Please send your travel receipts to the finance office by Friday.",
      "The library opens at nine in the morning and closes at six.",
      "New employees receive a laptop and a badge on their first day.",
  };
  TtsOptions speaker;
  speaker.voice = kSpeakerVoice;
  Audio recording;
  recording.sample_rate = 22050;
  auto pause = [&](double s) { Append(recording, Tone(s, 0, 0, 22050)); };
  pause(1.0);
  std::vector<double> spoken;
  for (const std::string& s : sentences) {
    auto speech = Speak(Espeak(), s, speaker);
    ASSERT_TRUE(speech) << speech.error().message();
    ASSERT_EQ(speech->audio.sample_rate, 22050);
    spoken.push_back(speech->audio.seconds());
    Append(recording, speech->audio);
    pause(1.5);
  }
  // Clipped: the same voice driven far past full scale.
  auto loud = Speak(Espeak(), "This sentence was recorded much too loud for anyone.", speaker);
  ASSERT_TRUE(loud);
  for (float& v : loud->audio.samples) v = std::clamp(v * 8.0f, -1.0f, 1.0f);
  Append(recording, loud->audio);
  pause(1.5);
  // Too short to be a clip on its own.
  auto yes = Speak(Espeak(), "Yes.", speaker);
  ASSERT_TRUE(yes);
  Append(recording, yes->audio);
  pause(1.5);
  const fs::path speech_wav = dir / "speech.wav", noise_wav = dir / "noise.wav",
                 mixed_wav = dir / "long recording.wav";
  ASSERT_TRUE(WriteFileBytes(speech_wav.string(), EncodeWav(recording)).ok());
  const std::string make_noise = "sox -q -V1 -n -r 22050 -c 1 -b 16 '" + noise_wav.string() +
                                 "' synth " + std::to_string(recording.seconds()) +
                                 " whitenoise vol 0.01";
  ASSERT_EQ(std::system(make_noise.c_str()), 0) << make_noise;
  // -v 1 each: sox would otherwise halve both, and the clipping with them.
  const std::string mix = "sox -q -V1 -m -v 1 '" + speech_wav.string() + "' -v 1 '" +
                          noise_wav.string() + "' '" + mixed_wav.string() + "'";
  ASSERT_EQ(std::system(mix.c_str()), 0) << mix;

  PrepareOptions options;
  options.output_dir = (dir / "dataset").string();
  auto report = PrepareDataset({mixed_wav.string()}, Sphinx(), options);
  ASSERT_TRUE(report) << report.error().message();

  // One clip per sentence, each as long as the sentence (plus the padding
  // kept around it), within 2-10 s.
  ASSERT_EQ(report->clips.size(), sentences.size());
  for (size_t i = 0; i < report->clips.size(); ++i) {
    const PreparedClip& c = report->clips[i];
    SCOPED_TRACE(c.file);
    EXPECT_GE(c.seconds, 2.0);
    EXPECT_LE(c.seconds, 10.0);
    EXPECT_NEAR(c.seconds, spoken[i], 0.6);
    EXPECT_FALSE(c.text.empty());
    // Recognised well enough to be the right sentence.
    EXPECT_LT(WordErrorRate(sentences[i], c.text), 0.8) << c.text;
    auto clip = ReadAudioFile((dir / "dataset" / c.file).string());
    ASSERT_TRUE(clip) << clip.error().message();
    EXPECT_EQ(clip->sample_rate, 22050);
    EXPECT_NEAR(clip->seconds(), c.seconds, 0.01);
    // Normalised: peaks under -1 dBFS, speech near -20 dBFS.
    EXPECT_LE(PeakDb(clip->samples.data(), clip->samples.size()), -0.9);
  }
  EXPECT_EQ(report->clips[0].file, "wavs/long_recording_0001.wav");

  // The clipped sentence and the lone word are rejected, with reasons.
  ASSERT_EQ(report->rejected.size(), 2u);
  EXPECT_NE(report->rejected[0].reason.find("clipped"), std::string::npos);
  EXPECT_NE(report->rejected[1].reason.find("too short"), std::string::npos);

  // metadata.csv: one "file|text" line per clip, files that exist.
  std::ifstream csv(dir / "dataset" / "metadata.csv");
  std::string line;
  size_t lines = 0;
  while (std::getline(csv, line)) {
    const size_t bar = line.find('|');
    ASSERT_NE(bar, std::string::npos) << line;
    EXPECT_EQ(line.find('|', bar + 1), std::string::npos) << line;
    EXPECT_EQ(line.substr(0, bar), report->clips[lines].file);
    EXPECT_EQ(line.substr(bar + 1), report->clips[lines].text);
    EXPECT_TRUE(fs::exists(dir / "dataset" / line.substr(0, bar)));
    ++lines;
  }
  EXPECT_EQ(lines, report->clips.size());
  auto json = nlohmann::json::parse(std::ifstream(dir / "dataset" / "report.json"));
  EXPECT_EQ(json["clips"], sentences.size());
  EXPECT_EQ(json["rejected_list"].size(), 2u);
  EXPECT_TRUE(fs::exists(dir / "dataset" / "report.txt"));
  fs::remove_all(dir);
}

TEST(VoicePrepare, NoiseReductionLowersTheNoiseFloor) {
  // A tone "speaking" between stretches of stationary noise.
  Audio a;
  a.sample_rate = 16000;
  uint32_t seed = 1;
  auto noise = [&](double seconds) {
    for (size_t i = 0; i < static_cast<size_t>(seconds * 16000); ++i) {
      seed = seed * 1664525u + 1013904223u;
      a.samples.push_back(0.02f * (static_cast<float>(seed >> 8) / 8388608.0f - 1.0f));
    }
  };
  noise(1.0);
  const size_t tone_begin = a.samples.size();
  Audio tone = Tone(1.0, 440, 0.3);
  for (size_t i = 0; i < tone.samples.size(); ++i) {
    seed = seed * 1664525u + 1013904223u;
    a.samples.push_back(tone.samples[i] +
                        0.02f * (static_cast<float>(seed >> 8) / 8388608.0f - 1.0f));
  }
  const size_t tone_end = a.samples.size();
  noise(1.0);
  const Audio clean = ReduceStationaryNoise(a, {{tone_begin, tone_end}});
  ASSERT_EQ(clean.samples.size(), a.samples.size());
  const double before = RmsDb(a.samples.data() + 32000 + 8000, 4000);
  const double after = RmsDb(clean.samples.data() + 32000 + 8000, 4000);
  EXPECT_LT(after, before - 10) << before << " -> " << after;
  // The tone itself survives.
  const double tone_before = RmsDb(a.samples.data() + 20000, 4000);
  const double tone_after = RmsDb(clean.samples.data() + 20000, 4000);
  EXPECT_NEAR(tone_after, tone_before, 1.5);
}

TEST(VoicePrepare, BadInputs) {
  const fs::path dir = TempDir("prepare-bad");
  const fs::path text = dir / "notes.wav";
  std::ofstream(text) << "not audio";
  PrepareOptions options;
  options.output_dir = (dir / "out").string();
  auto r = PrepareDataset({text.string()}, Sphinx(), options);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().IsUserError());
  EXPECT_NE(r.error().message().find("notes.wav"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "out" / "metadata.csv"));
  EXPECT_FALSE(PrepareDataset({}, Sphinx(), options));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace askio::voice
