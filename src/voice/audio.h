// Audio in and out for the voice pipeline: decoding whatever a caller sends
// (WAV, FLAC, Ogg/Vorbis, Ogg/Opus and MP3 through libsndfile; other formats
// sox can read through the `sox` program), mixing to mono, resampling
// (libsoxr), and encoding WAV (PCM 16-bit), FLAC, Ogg/Opus and MP3 where the
// installed libsndfile can. All functions are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "askio/status.h"

namespace askio::voice {

// Mono audio as floats in [-1, 1].
struct Audio {
  int sample_rate = 16000;
  std::vector<float> samples;

  double seconds() const {
    return sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0;
  }
};

// What a decoder accepts at most: about 4 hours of 16 kHz speech, and far
// more than any upload route lets through.
inline constexpr size_t kMaxDecodedSamples = size_t{16000} * 3600 * 4;

// Decodes an encoded file held in memory. Empty input, bytes that are no
// audio format libsndfile (or, for what it cannot read, sox) knows, and
// truncated files are InvalidArgument/Unsupported with a clear message.
Result<Audio> DecodeAudio(std::string_view bytes);
// Reads and decodes a file.
Result<Audio> ReadAudioFile(const std::string& path);

// `audio` at `sample_rate` (libsoxr, high quality). Returns a copy when the
// rate is already right.
Audio Resample(const Audio& audio, int sample_rate);

// Output encodings.
enum class AudioFormat { kWav, kPcm, kFlac, kOpus, kMp3 };
// "wav", "pcm" (raw 16-bit little-endian), "flac", "opus" (Ogg/Opus), "mp3".
Result<AudioFormat> ParseAudioFormat(std::string_view name);
const char* AudioFormatName(AudioFormat f);
const char* MimeTypeOf(AudioFormat f);
// Whether the installed libsndfile can write `f` (WAV and PCM always).
bool CanEncode(AudioFormat f);

// Encodes whole audio. Opus is written at 48 kHz (the only rates Opus has
// are 8/12/16/24/48 kHz; others are resampled). Unsupported when this
// libsndfile cannot write the format.
Result<std::string> EncodeAudio(const Audio& audio, AudioFormat format);

// A WAV (RIFF, PCM 16-bit mono) header for `data_bytes` of samples; for a
// stream of unknown length pass 0xFFFFFFFF, as streaming servers do.
std::string WavHeader(int sample_rate, uint32_t data_bytes);
// Samples as 16-bit little-endian PCM, clipped to the range.
std::string PcmS16(const float* samples, size_t count);
inline std::string PcmS16(const std::vector<float>& samples) {
  return PcmS16(samples.data(), samples.size());
}
// WavHeader + PcmS16.
std::string EncodeWav(const Audio& audio);

// Loudness and level measures, in dBFS (-inf for silence).
double RmsDb(const float* samples, size_t count);
double PeakDb(const float* samples, size_t count);

Status WriteFileBytes(const std::string& path, std::string_view bytes);

}  // namespace askio::voice
