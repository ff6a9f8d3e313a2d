// Traditional/Simplified folding: a question in either script finds passages
// in either, while documents keep their own script.
#include "text/script_fold.h"

#include <gtest/gtest.h>

#include "askio/engine.h"
#include "test_util.h"
#include "text/analyzer.h"

namespace askio {
namespace {

TEST(ScriptFold, TraditionalCharactersFoldToSimplified) {
  ASSERT_TRUE(text::ScriptFoldingAvailable()) << "OpenCC's t2s data is not installed";
  EXPECT_EQ(text::FoldScript(U'網'), U'网');
  EXPECT_EQ(text::FoldScript(U'際'), U'际');
  EXPECT_EQ(text::FoldScript(U'麼'), U'么');
  EXPECT_EQ(text::FoldScript(U'臺'), U'台');
  // Already Simplified, or shared by both scripts: unchanged.
  EXPECT_EQ(text::FoldScript(U'网'), U'网');
  EXPECT_EQ(text::FoldScript(U'中'), U'中');
  EXPECT_EQ(text::FoldScript(U'a'), U'a');
}

TEST(ScriptFold, BothScriptsGiveTheSameIndexTerms) {
  text::TermCounts traditional, simplified;
  text::Analyzer::AddIndexTerms("網際網路與臺灣", traditional);
  text::Analyzer::AddIndexTerms("网际网路与台湾", simplified);
  EXPECT_EQ(traditional, simplified);
}

TEST(ScriptFold, AQuestionInEitherScriptFindsThePassage) {
  askio::testing::TempDir dir;
  auto kb = KnowledgeBase::Open(dir.path(), "fold", KnowledgeBase::OpenMode::kCreateIfMissing);
  ASSERT_TRUE(kb) << kb.error().message();
  std::vector<DocumentInput> docs = {
      {"simplified", "简体", "text", "互联网在台湾又称为网际网路，最早的连线出现在一九八〇年代。"},
      {"traditional", "繁體", "text", "臺北捷運於一九九六年通車，是臺灣第一個捷運系統。"},
      {"other", "其他", "text", "猴面包树的果实长约十五至二十厘米，可以食用。"}};
  ASSERT_TRUE((*kb)->IngestDocuments(docs, IngestOptions{}));
  SearchOptions so;
  so.limit = 1;
  auto a = (*kb)->Search("網際網路", so);  // Traditional question, Simplified passage
  ASSERT_TRUE(a && !a->empty());
  EXPECT_EQ(a->front().document_source, "simplified");
  auto b = (*kb)->Search("台北捷运", so);  // Simplified question, Traditional passage
  ASSERT_TRUE(b && !b->empty());
  EXPECT_EQ(b->front().document_source, "traditional");
  // The passage keeps its own script.
  EXPECT_NE(b->front().chunk.text.find("臺北捷運"), std::string::npos);
}

}  // namespace
}  // namespace askio
