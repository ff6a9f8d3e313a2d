#include "ingest/detect.h"

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace askio::ingest {
namespace {

std::string Fixture(const std::string& name) {
  return askio::testing::ReadFile(std::string(ASKIO_TEST_DATA_DIR) + "/formats/" + name);
}

FileType Detect(std::string_view bytes, const std::string& name) {
  auto t = DetectType(bytes, name);
  EXPECT_TRUE(t) << name << ": " << t.error().message();
  return t ? *t : FileType::kUnknown;
}

TEST(Detect, BinarySignaturesWinOverExtensions) {
  EXPECT_EQ(Detect("%PDF-1.7\n...", "report.pdf"), FileType::kPdf);
  EXPECT_EQ(Detect("%PDF-1.4\n...", "mislabelled.docx"), FileType::kPdf);
  EXPECT_EQ(Detect("\x89PNG\r\n\x1a\nrest", "scan"), FileType::kImage);
  EXPECT_EQ(Detect("\xFF\xD8\xFF\xE0rest", "photo.txt"), FileType::kImage);
  EXPECT_EQ(Detect(std::string("II*\0rest", 8), "page.tif"), FileType::kImage);
  EXPECT_EQ(Detect("\x1F\x8B\x08\x00rest", "logs.tgz"), FileType::kArchive);
}

TEST(Detect, ZipKindsFromTheirMembers) {
  EXPECT_EQ(Detect(Fixture("archive-bundle.zip"), "bundle.zip"), FileType::kArchive);
  EXPECT_EQ(Detect(Fixture("epub-gardening.epub"), "book.zip"), FileType::kEpub);
  EXPECT_EQ(Detect(Fixture("notion-export.zip"), "export.zip"), FileType::kArchive);
}

TEST(Detect, TextIsToldApartByExtensionThenContent) {
  EXPECT_EQ(Detect("# Title\n", "a.md"), FileType::kMarkdown);
  EXPECT_EQ(Detect("a,b\n1,2\n", "t.csv"), FileType::kCsv);
  EXPECT_EQ(Detect("a\tb\n1\t2\n", "t.tsv"), FileType::kTsv);
  EXPECT_EQ(Detect("<!DOCTYPE html><html><body><p>hi</p></body></html>", "page"), FileType::kHtml);
  EXPECT_EQ(Detect("{\"a\": [1, 2, 3], \"b\": {\"c\": true}}", "data"), FileType::kJson);
  EXPECT_EQ(Detect("just some words\n", "README"), FileType::kText);
}

TEST(Detect, TextUnderABinaryExtensionIsRefused) {
  auto t = DetectType("<html><body>502 Bad Gateway</body></html>", "report.pdf");
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message().find("content is text, not pdf"), std::string::npos)
      << t.error().message();
}

TEST(Detect, EmptyAndUnsupportedAreReportedNotGuessed) {
  auto empty = DetectType("", "a.md");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message().find("empty file"), std::string::npos);

  auto legacy = DetectType(
      std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(600, '\0'), "old.doc");
  ASSERT_FALSE(legacy);
  EXPECT_EQ(legacy.error().code(), StatusCode::kUnsupported);
  EXPECT_NE(legacy.error().message().find("legacy Office"), std::string::npos);

  std::string elf =
      "\x7F"
      "ELF";
  elf += std::string(64, '\0');
  auto binary = DetectType(elf, "program");
  ASSERT_FALSE(binary);
  EXPECT_EQ(binary.error().code(), StatusCode::kUnsupported);
}

TEST(Detect, CorruptZipIsAnError) {
  const std::string zip = Fixture("archive-bundle.zip");
  auto t = DetectType(std::string_view(zip).substr(0, 40), "bundle.zip");
  // Either refused as corrupt, or called an archive that will fail to open:
  // never a text format.
  if (t) {
    EXPECT_EQ(*t, FileType::kArchive);
  }
}

}  // namespace
}  // namespace askio::ingest
