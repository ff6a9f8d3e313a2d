#include "voice/prepare.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>

#include "common/clock.h"

namespace askio::voice {
namespace {

namespace fs = std::filesystem;
using Complex = std::complex<double>;

// In-place iterative radix-2 FFT; `a.size()` is a power of two.
void Fft(std::vector<Complex>& a, bool inverse) {
  const size_t n = a.size();
  for (size_t i = 1, j = 0; i < n; ++i) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    const double angle = 2 * std::numbers::pi / static_cast<double>(len) * (inverse ? 1 : -1);
    const Complex w_len(std::cos(angle), std::sin(angle));
    for (size_t i = 0; i < n; i += len) {
      Complex w(1);
      for (size_t k = 0; k < len / 2; ++k) {
        const Complex u = a[i + k], v = a[i + k + len / 2] * w;
        a[i + k] = u + v;
        a[i + k + len / 2] = u - v;
        w *= w_len;
      }
    }
  }
  if (inverse)
    for (Complex& x : a) x /= static_cast<double>(n);
}

std::string Format(const char* fmt, double a, double b = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, a, b);
  return buf;
}

// The level of the loud frames of a clip: what a listener hears as its
// loudness, not diluted by the pauses inside it.
double SpeechLevelDb(const float* samples, size_t count, int sample_rate) {
  const size_t frame = std::max<size_t>(1, static_cast<size_t>(sample_rate) / 50);
  std::vector<double> levels;
  for (size_t at = 0; at + frame <= count; at += frame) {
    const double db = RmsDb(samples + at, frame);
    levels.push_back(std::isfinite(db) ? db : -120);
  }
  if (levels.empty()) return RmsDb(samples, count);
  std::sort(levels.begin(), levels.end());
  // The median of the louder half.
  return levels[levels.size() * 3 / 4];
}

double ClippedFraction(const float* samples, size_t count) {
  if (count == 0) return 0;
  size_t clipped = 0;
  for (size_t i = 0; i < count; ++i) clipped += std::fabs(samples[i]) >= 0.999f;
  return static_cast<double>(clipped) / static_cast<double>(count);
}

// Joins clips shorter than `min` to a neighbour when the pause between
// them is short and the result not too long.
std::vector<Segment> MergeShort(std::vector<Segment> segments, int rate, double min, double max,
                                double max_gap) {
  const auto len = [&](const Segment& s) { return (s.end - s.begin) / static_cast<double>(rate); };
  std::vector<Segment> out;
  for (const Segment& s : segments) {
    if (!out.empty()) {
      Segment& prev = out.back();
      const double gap = (s.begin - prev.end) / static_cast<double>(rate);
      const double joined = (s.end - prev.begin) / static_cast<double>(rate);
      if ((len(prev) < min || len(s) < min) && gap <= max_gap && joined <= max) {
        prev.end = s.end;
        continue;
      }
    }
    out.push_back(s);
  }
  return out;
}

std::string CsvText(std::string text) {
  for (char& c : text)
    if (c == '|' || c == '\n' || c == '\r' || c == '\t') c = ' ';
  return text;
}

}  // namespace

Audio ReduceStationaryNoise(const Audio& audio, const std::vector<Segment>& speech) {
  constexpr size_t kN = 512, kHop = kN / 2;
  constexpr double kOverSubtract = 1.5, kFloor = 0.08;
  if (audio.samples.size() < kN * 2) return audio;
  // Which samples are speech.
  std::vector<bool> is_speech(audio.samples.size(), false);
  for (const Segment& s : speech)
    for (size_t i = s.begin; i < s.end && i < is_speech.size(); ++i) is_speech[i] = true;
  std::vector<double> window(kN);
  for (size_t i = 0; i < kN; ++i)
    window[i] = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * static_cast<double>(i) / kN);

  const size_t padded = audio.samples.size() + 2 * kN;
  std::vector<float> x(padded, 0.0f);
  std::copy(audio.samples.begin(), audio.samples.end(), x.begin() + kN);
  const size_t frames = (padded - kN) / kHop + 1;

  // The noise: the mean magnitude of frames that hold no speech at all.
  std::vector<double> noise(kN / 2 + 1, 0.0);
  size_t noise_frames = 0;
  std::vector<Complex> buf(kN);
  for (size_t f = 0; f < frames; ++f) {
    const size_t at = f * kHop;
    if (at < kN || at + kN > padded - kN) continue;  // frames touching the padding
    // x[at, at + kN) is audio[at - kN, at).
    bool quiet = !is_speech[at - 1];
    for (size_t i = at - kN; i < at && quiet; i += 32) quiet = !is_speech[i];
    if (!quiet) continue;
    for (size_t i = 0; i < kN; ++i) buf[i] = Complex(x[at + i] * window[i], 0);
    Fft(buf, false);
    for (size_t k = 0; k <= kN / 2; ++k) noise[k] += std::abs(buf[k]);
    ++noise_frames;
  }
  const double noise_seconds = static_cast<double>(noise_frames * kHop) / audio.sample_rate;
  if (noise_frames < 4 || noise_seconds < 0.25) return audio;
  for (double& v : noise) v /= static_cast<double>(noise_frames);

  std::vector<double> y(padded, 0.0);
  for (size_t f = 0; f < frames; ++f) {
    const size_t at = f * kHop;
    if (at + kN > padded) break;
    for (size_t i = 0; i < kN; ++i) buf[i] = Complex(x[at + i] * window[i], 0);
    Fft(buf, false);
    for (size_t k = 0; k <= kN / 2; ++k) {
      const double mag = std::abs(buf[k]);
      const double gain = mag > 0 ? std::max(1 - kOverSubtract * noise[k] / mag, kFloor) : kFloor;
      buf[k] *= gain;
      if (k > 0 && k < kN / 2) buf[kN - k] = std::conj(buf[k]);
    }
    Fft(buf, true);
    // A periodic Hann window at 50% overlap sums to one: no synthesis window.
    for (size_t i = 0; i < kN; ++i) y[at + i] += buf[i].real();
  }
  Audio out;
  out.sample_rate = audio.sample_rate;
  out.samples.resize(audio.samples.size());
  for (size_t i = 0; i < out.samples.size(); ++i)
    out.samples[i] = static_cast<float>(std::clamp(y[i + kN], -1.0, 1.0));
  return out;
}

Result<PrepareReport> PrepareDataset(const std::vector<std::string>& inputs, SpeechToText& stt,
                                     const PrepareOptions& o, const PrepareProgressFn& progress) {
  if (inputs.empty()) return Err(Status::InvalidArgument("no recordings to prepare"));
  if (o.output_dir.empty()) return Err(Status::InvalidArgument("no output folder (-o DIR)"));
  if (!(o.min_clip_seconds > 0) || !(o.max_clip_seconds > o.min_clip_seconds))
    return Err(Status::InvalidArgument("clip lengths must satisfy 0 < min < max"));
  if (o.sample_rate < 8000 || o.sample_rate > 48000)
    return Err(Status::InvalidArgument("the sample rate must be 8000-48000 Hz"));
  const Stopwatch sw;
  const fs::path dir(o.output_dir);
  std::error_code ec;
  fs::create_directories(dir / "wavs", ec);
  if (!ec) fs::remove(dir / "metadata.csv", ec);
  if (ec)
    return Err(Status::IOError("cannot create " + (dir / "wavs").string() + ": " + ec.message()));

  PrepareReport report;
  report.stt_engine = stt.name();
  report.inputs = inputs.size();
  std::vector<std::string> used_stems;
  SttOptions stt_options;
  stt_options.language = o.language;
  for (size_t n = 0; n < inputs.size(); ++n) {
    const std::string& input = inputs[n];
    auto decoded = ReadAudioFile(input);
    if (!decoded) return Err(decoded.error());
    Audio audio = std::move(*decoded);
    report.input_seconds += audio.seconds();

    VadOptions vad;
    vad.min_silence_seconds = o.split_silence_seconds;
    vad.padding_seconds = std::min(0.15, o.split_silence_seconds / 3);
    std::vector<Segment> speech = DetectSpeech(audio, vad);
    Audio clean = o.denoise ? ReduceStationaryNoise(audio, speech) : audio;
    std::vector<Segment> clips =
        MergeShort(speech, audio.sample_rate, o.min_clip_seconds, o.max_clip_seconds, 1.0);
    clips = SplitLongSegments(audio, std::move(clips), o.max_clip_seconds);

    // Clip names from the input's name, made unique across inputs.
    std::string stem = fs::path(input).stem().string();
    for (char& c : stem)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    if (stem.empty()) stem = "clip";
    std::string unique = stem;
    for (int k = 2; std::find(used_stems.begin(), used_stems.end(), unique) != used_stems.end();
         ++k)
      unique = stem + "-" + std::to_string(k);
    used_stems.push_back(unique);

    size_t index = 0;
    for (const Segment& s : clips) {
      const double start = s.begin / static_cast<double>(audio.sample_rate);
      const double seconds = (s.end - s.begin) / static_cast<double>(audio.sample_rate);
      auto reject = [&](std::string reason) {
        report.rejected.push_back({input, start, seconds, std::move(reason)});
      };
      if (seconds < o.min_clip_seconds) {
        reject(Format("too short (%.2f s < %g s)", seconds, o.min_clip_seconds));
        continue;
      }
      if (seconds > o.max_clip_seconds + 0.01) {
        reject(Format("too long (%.2f s > %g s)", seconds, o.max_clip_seconds));
        continue;
      }
      // Clipping is judged on the recording as it came, level on the clean.
      const double clipped = ClippedFraction(audio.samples.data() + s.begin, s.end - s.begin);
      if (clipped > o.max_clipped_fraction) {
        reject(Format("clipped (%.2f%% of samples at full scale)", clipped * 100));
        continue;
      }
      const double level =
          SpeechLevelDb(clean.samples.data() + s.begin, s.end - s.begin, audio.sample_rate);
      if (!(level >= o.min_speech_db)) {
        reject(Format("too quiet (speech at %.1f dBFS < %g dBFS)",
                      std::isfinite(level) ? level : -120, o.min_speech_db));
        continue;
      }
      Audio clip;
      clip.sample_rate = audio.sample_rate;
      clip.samples.assign(clean.samples.begin() + s.begin, clean.samples.begin() + s.end);
      // Loudness: the speech to the target level, peaks kept below the limit.
      const double peak = PeakDb(clip.samples.data(), clip.samples.size());
      const double gain_db = std::min(o.target_rms_db - level, o.peak_limit_db - peak);
      const float gain = static_cast<float>(std::pow(10.0, gain_db / 20));
      for (float& v : clip.samples) v = std::clamp(v * gain, -1.0f, 1.0f);
      // 10 ms fades: no click where the cut was.
      const size_t fade =
          std::min(clip.samples.size() / 2, static_cast<size_t>(clip.sample_rate / 100));
      for (size_t i = 0; i < fade; ++i) {
        const float g = static_cast<float>(i) / static_cast<float>(fade);
        clip.samples[i] *= g;
        clip.samples[clip.samples.size() - 1 - i] *= g;
      }
      auto transcript = stt.Transcribe(clip, stt_options);
      if (!transcript) return Err(transcript.error());
      if (transcript->text.empty()) {
        reject("no speech recognised");
        continue;
      }
      char name[64];
      std::snprintf(name, sizeof name, "_%04zu.wav", ++index);
      const std::string file = "wavs/" + unique + name;
      const Audio out = Resample(clip, o.sample_rate);
      ASKIO_RETURN_IF_ERROR(WriteFileBytes((dir / file).string(), EncodeWav(out)));
      report.clips.push_back({file, input, start, out.seconds(), level, transcript->text});
      report.clip_seconds += out.seconds();
    }
    if (progress) progress(n + 1, inputs.size());
  }

  // metadata.csv last: its presence means the set is complete.
  std::string csv;
  for (const PreparedClip& c : report.clips) csv += c.file + "|" + CsvText(c.text) + "\n";
  report.seconds = sw.Seconds();
  nlohmann::json clips = nlohmann::json::array(), rejected = nlohmann::json::array();
  for (const PreparedClip& c : report.clips)
    clips.push_back({{"file", c.file},
                     {"source", c.source},
                     {"start_seconds", c.start_seconds},
                     {"seconds", c.seconds},
                     {"speech_db", c.speech_db},
                     {"text", c.text}});
  for (const RejectedClip& r : report.rejected)
    rejected.push_back({{"source", r.source},
                        {"start_seconds", r.start_seconds},
                        {"seconds", r.seconds},
                        {"reason", r.reason}});
  const nlohmann::json summary = {{"inputs", report.inputs},
                                  {"input_seconds", report.input_seconds},
                                  {"clips", report.clips.size()},
                                  {"clip_seconds", report.clip_seconds},
                                  {"rejected", report.rejected.size()},
                                  {"stt_engine", report.stt_engine},
                                  {"sample_rate", o.sample_rate},
                                  {"clip_list", clips},
                                  {"rejected_list", rejected}};
  ASKIO_RETURN_IF_ERROR(
      WriteFileBytes((dir / "report.json").string(),
                     summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"));
  std::string text = Format("%.0f clips, %.1f s of speech",
                            static_cast<double>(report.clips.size()), report.clip_seconds) +
                     Format(" from %.0f inputs (%.1f s)", static_cast<double>(report.inputs),
                            report.input_seconds) +
                     "; transcribed by " + report.stt_engine + "\n\nclips:\n";
  for (const PreparedClip& c : report.clips)
    text += "  " + c.file + Format("  %.2f s  (from %.2f s in ", c.seconds, c.start_seconds) +
            c.source + ")  " + c.text + "\n";
  text += Format("\nrejected: %.0f\n", static_cast<double>(report.rejected.size()));
  for (const RejectedClip& r : report.rejected)
    text += "  " + r.source + Format(" at %.2f s (%.2f s): ", r.start_seconds, r.seconds) +
            r.reason + "\n";
  ASKIO_RETURN_IF_ERROR(WriteFileBytes((dir / "report.txt").string(), text));
  ASKIO_RETURN_IF_ERROR(WriteFileBytes((dir / "metadata.csv").string(), csv));
  return report;
}

}  // namespace askio::voice
