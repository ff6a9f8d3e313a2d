// OCR through tesseract (LSTM engine) for images and for PDF pages without a
// text layer. One engine per thread and language set is kept alive for the
// thread's lifetime, because loading the models costs far more than reading
// one page. Tesseract's and leptonica's own messages are silenced.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "askio/status.h"
#include "ingest/document.h"
#include "ingest/load_options.h"

namespace askio::ingest {

// Images with more pixels than this are refused before they are decoded
// (a 300 dpi A4 page is 8.7 megapixels).
inline constexpr long long kMaxOcrPixels = 100'000'000;

// Text of an encoded image (PNG, JPEG, TIFF, BMP, GIF, WebP, PNM: anything
// leptonica reads; for a multi-page TIFF, the first page). Lines end with
// '\n', paragraphs are separated by a blank line, and the spaces tesseract
// puts between Chinese characters are removed. Fails when options.ocr is off,
// the bytes are not an image, the image is above kMaxOcrPixels, the
// languages are not installed, or recognition runs past
// options.time_budget_seconds.
Result<std::string> RecognizeImage(std::string_view encoded, const LoadOptions& options);

// Text of raw pixels, e.g. a PDF page rendered by poppler, assumed scanned at
// 300 dpi. bytes_per_pixel: 1 (gray), 3 (RGB), 4 (RGBA/ARGB as stored in
// memory; the alpha byte is ignored); bytes_per_line >= width *
// bytes_per_pixel. Same output and failures as RecognizeImage.
Result<std::string> RecognizePixels(const unsigned char* data, int width, int height,
                                    int bytes_per_pixel, int bytes_per_line,
                                    const LoadOptions& options);

// An image file as a document: type "image", the recognised paragraphs as
// paragraph blocks (wrapped lines joined). A multi-page TIFF gives one page
// per frame (blocks carry page N and location "page N", `pages` the count,
// at most options.max_pages); a single image has no pages (0). An image with
// no recognisable text is a document without blocks, not an error.
Result<ParsedDocument> ParseImage(std::string_view encoded, const LoadOptions& options);

// Text helpers shared with the PDF loader.

// "120", "0.5": a time limit as written in error messages.
std::string Seconds(double seconds);

// True for Han, kana, hangul, bopomofo, CJK symbols and punctuation, and
// fullwidth forms: characters written without spaces between them.
bool IsCjk(char32_t c);

// Removes runs of spaces whose neighbours on both sides are CJK characters
// ("会 议 将 于" -> "会议将于"); other spaces stay.
std::string RemoveSpacesBetweenCjk(std::string_view text);

// Appends a wrapped line to a paragraph: without a space between CJK text,
// with one between words, and dehyphenated when the paragraph ends in
// "letter-" and the line starts with a lower-case letter ("reimburse-" +
// "ment" -> "reimbursement"). A soft hyphen at the end always joins.
void AppendWrappedLine(std::string& paragraph, std::string_view line);

// Splits OCR output into paragraphs (at blank lines) and joins each
// paragraph's lines with AppendWrappedLine.
std::vector<std::string> OcrParagraphs(std::string_view text);

}  // namespace askio::ingest
