// End to end: a folder of real files of every format, plus hostile ones,
// through KnowledgeBase::Ingest; then questions about a table cell, a slide
// and a spreadsheet row must come back with the right place cited.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "askio/engine.h"
#include "test_util.h"

namespace askio {
namespace {

namespace fs = std::filesystem;
using askio::testing::TempDir;
using askio::testing::WriteFile;

std::string FixturePath(const std::string& name) {
  return std::string(ASKIO_TEST_DATA_DIR) + "/formats/" + name;
}

class FormatsIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* f :
         {"pdf-handbook.pdf", "office-products.xlsx", "office-slides.pptx", "office-pandoc.docx",
          "office-libreoffice.docx", "epub-gardening.epub", "notion-export.zip",
          "archive-bundle.zip", "table-cities.tsv", "scan-invoice.png"})
      fs::copy_file(FixturePath(f), docs_ / f);
    // Hostile and broken input, each of which must fail alone.
    fs::create_directories(docs_ / "bad");
    for (const char* f : {"hostile-bomb.zip", "hostile-xxe.docx", "hostile-billion-laughs.docx",
                          "hostile-traversal.zip", "pdf-encrypted.pdf"})
      fs::copy_file(FixturePath(f), docs_ / ("bad/" + std::string(f)));
    const std::string pdf = askio::testing::ReadFile(FixturePath("pdf-handbook.pdf"));
    WriteFile(docs_ / "bad/truncated.pdf", pdf.substr(0, pdf.size() / 3));
    WriteFile(docs_ / "bad/zero.md", "");
    WriteFile(docs_ / "bad/error-page.pdf", "<html><body><h1>502 Bad Gateway</h1></body></html>");
    // A PDF under a Word name is read as what it is.
    fs::copy_file(FixturePath("pdf-handbook.pdf"), docs_ / "bad/handbook-copy.docx");

    auto kb = KnowledgeBase::Open(data_.path(), "kb", KnowledgeBase::OpenMode::kCreateIfMissing);
    ASSERT_TRUE(kb) << kb.error().message();
    kb_ = std::move(*kb);
    auto report = kb_->Ingest({docs_.path()}, IngestOptions{});
    ASSERT_TRUE(report) << report.error().message();
    report_ = *report;
  }

  const IngestFileResult* File(const std::string& suffix) const {
    for (const IngestFileResult& f : report_.files)
      if (f.path.ends_with(suffix)) return &f;
    return nullptr;
  }

  SearchHit Top(const std::string& query) const {
    auto hits = kb_->Search(query, SearchOptions{});
    EXPECT_TRUE(hits) << hits.error().message();
    EXPECT_FALSE(hits->empty()) << query;
    return hits && !hits->empty() ? hits->front() : SearchHit{};
  }

  TempDir data_, docs_;
  std::unique_ptr<KnowledgeBase> kb_;
  IngestReport report_;
};

TEST_F(FormatsIngestTest, EveryFormatIsIngestedAndCountedByType) {
  for (const char* type :
       {"pdf", "xlsx", "pptx", "docx", "epub", "notion", "markdown", "tsv", "image"}) {
    SCOPED_TRACE(type);
    ASSERT_TRUE(report_.by_type.count(type));
    const IngestTypeSummary& t = report_.by_type.at(type);
    EXPECT_GT(t.files, 0);
    EXPECT_GT(t.chunks, 0);
  }
  // pdf-handbook.pdf and the copy named .docx: 3 pages each.
  EXPECT_EQ(report_.by_type.at("pdf").pages, 6);
  EXPECT_EQ(report_.by_type.at("pptx").pages, File("office-slides.pptx")->pages);
  EXPECT_GE(File("office-slides.pptx")->pages, 3);
  EXPECT_EQ(File("office-products.xlsx")->pages, 2);  // sheets
  const IngestFileResult* copy = File("handbook-copy.docx");
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->outcome, IngestFileResult::Outcome::kAdded) << copy->error;
  EXPECT_EQ(copy->type, "pdf");
}

TEST_F(FormatsIngestTest, HostileAndBrokenFilesFailAloneWithClearErrors) {
  struct Expected {
    const char* suffix;
    const char* reason;
  } expected[] = {
      {"hostile-bomb.zip", "archive bomb"},
      {"truncated.pdf", "PDF"},
      {"zero.md", "empty file"},
      {"error-page.pdf", "content is text, not pdf"},
      {"pdf-encrypted.pdf", "password"},
      {"hostile-traversal.zip!/../../evil.md", "escapes the archive"},
  };
  for (const Expected& e : expected) {
    SCOPED_TRACE(e.suffix);
    const IngestFileResult* f = File(e.suffix);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->outcome, IngestFileResult::Outcome::kFailed);
    EXPECT_NE(f->error.find(e.reason), std::string::npos) << f->error;
  }
  // XXE and billion laughs: inert, never the expansion or the file's content.
  for (const IngestFileResult& f : report_.files) {
    if (!f.path.ends_with("hostile-xxe.docx") && !f.path.ends_with("billion-laughs.docx")) continue;
    if (f.outcome == IngestFileResult::Outcome::kFailed) continue;
    EXPECT_LT(f.chunks, 3) << f.path;
  }
  EXPECT_TRUE(kb_->Search("nologin", SearchOptions{})->empty());
  EXPECT_TRUE(kb_->Search("lollollollol", SearchOptions{})->empty());
  // The safe member of the traversal archive made it in.
  EXPECT_NE(File("hostile-traversal.zip!/good/readme.md"), nullptr);
  EXPECT_EQ(File("hostile-traversal.zip!/good/readme.md")->outcome,
            IngestFileResult::Outcome::kAdded);
}

TEST_F(FormatsIngestTest, PdfTableCellIsFoundOnItsPage) {
  const SearchHit hit = Top("成都 Chengdu 住宿 Hotel");
  EXPECT_TRUE(hit.document_source.ends_with("pdf-handbook.pdf") ||
              hit.document_source.ends_with("handbook-copy.docx"))
      << hit.document_source;
  EXPECT_EQ(hit.chunk.page, 2);
  EXPECT_EQ(hit.chunk.location, "page 2");
  EXPECT_NE(hit.chunk.text.find("400"), std::string::npos) << hit.chunk.text;
}

TEST_F(FormatsIngestTest, SpreadsheetRowIsCitedBySheetAndRow) {
  auto answer = kb_->Ask("香蕉的价格是多少？", AskOptions{});
  ASSERT_TRUE(answer) << answer.error().message();
  ASSERT_TRUE(answer->found) << answer->reason;
  EXPECT_NE(answer->text.find("3.2"), std::string::npos) << answer->text;
  ASSERT_FALSE(answer->citations.empty());
  const Citation& c = answer->citations.front();
  EXPECT_TRUE(c.document_source.ends_with("office-products.xlsx")) << c.document_source;
  EXPECT_EQ(c.location, "sheet 产品, row 3");
}

// One question per format, answered from a table cell, a row, a chapter or
// a page, with the citation naming the file and, where the format has
// places, the place.
TEST_F(FormatsIngestTest, QuestionsAboutEachFormatAreAnsweredWithTheRightCitation) {
  struct Case {
    const char* question;
    const char* answer;
    const char* source_suffix;
    const char* location;  // "" when the format has no places
  } cases[] = {
      {"成都的住宿上限是多少？", "400元", "office-pandoc.docx", ""},
      {"出租车的报销上限是多少？", "200元", "office-libreoffice.docx", ""},
      {"深圳的人口是多少？", "1768", "table-cities.tsv", "row 4"},
      {"香蕉什么时候上架？", "2024-03-15", "office-products.xlsx", "sheet 产品, row 3"},
      {"番茄适合什么样的土壤？", "微酸性", "epub-gardening.epub", "chapter 2"},
      {"Who owns the search service?", "Bob Li",
       "Services 00112233445566778899aabbccddeeff_all.csv", "sheet Services, row 3"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.question);
    auto answer = kb_->Ask(c.question, AskOptions{});
    ASSERT_TRUE(answer) << answer.error().message();
    ASSERT_TRUE(answer->found) << answer->reason;
    EXPECT_EQ(answer->span, c.answer) << answer->evidence;
    ASSERT_FALSE(answer->citations.empty());
    EXPECT_TRUE(answer->citations[0].document_source.ends_with(c.source_suffix))
        << answer->citations[0].document_source;
    EXPECT_EQ(answer->citations[0].location, c.location);
  }
}

TEST_F(FormatsIngestTest, SlideAndSpeakerNotesAreCitedBySlide) {
  const SearchHit hit = Top("续航 竞品 两倍");
  EXPECT_TRUE(hit.document_source.ends_with("office-slides.pptx")) << hit.document_source;
  EXPECT_TRUE(hit.chunk.location.starts_with("slide ")) << hit.chunk.location;
  EXPECT_GT(hit.chunk.page, 1);  // not the title slide
}

TEST_F(FormatsIngestTest, ScannedImageIsSearchableThroughOcr) {
  const IngestFileResult* scan = File("scan-invoice.png");
  ASSERT_NE(scan, nullptr);
  ASSERT_EQ(scan->outcome, IngestFileResult::Outcome::kAdded) << scan->error;
  EXPECT_EQ(scan->type, "image");
}

TEST_F(FormatsIngestTest, ArchiveMembersAndNotionPagesAreDocumentsOfTheirOwn) {
  const SearchHit travel = Top("Economy class flights");
  EXPECT_TRUE(travel.document_source.ends_with("archive-bundle.zip!/docs/travel.md"))
      << travel.document_source;
  const SearchHit deploy = Top("Deploys go out every Tuesday");
  EXPECT_EQ(deploy.document_title, "Deploy Guide");
  ASSERT_FALSE(deploy.chunk.heading_path.empty());
  EXPECT_EQ(deploy.chunk.heading_path.front(), "Engineering Wiki");
}

TEST_F(FormatsIngestTest, ReingestingIsIncrementalAndDropsMembersGoneFromAnArchive) {
  auto again = kb_->Ingest({docs_.path()}, IngestOptions{});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->added, 0);
  EXPECT_EQ(again->replaced, 0);
  EXPECT_GT(again->unchanged, 10);

  // Replace the bundle with an archive that has only one of its members.
  fs::copy_file(FixturePath("hostile-traversal.zip"), docs_ / "archive-bundle.zip",
                fs::copy_options::overwrite_existing);
  auto changed = kb_->Ingest({docs_ / "archive-bundle.zip"}, IngestOptions{});
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->added, 1);   // good/readme.md
  EXPECT_GE(changed->pruned, 4);  // travel.md, faq.json, notes.txt, oncall.md
  auto hits = kb_->Search("Economy class flights", SearchOptions{});
  ASSERT_TRUE(hits);
  for (const SearchHit& h : *hits)
    EXPECT_EQ(h.document_source.find("archive-bundle.zip!/docs/travel.md"), std::string::npos);
}

TEST_F(FormatsIngestTest, IncludeAndExcludeGlobsPickFiles) {
  TempDir data;
  auto kb = KnowledgeBase::Open(data.path(), "kb", KnowledgeBase::OpenMode::kCreateIfMissing);
  ASSERT_TRUE(kb);
  IngestOptions o;
  o.include = {"*.pdf", "*.tsv"};
  o.exclude = {"bad"};
  auto report = (*kb)->Ingest({docs_.path()}, o);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->added, 2);  // pdf-handbook.pdf, table-cities.tsv
  EXPECT_EQ(report->failed, 0);
  for (const IngestFileResult& f : report->files)
    EXPECT_TRUE(f.path.ends_with(".pdf") || f.path.ends_with(".tsv")) << f.path;
}

TEST_F(FormatsIngestTest, OcrCanBeTurnedOff) {
  TempDir data;
  auto kb = KnowledgeBase::Open(data.path(), "kb", KnowledgeBase::OpenMode::kCreateIfMissing);
  ASSERT_TRUE(kb);
  IngestOptions o;
  o.ocr = false;
  auto report = (*kb)->Ingest({docs_ / "scan-invoice.png"}, o);
  ASSERT_TRUE(report);
  ASSERT_EQ(report->files.size(), 1u);
  EXPECT_EQ(report->files[0].outcome, IngestFileResult::Outcome::kFailed);
  EXPECT_NE(report->files[0].error.find("OCR is turned off"), std::string::npos);
}

}  // namespace
}  // namespace askio

namespace askio {
namespace {

// A real manual as Debian ships it (asymptote-doc, installed by
// scripts/setup-deps.sh for this test): 196 pages typeset by TeX.
TEST(RealDebianDocs, AsymptoteManualPdfIsIngestedWithPages) {
  const std::string manual = "/usr/share/doc/asymptote/asymptote.pdf";
  if (!std::filesystem::exists(manual)) GTEST_SKIP() << manual << " not installed";
  askio::testing::TempDir data;
  auto kb = KnowledgeBase::Open(data.path(), "kb", KnowledgeBase::OpenMode::kCreateIfMissing);
  ASSERT_TRUE(kb);
  auto report = (*kb)->Ingest({manual}, IngestOptions{});
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->added, 1) << (report->files.empty() ? "" : report->files[0].error);
  EXPECT_EQ(report->pages, 196);
  EXPECT_GT(report->chunks, 300);
  auto hits = (*kb)->Search("default paper type may be changed to a4 papertype", SearchOptions{});
  ASSERT_TRUE(hits);
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ(hits->front().chunk.location, "page 10");
  EXPECT_NE(hits->front().chunk.text.find("a4"), std::string::npos);
}

}  // namespace
}  // namespace askio
