#include "ingest/ocr.h"

#include <dlfcn.h>
#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "common/utf8.h"

namespace askio::ingest {
namespace {

// Rendered PDF pages come at this resolution; tesseract's LSTM models are
// trained on text of roughly this pixel size.
constexpr int kPixelsDpi = 300;

}  // namespace

std::string Seconds(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", seconds);
  return buffer;
}

namespace {

// Debian's tesseract is built with OpenMP, whose worker threads spin-wait.
// On 2 cores that made OCR of a dense A4 page 5x slower (68 s against 14 s
// with OMP_THREAD_LIMIT=1), and ingestion gets its parallelism from threads
// of its own. The environment variable only works when set before the
// program starts, so OpenMP regions are made inactive in-process instead,
// unless the user chose OpenMP settings.
void SerialiseOpenMp() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (std::getenv("OMP_THREAD_LIMIT") || std::getenv("OMP_NUM_THREADS")) return;
    using SetMaxActiveLevels = void (*)(int);
    // Looked up rather than linked: a tesseract without OpenMP has none.
    if (auto set =
            reinterpret_cast<SetMaxActiveLevels>(dlsym(RTLD_DEFAULT, "omp_set_max_active_levels")))
      set(0);
  });
}

void QuietLeptonica() {
  static std::once_flag once;
  std::call_once(once, [] {
    setMsgSeverity(L_SEVERITY_NONE);
    // Some messages ("Bad file: amount too big") bypass the severity.
    leptSetStderrHandler([](const char*) {});
  });
}

// The format a file's magic bytes claim, for saying "damaged PNG" rather
// than "not an image" when the header does not parse.
const char* ImageFormatName(std::string_view b) {
  if (b.starts_with("\x89PNG")) return "PNG";
  if (b.starts_with("\xFF\xD8\xFF")) return "JPEG";
  if (b.starts_with(std::string_view("II*\0", 4)) || b.starts_with(std::string_view("MM\0*", 4)))
    return "TIFF";
  if (b.starts_with("GIF8")) return "GIF";
  if (b.starts_with("BM")) return "BMP";
  if (b.starts_with("RIFF") && b.size() >= 12 && b.substr(8, 4) == "WEBP") return "WebP";
  return nullptr;
}

uint32_t BigEndian32(std::string_view bytes, size_t at) {
  uint32_t v = 0;
  for (size_t k = 0; k < 4; ++k) v = v << 8 | static_cast<unsigned char>(bytes[at + k]);
  return v;
}

// libpng and libjpeg print their complaints about a cut-off file straight
// to stderr, past leptonica, so the commonest damage (a truncated
// download) is caught here first. Other damage still fails cleanly.
Status CheckComplete(std::string_view encoded) {
  if (encoded.starts_with("\x89PNG\r\n\x1a\n")) {
    size_t at = 8;
    while (at + 8 <= encoded.size()) {
      const uint64_t length = BigEndian32(encoded, at);
      const std::string_view type = encoded.substr(at + 4, 4);
      at += 12 + length;  // length, type, data, CRC
      if (at > encoded.size()) break;
      if (type == "IEND") return Status::Ok();
    }
    return Status::Corruption("the PNG image is truncated");
  }
  if (encoded.starts_with("\xFF\xD8")) {
    // In JPEG data 0xFF is always escaped, so FF D9 near the end can only
    // be the end-of-image marker.
    const size_t tail = std::min<size_t>(encoded.size(), 4096);
    if (encoded.substr(encoded.size() - tail).find("\xFF\xD9") == std::string_view::npos)
      return Status::Corruption("the JPEG image is truncated");
  }
  return Status::Ok();
}

struct PixDeleter {
  void operator()(PIX* pix) const { pixDestroy(&pix); }
};
using PixPtr = std::unique_ptr<PIX, PixDeleter>;

// Loading chi_sim+eng takes about a second and ~100 MB, so each thread keeps
// its engine; a thread asking for other languages replaces it.
struct CachedEngine {
  std::string languages;
  std::unique_ptr<tesseract::TessBaseAPI> api;
  ~CachedEngine() {
    if (api) api->End();
  }
};
thread_local CachedEngine t_engine;

bool ValidLanguages(std::string_view languages) {
  if (languages.empty() || languages.size() > 200) return false;
  bool part_empty = true;
  for (char c : languages) {
    if (c == '+') {
      if (part_empty) return false;
      part_empty = true;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
    part_empty = false;
  }
  return !part_empty;
}

Result<tesseract::TessBaseAPI*> Engine(const std::string& languages) {
  if (t_engine.api && t_engine.languages == languages) return t_engine.api.get();
  // Checked first because the language names become file paths inside
  // tesseract.
  if (!ValidLanguages(languages))
    return Err(Status::InvalidArgument("invalid OCR language list '" + languages +
                                       "' (expected names like chi_sim+eng)"));
  QuietLeptonica();
  SerialiseOpenMp();
  // The engine in hand is kept until a new one loads, so a request for
  // missing languages does not cost the next request a reload.
  auto api = std::make_unique<tesseract::TessBaseAPI>();
  // debug_file is a global parameter: it sends tesseract's tprintf chatter
  // ("Estimating resolution", "Empty page!!", data file errors) away from
  // our stderr.
  api->SetVariable("debug_file", "/dev/null");
  if (api->Init(nullptr, languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0)
    return Err(Status::Unsupported(
        "OCR languages '" + languages +
        "' are not installed for tesseract (Debian: apt-get install tesseract-ocr-<lang>, "
        "e.g. tesseract-ocr-chi-sim)"));
  if (t_engine.api) t_engine.api->End();
  t_engine.languages = languages;
  t_engine.api = std::move(api);
  return t_engine.api.get();
}

std::string CleanOcrText(std::string_view raw) {
  std::string out;
  bool pending_blank = false;
  size_t start = 0;
  while (start <= raw.size()) {
    size_t end = raw.find('\n', start);
    if (end == std::string_view::npos) end = raw.size();
    std::string_view line = raw.substr(start, end - start);
    start = end + 1;
    std::string cleaned;
    for (char c : line)
      if (c != '\f' && c != '\r') cleaned += c;
    const auto first = cleaned.find_first_not_of(" \t");
    if (first == std::string::npos) {
      pending_blank = !out.empty();
      continue;
    }
    cleaned.erase(0, first);
    cleaned.erase(cleaned.find_last_not_of(" \t") + 1);
    if (pending_blank) out += '\n';
    pending_blank = false;
    out += RemoveSpacesBetweenCjk(cleaned);
    out += '\n';
  }
  return out;
}

// Runs recognition on the image already set, within the time budget.
Result<std::string> Recognize(tesseract::TessBaseAPI& api, const LoadOptions& options) {
  tesseract::ETEXT_DESC monitor;
  const double budget = options.time_budget_seconds;
  if (budget > 0)
    monitor.set_deadline_msecs(static_cast<int32_t>(std::clamp(budget * 1000.0, 1.0, 2.0e9)));
  const int rc = api.Recognize(&monitor);
  if (monitor.deadline_exceeded()) {
    api.Clear();
    return Err(Status::InvalidArgument("OCR took longer than " + Seconds(budget) + " s"));
  }
  if (rc != 0) {
    api.Clear();
    return Err(Status::Internal("tesseract could not recognise the image"));
  }
  std::unique_ptr<char[]> text(api.GetUTF8Text());
  api.Clear();
  return CleanOcrText(text ? std::string_view(text.get()) : std::string_view());
}

Status CheckPixelCount(long long width, long long height) {
  if (width <= 0 || height <= 0) return Status::Corruption("image has no pixels");
  if (width * height > kMaxOcrPixels)
    return Status::InvalidArgument("image is " + std::to_string(width) + "x" +
                                   std::to_string(height) + " pixels (" +
                                   std::to_string((width * height + 500'000) / 1'000'000) +
                                   " megapixels); OCR refuses images above " +
                                   std::to_string(kMaxOcrPixels / 1'000'000) + " megapixels");
  return Status::Ok();
}

// Tesseract reads 1, 8 and 32 bit images; transparent pixels would count
// as black (a screenshot with a transparent background reads as a black
// page), so they go over white.
Result<PixPtr> ForTesseract(PixPtr pix) {
  auto step = [&](PIX* next) -> Status {
    if (!next) return Status::Corruption("the image could not be converted for OCR");
    pix.reset(next);
    return Status::Ok();
  };
  if (pixGetColormap(pix.get()))
    ASKIO_RETURN_IF_ERROR(step(pixRemoveColormap(pix.get(), REMOVE_CMAP_BASED_ON_SRC)));
  if (pixGetDepth(pix.get()) == 16)
    ASKIO_RETURN_IF_ERROR(step(pixConvert16To8(pix.get(), L_MS_BYTE)));
  if (pixGetDepth(pix.get()) == 2 || pixGetDepth(pix.get()) == 4)
    ASKIO_RETURN_IF_ERROR(step(pixConvertTo8(pix.get(), 0)));
  if (pixGetDepth(pix.get()) == 32 && pixGetSpp(pix.get()) == 4)
    ASKIO_RETURN_IF_ERROR(step(pixAlphaBlendUniform(pix.get(), 0xffffff00)));
  return pix;
}

Result<std::string> RecognizePix(PIX* pix, const LoadOptions& options) {
  auto api = Engine(options.ocr_languages);
  if (!api) return Err(api.error());
  (*api)->SetImage(pix);
  // An image that does not say its resolution is left to tesseract's own
  // estimate from the text height; a wrong guess would scale it badly.
  const int dpi = pixGetXRes(pix);
  if (dpi >= 70 && dpi <= 2400) (*api)->SetSourceResolution(dpi);
  return Recognize(**api, options);
}

bool IsTiff(l_int32 format) {
  return format == IFF_TIFF || format == IFF_TIFF_PACKBITS || format == IFF_TIFF_RLE ||
         format == IFF_TIFF_G3 || format == IFF_TIFF_G4 || format == IFF_TIFF_LZW ||
         format == IFF_TIFF_ZIP || format == IFF_TIFF_JPEG;
}

// Decodes frame `n` (TIFF pages; other formats have only frame 0) after
// checking its size from the header, so a bomb is refused before its pixels
// are allocated. NotFound past the last frame.
Result<PixPtr> DecodeFrame(std::string_view encoded, int n) {
  QuietLeptonica();
  const auto* data = reinterpret_cast<const l_uint8*>(encoded.data());
  l_int32 format = 0, w = 0, h = 0, bps = 0, spp = 0, cmap = 0, res = 0;
  if (pixReadHeaderMem(data, encoded.size(), &format, &w, &h, &bps, &spp, &cmap) != 0) {
    if (const char* name = ImageFormatName(encoded))
      return Err(Status::Corruption(std::string("the ") + name + " image is damaged or truncated"));
    return Err(Status::Unsupported("not an image format OCR can read"));
  }
  if (n > 0) {
    if (!IsTiff(format)) return Err(Status::NotFound("no more frames"));
    if (readHeaderMemTiff(data, encoded.size(), n, &w, &h, &bps, &spp, &res, &cmap, &format) != 0)
      return Err(Status::NotFound("no more frames"));
  }
  ASKIO_RETURN_IF_ERROR(CheckPixelCount(w, h));
  ASKIO_RETURN_IF_ERROR(CheckComplete(encoded));
  PIX* pix =
      IsTiff(format) ? pixReadMemTiff(data, encoded.size(), n) : pixReadMem(data, encoded.size());
  if (!pix) return Err(Status::Corruption("the image could not be decoded (truncated or damaged)"));
  return ForTesseract(PixPtr(pix));
}

char32_t LastCodePoint(std::string_view s, size_t* start = nullptr) {
  size_t i = s.size();
  while (i > 0 && (static_cast<unsigned char>(s[i - 1]) & 0xC0) == 0x80) --i;
  if (i > 0) --i;
  if (start) *start = i;
  size_t j = i;
  return s.empty() ? 0 : utf8::Next(s, j);
}

char32_t FirstCodePoint(std::string_view s) {
  size_t i = 0;
  return s.empty() ? 0 : utf8::Next(s, i);
}

bool IsCjkPunctuation(char32_t c) {
  return (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF01 && c <= 0xFF0F) ||
         (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
         (c >= 0xFF5B && c <= 0xFF65) || (c >= 0xFE30 && c <= 0xFE4F) || c == 0x2026 ||
         c == 0x2014 || c == 0x201C || c == 0x201D || c == 0x2018 || c == 0x2019 || c == 0x00B7;
}

bool IsLetter(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x370 && c <= 0x52F);
}

bool IsLowerLetter(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7) ||
         (c >= 0x3B1 && c <= 0x3C9) || (c >= 0x430 && c <= 0x45F);
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool IsCjk(char32_t c) {
  return (c >= 0x2E80 && c <= 0x2FDF) || (c >= 0x2FF0 && c <= 0x31FF) ||
         (c >= 0x3200 && c <= 0x9FFF) || (c >= 0xA960 && c <= 0xA97F) ||
         (c >= 0xAC00 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFFEF) ||
         (c >= 0x20000 && c <= 0x3FFFF);
}

std::string RemoveSpacesBetweenCjk(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char32_t before = 0;  // the last non-space code point written
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      size_t j = i;
      while (j < text.size() && text[j] == ' ') ++j;
      size_t k = j;
      const char32_t after = j < text.size() ? utf8::Next(text, k) : 0;
      if (!(IsCjk(before) && IsCjk(after))) out.append(text.substr(i, j - i));
      i = j;
      continue;
    }
    const size_t start = i;
    before = utf8::Next(text, i);
    out.append(text.substr(start, i - start));
  }
  return out;
}

void AppendWrappedLine(std::string& paragraph, std::string_view line) {
  line = TrimSpaces(line);
  if (line.empty()) return;
  while (!paragraph.empty() && (paragraph.back() == ' ' || paragraph.back() == '\t'))
    paragraph.pop_back();
  if (paragraph.empty()) {
    paragraph.assign(line);
    return;
  }
  size_t last_start = 0;
  const char32_t last = LastCodePoint(paragraph, &last_start);
  const char32_t first = FirstCodePoint(line);
  if (last == 0xAD) {  // soft hyphen: a hyphenation point, never part of the word
    paragraph.erase(last_start);
    paragraph.append(line);
    return;
  }
  if (last == '-' || last == 0x2010) {
    const char32_t before = LastCodePoint(std::string_view(paragraph).substr(0, last_start));
    if (IsLetter(before) && IsLowerLetter(first)) {
      paragraph.erase(last_start);
      paragraph.append(line);
      return;
    }
    // "COVID-" + "19", "e-" + "Mail": a real hyphen, so no space either.
    if (IsLetter(before) || (before >= '0' && before <= '9')) {
      paragraph.append(line);
      return;
    }
  }
  const bool no_space = (IsCjk(last) && IsCjk(first)) || IsCjkPunctuation(last) ||
                        (IsCjkPunctuation(first) && first != 0x201C && first != 0x2018);
  if (!no_space) paragraph += ' ';
  paragraph.append(line);
}

std::vector<std::string> OcrParagraphs(std::string_view text) {
  std::vector<std::string> out;
  std::string paragraph;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = TrimSpaces(text.substr(start, end - start));
    start = end + 1;
    if (line.empty()) {
      if (!paragraph.empty()) out.push_back(std::move(paragraph));
      paragraph.clear();
      continue;
    }
    AppendWrappedLine(paragraph, line);
  }
  if (!paragraph.empty()) out.push_back(std::move(paragraph));
  return out;
}

Result<std::string> RecognizePixels(const unsigned char* data, int width, int height,
                                    int bytes_per_pixel, int bytes_per_line,
                                    const LoadOptions& options) {
  if (!options.ocr) return Err(Status::Unsupported("OCR is turned off"));
  if (data == nullptr) return Err(Status::InvalidArgument("no pixels"));
  if (bytes_per_pixel != 1 && bytes_per_pixel != 3 && bytes_per_pixel != 4)
    return Err(Status::InvalidArgument(
        "unsupported pixel format: " + std::to_string(bytes_per_pixel) + " bytes per pixel"));
  ASKIO_RETURN_IF_ERROR(CheckPixelCount(width, height));
  if (static_cast<long long>(bytes_per_line) < static_cast<long long>(width) * bytes_per_pixel)
    return Err(Status::InvalidArgument("bytes_per_line is smaller than a row of pixels"));
  try {
    auto api = Engine(options.ocr_languages);
    if (!api) return Err(api.error());
    (*api)->SetImage(data, width, height, bytes_per_pixel, bytes_per_line);
    (*api)->SetSourceResolution(kPixelsDpi);
    return Recognize(**api, options);
  } catch (const std::bad_alloc&) {
    return Err(Status::IOError("out of memory during OCR"));
  }
}

Result<std::string> RecognizeImage(std::string_view encoded, const LoadOptions& options) {
  if (!options.ocr) return Err(Status::Unsupported("OCR is turned off"));
  if (encoded.empty()) return Err(Status::InvalidArgument("empty image (0 bytes)"));
  try {
    auto pix = DecodeFrame(encoded, 0);
    if (!pix) return Err(pix.error());
    return RecognizePix(pix->get(), options);
  } catch (const std::bad_alloc&) {
    return Err(Status::IOError("out of memory during OCR"));
  }
}

Result<ParsedDocument> ParseImage(std::string_view encoded, const LoadOptions& options) {
  if (!options.ocr) return Err(Status::Unsupported("OCR is turned off, and an image has no text"));
  if (encoded.empty()) return Err(Status::InvalidArgument("empty image (0 bytes)"));
  ParsedDocument doc;
  doc.type = "image";
  std::vector<std::vector<std::string>> frames;
  const auto started = std::chrono::steady_clock::now();
  try {
    for (int n = 0; n < std::max(options.max_pages, 1); ++n) {
      LoadOptions frame_options = options;
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (n > 0 && options.time_budget_seconds > 0) {
        if (elapsed >= options.time_budget_seconds)
          return Err(Status::InvalidArgument("OCR took longer than " +
                                             Seconds(options.time_budget_seconds) +
                                             " s (stopped at page " + std::to_string(n + 1) + ")"));
        frame_options.time_budget_seconds = options.time_budget_seconds - elapsed;
      }
      auto pix = DecodeFrame(encoded, n);
      if (!pix) {
        if (n > 0 && pix.error().code() == StatusCode::kNotFound) break;
        return Err(pix.error());
      }
      auto text = RecognizePix(pix->get(), frame_options);
      if (!text) return Err(text.error());
      frames.push_back(OcrParagraphs(*text));
    }
  } catch (const std::bad_alloc&) {
    return Err(Status::IOError("out of memory during OCR"));
  }
  const bool paged = frames.size() > 1;
  if (paged) doc.pages = static_cast<int>(frames.size());
  for (size_t f = 0; f < frames.size(); ++f) {
    for (std::string& p : frames[f]) {
      Block b;
      b.kind = Block::Kind::kParagraph;
      b.text = std::move(p);
      if (paged) {
        b.page = static_cast<int>(f) + 1;
        b.location = "page " + std::to_string(b.page);
      }
      doc.blocks.push_back(std::move(b));
    }
  }
  return doc;
}

}  // namespace askio::ingest
