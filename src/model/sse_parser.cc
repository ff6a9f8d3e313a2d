#include "model/sse_parser.h"

namespace askio::model {

bool SseParser::Line(std::string_view line) {
  if (line.empty()) {
    if (!has_data_) {
      type_.clear();  // an event without data is not dispatched
      return false;
    }
    event_.event = std::move(type_);
    event_.data = std::move(data_);
    type_.clear();
    data_.clear();
    has_data_ = false;
    return true;
  }
  if (line.front() == ':') {
    ++comments_;
    return false;
  }
  const size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) data_ += '\n';
    data_.append(value);
    has_data_ = true;
  } else if (field == "event") {
    type_.assign(value);
  }
  return false;
}

}  // namespace askio::model
