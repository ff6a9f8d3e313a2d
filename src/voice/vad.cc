#include "voice/vad.h"

#include <algorithm>
#include <cmath>

namespace askio::voice {

std::vector<double> FrameLevels(const Audio& audio, size_t frame_samples) {
  std::vector<double> levels;
  if (frame_samples == 0) return levels;
  for (size_t at = 0; at < audio.samples.size(); at += frame_samples) {
    const size_t n = std::min(frame_samples, audio.samples.size() - at);
    const double db = RmsDb(audio.samples.data() + at, n);
    levels.push_back(std::isfinite(db) ? db : -120.0);
  }
  return levels;
}

std::vector<Segment> DetectSpeech(const Audio& audio, const VadOptions& o) {
  std::vector<Segment> out;
  const size_t frame =
      std::max<size_t>(1, static_cast<size_t>(o.frame_seconds * audio.sample_rate));
  const std::vector<double> levels = FrameLevels(audio, frame);
  if (levels.empty()) return out;
  std::vector<double> sorted = levels;
  const size_t p10 = sorted.size() / 10;
  std::nth_element(sorted.begin(), sorted.begin() + p10, sorted.end());
  const double floor = sorted[p10];
  const double threshold = std::max(floor + o.threshold_db, o.min_level_db);

  const size_t hangover = static_cast<size_t>(std::ceil(o.min_silence_seconds / o.frame_seconds));
  const size_t min_frames = static_cast<size_t>(std::ceil(o.min_speech_seconds / o.frame_seconds));
  const size_t pad = static_cast<size_t>(o.padding_seconds * audio.sample_rate);

  // Runs of speech frames, joined across gaps shorter than the hangover.
  std::vector<std::pair<size_t, size_t>> runs;  // frame ranges [a, b)
  for (size_t i = 0; i < levels.size();) {
    if (levels[i] < threshold) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < levels.size() && levels[j] >= threshold) ++j;
    if (!runs.empty() && i - runs.back().second < hangover)
      runs.back().second = j;
    else
      runs.emplace_back(i, j);
    i = j;
  }
  for (const auto& [a, b] : runs) {
    // Count loud frames, not the span: a run of clicks is not speech.
    size_t loud = 0;
    for (size_t k = a; k < b; ++k) loud += levels[k] >= threshold;
    if (loud < min_frames) continue;
    Segment s;
    s.begin = a * frame > pad ? a * frame - pad : 0;
    s.end = std::min(audio.samples.size(), b * frame + pad);
    if (!out.empty() && s.begin < out.back().end) s.begin = out.back().end;
    if (s.end > s.begin) out.push_back(s);
  }
  return out;
}

std::vector<Segment> SplitLongSegments(const Audio& audio, std::vector<Segment> segments,
                                       double max_seconds) {
  const size_t max_samples = static_cast<size_t>(max_seconds * audio.sample_rate);
  if (max_samples == 0) return segments;
  const size_t frame = std::max<size_t>(1, audio.sample_rate / 50);
  std::vector<Segment> out;
  std::vector<Segment> todo(segments.rbegin(), segments.rend());
  while (!todo.empty()) {
    Segment s = todo.back();
    todo.pop_back();
    if (s.end - s.begin <= max_samples) {
      out.push_back(s);
      continue;
    }
    // The quietest frame in the middle 80%, so that neither half is tiny.
    const size_t len = s.end - s.begin;
    const size_t lo = s.begin + len / 10, hi = s.end - len / 10;
    size_t best = s.begin + len / 2;
    double best_db = 1e9;
    for (size_t at = lo; at + frame <= hi; at += frame / 2) {
      const double db = RmsDb(audio.samples.data() + at, frame);
      if (db < best_db) best_db = db, best = at + frame / 2;
    }
    todo.push_back({best, s.end});
    todo.push_back({s.begin, best});
  }
  return out;
}

}  // namespace askio::voice
