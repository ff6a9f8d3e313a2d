// The proximity rerank: among chunks BM25 finds comparable, the one where a
// single sentence holds the question's terms ranks first.
#include <gtest/gtest.h>

#include "askio/engine.h"
#include "test_util.h"

namespace askio {
namespace {

TEST(ProximityRerank, ASentenceHoldingTheQuestionBeatsScatteredTerms) {
  askio::testing::TempDir dir;
  auto kb = KnowledgeBase::Open(dir.path(), "rr", KnowledgeBase::OpenMode::kCreateIfMissing);
  ASSERT_TRUE(kb) << kb.error().message();
  // "scattered" mentions every question term more often, but never together;
  // "together" states the fact in one sentence.
  std::vector<DocumentInput> docs = {
      {"scattered", "s", "text",
       "发票要保存好。发票很重要。审批单在系统里。审批单要打印。报销周期一个月。报销有上限。"},
      {"together", "t", "text", "公司成立多年。报销时提交发票和审批单。办公室在三楼。"}};
  for (int i = 0; i < 20; ++i)
    docs.push_back({"filler" + std::to_string(i), "f", "text",
                    "这是一段与问题无关的文字，编号" + std::to_string(i) + "。"});
  ASSERT_TRUE((*kb)->IngestDocuments(docs, IngestOptions{}));
  SearchOptions so;
  so.limit = 2;
  auto hits = (*kb)->Search("报销时提交发票和审批单", so);
  ASSERT_TRUE(hits) << hits.error().message();
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].document_source, "together");
  EXPECT_EQ((*hits)[1].document_source, "scattered");
  EXPECT_GT((*hits)[0].score, (*hits)[1].score) << "scores follow the order";
}

}  // namespace
}  // namespace askio

namespace askio {
namespace {

// Model numbers, versions and codes mixed into Chinese stay findable.
TEST(MixedTokens, CodesVersionsAndModelNumbersAreFindable) {
  askio::testing::TempDir dir;
  auto kb = KnowledgeBase::Open(dir.path(), "mixed", KnowledgeBase::OpenMode::kCreateIfMissing);
  ASSERT_TRUE(kb) << kb.error().message();
  ASSERT_TRUE((*kb)->IngestDocuments({{"a", "a", "text", "型号A-12B的电池续航为十小时。"},
                                      {"b", "b", "text", "型号A-13C的屏幕是六英寸。"},
                                      {"c", "c", "text", "固件v2.3.1修复了蓝牙断连问题。"}},
                                     IngestOptions{}));
  SearchOptions so;
  so.limit = 1;
  auto a = (*kb)->Search("A-12B 续航", so);
  ASSERT_TRUE(a && !a->empty());
  EXPECT_EQ(a->front().document_source, "a");
  auto b = (*kb)->Search("a-13c", so);  // case-insensitive
  ASSERT_TRUE(b && !b->empty());
  EXPECT_EQ(b->front().document_source, "b");
  auto c = (*kb)->Search("v2.3.1", so);
  ASSERT_TRUE(c && !c->empty());
  EXPECT_EQ(c->front().document_source, "c");
}

}  // namespace
}  // namespace askio
