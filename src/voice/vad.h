// Energy-based voice activity detection: where the speech is in a
// recording. Frames of 20 ms are speech when their level is well above the
// recording's noise floor (its quiet frames) and above an absolute floor;
// a hangover keeps short pauses inside one segment. Good enough for clean
// and stationary-noise recordings (dictation, espeak-ng, a quiet room);
// not a neural VAD.
#pragma once

#include <cstddef>
#include <vector>

#include "voice/audio.h"

namespace askio::voice {

struct VadOptions {
  double frame_seconds = 0.02;
  // A frame is speech at this many dB above the noise floor (the 10th
  // percentile of frame levels) and above `min_level_db`.
  double threshold_db = 12;
  double min_level_db = -55;
  // Pauses shorter than this stay inside a segment (the hangover).
  double min_silence_seconds = 0.5;
  // Shorter bursts (clicks, breaths) are dropped.
  double min_speech_seconds = 0.2;
  // Kept around each segment so that soft onsets and endings survive.
  double padding_seconds = 0.1;
};

struct Segment {
  size_t begin = 0;  // sample index, inclusive
  size_t end = 0;    // exclusive
};

// Speech segments of `audio`, in order, non-overlapping.
std::vector<Segment> DetectSpeech(const Audio& audio, const VadOptions& options = {});

// Speech segments no longer than `max_seconds`: longer ones are cut at
// their quietest frame (recursively), for engines with a length limit.
std::vector<Segment> SplitLongSegments(const Audio& audio, std::vector<Segment> segments,
                                       double max_seconds);

// Per-frame levels in dBFS (frames of `frame_samples`), as DetectSpeech
// sees them.
std::vector<double> FrameLevels(const Audio& audio, size_t frame_samples);

}  // namespace askio::voice
