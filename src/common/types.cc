// Helpers declared with the plain data types in include/askio/types.h.
#include "askio/types.h"

namespace askio {

std::string LocationOf(const Chunk& chunk, int64_t begin, int64_t end) {
  const std::vector<Place>& places = chunk.places;
  if (places.empty()) return {};
  // The place holding `begin`, and the last place starting before `end`.
  size_t first = 0, last = 0;
  for (size_t i = 0; i < places.size(); ++i) {
    if (places[i].offset <= begin) first = i;
    if (places[i].offset < end) last = i;
  }
  if (last < first) last = first;
  if (first == last) return places[first].location;
  return places[first].location + " – " + places[last].location;
}

}  // namespace askio
