// The voice pipeline: speech -> text -> askio -> answer -> speech. What
// `askio voice ask` and POST /api/kbs/{kb}/voice/ask run.
#pragma once

#include <string>
#include <vector>

#include "askio/engine.h"
#include "voice/stt.h"
#include "voice/tts.h"

namespace askio::voice {

struct VoiceAskOptions {
  SttOptions stt;
  TtsOptions tts;
  AskOptions ask;
};

struct VoiceAnswer {
  Transcript transcript;
  Answer answer;
  std::vector<SearchHit> retrieved;
  std::string spoken_text;  // what was (or would be) read aloud
  Speech speech;            // empty without a TextToSpeech
  double ask_seconds = 0;
  // From the start (audio in hand) to the first sentence of spoken answer.
  double first_audio_seconds = 0;
  double total_seconds = 0;
};

// What to read aloud for an answer: its text, or "the knowledge base does
// not contain an answer" in the question's language.
std::string SpokenAnswer(const Answer& answer, bool chinese);

// Transcribes `question`, asks `kb`, and (when `tts` is given) speaks the
// answer sentence by sentence through `on_chunk`. A recording in which no
// speech is recognised is InvalidArgument.
Result<VoiceAnswer> VoiceAsk(KnowledgeBase& kb, SpeechToText& stt, TextToSpeech* tts,
                             const Audio& question, const VoiceAskOptions& options = {},
                             const SpeechChunkFn& on_chunk = nullptr);

}  // namespace askio::voice
