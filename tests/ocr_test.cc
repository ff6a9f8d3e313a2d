// OCR: Chinese and English text from PNG, JPEG and TIFF scans and from raw
// pixels; bad and oversized images refused; the text helpers the PDF loader
// shares. Fixtures: scripts/data/make-pdf-fixtures.sh.
#include "ingest/ocr.h"

#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include <array>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

namespace askio::ingest {
namespace {

std::string Fixture(const std::string& name) {
  return askio::testing::ReadFile(askio::testing::TestDataPath("formats/" + name));
}

// Words tesseract reads reliably from scan-invoice.* (the rest of each line
// may carry OCR noise).
void ExpectInvoiceText(const std::string& text, const std::string& what) {
  for (const char* word : {"Invoice", "20260315", "三百八十元整", "380", "示例科技有限公司"})
    EXPECT_NE(text.find(word), std::string::npos) << what << ": no '" << word << "' in\n" << text;
}

TEST(Ocr, RecognisesPngJpegAndTiff) {
  for (const char* name : {"scan-invoice.png", "scan-invoice.jpg", "scan-invoice.tif"}) {
    const auto text = RecognizeImage(Fixture(name), {});
    ASSERT_TRUE(text.has_value()) << name << ": " << text.error().ToString();
    ExpectInvoiceText(*text, name);
    EXPECT_EQ(text->find("三 百"), std::string::npos) << "spaces between Chinese characters";
  }
}

TEST(Ocr, EnglishOnlyLanguageStillReadsLatinText) {
  LoadOptions options;
  options.ocr_languages = "eng";
  const auto text = RecognizeImage(Fixture("scan-invoice.png"), options);
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  EXPECT_NE(text->find("Invoice"), std::string::npos) << *text;
}

TEST(Ocr, ImageAsDocument) {
  const auto doc = ParseImage(Fixture("scan-invoice.png"), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->type, "image");
  EXPECT_EQ(doc->pages, 0);
  ASSERT_FALSE(doc->blocks.empty());
  std::string all;
  for (const Block& b : doc->blocks) {
    EXPECT_EQ(b.kind, Block::Kind::kParagraph);
    EXPECT_EQ(b.page, 0);
    EXPECT_EQ(b.text.find('\n'), std::string::npos) << "lines are joined: " << b.text;
    all += b.text + "\n";
  }
  ExpectInvoiceText(all, "ParseImage");
}

TEST(Ocr, TransparentBackgroundIsWhite) {
  // Black text on transparent pixels that are black underneath.
  const auto text = RecognizeImage(Fixture("scan-transparent.png"), {});
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  EXPECT_NE(text->find("透明背景"), std::string::npos) << *text;
  EXPECT_NE(text->find("Transparent"), std::string::npos) << *text;
}

TEST(Ocr, MultiPageTiffGivesPages) {
  const auto doc = ParseImage(Fixture("scan-fax-2pages.tif"), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->pages, 2);
  std::string page1, page2;
  for (const Block& b : doc->blocks) {
    ASSERT_TRUE(b.page == 1 || b.page == 2) << b.page;
    EXPECT_EQ(b.location, "page " + std::to_string(b.page));
    (b.page == 1 ? page1 : page2) += b.text + "\n";
  }
  EXPECT_NE(page1.find("第一页"), std::string::npos) << page1;
  EXPECT_NE(page1.find("Fax"), std::string::npos) << page1;
  EXPECT_NE(page2.find("第二页"), std::string::npos) << page2;
  EXPECT_NE(page2.find("call back"), std::string::npos) << page2;

  LoadOptions one_page;
  one_page.max_pages = 1;
  const auto first = ParseImage(Fixture("scan-fax-2pages.tif"), one_page);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  for (const Block& b : first->blocks) EXPECT_EQ(b.text.find("第二页"), std::string::npos);
}

// The gray pixels of a fixture image, row by row, each row padded to
// `stride` bytes and each pixel repeated `bpp` times.
std::vector<unsigned char> Pixels(const std::string& encoded, int bpp, int padding, int& width,
                                  int& height, int& stride) {
  PIX* pix = pixReadMem(reinterpret_cast<const l_uint8*>(encoded.data()), encoded.size());
  if (!pix) return {};
  PIX* gray = pixConvertTo8(pix, 0);
  pixDestroy(&pix);
  width = pixGetWidth(gray);
  height = pixGetHeight(gray);
  stride = width * bpp + padding;
  std::vector<unsigned char> out(static_cast<size_t>(stride) * height, 0xAB);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      l_uint32 v = 0;
      pixGetPixel(gray, x, y, &v);
      for (int c = 0; c < bpp; ++c) out[static_cast<size_t>(y) * stride + x * bpp + c] = v;
    }
  pixDestroy(&gray);
  return out;
}

TEST(Ocr, RecognisesRawPixels) {
  for (int bpp : {1, 3, 4}) {
    int width = 0, height = 0, stride = 0;
    const std::vector<unsigned char> pixels =
        Pixels(Fixture("scan-invoice.png"), bpp, /*padding=*/13, width, height, stride);
    ASSERT_FALSE(pixels.empty());
    const auto text = RecognizePixels(pixels.data(), width, height, bpp, stride, {});
    ASSERT_TRUE(text.has_value()) << text.error().ToString();
    ExpectInvoiceText(*text, std::to_string(bpp) + " bytes per pixel");
  }
}

TEST(Ocr, EachThreadHasItsOwnEngine) {
  const std::string png = Fixture("scan-invoice.png");
  std::array<std::string, 2> results;
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] {
      const auto text = RecognizeImage(png, {});
      results[i] = text ? *text : "error: " + text.error().ToString();
    });
  for (std::thread& t : threads) t.join();
  for (const std::string& text : results) ExpectInvoiceText(text, "thread");
}

TEST(Ocr, RefusesBadInput) {
  const auto empty = RecognizeImage("", {});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), StatusCode::kInvalidArgument);

  const auto text = RecognizeImage("this is not an image", {});
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code(), StatusCode::kUnsupported);

  // A PNG cut after its header: the header parses, the pixels do not.
  const std::string png = Fixture("scan-invoice.png");
  const auto truncated = RecognizeImage(std::string_view(png).substr(0, 120), {});
  EXPECT_FALSE(truncated.has_value());

  const auto doc = ParseImage("GIF89a", {});
  ASSERT_FALSE(doc.has_value());
  EXPECT_NE(doc.error().message().find("GIF"), std::string::npos) << doc.error().message();

  // Cut-off files of each format: errors that name the problem.
  for (const char* name : {"scan-invoice.png", "scan-invoice.jpg", "scan-invoice.tif"}) {
    const std::string bytes = Fixture(name);
    const auto half = RecognizeImage(std::string_view(bytes).substr(0, bytes.size() / 2), {});
    ASSERT_FALSE(half.has_value()) << name;
    EXPECT_EQ(half.error().code(), StatusCode::kCorruption) << name;
  }

  unsigned char pixel = 0;
  EXPECT_EQ(RecognizePixels(nullptr, 1, 1, 1, 1, {}).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RecognizePixels(&pixel, 1, 1, 2, 2, {}).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RecognizePixels(&pixel, 10, 1, 1, 5, {}).error().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(RecognizePixels(&pixel, 0, 1, 1, 1, {}).has_value());
}

uint32_t Crc32(std::string_view bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : bytes) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string BigEndian(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

TEST(Ocr, RefusesHugeImagesBeforeDecoding) {
  // A PNG claiming 30000 x 30000 pixels (900 megapixels) with no pixel
  // data: it must be refused on its size, not decoded.
  std::string ihdr =
      "IHDR" + BigEndian(30000) + BigEndian(30000) + std::string("\x08\x00\x00\x00\x00", 5);
  std::string png = "\x89PNG\r\n\x1a\n";
  png += BigEndian(13) + ihdr + BigEndian(Crc32(ihdr));
  png += BigEndian(0) + "IEND" + BigEndian(Crc32("IEND"));
  const auto text = RecognizeImage(png, {});
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(text.error().message().find("megapixels"), std::string::npos) << text.error().message();

  unsigned char pixel = 0;
  const auto raw = RecognizePixels(&pixel, 20000, 20000, 1, 20000, {});
  ASSERT_FALSE(raw.has_value());
  EXPECT_NE(raw.error().message().find("megapixels"), std::string::npos);
}

TEST(Ocr, OffMeansRefused) {
  LoadOptions options;
  options.ocr = false;
  const auto text = RecognizeImage(Fixture("scan-invoice.png"), options);
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code(), StatusCode::kUnsupported);
  EXPECT_FALSE(ParseImage(Fixture("scan-invoice.png"), options).has_value());
}

TEST(Ocr, BadLanguagesAreErrors) {
  LoadOptions options;
  options.ocr_languages = "../../etc/passwd";
  const auto path = RecognizeImage(Fixture("scan-invoice.png"), options);
  ASSERT_FALSE(path.has_value());
  EXPECT_EQ(path.error().code(), StatusCode::kInvalidArgument);

  options.ocr_languages = "xx_notinstalled";
  const auto missing = RecognizeImage(Fixture("scan-invoice.png"), options);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kUnsupported);
  EXPECT_NE(missing.error().message().find("not installed"), std::string::npos);

  // The thread's engine still works for the default languages afterwards.
  const auto again = RecognizeImage(Fixture("scan-invoice.png"), {});
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  ExpectInvoiceText(*again, "after a failed language");
}

TEST(OcrText, RemovesSpacesBetweenChineseCharactersOnly) {
  EXPECT_EQ(RemoveSpacesBetweenCjk("会 议 将 于 三 月 举 行 。"), "会议将于三月举行。");
  EXPECT_EQ(RemoveSpacesBetweenCjk("在 Beijing 举 行"), "在 Beijing 举行");
  EXPECT_EQ(RemoveSpacesBetweenCjk("held  in Beijing"), "held  in Beijing");
  EXPECT_EQ(RemoveSpacesBetweenCjk("金额 : 380 元"), "金额 : 380 元");
  EXPECT_EQ(RemoveSpacesBetweenCjk(""), "");
}

TEST(OcrText, JoinsWrappedLines) {
  auto join = [](std::vector<std::string> lines) {
    std::string p;
    for (const std::string& l : lines) AppendWrappedLine(p, l);
    return p;
  };
  EXPECT_EQ(join({"员工出差回来后，应在十个工作日内提交报销申", "请，并附上全部原始发票。"}),
            "员工出差回来后，应在十个工作日内提交报销申请，并附上全部原始发票。");
  EXPECT_EQ(join({"The meeting will be", "held in Beijing."}),
            "The meeting will be held in Beijing.");
  EXPECT_EQ(join({"Submit the reimburse-", "ment form"}), "Submit the reimbursement form");
  EXPECT_EQ(join({"during the COVID-", "19 pandemic"}), "during the COVID-19 pandemic");
  EXPECT_EQ(join({"a well-", "Known case"}), "a well-Known case");
  EXPECT_EQ(join({"hyphen\xC2\xAD", "ation"}), "hyphenation") << "soft hyphen";
  EXPECT_EQ(join({"请携带身份证。", "Bring your ID."}), "请携带身份证。Bring your ID.");
  EXPECT_EQ(join({"  padded  ", "  lines  "}), "padded lines");
}

TEST(OcrText, SplitsParagraphsAtBlankLines) {
  const std::vector<std::string> expected = {"扫描通知 Scanned Notice",
                                             "会议将于三月十五日在北京举行。",
                                             "The meeting will be held in Beijing."};
  EXPECT_EQ(OcrParagraphs("扫描通知 Scanned Notice\n\n会议将于三月十五日\n在北京举行。\n\n\nThe "
                          "meeting will be\nheld in Beijing.\n"),
            expected);
  EXPECT_TRUE(OcrParagraphs("\n \n").empty());
}

}  // namespace
}  // namespace askio::ingest
