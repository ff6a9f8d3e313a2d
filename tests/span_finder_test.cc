// The span finder: question types, and the answer cut out of a supporting
// sentence by aligning the question's template with it. Every expected span
// below was checked by hand against the sentence it comes from.
#include "model/span_finder.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/utf8.h"
#include "mini_corpus.h"

namespace askio {
namespace {

using model::ClassifyQuestion;
using model::FindAnswerSpan;
using model::QuestionType;
using model::QuestionTypeName;

// FindAnswerSpan's answer as text, after checking what must hold of every
// span: non-empty, inside the sentence, on code point boundaries (the bytes
// before, inside and after it are each valid UTF-8) and an alignment in
// [0, 1]. kNoSpan when the finder returns none.
constexpr const char* kNoSpan = "<no span>";
std::string Span(std::string_view question, std::string_view sentence,
                 double* alignment = nullptr) {
  const auto span = FindAnswerSpan(question, sentence);
  if (!span) return kNoSpan;
  EXPECT_LT(span->begin, span->end);
  EXPECT_LE(span->end, sentence.size());
  EXPECT_GE(span->alignment, 0.0);
  EXPECT_LE(span->alignment, 1.0);
  if (alignment) *alignment = span->alignment;
  if (span->begin > span->end || span->end > sentence.size()) return "<out of range>";
  const std::string_view before = sentence.substr(0, span->begin);
  const std::string_view inside = sentence.substr(span->begin, span->end - span->begin);
  const std::string_view after = sentence.substr(span->end);
  if (utf8::IsValid(sentence)) {
    EXPECT_TRUE(utf8::IsValid(before)) << "span begins inside a code point";
    EXPECT_TRUE(utf8::IsValid(inside)) << "span is not valid UTF-8";
    EXPECT_TRUE(utf8::IsValid(after)) << "span ends inside a code point";
  }
  return std::string(inside);
}

// ---------------------------------------------------------------------------
// ClassifyQuestion

struct TypeCase {
  const char* question;
  QuestionType type;
};

TEST(ClassifyQuestion, InterrogativesMapToTheirTypeInBothScripts) {
  const TypeCase cases[] = {
      // person
      {"谁发明了电话？", QuestionType::kPerson},
      {"誰是臺灣第一位民選總統？", QuestionType::kPerson},
      {"这部小说的作者是哪一位？", QuestionType::kPerson},
      // time
      {"他什么时候出生？", QuestionType::kTime},
      {"他什麼時候出生？", QuestionType::kTime},
      {"长城建于哪一年？", QuestionType::kTime},
      {"會議何時舉行？", QuestionType::kTime},
      {"戊戌選試於何年舉行?", QuestionType::kTime},
      // place
      {"他住在哪里？", QuestionType::kPlace},
      {"他住在哪裡？", QuestionType::kPlace},
      {"這座廟位於什麼地方？", QuestionType::kPlace},
      {"该选手来自哪國？", QuestionType::kPlace},
      // number
      {"该校有多少学生？", QuestionType::kNumber},
      {"他有几个孩子？", QuestionType::kNumber},
      {"他有幾個孩子？", QuestionType::kNumber},
      {"這條河有多長？", QuestionType::kNumber},
      // reason
      {"天空为什么是蓝色的？", QuestionType::kReason},
      {"天空為什麼是藍色的？", QuestionType::kReason},
      {"恐龍為何滅絕？", QuestionType::kReason},
      // thing
      {"玩家用什么泡封敌人？", QuestionType::kThing},
      {"该地区出产哪些水果？", QuestionType::kThing},
      {"這是哪一種動物？", QuestionType::kThing},
      {"這是什麼動物？", QuestionType::kThing},
      // no interrogative
      {"天空是蓝色的。", QuestionType::kUnknown},
      {"北京被稱為？", QuestionType::kUnknown},
      {"Who invented the telephone?", QuestionType::kUnknown},
      {"", QuestionType::kUnknown},
  };
  for (const TypeCase& c : cases) {
    EXPECT_EQ(ClassifyQuestion(c.question), c.type)
        << c.question << " -> " << QuestionTypeName(ClassifyQuestion(c.question)) << ", want "
        << QuestionTypeName(c.type);
  }
}

TEST(ClassifyQuestion, LongerInterrogativesWinOverTheirPrefixes) {
  // 什么时候 is not 什么, 什么地方 is not 什么, 几年 is not 几, 哪一年 is not 哪.
  EXPECT_EQ(ClassifyQuestion("什么时候开学？"), QuestionType::kTime);
  EXPECT_EQ(ClassifyQuestion("他去了什么地方？"), QuestionType::kPlace);
  EXPECT_EQ(ClassifyQuestion("他读了几年书？"), QuestionType::kTime);
  EXPECT_EQ(ClassifyQuestion("哪一年建成？"), QuestionType::kTime);
  // The first interrogative in the question decides.
  EXPECT_EQ(ClassifyQuestion("谁在什么时候发明了电话？"), QuestionType::kPerson);
  EXPECT_EQ(ClassifyQuestion("什么时候由谁发明了电话？"), QuestionType::kTime);
}

TEST(ClassifyQuestion, TypeNames) {
  EXPECT_STREQ(QuestionTypeName(QuestionType::kPerson), "person");
  EXPECT_STREQ(QuestionTypeName(QuestionType::kTime), "time");
  EXPECT_STREQ(QuestionTypeName(QuestionType::kPlace), "place");
  EXPECT_STREQ(QuestionTypeName(QuestionType::kNumber), "number");
  EXPECT_STREQ(QuestionTypeName(QuestionType::kReason), "reason");
  EXPECT_STREQ(QuestionTypeName(QuestionType::kThing), "thing");
  EXPECT_STREQ(QuestionTypeName(QuestionType::kUnknown), "unknown");
}

// ---------------------------------------------------------------------------
// FindAnswerSpan: typed values

TEST(FindAnswerSpan, TimeQuestionReturnsJustTheDate) {
  EXPECT_EQ(Span("戊戌選試於何年舉行?",
                 "並且於1238年以術忽德和劉中舉辦戊戌選試，此次科舉取士錄取4030人。"),
            "1238年");
  EXPECT_EQ(Span("该校建于哪一年？", "该校建于1905年，前身为复旦公学。"), "1905年");
  EXPECT_EQ(Span("哈利波特第一集在哪一年出版？", "《哈利波特：神秘的魔法石》於1997年出版。"),
            "1997年");
}

TEST(FindAnswerSpan, NumberQuestionKeepsTheNumberWithItsUnit) {
  // Two heights in the sentence: the one right after the question's 海拔.
  EXPECT_EQ(Span("岡底斯山脈內的最高峰可以高達海拔多少米?",
                 "岡底斯山脈最高峰羅波峰海拔7095米，著名佛教聖山岡仁波齊峰海拔6656米。"),
            "7095米");
  EXPECT_EQ(Span("该馆藏书多少册？", "该馆藏书81.6万册，期刊1,200种。"), "81.6万册");
  EXPECT_EQ(Span("图书馆藏书量是多少？", "图书馆藏书量达81.6万册。"), "81.6万册");
}

TEST(FindAnswerSpan, ThousandsSeparatorsDoNotSplitANumber) {
  EXPECT_EQ(Span("该校共有学生多少人？", "该校共有学生1,021人。"), "1,021人");
  EXPECT_EQ(Span("该镇人口有多少？", "截至2010年，该镇人口有1,021人，以汉族为主。"), "1,021人");
  EXPECT_EQ(Span("该镇的人口是多少？", "该镇总人口为12,345人。"), "12,345人");
  EXPECT_EQ(Span("該館藏書有多少冊？", "該館藏書達1,021冊。"), "1,021冊");
}

// ---------------------------------------------------------------------------
// FindAnswerSpan: whole units

TEST(FindAnswerSpan, HeadNounAfterTheInterrogativeIsIncluded) {
  // 哪一個省份: the answer is a 省.
  EXPECT_EQ(Span("秦嶺的主體位於中國的哪一個省份?", "秦嶺的主體位於陝西省，東西長約500公里。"),
            "陝西省");
  EXPECT_EQ(Span("秦岭的主体位于中国的哪一个省份？", "秦岭的主体位于陕西省，东西长约500公里。"),
            "陕西省");
  // Here 縣 is taken by the question's 縣市, so the run stops at 臺東 and the
  // head noun is added back.
  EXPECT_EQ(Span("知本溫泉位在哪一個縣市？", "知本溫泉位於臺東縣市區西南方。"), "臺東縣");
}

TEST(FindAnswerSpan, TitleInBookQuotesIsReturnedWhole) {
  // Only 与魔法石 is new to the question; the title around it comes whole.
  EXPECT_EQ(Span("哈利·波特系列的第一部小说叫什么？",
                 "哈利·波特系列的第一部小说是《哈利·波特与魔法石》。"),
            "哈利·波特与魔法石");
  // A title holding 的 and a colon is not cut at either.
  EXPECT_EQ(Span("第一部小說的書名是什麼？",
                 "第一部小說的書名是《哈利波特：神秘的魔法石》，於1997年出版。"),
            "哈利波特：神秘的魔法石");
  EXPECT_EQ(Span("曹雪芹的代表作是什么？", "曹雪芹的代表作是《红楼梦》，成书于清代。"), "红楼梦");
}

// ---------------------------------------------------------------------------
// FindAnswerSpan: question forms

TEST(FindAnswerSpan, VerbatimTemplateReturnsWhatReplacesTheInterrogative) {
  double alignment = -1;
  EXPECT_EQ(
      Span("生命数耗完即算为什么？", "每次泡封会减少生命数，生命数耗完即算为踢爆。", &alignment),
      "踢爆");
  EXPECT_DOUBLE_EQ(alignment, 1.0);  // all of 生命数耗完即算 was found
  EXPECT_EQ(Span("臺灣第一位民選總統是誰？", "臺灣第一位民選總統是李登輝。"), "李登輝");
  EXPECT_EQ(Span("这是谁的书？", "这是张三的书。"), "张三");
}

TEST(FindAnswerSpan, CopulaBeforeTheAnswerIsNotPartOfIt) {
  // The question frames 为太白 / 為太白; the 为 belongs to the sentence.
  EXPECT_EQ(Span("李白字什么，号青莲居士？", "李白字为太白，号青莲居士。"), "太白");
  EXPECT_EQ(Span("李白字什麼，號青蓮居士？", "李白字為太白，號青蓮居士。"), "太白");
}

TEST(FindAnswerSpan, WithoutAnInterrogativeTheGapIsAtTheEnd) {
  EXPECT_EQ(Span("北京被稱為？", "北京被稱為帝都。"), "帝都");
}

TEST(FindAnswerSpan, WhyQuestionReturnsTheCausalClause) {
  EXPECT_EQ(Span("黄河为什么是黄色的？", "黄河因为流经黄土高原，携带大量泥沙，所以河水呈黄色。"),
            "因为流经黄土高原");
  EXPECT_EQ(Span("恐龍為什麼會滅絕？", "一般認為，由於小行星撞擊地球，恐龍在白堊紀末期滅絕。"),
            "由於小行星撞擊地球");
}

TEST(FindAnswerSpan, DefinitionQuestionLeavesTheWholeSentence) {
  EXPECT_EQ(Span("什么是光合作用？", "光合作用是植物利用光能合成有机物的过程。"), kNoSpan);
  EXPECT_EQ(Span("什麼是光合作用？", "光合作用是植物利用光能合成有機物的過程。"), kNoSpan);
}

TEST(FindAnswerSpan, NothingToAlignGivesNoSpan) {
  EXPECT_EQ(Span("火星探测器用什么燃料？", "每次泡封会减少生命数。"), kNoSpan);
  EXPECT_EQ(Span("该校有多少学生？", ""), kNoSpan);
  EXPECT_EQ(Span("", "生命数耗完即算为踢爆。"), kNoSpan);
}

// ---------------------------------------------------------------------------
// FindAnswerSpan: byte offsets

TEST(FindAnswerSpan, OffsetsAreBytesOnCodePointBoundaries) {
  // Four-byte characters (outside the BMP) before and inside the answer.
  EXPECT_EQ(Span("𠮷野家的创始人是谁？", "𠮷野家的创始人是松田荣吉。"), "松田荣吉");
  EXPECT_EQ(Span("他的名字是什么？", "他的名字是𠮷田𠀋，出生于东京。"), "𠮷田𠀋");
  // The offsets count bytes, not code points: 他 is 3 bytes, the stray 0xFF
  // one, 的名字是 12.
  const std::string sentence = "他\xFF的名字是张三。";
  const auto span = FindAnswerSpan("他的名字是什么？", sentence);
  ASSERT_TRUE(span.has_value());
  EXPECT_EQ(span->begin, 16u);
  EXPECT_EQ(span->end, 22u);
  EXPECT_EQ(sentence.substr(span->begin, span->end - span->begin), "张三");
}

TEST(FindAnswerSpan, EverySpanOverTheMiniCorpusIsValidUtf8WithBoundedAlignment) {
  // Each question against each sentence of its own passage: whatever comes
  // back must satisfy Span()'s checks.
  const testing::MiniCorpus corpus = testing::LoadMiniCorpus();
  ASSERT_FALSE(corpus.questions.empty());
  size_t spans = 0, pairs = 0;
  for (const testing::MiniQuestion& q : corpus.questions) {
    const DocumentInput* passage = nullptr;
    for (const DocumentInput& p : corpus.passages)
      if (p.source == q.source) passage = &p;
    ASSERT_NE(passage, nullptr) << q.source;
    const std::string& text = passage->content;
    for (size_t begin = 0; begin < text.size();) {
      size_t end = text.find("。", begin);
      end = end == std::string::npos ? text.size() : end + std::string_view("。").size();
      SCOPED_TRACE(q.question + " | " + text.substr(begin, end - begin));
      ++pairs;
      if (Span(q.question, std::string_view(text).substr(begin, end - begin)) != kNoSpan) ++spans;
      begin = end;
    }
  }
  EXPECT_GT(pairs, 500u);
  EXPECT_GT(spans, 0u);
}

// ---------------------------------------------------------------------------
// Cases that once failed (found while writing these tests), kept as
// regression tests.

// Only "什么是X" asks for a definition; other questions may open with their
// interrogative and still have a span.
TEST(FindAnswerSpanBug, QuestionsThatOpenWithTheirInterrogativeAreNotDefinitions) {
  EXPECT_EQ(Span("谁发明了电话？", "贝尔发明了电话。"), "贝尔");
  EXPECT_EQ(Span("为什么天空是蓝色的？", "因为大气散射蓝光，所以天空是蓝色的。"),
            "因为大气散射蓝光");
  EXPECT_EQ(Span("哪些国家参加了会议？", "中国和美国参加了会议。"), "中国和美国");
}

// 因 is "because" alone or in 因为; in 原因, 基因, 因素 it is not.
TEST(FindAnswerSpanBug, CauseMarkerInsideAWordIsNotACause) {
  EXPECT_EQ(Span("恐龙为什么灭绝？", "恐龙灭绝的原因是小行星撞击地球。"), "小行星撞击地球");
}

TEST(FindAnswerSpanBug, WeiShenmeAfterAVerbMeansAsWhatNotWhy) {
  EXPECT_EQ(Span("生命数耗完即算为什么？", "因为泡封会减少生命数，生命数耗完即算为踢爆。"), "踢爆");
  EXPECT_EQ(Span("这种现象被称为什么？", "由于光的折射，这种现象被称为海市蜃楼。"), "海市蜃楼");
  EXPECT_EQ(ClassifyQuestion("这种现象被称为什么？"), QuestionType::kThing);
}

TEST(FindAnswerSpanBug, FourCharacterUnitIsKeptWhole) {
  EXPECT_EQ(Span("该市面积有多大？", "该市面积约1,234平方公里。"), "约1,234平方公里");
}

TEST(FindAnswerSpanBug, HeadNounIsNeverAParticleOrHalfAUnit) {
  EXPECT_EQ(
      Span("《SOUL EATER》是谁的漫画作品？", "大久保笃的漫画作品《SOUL EATER》里的登场人物介绍。"),
      "大久保笃");
  const auto area = Span("該島面積有多少平方公里？", "該島面積為35,980平方公里，為世界第38大島。");
  EXPECT_TRUE(area == "35,980" || area == "35,980平方公里") << area;
}

// A span never holds half a title (无限危机 #3》（2006年二月, 小说《活着).
TEST(FindAnswerSpanBug, BookQuotesInASpanAreBalanced) {
  for (const auto& [question, sentence] : std::vector<std::pair<const char*, const char*>>{
           {"该人物首先出现于哪部作品？",
            "该人物首先出现于《无限危机 #3》（2006年二月），是第三代蓝甲虫。"},
           {"他的成名作是哪一部？", "他的成名作是小说《活着》。"}}) {
    const std::string span = Span(question, sentence);
    SCOPED_TRACE(question);
    size_t open = 0, close = 0;
    for (size_t at = span.find("《"); at != std::string::npos; at = span.find("《", at + 1)) ++open;
    for (size_t at = span.find("》"); at != std::string::npos; at = span.find("》", at + 1))
      ++close;
    EXPECT_NE(span, kNoSpan);
    EXPECT_EQ(open, close) << span;
  }
}

TEST(FindAnswerSpanBug, HeadNounEndsTheAnswer) {
  EXPECT_EQ(
      Span("秦嶺的主體位於中國的哪一個省份?", "秦嶺主體位於陝西省中南部，是中國南北地理分界線。"),
      "陝西省");
}

TEST(RecordSpan, TheValueOfTheColumnAskedAbout) {
  // Table rows come from the loaders as "header: value | header: value".
  EXPECT_EQ(Span("深圳的人口是多少？", "城市: 深圳 | 人口（万）: 1768"), "1768");
  EXPECT_EQ(Span("香蕉的价格是多少？",
                 "类别: 水果 | 产品: 香蕉 | 价格: 3.2 | 上架日期: 2024-03-15 | 折扣: 5%"),
            "3.2");
  EXPECT_EQ(Span("香蕉什么时候上架？",
                 "类别: 水果 | 产品: 香蕉 | 价格: 3.2 | 上架日期: 2024-03-15 | 折扣: 5%"),
            "2024-03-15");
  EXPECT_EQ(Span("Who owns the search service?", "Name: search | Owner: Bob Li | Port: 9200"),
            "Bob Li");
  EXPECT_EQ(Span("Which port does billing use?", "Name: billing | Owner: Alice Chen | Port: 8443"),
            "8443");
}

TEST(RecordSpan, OrdinaryTextAndUnmatchedRecordsFallBack) {
  // Not a record: the usual alignment applies.
  EXPECT_EQ(Span("芙蓉洞位于什么地方？", "芙蓉洞位于重庆武隆县江口镇的芙蓉江畔。"),
            "重庆武隆县江口镇");
  // A record, but no column the question names: no span from the record.
  EXPECT_EQ(Span("Who is the mayor?", "Name: search | Owner: Bob Li"), kNoSpan);
}

}  // namespace
}  // namespace askio

namespace askio::model {
namespace {

// Character alignment is meaningless for English: the sentence is the answer.
TEST(FindAnswerSpan, QuestionsWithoutChineseGetNoSpan) {
  EXPECT_FALSE(FindAnswerSpan("Does WAL work over a network filesystem?",
                              "All processes using a database must be on the same host computer; "
                              "WAL does not work over a network filesystem."));
  EXPECT_FALSE(FindAnswerSpan("What does SQLite compete with?",
                              "SQLite does not compete with client/server databases."));
}

}  // namespace
}  // namespace askio::model
