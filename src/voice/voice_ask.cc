#include "voice/voice_ask.h"

#include "common/clock.h"

namespace askio::voice {

std::string SpokenAnswer(const Answer& answer, bool chinese) {
  if (answer.found && !answer.text.empty()) return answer.text;
  return chinese ? "知识库中没有这个问题的答案。"
                 : "The knowledge base does not contain an answer to this question.";
}

Result<VoiceAnswer> VoiceAsk(KnowledgeBase& kb, SpeechToText& stt, TextToSpeech* tts,
                             const Audio& question, const VoiceAskOptions& options,
                             const SpeechChunkFn& on_chunk) {
  const Stopwatch sw;
  VoiceAnswer out;
  auto transcript = stt.Transcribe(question, options.stt);
  if (!transcript) return Err(transcript.error());
  out.transcript = std::move(*transcript);
  if (out.transcript.text.empty())
    return Err(Status::InvalidArgument("no speech was recognised in the audio (" +
                                       std::to_string(question.seconds()).substr(0, 4) + " s)"));
  const Stopwatch ask_sw;
  auto answer = kb.Ask(out.transcript.text, options.ask, &out.retrieved);
  if (!answer) return Err(answer.error());
  out.answer = std::move(*answer);
  out.ask_seconds = ask_sw.Seconds();
  out.spoken_text = SpeakableText(SpokenAnswer(out.answer, MostlyChinese(out.transcript.text)));
  if (tts) {
    bool first = true;
    auto speech = Speak(*tts, out.spoken_text, options.tts, [&](const SpeechChunk& chunk) {
      if (first) out.first_audio_seconds = sw.Seconds();
      first = false;
      return on_chunk ? on_chunk(chunk) : true;
    });
    if (!speech) return Err(speech.error());
    out.speech = std::move(*speech);
  }
  out.total_seconds = sw.Seconds();
  return out;
}

}  // namespace askio::voice
