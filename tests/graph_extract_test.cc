// Knowledge-graph extraction on hand-checked Chinese and English sentences,
// alias rules, and the LLM path against the fake model server.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "fake_openai_server.h"
#include "graph/extract.h"
#include "graph/lexicon.h"
#include "graph/resolve.h"
#include "model/provider.h"

namespace askio::graph {
namespace {

using Triple = std::tuple<std::string, std::string, std::string>;

std::set<std::string> Names(const Extraction& x) {
  std::set<std::string> out;
  for (const auto& e : x.entities)
    if (e.type != EntityType::kConcept) out.insert(e.name);
  return out;
}

std::set<Triple> Triples(const Extraction& x) {
  std::set<Triple> out;
  for (const auto& r : x.relations)
    if (r.kind == Relation::Kind::kStated)
      out.insert({x.entities[r.subject].name, r.predicate, x.entities[r.object].name});
  return out;
}

const Entity* Find(const Extraction& x, std::string_view name) {
  for (const auto& e : x.entities)
    if (e.name == name) return &e;
  return nullptr;
}

bool HasAlias(const Entity* e, std::string_view alias) {
  return e && std::find(e->aliases.begin(), e->aliases.end(), alias) != e->aliases.end();
}

// Every mention's span holds the entity's name or one of its aliases.
void ExpectMentionsConsistent(std::string_view text, const Extraction& x) {
  for (const auto& m : x.mentions) {
    ASSERT_LT(m.entity, x.entities.size());
    ASSERT_LE(m.end, text.size());
    const std::string surface(text.substr(m.begin, m.end - m.begin));
    const Entity& e = x.entities[m.entity];
    const bool ok = FoldedName(surface) == FoldedName(e.name) ||
                    std::any_of(e.aliases.begin(), e.aliases.end(), [&](const std::string& a) {
                      return FoldedName(a) == FoldedName(surface);
                    });
    EXPECT_TRUE(ok) << surface << " is not a name of " << e.name;
  }
}

class GraphExtractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!LexiconAvailable())
      GTEST_SKIP() << "jieba dictionary not found at " << LexiconPath()
                   << " (Debian package python3-jieba)";
  }
};

TEST_F(GraphExtractTest, ChineseNameWithEnglishAliasAndFoundingDate) {
  const std::string text = "清华大学（Tsinghua University）成立于1911年，位于北京市海淀区。";
  const Extraction x = ExtractModelFree(text);
  EXPECT_EQ(Names(x), (std::set<std::string>{"清华大学", "北京市", "海淀区"}));
  const Entity* thu = Find(x, "清华大学");
  ASSERT_NE(thu, nullptr);
  EXPECT_EQ(thu->type, EntityType::kOrganization);
  EXPECT_TRUE(HasAlias(thu, "Tsinghua University"));
  ASSERT_EQ(x.attributes.size(), 1u);
  EXPECT_EQ(x.entities[x.attributes[0].entity].name, "清华大学");
  EXPECT_EQ(x.attributes[0].key, "成立于");
  EXPECT_EQ(x.attributes[0].value, "1911年");
  // Both names are mentions of the one entity.
  size_t thu_mentions = 0;
  for (const auto& m : x.mentions) thu_mentions += x.entities[m.entity].name == "清华大学";
  EXPECT_EQ(thu_mentions, 2u);
  ExpectMentionsConsistent(text, x);
}

TEST_F(GraphExtractTest, CopulaWithDe) {
  const std::string text = "张三是公司的技术总监。";
  const Extraction x = ExtractModelFree(text);
  EXPECT_EQ(Names(x), (std::set<std::string>{"张三"}));
  EXPECT_EQ(Find(x, "张三")->type, EntityType::kPerson);
  EXPECT_EQ(Triples(x), (std::set<Triple>{{"张三", "技术总监", "公司"}}));
  const Relation& r = x.relations[0];
  EXPECT_EQ(text.substr(r.sentence_begin, r.sentence_end - r.sentence_begin), text);
}

TEST_F(GraphExtractTest, EnglishPassiveFounding) {
  const std::string text = "Acme Corp was founded by Jane Doe in 1999.";
  const Extraction x = ExtractModelFree(text);
  EXPECT_EQ(Names(x), (std::set<std::string>{"Acme Corp", "Jane Doe"}));
  EXPECT_EQ(Find(x, "Acme Corp")->type, EntityType::kOrganization);
  EXPECT_EQ(Find(x, "Jane Doe")->type, EntityType::kPerson);
  EXPECT_EQ(Triples(x), (std::set<Triple>{{"Jane Doe", "founded", "Acme Corp"}}));
  ASSERT_EQ(x.attributes.size(), 1u);
  EXPECT_EQ(x.entities[x.attributes[0].entity].name, "Acme Corp");
  EXPECT_EQ(x.attributes[0].value, "1999");
  ExpectMentionsConsistent(text, x);
}

TEST_F(GraphExtractTest, HandCheckedSentences) {
  struct Case {
    std::string text;
    std::set<std::string> names;
    std::set<Triple> triples;
  };
  const std::vector<Case> cases = {
      {"北京是中国的首都。", {"北京", "中国"}, {{"北京", "首都", "中国"}}},
      {"阿里巴巴由马云创办于1999年。", {"阿里巴巴", "马云"}, {{"马云", "创办于", "阿里巴巴"}}},
      {"李小龙出生于美国旧金山。", {"李小龙", "美国", "旧金山"}, {{"李小龙", "出生于", "美国"}}},
      {"《红楼梦》是曹雪芹创作的长篇小说。", {"红楼梦", "曹雪芹"}, {}},
      {"華為技術有限公司總部位於深圳。",
       {"華為技術有限公司", "深圳"},
       {{"華為技術有限公司", "總部位於", "深圳"}}},
      {"The company hired Dr. John Smith, the chief executive of Globex Corporation.",
       {"John Smith", "Globex Corporation"},
       {{"John Smith", "chief executive", "Globex Corporation"}}},
      {"Marie Curie joined the University of Paris in 1906.",
       {"Marie Curie", "University of Paris"},
       {{"Marie Curie", "joined", "University of Paris"}}},
      {"Globex Corporation acquired Initech in 2004.",
       {"Globex Corporation", "Initech"},
       {{"Globex Corporation", "acquired", "Initech"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const Extraction x = ExtractModelFree(c.text);
    EXPECT_EQ(Names(x), c.names);
    EXPECT_EQ(Triples(x), c.triples);
    ExpectMentionsConsistent(c.text, x);
  }
}

TEST_F(GraphExtractTest, TitlesAreWorks) {
  const Extraction x = ExtractModelFree("他读过《三体》和《百年孤独》。");
  ASSERT_NE(Find(x, "三体"), nullptr);
  EXPECT_EQ(Find(x, "三体")->type, EntityType::kWork);
  EXPECT_EQ(Find(x, "百年孤独")->type, EntityType::kWork);
}

TEST_F(GraphExtractTest, StatedAbbreviations) {
  {
    const Extraction x = ExtractModelFree("北京大学（简称北大）是中国的一所综合性大学。");
    EXPECT_TRUE(HasAlias(Find(x, "北京大学"), "北大"));
    EXPECT_EQ(Find(x, "综合性大学"), nullptr);  // a common noun, not a name
  }
  {
    const std::string text = "Tsinghua University (THU) is in Beijing. THU was founded in 1911.";
    const Extraction x = ExtractModelFree(text);
    const Entity* thu = Find(x, "Tsinghua University");
    EXPECT_TRUE(HasAlias(thu, "THU"));
    EXPECT_EQ(Find(x, "THU"), nullptr);  // the later "THU" is the same entity
    ExpectMentionsConsistent(text, x);
  }
}

TEST_F(GraphExtractTest, CooccurrenceEdges) {
  const Extraction x = ExtractModelFree("张三和李四在上海见面。");
  size_t co = 0;
  for (const auto& r : x.relations) co += r.kind == Relation::Kind::kCooccurs;
  EXPECT_EQ(co, 3u);  // 张三–李四, 张三–上海, 李四–上海
}

TEST_F(GraphExtractTest, SentenceInitialWordsAreNotNames) {
  const Extraction x =
      ExtractModelFree("However, the results were clear. Sometimes it rains in London.");
  EXPECT_EQ(Names(x), (std::set<std::string>{"London"}));
}

TEST(GraphResolveTest, NameKeys) {
  EXPECT_EQ(NameKey("Tsinghua  University"), NameKey("tsinghua university"));
  EXPECT_EQ(NameKey("清華大學"), NameKey("清华大学"));
  EXPECT_EQ(NameKey("ＡＣＭＥ Corp."), NameKey("Acme Inc"));
  EXPECT_EQ(NameKey("华为技术有限公司"), NameKey("华为技术"));
  EXPECT_NE(NameKey("清华大学"), NameKey("清华"));
  EXPECT_EQ(NameKey("Co"), "co");  // a suffix alone is kept
}

TEST(GraphResolveTest, Acronyms) {
  EXPECT_TRUE(IsAcronymOf("THU", "Tsinghua University"));
  EXPECT_TRUE(IsAcronymOf("MIT", "Massachusetts Institute of Technology"));
  EXPECT_TRUE(IsAcronymOf("IBM", "International Business Machines"));
  EXPECT_FALSE(IsAcronymOf("NASA", "Tsinghua University"));
  EXPECT_FALSE(IsAcronymOf("TU", "Tsinghua Peking University"));
  EXPECT_TRUE(IsChineseAbbreviationOf("北大", "北京大学"));
  EXPECT_FALSE(IsChineseAbbreviationOf("大学", "北京大学"));
}

TEST(GraphResolveTest, StatedAliasRules) {
  EXPECT_TRUE(StatedAlias("清华大学", "Tsinghua University", ""));
  EXPECT_TRUE(StatedAlias("北京大学", "北大", "简称"));
  EXPECT_TRUE(StatedAlias("Tsinghua University", "THU", ""));
  EXPECT_FALSE(StatedAlias("清华大学", "1911年", ""));
  EXPECT_FALSE(StatedAlias("张三", "技术总监", ""));
  EXPECT_FALSE(StatedAlias("Acme Corp", "see below", ""));
}

TEST(GraphResolveTest, MergeDecisionsExplain) {
  auto d = DecideMerge("Acme Corp", EntityType::kOrganization, "ACME Inc.", EntityType::kOther);
  EXPECT_TRUE(d.merge);
  EXPECT_NE(d.reason.find("legal-form"), std::string::npos);
  d = DecideMerge("清華大學", EntityType::kOrganization, "清华大学", EntityType::kOrganization);
  EXPECT_TRUE(d.merge);
  d = DecideMerge("Jordan", EntityType::kPerson, "Jordan", EntityType::kPlace);
  EXPECT_FALSE(d.merge);
  EXPECT_NE(d.reason.find("types differ"), std::string::npos);
}

// --- JSON ---------------------------------------------------------------------

TEST_F(GraphExtractTest, JsonRoundTrip) {
  const std::string text = "清华大学（Tsinghua University）成立于1911年。张三是公司的技术总监。";
  const Extraction x = ExtractModelFree(text);
  const std::string j = ExtractionToJson(x);
  auto back = ExtractionFromJson(j, text.size());
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(ExtractionToJson(*back), j);
  EXPECT_FALSE(ExtractionFromJson(j, 3));  // offsets beyond the text
  EXPECT_FALSE(ExtractionFromJson("{not json", text.size()));
}

// --- With a model ---------------------------------------------------------------

using askio::testing::FakeChatReply;
using askio::testing::FakeOpenAi;

TEST(GraphModelTest, ParsesValidatesAndDropsInventedNames) {
  FakeOpenAi fake;
  fake.ScriptChat({.text = R"({"chunks": [
    {"id": 0, "entities": [
        {"name": "Acme Corp", "type": "organization", "aliases": ["ACME"]},
        {"name": "Jane Doe", "type": "person"},
        {"name": "Bob Invented", "type": "person"}],
     "relations": [
        {"subject": "Jane Doe", "predicate": "founded", "object": "Acme Corp"},
        {"subject": "Bob Invented", "predicate": "owns", "object": "Acme Corp"}],
     "attributes": [{"entity": "Acme Corp", "key": "founded in", "value": "1999"}]},
    {"id": 1, "entities": [{"name": "清华大学", "type": "organization",
                            "aliases": ["Tsinghua University"]}], "relations": []}
  ]})"});
  auto chat = model::MakeOpenAiChat(fake.Config());
  const std::vector<std::string> chunks = {"Acme Corp (ACME) was founded by Jane Doe in 1999.",
                                           "清华大学（Tsinghua University）成立于1911年。"};
  auto r = ExtractWithModel(*chat, chunks);
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(r->size(), 2u);
  const Extraction& a = (*r)[0];
  EXPECT_EQ(Names(a), (std::set<std::string>{"Acme Corp", "Jane Doe"}));
  EXPECT_EQ(Triples(a), (std::set<Triple>{{"Jane Doe", "founded", "Acme Corp"}}));
  ASSERT_EQ(a.attributes.size(), 1u);
  EXPECT_EQ(chunks[0].substr(a.attributes[0].begin, a.attributes[0].end - a.attributes[0].begin),
            "1999");
  EXPECT_EQ(a.mentions.size(), 3u);  // Acme Corp, ACME, Jane Doe
  ExpectMentionsConsistent(chunks[0], a);
  EXPECT_TRUE(HasAlias(Find((*r)[1], "清华大学"), "Tsinghua University"));
  // One request for both chunks, carrying the schema.
  const auto reqs = fake.Requests(FakeOpenAi::kChat);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_NE(reqs[0].body.find("predicate"), std::string::npos);
}

TEST(GraphModelTest, RepairsFencedTruncatedJsonLocally) {
  FakeOpenAi fake;
  fake.ScriptChat({.text = "Here you go:\n```json\n{\"chunks\": [{\"id\": 0, \"entities\": "
                           "[{\"name\": \"Jane Doe\", \"type\": \"person\"},], \"relations\": ["});
  auto chat = model::MakeOpenAiChat(fake.Config());
  auto r = ExtractWithModel(*chat, {"Jane Doe spoke."});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Names((*r)[0]), (std::set<std::string>{"Jane Doe"}));
  EXPECT_EQ(fake.Count(FakeOpenAi::kChat), 1u);
}

TEST(GraphModelTest, AsksTheModelToRepairOnce) {
  FakeOpenAi fake;
  fake.ScriptChat({.text = "I cannot produce JSON today."});
  fake.ScriptChat(
      {.text =
           R"({"chunks":[{"id":0,"entities":[{"name":"Jane Doe","type":"person"}],"relations":[]}]})"});
  auto chat = model::MakeOpenAiChat(fake.Config());
  auto r = ExtractWithModel(*chat, {"Jane Doe spoke."});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Names((*r)[0]), (std::set<std::string>{"Jane Doe"}));
  EXPECT_EQ(fake.Count(FakeOpenAi::kChat), 2u);
}

TEST(GraphModelTest, RejectsOutputThatStaysInvalid) {
  FakeOpenAi fake;
  fake.ScriptChat({.text = "no"});
  fake.ScriptChat({.text = "still no"});
  auto chat = model::MakeOpenAiChat(fake.Config());
  auto r = ExtractWithModel(*chat, {"Jane Doe spoke."});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kCorruption);
  EXPECT_NE(r.error().message().find("not valid JSON"), std::string::npos);
}

TEST(GraphModelTest, CostEstimate) {
  const std::vector<std::string> chunks(10, std::string(300, 'a') + "清华大学成立于1911年");
  const CostEstimate c = EstimateModelCost(chunks, {.chunks_per_request = 4}, {1.0, 2.0});
  EXPECT_EQ(c.chunks, 10u);
  EXPECT_EQ(c.requests, 3u);
  EXPECT_GT(c.input_tokens, 10 * (75 + 11));
  EXPECT_GT(c.output_tokens, 0);
  EXPECT_NEAR(c.cost, c.input_tokens * 1e-6 + c.output_tokens * 2e-6, 1e-12);
  EXPECT_EQ(EstimateTokens("清华大学"), 4);
  EXPECT_EQ(EstimateTokens("abcdefgh"), 2);
}

}  // namespace
}  // namespace askio::graph
