// LoadFile: type detection, archives (recursion, limits, hostile members),
// EPUB and Notion exports, unchanged-document skipping.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "ingest/loaders.h"
#include "ingest/notion_loader.h"
#include "test_util.h"

namespace askio::ingest {
namespace {

std::string Fixture(const std::string& name) {
  return askio::testing::ReadFile(std::string(ASKIO_TEST_DATA_DIR) + "/formats/" + name);
}

std::string AllText(const ParsedDocument& doc) {
  std::string out;
  for (const Block& b : doc.blocks) out += b.text + "\n";
  return out;
}

const LoadedItem* Find(const std::vector<LoadedItem>& items, std::string_view suffix) {
  for (const LoadedItem& i : items)
    if (i.source.ends_with(suffix)) return &i;
  return nullptr;
}

TEST(LoadFile, PlainFileIsOneItem) {
  auto items = LoadFile("# T\n\nHello there.\n", "/x/a.md", {});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].state, LoadedItem::State::kParsed);
  EXPECT_EQ(items[0].type, FileType::kMarkdown);
  EXPECT_EQ(items[0].source, "/x/a.md");
  EXPECT_FALSE(items[0].hash.empty());
}

TEST(LoadFile, UnchangedDocumentsAreNotParsed) {
  const std::string bytes = "# T\n\nHello there.\n";
  const std::string hash = LoadFile(bytes, "a.md", {})[0].hash;
  auto items = LoadFile(bytes, "a.md", {}, [&](const std::string& source, const std::string& h) {
    return source == "a.md" && h == hash;
  });
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].state, LoadedItem::State::kUnchanged);
  EXPECT_TRUE(items[0].doc.blocks.empty());
}

TEST(LoadFile, BundleMembersBecomeDocumentsRecursively) {
  auto items = LoadFile(Fixture("archive-bundle.zip"), "/d/bundle.zip", {});
  const LoadedItem* travel = Find(items, "!/docs/travel.md");
  ASSERT_NE(travel, nullptr);
  EXPECT_EQ(travel->source, "/d/bundle.zip!/docs/travel.md");
  EXPECT_EQ(travel->state, LoadedItem::State::kParsed);
  EXPECT_NE(AllText(travel->doc).find("Economy class"), std::string::npos);
  const LoadedItem* faq = Find(items, "!/docs/faq.json");
  ASSERT_NE(faq, nullptr);
  EXPECT_EQ(faq->type, FileType::kJson);
  // A tar.gz inside the zip is opened too.
  const LoadedItem* oncall = Find(items, "docs/schedule.tar.gz!/nested/oncall.md");
  ASSERT_NE(oncall, nullptr);
  EXPECT_NE(AllText(oncall->doc).find("王小明"), std::string::npos);
  // Unknown types and macOS resource forks are left out, as in folders.
  EXPECT_EQ(Find(items, "picture.bin"), nullptr);
  EXPECT_EQ(Find(items, "._travel.md"), nullptr);
  for (const LoadedItem& i : items) EXPECT_EQ(i.state, LoadedItem::State::kParsed) << i.source;
}

TEST(LoadFile, NestingDepthIsBounded) {
  LoadOptions shallow;
  shallow.max_archive_depth = 1;
  auto items = LoadFile(Fixture("archive-bundle.zip"), "bundle.zip", shallow);
  const LoadedItem* nested = Find(items, "docs/schedule.tar.gz");
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->state, LoadedItem::State::kFailed);
  EXPECT_NE(nested->error.find("nested deeper"), std::string::npos) << nested->error;
  EXPECT_NE(Find(items, "docs/travel.md"), nullptr);  // the rest still loads
}

TEST(LoadFile, HostileArchiveMembersAreReportedAndTheRestLoads) {
  auto items = LoadFile(Fixture("hostile-traversal.zip"), "t.zip", {});
  const LoadedItem* good = Find(items, "!/good/readme.md");
  ASSERT_NE(good, nullptr);
  EXPECT_EQ(good->state, LoadedItem::State::kParsed);
  int refused = 0;
  for (const LoadedItem& i : items) {
    if (i.state != LoadedItem::State::kFailed) continue;
    ++refused;
    EXPECT_NE(i.error.find("escapes the archive"), std::string::npos) << i.error;
  }
  EXPECT_EQ(refused, 2);
}

TEST(LoadFile, ArchiveWithNothingReadableIsReported) {
  // A tar of one symlink-free member of an unknown type: nothing to load.
  std::string tar(1024 + 512, '\0');
  const std::string name = "data.bin";
  tar.replace(0, name.size(), name);
  tar.replace(100, 7, "0000644");
  tar.replace(124, 11, "00000000004");
  tar.replace(156, 1, "0");
  tar.replace(257, 5, "ustar");
  // Header checksum: the sum of the header bytes with the field as spaces.
  tar.replace(148, 8, "        ");
  unsigned sum = 0;
  for (size_t i = 0; i < 512; ++i) sum += static_cast<unsigned char>(tar[i]);
  char field[8];
  std::snprintf(field, sizeof field, "%06o", sum);
  tar.replace(148, 7, std::string(field, 6) + '\0');
  tar.replace(512, 4, "abcd");
  auto items = LoadFile(tar, "data.tar", {});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].state, LoadedItem::State::kFailed);
  EXPECT_NE(items[0].error.find("no files of a type askio reads"), std::string::npos)
      << items[0].error;
}

TEST(LoadFile, ZipBombFailsAsOneClearError) {
  auto items = LoadFile(Fixture("hostile-bomb.zip"), "bomb.zip", {});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].state, LoadedItem::State::kFailed);
  EXPECT_NE(items[0].error.find("archive bomb"), std::string::npos) << items[0].error;
}

TEST(LoadFile, EmptyAndMislabelledFilesFailClearly) {
  auto empty = LoadFile("", "empty.md", {});
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0].state, LoadedItem::State::kFailed);
  EXPECT_NE(empty[0].error.find("empty"), std::string::npos);
  auto fake = LoadFile("<html><body>Not Found</body></html>", "report.docx", {});
  ASSERT_EQ(fake.size(), 1u);
  EXPECT_EQ(fake[0].state, LoadedItem::State::kFailed);
  EXPECT_NE(fake[0].error.find("not docx"), std::string::npos) << fake[0].error;
}

TEST(Epub, ChaptersInSpineOrderWithLocations) {
  auto items = LoadFile(Fixture("epub-gardening.epub"), "book.epub", {});
  ASSERT_EQ(items.size(), 1u);
  ASSERT_EQ(items[0].state, LoadedItem::State::kParsed) << items[0].error;
  const ParsedDocument& doc = items[0].doc;
  EXPECT_EQ(doc.type, "epub");
  EXPECT_EQ(doc.title, "园艺手册 Gardening Handbook");
  const std::string text = AllText(doc);
  const size_t soil = text.find("微酸性"), water = text.find("twice a week"),
               feed = text.find("磷钾肥");
  ASSERT_NE(soil, std::string::npos);
  ASSERT_NE(water, std::string::npos);
  ASSERT_NE(feed, std::string::npos);
  EXPECT_LT(soil, water);
  EXPECT_LT(water, feed);
  // Chapter headings are headings, and every block knows its chapter.
  bool heading = false;
  int last_page = 0;
  for (const Block& b : doc.blocks) {
    heading |= b.kind == Block::Kind::kHeading && b.text == "Chapter 2: Watering";
    EXPECT_GE(b.page, last_page);
    last_page = b.page;
    EXPECT_EQ(b.location, "chapter " + std::to_string(b.page));
    if (b.text.find("twice a week") != std::string::npos) {
      EXPECT_GT(b.page, 1);
    }
  }
  EXPECT_TRUE(heading);
  EXPECT_GE(doc.pages, 3);
}

TEST(Notion, IdsAreStrippedFromTitles) {
  EXPECT_EQ(StripNotionId("Roadmap 0123456789abcdef0123456789abcdef.md"), "Roadmap");
  EXPECT_EQ(StripNotionId("Roadmap 0123456789abcdef0123456789abcdef"), "Roadmap");
  EXPECT_EQ(StripNotionId("DB 0123456789abcdef0123456789abcdef_all.csv"), "DB");
  EXPECT_EQ(StripNotionId("notes.md"), "notes");
  EXPECT_EQ(StripNotionId("Release 2024"), "Release 2024");
}

TEST(Notion, OneDocumentPerPageWithNestedPagesAsHeadingPath) {
  auto items = LoadFile(Fixture("notion-export.zip"), "/n/export.zip", {});
  const LoadedItem* deploy = Find(items, "Deploy Guide fedcba9876543210fedcba9876543210.md");
  ASSERT_NE(deploy, nullptr);
  ASSERT_EQ(deploy->state, LoadedItem::State::kParsed) << deploy->error;
  EXPECT_EQ(deploy->doc.title, "Deploy Guide");
  // The parent page is the first heading; the page's own headings follow.
  ASSERT_GE(deploy->doc.blocks.size(), 3u);
  EXPECT_EQ(deploy->doc.blocks[0].kind, Block::Kind::kHeading);
  EXPECT_EQ(deploy->doc.blocks[0].text, "Engineering Wiki");
  EXPECT_EQ(deploy->doc.blocks[0].level, 1);
  EXPECT_EQ(deploy->doc.blocks[1].text, "Deploy Guide");
  EXPECT_EQ(deploy->doc.blocks[1].level, 2);
  bool rollback = false;
  for (const Block& b : deploy->doc.blocks)
    if (b.kind == Block::Kind::kHeading && b.text == "Rollback") {
      rollback = true;
      EXPECT_EQ(b.level, 3);
    }
  EXPECT_TRUE(rollback);

  const LoadedItem* wiki = Find(items, "Engineering Wiki 0123456789abcdef0123456789abcdef.md");
  ASSERT_NE(wiki, nullptr);
  EXPECT_EQ(wiki->doc.title, "Engineering Wiki");
}

TEST(Notion, DatabasesBecomeRecordsFromTheCompleteExport) {
  auto items = LoadFile(Fixture("notion-export.zip"), "export.zip", {});
  std::vector<const LoadedItem*> tables;
  for (const LoadedItem& i : items)
    if (i.source.ends_with(".csv")) tables.push_back(&i);
  // "Services <id>.csv" is the current view; only "_all.csv" is read.
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_TRUE(tables[0]->source.ends_with("_all.csv"));
  const ParsedDocument& db = tables[0]->doc;
  EXPECT_EQ(db.title, "Services");
  const std::string text = AllText(db);
  EXPECT_NE(text.find("Carol Wu"), std::string::npos);  // only in _all
  bool record = false;
  for (const Block& b : db.blocks)
    if (b.kind == Block::Kind::kTableRow && b.text.find("Owner: Bob Li") != std::string::npos &&
        b.text.find("Port: 9200") != std::string::npos)
      record = true;
  EXPECT_TRUE(record) << text;
  // Attachments (the .png) are not documents.
  for (const LoadedItem& i : items) EXPECT_FALSE(i.source.ends_with(".png")) << i.source;
}

}  // namespace
}  // namespace askio::ingest
