// `askio voice prepare`: turns long recordings into a text-to-speech
// training set. Each input is denoised (spectral subtraction of the
// stationary noise measured in its pauses), cut at pauses into clips of
// 2-10 s, each clip normalised in loudness, checked (clipping, level),
// transcribed with the configured speech-to-text, and written as
// DIR/wavs/NAME.wav with DIR/metadata.csv ("wavs/NAME.wav|text" lines, the
// filelist format VITS-style trainers read) and DIR/report.json /
// report.txt (durations, and every rejected clip with its reason).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "askio/status.h"
#include "voice/audio.h"
#include "voice/stt.h"
#include "voice/vad.h"

namespace askio::voice {

struct PrepareOptions {
  std::string output_dir;
  double min_clip_seconds = 2;
  double max_clip_seconds = 10;
  // A pause at least this long ends a clip; shorter ones stay inside.
  double split_silence_seconds = 0.6;
  int sample_rate = 22050;     // of the written clips (16-bit PCM WAV, mono)
  double target_rms_db = -20;  // loudness of the speech after normalisation
  double peak_limit_db = -1;   // normalisation never pushes a peak above this
  bool denoise = true;
  double min_speech_db = -45;  // quieter speech (before normalising) is rejected
  // More than this share of samples at full scale: rejected as clipped.
  double max_clipped_fraction = 0.001;
  std::string language;  // passed to the speech-to-text engine
};

struct PreparedClip {
  std::string file;    // relative to output_dir: "wavs/NAME.wav"
  std::string source;  // the input it was cut from
  double start_seconds = 0;
  double seconds = 0;
  double speech_db = 0;  // level before normalisation
  std::string text;
};

struct RejectedClip {
  std::string source;
  double start_seconds = 0;
  double seconds = 0;
  std::string reason;  // "too short (1.2 s < 2 s)", "clipped (...)", "too quiet (...)", ...
};

struct PrepareReport {
  std::vector<PreparedClip> clips;
  std::vector<RejectedClip> rejected;
  size_t inputs = 0;
  double input_seconds = 0;
  double clip_seconds = 0;
  double seconds = 0;  // time taken
  std::string stt_engine;
};

// Called after each input file (done, total).
using PrepareProgressFn = std::function<void(size_t done, size_t total)>;

// Creates output_dir (and wavs/), replacing an earlier metadata.csv and
// report. An input that cannot be read fails the whole run (nothing half
// written is left claiming to be complete: metadata.csv is written last).
Result<PrepareReport> PrepareDataset(const std::vector<std::string>& inputs, SpeechToText& stt,
                                     const PrepareOptions& options,
                                     const PrepareProgressFn& progress = nullptr);

// Spectral subtraction: the average magnitude spectrum of the audio outside
// `speech` is taken as the noise and subtracted (with a floor) everywhere.
// Returns the audio unchanged when there is too little non-speech to
// measure (under 0.25 s).
Audio ReduceStationaryNoise(const Audio& audio, const std::vector<Segment>& speech);

}  // namespace askio::voice
