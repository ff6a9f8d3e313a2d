// PDF: text in reading order with pages, headings from font sizes, tables
// as rows, wrapped lines joined, running headers dropped, scanned pages
// OCR'd, hostile files refused. Fixtures: scripts/data/make-pdf-fixtures.sh.
#include "ingest/pdf_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

namespace askio::ingest {
namespace {

std::string Fixture(const std::string& name) {
  return askio::testing::ReadFile(askio::testing::TestDataPath("formats/" + name));
}

ParsedDocument Load(const std::string& name, const LoadOptions& options = {}) {
  auto doc = ParsePdf(Fixture(name), options);
  EXPECT_TRUE(doc.has_value()) << name << ": " << (doc ? "" : doc.error().ToString());
  return doc ? *doc : ParsedDocument{};
}

// All blocks, one per line, for failure messages.
std::string Dump(const ParsedDocument& doc) {
  std::string out;
  for (const Block& b : doc.blocks)
    out += "p" + std::to_string(b.page) + " kind" + std::to_string(static_cast<int>(b.kind)) +
           " L" + std::to_string(b.level) + " [" + b.text + "]\n";
  return out;
}

const Block* Find(const ParsedDocument& doc, const std::string& needle) {
  for (const Block& b : doc.blocks)
    if (b.text.find(needle) != std::string::npos) return &b;
  return nullptr;
}

const Block* Exact(const ParsedDocument& doc, Block::Kind kind, const std::string& text) {
  for (const Block& b : doc.blocks)
    if (b.kind == kind && b.text == text) return &b;
  return nullptr;
}

TEST(PdfLoader, ReadsTextInOrderWithPageNumbers) {
  const ParsedDocument doc = Load("pdf-handbook.pdf");
  EXPECT_EQ(doc.type, "pdf");
  EXPECT_EQ(doc.pages, 3);
  EXPECT_EQ(doc.title, "员工手册 Employee Handbook");
  std::string all;
  for (const Block& b : doc.blocks) all += b.text + "\n";
  size_t at = 0;
  for (const char* expected :
       {"员工手册 Employee Handbook", "本手册介绍公司的报销制度", "This handbook explains",
        "应在十个工作日内提交报销申请", "Submit the reimbursement form",
        "差旅标准 Travel Allowance", "北京 Beijing", "成都 Chengdu", "Hotel caps apply per night",
        "十五天带薪年假", "a doctor's note."}) {
    const size_t found = all.find(expected, at);
    ASSERT_NE(found, std::string::npos) << "missing or out of order: " << expected << "\n"
                                        << Dump(doc);
    at = found;
  }
  for (const Block& b : doc.blocks) {
    EXPECT_GE(b.page, 1);
    EXPECT_LE(b.page, 3);
    EXPECT_EQ(b.location, "page " + std::to_string(b.page));
  }
  ASSERT_NE(Find(doc, "十个工作日"), nullptr);
  EXPECT_EQ(Find(doc, "十个工作日")->page, 1);
  ASSERT_NE(Find(doc, "Beijing"), nullptr);
  EXPECT_EQ(Find(doc, "Beijing")->page, 2);
  ASSERT_NE(Find(doc, "带薪年假"), nullptr);
  EXPECT_EQ(Find(doc, "带薪年假")->page, 3);
}

TEST(PdfLoader, JoinsWrappedLinesIntoParagraphs) {
  const ParsedDocument doc = Load("pdf-handbook.pdf");
  using K = Block::Kind;
  // Three wrapped lines of Chinese: joined without spaces.
  EXPECT_NE(Exact(doc, K::kParagraph,
                  "本手册介绍公司的报销制度、差旅标准和休假安排。所有员工在入职第一周内应当阅读本手"
                  "册，遇到本手册没有回答的问题时，请联系人力资源部或者直接询问部门经理。"),
            nullptr)
      << Dump(doc);
  EXPECT_NE(Exact(doc, K::kParagraph,
                  "This handbook explains how expenses are reimbursed, which travel allowances "
                  "apply, and how annual leave is booked. Read it during your first week and keep "
                  "it at hand when you plan a business trip."),
            nullptr)
      << Dump(doc);
  // "reimburse-" at the end of a line, "ment" on the next.
  EXPECT_NE(Exact(doc, K::kParagraph,
                  "Submit the reimbursement form with original receipts to the finance office "
                  "before the tenth day of each month."),
            nullptr)
      << Dump(doc);
  // Paragraphs stay apart.
  EXPECT_EQ(Find(doc, "部门经理。This handbook"), nullptr);
  EXPECT_EQ(Find(doc, "部门经理。 This handbook"), nullptr);
}

TEST(PdfLoader, HeadingsFromFontSizes) {
  const ParsedDocument doc = Load("pdf-handbook.pdf");
  using K = Block::Kind;
  const Block* h1 = Exact(doc, K::kHeading, "员工手册 Employee Handbook");
  const Block* h2 = Exact(doc, K::kHeading, "报销制度 Expense Policy");
  const Block* h2b = Exact(doc, K::kHeading, "差旅标准 Travel Allowance");
  const Block* h3 = Exact(doc, K::kHeading, "年假 Annual Leave");
  ASSERT_TRUE(h1 && h2 && h2b && h3) << Dump(doc);
  EXPECT_EQ(h1->level, 1);
  EXPECT_EQ(h2->level, 2);
  EXPECT_EQ(h2b->level, 2);
  EXPECT_EQ(h3->level, 3);
  EXPECT_EQ(h2b->page, 2);
  size_t headings = 0;
  for (const Block& b : doc.blocks) headings += b.kind == K::kHeading;
  EXPECT_EQ(headings, 6u) << "body text, table rows and running headers are not headings\n"
                          << Dump(doc);
}

TEST(PdfLoader, TableLinesAreRowsWithCells) {
  const ParsedDocument doc = Load("pdf-handbook.pdf");
  using K = Block::Kind;
  std::vector<std::string> rows;
  for (const Block& b : doc.blocks)
    if (b.kind == K::kTableRow) rows.push_back(b.text);
  const std::vector<std::string> expected = {
      "城市 City | 住宿 Hotel | 餐补 Meals",
      "城市 City: 北京 Beijing | 住宿 Hotel: 600 元 | 餐补 Meals: 100 元",
      "城市 City: 上海 Shanghai | 住宿 Hotel: 550 元 | 餐补 Meals: 100 元",
      "城市 City: 成都 Chengdu | 住宿 Hotel: 400 元 | 餐补 Meals: 80 元",
  };
  EXPECT_EQ(rows, expected) << Dump(doc);
  for (const Block& b : doc.blocks) {
    if (b.kind == K::kTableRow) {
      EXPECT_EQ(b.page, 2);
    }
  }
  // The paragraph after the table is not a row, nor merged into one.
  EXPECT_NE(Exact(doc, K::kParagraph,
                  "Hotel caps apply per night; meal allowances apply per calendar day spent "
                  "travelling."),
            nullptr)
      << Dump(doc);
}

TEST(PdfLoader, TableCellsThatWrapStayInTheirRow) {
  const ParsedDocument doc = Load("pdf-layout.pdf");
  using K = Block::Kind;
  EXPECT_NE(Exact(doc, K::kTableRow, "任务 Task | 负责人 Owner | 截止 Due"), nullptr) << Dump(doc);
  EXPECT_NE(Exact(doc, K::kTableRow,
                  "任务 Task: 数据迁移演练 Migration rehearsal with the full order history | "
                  "负责人 Owner: 王芳 Wang Fang | 截止 Due: 3 月 20 日"),
            nullptr)
      << Dump(doc);
  EXPECT_NE(
      Exact(doc, K::kTableRow,
            "任务 Task: 压力测试 Load test | 负责人 Owner: 李雷 Li Lei | 截止 Due: 3 月 27 日"),
      nullptr)
      << Dump(doc);
}

TEST(PdfLoader, BulletsAndNumbersAreListItems) {
  const ParsedDocument doc = Load("pdf-layout.pdf");
  using K = Block::Kind;
  EXPECT_NE(Exact(doc, K::kListItem, "完成了订单数据库的全量备份。"), nullptr) << Dump(doc);
  EXPECT_NE(Exact(doc, K::kListItem,
                  "The search service now answers in under 200 milliseconds for ninety-nine "
                  "percent of queries."),
            nullptr)
      << Dump(doc);
  EXPECT_NE(Exact(doc, K::kListItem, "1. 切换生产流量到新集群。"), nullptr) << Dump(doc);
  EXPECT_NE(Exact(doc, K::kListItem, "2. Review the alerting thresholds with the operations team."),
            nullptr)
      << Dump(doc);
}

TEST(PdfLoader, ColumnsAreReadOneAfterTheOther) {
  const ParsedDocument doc = Load("pdf-layout.pdf");
  using K = Block::Kind;
  const std::vector<std::string> expected = {
      "左栏：旧集群的磁盘空间只剩百分之十五，如果迁移推迟两周以上，需要先扩容。日志保留策略也"
      "需要同时调整，否则磁盘会在月底写满。",
      "Left column: the old cluster has fifteen percent of its disk left, so a delay of more "
      "than two weeks means adding storage first.",
      "右栏：新集群的监控尚未接入值班系统，切换当天需要安排两名工程师现场值守，直到告警全部接通"
      "为止。",
      "Right column: on-call alerts for the new cluster are not wired up yet, so two engineers "
      "stay on site on the day of the switch.",
      "本报告每周五更新。This report is updated every Friday.",
  };
  std::vector<std::string> got;
  for (const Block& b : doc.blocks)
    if (b.page == 3 && b.kind == K::kParagraph) got.push_back(b.text);
  EXPECT_EQ(got, expected) << Dump(doc);
}

TEST(PdfLoader, DropsRunningHeadersFootersAndPageNumbers) {
  for (const char* name : {"pdf-handbook.pdf", "pdf-layout.pdf"}) {
    const ParsedDocument doc = Load(name);
    ASSERT_FALSE(doc.blocks.empty()) << name;
    for (const Block& b : doc.blocks) {
      EXPECT_EQ(b.text.find("Employee Handbook 2026"), std::string::npos) << name << Dump(doc);
      EXPECT_EQ(b.text.find("of 3"), std::string::npos) << name << Dump(doc);
      EXPECT_NE(b.text, "1");
      EXPECT_NE(b.text, "2");
      EXPECT_NE(b.text, "3");
    }
  }
}

TEST(PdfLoader, BlankPageIsCountedButEmpty) {
  // LibreOffice left page 2 of this file empty (a page break after a full
  // page); page 3 must still say page 3.
  const ParsedDocument doc = Load("pdf-layout.pdf");
  EXPECT_EQ(doc.pages, 3);
  for (const Block& b : doc.blocks) EXPECT_NE(b.page, 2) << Dump(doc);
  ASSERT_NE(Find(doc, "Risks"), nullptr);
  EXPECT_EQ(Find(doc, "Risks")->page, 3);
}

TEST(PdfLoader, StopsAtMaxPages) {
  LoadOptions options;
  options.max_pages = 1;
  const ParsedDocument doc = Load("pdf-handbook.pdf", options);
  EXPECT_EQ(doc.pages, 3) << "pages counts the file's pages";
  ASSERT_NE(Find(doc, "报销制度"), nullptr);
  EXPECT_EQ(Find(doc, "Beijing"), nullptr);
  for (const Block& b : doc.blocks) EXPECT_EQ(b.page, 1);

  options.max_pages = 0;
  EXPECT_TRUE(Load("pdf-handbook.pdf", options).blocks.empty());
}

TEST(PdfLoader, ScannedPageIsRecognised) {
  const ParsedDocument doc = Load("pdf-scan.pdf");
  EXPECT_EQ(doc.pages, 1);
  EXPECT_EQ(doc.title, "") << "no Title metadata";
  ASSERT_FALSE(doc.blocks.empty());
  std::string all;
  for (const Block& b : doc.blocks) {
    EXPECT_EQ(b.page, 1);
    EXPECT_EQ(b.location, "page 1");
    all += b.text + "\n";
  }
  for (const char* word : {"会议", "北京", "身份证", "meeting", "Beijing", "March"})
    EXPECT_NE(all.find(word), std::string::npos) << word << " not in:\n" << all;
  EXPECT_EQ(all.find("会 议"), std::string::npos) << "spaces between Chinese characters removed";
}

TEST(PdfLoader, ScannedPageWithOcrOffIsEmpty) {
  LoadOptions options;
  options.ocr = false;
  const ParsedDocument doc = Load("pdf-scan.pdf", options);
  EXPECT_EQ(doc.pages, 1);
  EXPECT_TRUE(doc.blocks.empty()) << Dump(doc);
}

TEST(PdfLoader, ReadsFilesWithOnlyAnOwnerPassword) {
  // Copying "forbidden" by permissions, but no password needed to open.
  const ParsedDocument doc = Load("pdf-restricted.pdf");
  EXPECT_NE(Find(doc, "这份文件禁止复制，但可以阅读。"), nullptr) << Dump(doc);
}

TEST(PdfLoader, RefusesPasswordProtectedFiles) {
  const auto doc = ParsePdf(Fixture("pdf-encrypted.pdf"), {});
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code(), StatusCode::kUnsupported);
  EXPECT_NE(doc.error().message().find("password"), std::string::npos) << doc.error().message();
}

TEST(PdfLoader, RefusesEmptyAndNonPdfInput) {
  const auto empty = ParsePdf("", {});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(empty.error().message().find("empty"), std::string::npos);

  const auto text = ParsePdf("just some text, not a PDF", {});
  ASSERT_FALSE(text.has_value());
  EXPECT_NE(text.error().message().find("not a PDF"), std::string::npos);

  const auto header_only = ParsePdf("%PDF-1.7\nnothing else here\n%%EOF\n", {});
  ASSERT_FALSE(header_only.has_value());
  EXPECT_EQ(header_only.error().code(), StatusCode::kCorruption);
}

TEST(PdfLoader, TruncatedFilesAreErrors) {
  const std::string bytes = Fixture("pdf-handbook.pdf");
  for (size_t cut : {size_t{16}, size_t{2000}, bytes.size() / 2, bytes.size() - 200}) {
    const auto doc = ParsePdf(std::string_view(bytes).substr(0, cut), {});
    EXPECT_FALSE(doc.has_value()) << "cut at " << cut;
    if (!doc) {
      EXPECT_FALSE(doc.error().message().empty());
    }
  }
}

TEST(PdfLoader, DamagedFilesNeverCrash) {
  const std::string original = Fixture("pdf-handbook.pdf");
  // Every tenth of the file cut off, and stretches overwritten with noise:
  // an error or whatever poppler recovers, but a valid result either way.
  uint32_t state = 12345;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return state >> 24;
  };
  for (int round = 0; round < 20; ++round) {
    std::string bytes = original;
    if (round < 10) {
      bytes.resize(bytes.size() * round / 10 + 9);
    } else {
      const size_t start = 400 + (bytes.size() - 5000) * (round - 10) / 10;
      for (size_t i = start; i < start + 4000 && i < bytes.size(); ++i)
        bytes[i] = static_cast<char>(next());
    }
    const auto doc = ParsePdf(bytes, {});
    if (doc) {
      for (const Block& b : doc->blocks) {
        EXPECT_GE(b.page, 1);
        EXPECT_LE(b.page, doc->pages);
      }
    } else {
      EXPECT_FALSE(doc.error().message().empty());
    }
  }
}

TEST(PdfLoader, StopsWhenOverTheTimeBudget) {
  LoadOptions options;
  options.time_budget_seconds = 1e-9;  // spent before the first page
  const auto doc = ParsePdf(Fixture("pdf-handbook.pdf"), options);
  ASSERT_FALSE(doc.has_value());
  EXPECT_NE(doc.error().message().find("took longer than"), std::string::npos)
      << doc.error().message();
}

TEST(PdfLoader, ParsesOnManyThreadsAtOnce) {
  const std::string bytes = Fixture("pdf-handbook.pdf");
  const ParsedDocument expected = Load("pdf-handbook.pdf");
  std::vector<std::string> dumps(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < dumps.size(); ++i)
    threads.emplace_back([&, i] {
      for (int round = 0; round < 3; ++round) {
        const auto doc = ParsePdf(bytes, {});
        dumps[i] = doc ? Dump(*doc) : doc.error().ToString();
      }
    });
  for (std::thread& t : threads) t.join();
  for (const std::string& dump : dumps) EXPECT_EQ(dump, Dump(expected));
}

// A real-world PDF (pdfTeX, 26 pages, Type 1 fonts) from the Debian package
// camlidl-doc, when it is installed; skipped otherwise.
TEST(PdfLoader, ReadsARealWorldManualIfInstalled) {
  const char* path = "/usr/share/doc/camlidl/camlidl-1.04.doc.pdf";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not installed (camlidl-doc)";
  const auto doc = ParsePdf(askio::testing::ReadFile(path), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->pages, 26);
  using K = Block::Kind;
  const Block* title = Exact(*doc, K::kHeading, "Camlidl user’s manual Version 1.04");
  const Block* section = Exact(*doc, K::kHeading, "2 IDL syntax");
  const Block* subsection = Exact(*doc, K::kHeading, "3.1 Base types");
  ASSERT_TRUE(title && section && subsection) << Dump(*doc);
  EXPECT_LT(title->level, section->level);
  EXPECT_LT(section->level, subsection->level);
  EXPECT_EQ(subsection->page, 8);
  // The attribute table: one row per attribute.
  EXPECT_NE(Exact(*doc, K::kTableRow, "camlint | int or long integer type"), nullptr) << Dump(*doc);
  // "Blanks." is a run-in heading, its paragraph wraps with a hyphen.
  EXPECT_NE(Find(*doc, "form feed are considered as blanks."), nullptr) << Dump(*doc);
  for (const Block& b : doc->blocks) EXPECT_NE(b.text, std::to_string(b.page)) << "page number";
}

}  // namespace
}  // namespace askio::ingest
