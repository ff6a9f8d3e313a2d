// An incremental Server-Sent Events parser (the WHATWG "text/event-stream"
// format), fed whatever byte slices the network delivers: a line, a field
// name or a UTF-8 sequence may be split across any two Feed() calls. Lines
// end with LF, CRLF or a lone CR; ": ..." lines are comments (keep-alives);
// consecutive "data:" lines join with "\n"; a blank line dispatches the
// event. "id:" and "retry:" are ignored: the client never reconnects.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "askio/status.h"

namespace askio::model {

struct SseEvent {
  std::string event;  // "" when the stream named none (a "message" event)
  std::string data;
};

class SseParser {
 public:
  // A single line longer than this fails the stream: no legitimate chat
  // chunk comes near it, and it bounds memory against a broken server.
  static constexpr size_t kMaxLineBytes = 8 << 20;

  // Parses `bytes`, calling on_event(const SseEvent&) -> bool for each
  // complete event; stops early (returning Ok) once on_event returns false.
  // Fails only on an over-long line.
  template <typename OnEvent>
  Status Feed(std::string_view bytes, OnEvent&& on_event);

  // At the end of the stream: dispatches an event whose terminating blank
  // line never came. The standard drops it, but servers that close right
  // after "data: [DONE]\n" exist, and the last event is the one that
  // matters.
  template <typename OnEvent>
  void Finish(OnEvent&& on_event);

  // Comment lines seen so far (keep-alives), for tests and diagnostics.
  size_t comments() const { return comments_; }

 private:
  // Handles one complete line; true when an event is ready in event_.
  bool Line(std::string_view line);

  std::string line_;
  std::string data_;
  std::string type_;
  bool has_data_ = false;
  bool after_cr_ = false;  // a CR ended the last line: skip one LF
  bool at_start_ = true;   // a UTF-8 BOM may start the stream
  size_t comments_ = 0;
  SseEvent event_;
};

template <typename OnEvent>
Status SseParser::Feed(std::string_view bytes, OnEvent&& on_event) {
  if (at_start_ && !bytes.empty()) {
    // The BOM may itself be split; hold back a prefix of it until decided.
    line_.append(bytes);
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    if (line_.size() < kBom.size() && kBom.starts_with(line_)) return Status::Ok();
    at_start_ = false;
    std::string pending = std::move(line_);
    line_.clear();
    std::string_view rest = pending;
    if (rest.starts_with(kBom)) rest.remove_prefix(kBom.size());
    return Feed(rest, on_event);
  }
  size_t i = 0;
  while (i < bytes.size()) {
    if (after_cr_) {
      after_cr_ = false;
      if (bytes[i] == '\n') {
        ++i;
        continue;
      }
    }
    const size_t eol = bytes.find_first_of("\r\n", i);
    if (eol == std::string_view::npos) {
      if (line_.size() + (bytes.size() - i) > kMaxLineBytes)
        return Status::IOError("event stream line longer than 8 MiB");
      line_.append(bytes.substr(i));
      break;
    }
    bool ready;
    if (line_.empty()) {
      ready = Line(bytes.substr(i, eol - i));
    } else {
      if (line_.size() + (eol - i) > kMaxLineBytes)
        return Status::IOError("event stream line longer than 8 MiB");
      line_.append(bytes.substr(i, eol - i));
      ready = Line(line_);
      line_.clear();
    }
    after_cr_ = bytes[eol] == '\r';
    i = eol + 1;
    if (ready && !on_event(static_cast<const SseEvent&>(event_))) return Status::Ok();
  }
  return Status::Ok();
}

template <typename OnEvent>
void SseParser::Finish(OnEvent&& on_event) {
  if (at_start_) {
    at_start_ = false;  // a lone BOM prefix: nothing to parse
    line_.clear();
  }
  if (!line_.empty()) {
    Line(line_);  // a field line: it can only add to the pending event
    line_.clear();
  }
  if (Line("")) on_event(static_cast<const SseEvent&>(event_));
}

}  // namespace askio::model
