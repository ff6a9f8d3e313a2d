#include "voice/audio.h"

#include <fcntl.h>
#include <signal.h>
#include <sndfile.h>
#include <soxr.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

extern char** environ;

namespace askio::voice {
namespace {

// libsndfile's virtual I/O over a byte buffer: reads from `in`, or appends
// to (and overwrites in) `out`.
struct MemoryFile {
  std::string_view in;
  std::string* out = nullptr;
  sf_count_t pos = 0;

  sf_count_t size() const { return out ? static_cast<sf_count_t>(out->size()) : in.size(); }
};

sf_count_t VioLength(void* user) { return static_cast<MemoryFile*>(user)->size(); }

sf_count_t VioSeek(sf_count_t offset, int whence, void* user) {
  auto* f = static_cast<MemoryFile*>(user);
  sf_count_t to = offset;
  if (whence == SEEK_CUR) to = f->pos + offset;
  if (whence == SEEK_END) to = f->size() + offset;
  if (to < 0) return -1;
  f->pos = to;
  return f->pos;
}

sf_count_t VioRead(void* ptr, sf_count_t count, void* user) {
  auto* f = static_cast<MemoryFile*>(user);
  const sf_count_t size = f->size();
  if (f->pos >= size || count <= 0) return 0;
  const sf_count_t n = std::min(count, size - f->pos);
  const char* base = f->out ? f->out->data() : f->in.data();
  std::memcpy(ptr, base + f->pos, static_cast<size_t>(n));
  f->pos += n;
  return n;
}

sf_count_t VioWrite(const void* ptr, sf_count_t count, void* user) {
  auto* f = static_cast<MemoryFile*>(user);
  if (!f->out || count < 0) return 0;
  const size_t end = static_cast<size_t>(f->pos + count);
  if (end > f->out->size()) f->out->resize(end);
  std::memcpy(f->out->data() + f->pos, ptr, static_cast<size_t>(count));
  f->pos += count;
  return count;
}

sf_count_t VioTell(void* user) { return static_cast<MemoryFile*>(user)->pos; }

SF_VIRTUAL_IO kVio = {VioLength, VioSeek, VioRead, VioWrite, VioTell};

struct SndfileCloser {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using Sndfile = std::unique_ptr<SNDFILE, SndfileCloser>;

// Decodes with libsndfile; nullopt-like error text when it does not know
// the format (so sox may be tried).
Result<Audio> DecodeWithSndfile(std::string_view bytes) {
  MemoryFile file{bytes, nullptr, 0};
  SF_INFO info{};
  Sndfile f(sf_open_virtual(&kVio, SFM_READ, &info, &file));
  if (!f) return Err(Status::Unsupported(sf_strerror(nullptr)));
  if (info.channels < 1 || info.channels > 64 || info.samplerate < 1000 || info.samplerate > 384000)
    return Err(Status::InvalidArgument("the audio header is implausible (" +
                                       std::to_string(info.channels) + " channels at " +
                                       std::to_string(info.samplerate) + " Hz)"));
  Audio audio;
  audio.sample_rate = info.samplerate;
  const size_t channels = static_cast<size_t>(info.channels);
  std::vector<float> block(4096 * channels);
  for (;;) {
    const sf_count_t got = sf_readf_float(f.get(), block.data(), 4096);
    if (got <= 0) break;
    for (sf_count_t i = 0; i < got; ++i) {
      float sum = 0;
      for (size_t c = 0; c < channels; ++c) sum += block[static_cast<size_t>(i) * channels + c];
      const float v = sum / static_cast<float>(channels);
      audio.samples.push_back(std::isfinite(v) ? std::clamp(v, -1.0f, 1.0f) : 0.0f);
    }
    if (audio.samples.size() > kMaxDecodedSamples * 3)
      return Err(Status::InvalidArgument("the audio is too long (over 4 hours)"));
  }
  if (audio.samples.empty())
    return Err(Status::InvalidArgument("the audio holds no samples (empty or truncated)"));
  return audio;
}

bool LooksLikeMp3(std::string_view b) {
  if (b.size() >= 3 && b.substr(0, 3) == "ID3") return true;
  return b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0xFF &&
         (static_cast<unsigned char>(b[1]) & 0xE0) == 0xE0;
}

// The path of `sox` if it is installed.
std::string FindSox() {
  const char* path = std::getenv("PATH");
  std::string dirs = path && *path ? path : "/usr/bin:/bin";
  std::stringstream ss(dirs);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/sox";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Runs argv (no shell) and returns its stdout, bounded; stderr is dropped.
Result<std::string> RunCapture(const std::vector<std::string>& args, size_t max_bytes) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return Err(Status::IOError("cannot create a pipe"));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (rc != 0) {
    close(pipe_fds[0]);
    return Err(Status::IOError("cannot run " + args[0] + ": " + std::strerror(rc)));
  }
  std::string out;
  bool too_large = false;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(pipe_fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      too_large = true;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);
  if (too_large) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (too_large) return Err(Status::InvalidArgument("the audio is too long (over 4 hours)"));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Err(Status::Unsupported("sox could not read it either"));
  return out;
}

// Decodes with the sox program (formats libsndfile lacks, MP3 on a
// libsndfile built without it): 16 kHz mono float.
Result<Audio> DecodeWithSox(std::string_view bytes) {
  const std::string sox = FindSox();
  if (sox.empty()) return Err(Status::Unsupported("sox is not installed"));
  std::string tmpl = (std::filesystem::temp_directory_path() / "askio-audio-XXXXXX").string();
  const int fd = mkstemp(tmpl.data());
  if (fd < 0) return Err(Status::IOError("cannot create a temporary file"));
  close(fd);
  struct Remove {
    std::string path;
    ~Remove() { std::remove(path.c_str()); }
  } remove{tmpl};
  ASKIO_RETURN_IF_ERROR(WriteFileBytes(tmpl, bytes));
  std::vector<std::string> args = {sox, "-q"};
  if (LooksLikeMp3(bytes)) args.insert(args.end(), {"-t", "mp3"});
  args.insert(args.end(), {tmpl, "-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1", "-r",
                           "16000", "-"});
  Result<std::string> raw = RunCapture(args, kMaxDecodedSamples * sizeof(float));
  if (!raw) return Err(raw.error());
  // (checked before the copy: memcpy into an empty vector's null data() is
  // undefined even for 0 bytes, which UBSan reported under the HTTP fuzzer)
  if (raw->size() < sizeof(float))
    return Err(Status::InvalidArgument("the audio holds no samples (empty or truncated)"));
  Audio audio;
  audio.sample_rate = 16000;
  audio.samples.resize(raw->size() / sizeof(float));
  std::memcpy(audio.samples.data(), raw->data(), audio.samples.size() * sizeof(float));
  for (float& v : audio.samples) v = std::isfinite(v) ? std::clamp(v, -1.0f, 1.0f) : 0.0f;
  return audio;
}

int MajorOf(AudioFormat f) {
  switch (f) {
    case AudioFormat::kFlac:
      return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    case AudioFormat::kOpus:
      return SF_FORMAT_OGG | SF_FORMAT_OPUS;
    case AudioFormat::kMp3:
      return SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
    default:
      return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  }
}

int EncodeRate(AudioFormat f, int rate) {
  if (f != AudioFormat::kOpus) return rate;
  for (int r : {8000, 12000, 16000, 24000, 48000})
    if (r == rate) return rate;
  return 48000;
}

}  // namespace

Result<Audio> DecodeAudio(std::string_view bytes) {
  if (bytes.empty()) return Err(Status::InvalidArgument("the audio is empty (0 bytes)"));
  Result<Audio> audio = DecodeWithSndfile(bytes);
  if (audio || audio.error().code() != StatusCode::kUnsupported) return audio;
  const std::string why = audio.error().message();
  Result<Audio> fallback = DecodeWithSox(bytes);
  if (fallback || fallback.error().code() != StatusCode::kUnsupported) return fallback;
  return Err(Status::Unsupported(
      "not audio that can be read (WAV, FLAC, Ogg Vorbis/Opus, MP3): libsndfile: " + why + "; " +
      fallback.error().message()));
}

Result<Audio> ReadAudioFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(Status::NotFound("cannot open " + path + ": " + std::strerror(errno)));
  std::ostringstream data;
  data << in.rdbuf();
  if (in.bad()) return Err(Status::IOError("cannot read " + path));
  Result<Audio> audio = DecodeAudio(data.str());
  if (!audio) return Err(Status(audio.error().code(), path + ": " + audio.error().message()));
  return audio;
}

Audio Resample(const Audio& audio, int sample_rate) {
  if (audio.sample_rate == sample_rate || audio.samples.empty() || sample_rate <= 0) {
    Audio copy = audio;
    if (sample_rate > 0) copy.sample_rate = sample_rate;
    return copy;
  }
  Audio out;
  out.sample_rate = sample_rate;
  const double ratio = static_cast<double>(sample_rate) / audio.sample_rate;
  out.samples.resize(static_cast<size_t>(std::ceil(audio.samples.size() * ratio)) + 16);
  size_t done = 0;
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  const soxr_error_t error =
      soxr_oneshot(audio.sample_rate, sample_rate, 1, audio.samples.data(), audio.samples.size(),
                   nullptr, out.samples.data(), out.samples.size(), &done, &io, &quality, nullptr);
  if (error) {
    // Never expected with valid rates; linear interpolation keeps the
    // pipeline going.
    out.samples.resize(static_cast<size_t>(audio.samples.size() * ratio));
    for (size_t i = 0; i < out.samples.size(); ++i) {
      const double x = i / ratio;
      const size_t a = std::min(static_cast<size_t>(x), audio.samples.size() - 1);
      const size_t b = std::min(a + 1, audio.samples.size() - 1);
      const double t = x - a;
      out.samples[i] = static_cast<float>(audio.samples[a] * (1 - t) + audio.samples[b] * t);
    }
    return out;
  }
  out.samples.resize(done);
  for (float& v : out.samples) v = std::clamp(v, -1.0f, 1.0f);
  return out;
}

Result<AudioFormat> ParseAudioFormat(std::string_view name) {
  if (name == "wav") return AudioFormat::kWav;
  if (name == "pcm") return AudioFormat::kPcm;
  if (name == "flac") return AudioFormat::kFlac;
  if (name == "opus" || name == "ogg") return AudioFormat::kOpus;
  if (name == "mp3") return AudioFormat::kMp3;
  return Err(Status::InvalidArgument("unknown audio format '" + std::string(name) +
                                     "' (wav, pcm, flac, opus, mp3)"));
}

const char* AudioFormatName(AudioFormat f) {
  switch (f) {
    case AudioFormat::kWav:
      return "wav";
    case AudioFormat::kPcm:
      return "pcm";
    case AudioFormat::kFlac:
      return "flac";
    case AudioFormat::kOpus:
      return "opus";
    case AudioFormat::kMp3:
      return "mp3";
  }
  return "wav";
}

const char* MimeTypeOf(AudioFormat f) {
  switch (f) {
    case AudioFormat::kWav:
      return "audio/wav";
    case AudioFormat::kPcm:
      return "audio/pcm";
    case AudioFormat::kFlac:
      return "audio/flac";
    case AudioFormat::kOpus:
      return "audio/ogg";
    case AudioFormat::kMp3:
      return "audio/mpeg";
  }
  return "application/octet-stream";
}

bool CanEncode(AudioFormat f) {
  if (f == AudioFormat::kWav || f == AudioFormat::kPcm) return true;
  SF_INFO info{};
  info.samplerate = EncodeRate(f, 22050);
  info.channels = 1;
  info.format = MajorOf(f);
  return sf_format_check(&info) == SF_TRUE;
}

Result<std::string> EncodeAudio(const Audio& audio, AudioFormat format) {
  if (format == AudioFormat::kWav) return EncodeWav(audio);
  if (format == AudioFormat::kPcm) return PcmS16(audio.samples);
  if (!CanEncode(format))
    return Err(Status::Unsupported(std::string("this libsndfile cannot write ") +
                                   AudioFormatName(format) + " (use wav)"));
  const int rate = EncodeRate(format, audio.sample_rate);
  const Audio source = rate == audio.sample_rate ? audio : Resample(audio, rate);
  std::string out;
  MemoryFile file{{}, &out, 0};
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = 1;
  info.format = MajorOf(format);
  Sndfile f(sf_open_virtual(&kVio, SFM_WRITE, &info, &file));
  if (!f)
    return Err(Status::Internal(std::string("libsndfile cannot write ") + AudioFormatName(format) +
                                ": " + sf_strerror(nullptr)));
  if (format == AudioFormat::kOpus) {
    double quality = 0.7;  // about 48 kbit/s for speech
    sf_command(f.get(), SFC_SET_COMPRESSION_LEVEL, &quality, sizeof quality);
  }
  const sf_count_t n = static_cast<sf_count_t>(source.samples.size());
  if (n > 0 && sf_writef_float(f.get(), source.samples.data(), n) != n)
    return Err(Status::Internal(std::string("libsndfile failed writing ") +
                                AudioFormatName(format) + ": " + sf_strerror(f.get())));
  f.reset();  // flushes the last pages/frames into `out`
  return out;
}

std::string WavHeader(int sample_rate, uint32_t data_bytes) {
  std::string h;
  auto u32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) h += static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  auto u16 = [&](uint16_t v) {
    h += static_cast<char>(v & 0xFF);
    h += static_cast<char>(v >> 8);
  };
  const uint32_t riff = data_bytes == 0xFFFFFFFFu ? 0xFFFFFFFFu : 36 + data_bytes;
  h += "RIFF";
  u32(riff);
  h += "WAVEfmt ";
  u32(16);
  u16(1);  // PCM
  u16(1);  // mono
  u32(static_cast<uint32_t>(sample_rate));
  u32(static_cast<uint32_t>(sample_rate) * 2);
  u16(2);
  u16(16);
  h += "data";
  u32(data_bytes);
  return h;
}

std::string PcmS16(const float* samples, size_t count) {
  std::string out(count * 2, '\0');
  for (size_t i = 0; i < count; ++i) {
    const float v = std::isfinite(samples[i]) ? std::clamp(samples[i], -1.0f, 1.0f) : 0.0f;
    const auto s = static_cast<int16_t>(std::lrint(v * 32767.0f));
    out[2 * i] = static_cast<char>(s & 0xFF);
    out[2 * i + 1] = static_cast<char>((s >> 8) & 0xFF);
  }
  return out;
}

std::string EncodeWav(const Audio& audio) {
  const size_t bytes = std::min<size_t>(audio.samples.size() * 2, 0xFFFFFFF0u - 36);
  return WavHeader(audio.sample_rate, static_cast<uint32_t>(bytes)) +
         PcmS16(audio.samples.data(), bytes / 2);
}

double RmsDb(const float* samples, size_t count) {
  if (count == 0) return -std::numeric_limits<double>::infinity();
  double sum = 0;
  for (size_t i = 0; i < count; ++i) sum += static_cast<double>(samples[i]) * samples[i];
  const double rms = std::sqrt(sum / count);
  return rms > 0 ? 20 * std::log10(rms) : -std::numeric_limits<double>::infinity();
}

double PeakDb(const float* samples, size_t count) {
  float peak = 0;
  for (size_t i = 0; i < count; ++i) peak = std::max(peak, std::fabs(samples[i]));
  return peak > 0 ? 20 * std::log10(peak) : -std::numeric_limits<double>::infinity();
}

Status WriteFileBytes(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status::IOError("cannot write " + path + " (disk full?)");
  return Status::Ok();
}

}  // namespace askio::voice
