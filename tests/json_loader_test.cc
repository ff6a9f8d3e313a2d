// JSON / JSON Lines: FAQ records become one section (and chunk) each; other
// JSON is flattened with key paths.
#include "ingest/json_loader.h"

#include <gtest/gtest.h>

#include "askio/engine.h"
#include "ingest/chunker.h"
#include "ingest/loaders.h"
#include "test_util.h"

namespace askio::ingest {
namespace {

TEST(JsonLoader, FaqRecordsBecomeQuestionHeadedSections) {
  for (const char* text : {
           R"([{"question": "如何申请报销？", "answer": "在系统中填写报销单并上传发票。"},
               {"question": "报销多久到账？", "answer": "审批通过后五个工作日内到账。"}])",
           R"({"faqs": [{"问题": "如何申请报销？", "答案": "在系统中填写报销单并上传发票。"},
                        {"问题": "报销多久到账？", "答案": "审批通过后五个工作日内到账。"}]})"}) {
    auto doc = ParseJson(text, false);
    ASSERT_TRUE(doc) << doc.error().message();
    ASSERT_EQ(doc->blocks.size(), 4u) << text;
    EXPECT_EQ(doc->blocks[0].kind, Block::Kind::kHeading);
    EXPECT_EQ(doc->blocks[0].text, "如何申请报销？");
    EXPECT_EQ(doc->blocks[1].text, "在系统中填写报销单并上传发票。");
    EXPECT_EQ(doc->blocks[2].text, "报销多久到账？");
    // Each pair is its own chunk, the question as its heading path.
    const auto chunks = ChunkDocument(LayOut(*doc), ChunkOptions{});
    ASSERT_EQ(chunks.size(), 2u);
    EXPECT_EQ(chunks[1].heading_path, std::vector<std::string>{"报销多久到账？"});
  }
}

TEST(JsonLoader, JsonLinesAndQAFieldNames) {
  auto doc = ParseJson(
      "{\"q\": \"年假几天？\", \"a\": \"每年十五天。\"}\n\n{\"q\": \"病假呢？\", \"a\": "
      "\"按医院证明。\"}\n",
      true);
  ASSERT_TRUE(doc) << doc.error().message();
  ASSERT_EQ(doc->blocks.size(), 4u);
  EXPECT_EQ(doc->blocks[2].text, "病假呢？");
  auto bad = ParseJson("{\"q\": \"ok\", \"a\": \"ok\"}\n{not json\n", true);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.error().message().find("line 2"), std::string::npos) << bad.error().message();
}

TEST(JsonLoader, OtherJsonIsFlattenedWithKeyPaths) {
  auto doc = ParseJson(R"({"product": {"name": "A-12B", "battery": {"hours": 10}},
                          "colors": ["黑", "白"], "discontinued": null})",
                       false);
  ASSERT_TRUE(doc) << doc.error().message();
  std::vector<std::string> texts;
  for (const Block& b : doc->blocks) texts.push_back(b.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"colors[0]: 黑", "colors[1]: 白",
                                             "product.battery.hours: 10", "product.name: A-12B"}));
}

TEST(JsonLoader, InvalidAndHostileJsonGiveClearErrors) {
  auto bad = ParseJson("{\"unterminated\": ", false);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), StatusCode::kInvalidArgument);
  // Hostile nesting is refused before parsing (it would overflow the stack
  // in the JSON library's recursive serializer); brackets inside strings
  // do not count.
  std::string deep(5000, '[');
  deep += "1" + std::string(5000, ']');
  auto refused = ParseJson(deep, false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.error().message().find("nested"), std::string::npos);
  auto refused_line = ParseJson("{\"ok\": 1}\n" + deep + "\n", true);
  ASSERT_FALSE(refused_line);
  EXPECT_NE(refused_line.error().message().find("line 2"), std::string::npos);
  // Moderately deep JSON (within the bound) is flattened, deep parts as text.
  std::string nested(100, '[');
  nested += "\"[[[[ not brackets\"" + std::string(100, ']');
  auto ok = ParseJson(nested, false);
  ASSERT_TRUE(ok) << ok.error().message();
  ASSERT_EQ(ok->blocks.size(), 1u);
}

TEST(JsonLoader, AnFaqQuestionIsAnsweredFromItsOwnPair) {
  askio::testing::TempDir dir;
  askio::testing::WriteFile(
      dir / "faq.jsonl",
      "{\"question\": \"如何申请报销？\", \"answer\": \"在系统中填写报销单并上传发票原件。\"}\n"
      "{\"question\": \"报销多久到账？\", \"answer\": \"审批通过后五个工作日内到账。\"}\n"
      "{\"question\": \"年假怎么申请？\", \"answer\": \"提前两周在系统中提交年假申请。\"}\n");
  auto kb = KnowledgeBase::Open(dir / "data", "faq", KnowledgeBase::OpenMode::kCreateIfMissing);
  ASSERT_TRUE(kb) << kb.error().message();
  auto report = (*kb)->Ingest({dir / "faq.jsonl"}, IngestOptions{});
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->chunks, 3);
  auto answer = (*kb)->Ask("请问报销多久到账？", AskOptions{});
  ASSERT_TRUE(answer) << answer.error().message();
  ASSERT_TRUE(answer->found) << answer->reason;
  EXPECT_NE(answer->evidence.find("五个工作日"), std::string::npos) << answer->evidence;
  EXPECT_EQ(answer->citations.front().heading_path, std::vector<std::string>{"报销多久到账？"});
}

}  // namespace
}  // namespace askio::ingest
