// The OpenAI-compatible client against the fake server over real HTTP on
// 127.0.0.1: streaming, retries, deadlines, cancellation, embeddings
// batching and rerank; and the SSE parser on its own.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fake_openai_server.h"
#include "http_test_server.h"
#include "model/openai_internal.h"
#include "model/provider.h"
#include "model/sse_parser.h"

namespace askio::model {
namespace {

using askio::testing::FakeChatReply;
using askio::testing::FakeEmbeddingOptions;
using askio::testing::FakeOpenAi;
using askio::testing::FakeRerankOptions;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

::testing::AssertionResult Contains(std::string_view haystack, std::string_view needle) {
  if (haystack.find(needle) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\"" << haystack << "\" does not contain \"" << needle << "\"";
}

template <typename T>
std::string ErrorOf(const Result<T>& r) {
  return r ? std::string("(no error)") : r.error().message();
}

ChatRequest Question(std::string text = "What is the capital of France?") {
  ChatRequest r;
  r.messages = {{"system", "Answer briefly."}, {"user", std::move(text)}};
  return r;
}

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// --- SSE parser ------------------------------------------------------------

std::vector<SseEvent> ParseAll(const std::vector<std::string_view>& pieces) {
  SseParser p;
  std::vector<SseEvent> out;
  auto on = [&](const SseEvent& e) {
    out.push_back(e);
    return true;
  };
  for (std::string_view piece : pieces) EXPECT_TRUE(p.Feed(piece, on).ok());
  p.Finish(on);
  return out;
}

bool SameEvents(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].event != b[i].event || a[i].data != b[i].data) return false;
  return true;
}

TEST(SseParser, ParsesFieldsCommentsAndLineEnds) {
  const std::string stream =
      "\xEF\xBB\xBF: keep-alive\n\n"
      "data: {\"a\":\"h\xC3\xA9 \xE4\xB8\x96\"}\r\n\r\n"
      "event: ping\ndata: x\n\n"
      "data:first\rdata:  second\r\r"
      "id: 7\nretry: 10\nevent: only-a-name\n\n"
      "data: [DONE]\n\n"
      "data: unterminated";
  const std::vector<SseEvent> events = ParseAll({stream});
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].event, "");
  EXPECT_EQ(events[0].data, "{\"a\":\"h\xC3\xA9 \xE4\xB8\x96\"}");
  EXPECT_EQ(events[1].event, "ping");
  EXPECT_EQ(events[1].data, "x");
  EXPECT_EQ(events[2].data, "first\n second");  // one space after the colon is dropped
  EXPECT_EQ(events[3].data, "[DONE]");
  EXPECT_EQ(events[4].data, "unterminated");  // dispatched by Finish()
}

TEST(SseParser, SameEventsWhereverTheBytesAreSplit) {
  const std::string stream =
      "\xEF\xBB\xBF: keep-alive\r\n\r\n"
      "data: {\"c\":\"\xE4\xB8\x96\xF0\x9F\x99\x82\"}\r\n\r\n"
      "event: ping\rdata: p\r\r"
      "data: one\ndata: two\n\n"
      "data: [DONE]\n\n";
  const std::vector<SseEvent> whole = ParseAll({stream});
  ASSERT_EQ(whole.size(), 4u);
  const std::string_view s = stream;
  for (size_t i = 0; i <= s.size(); ++i)
    for (size_t j = i; j <= s.size(); ++j)
      ASSERT_TRUE(SameEvents(ParseAll({s.substr(0, i), s.substr(i, j - i), s.substr(j)}), whole))
          << "split at " << i << " and " << j;
  // One byte at a time.
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < s.size(); ++i) bytes.push_back(s.substr(i, 1));
  EXPECT_TRUE(SameEvents(ParseAll(bytes), whole));
}

TEST(SseParser, StopsWhenTheCallbackSaysSo) {
  SseParser p;
  int seen = 0;
  ASSERT_TRUE(p.Feed("data: 1\n\ndata: 2\n\n", [&](const SseEvent&) {
                 ++seen;
                 return false;
               }).ok());
  EXPECT_EQ(seen, 1);
}

// --- Helpers ---------------------------------------------------------------

TEST(OpenAiInternal, BackoffIsFullJitterDoubling) {
  EXPECT_EQ(internal::BackoffSeconds(1, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(internal::BackoffSeconds(1, 0.5), 0.25);
  EXPECT_LT(internal::BackoffSeconds(1, 0.999), 0.5);
  EXPECT_DOUBLE_EQ(internal::BackoffSeconds(2, 0.5), 0.5);
  EXPECT_DOUBLE_EQ(internal::BackoffSeconds(3, 0.5), 1.0);
}

TEST(OpenAiInternal, ParsesRetryAfterSeconds) {
  EXPECT_EQ(internal::ParseRetryAfter("2"), 2.0);
  EXPECT_EQ(internal::ParseRetryAfter(" 1.5 "), 1.5);
  EXPECT_EQ(internal::ParseRetryAfter("0"), 0.0);
  EXPECT_FALSE(internal::ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
  EXPECT_FALSE(internal::ParseRetryAfter("-1"));
  EXPECT_FALSE(internal::ParseRetryAfter(""));
}

TEST(OpenAiInternal, DecodesBase64Float32) {
  const std::vector<float> v = {1.0f, -0.5f, 3.25f, 1e-7f, 0.0f};
  Result<std::vector<float>> back = internal::DecodeBase64Floats(FakeOpenAi::Base64Floats(v));
  ASSERT_TRUE(back) << ErrorOf(back);
  EXPECT_EQ(*back, v);
  EXPECT_FALSE(internal::DecodeBase64Floats("AAAA"));  // 3 bytes
  EXPECT_FALSE(internal::DecodeBase64Floats("AA*A"));
}

TEST(OpenAiInternal, DescribeNamesModelAndHostOnly) {
  ProviderConfig c;
  c.base_url = "https://user:sk-secret@dashscope.aliyuncs.com/compatible-mode/v1";
  c.model = "qwen-plus";
  c.api_key = "sk-secret";
  EXPECT_EQ(c.Describe(), "qwen-plus @ dashscope.aliyuncs.com");
  c.base_url = "http://127.0.0.1:11434/v1";
  EXPECT_EQ(c.Describe(), "qwen-plus @ 127.0.0.1:11434");
  EXPECT_EQ(internal::ErrorExcerpt(R"({"error":{"message":"Model  not\nfound"}})"),
            "Model not found");
  EXPECT_EQ(internal::ErrorExcerpt(R"({"detail":"bad"})"), "bad");
  EXPECT_EQ(internal::ErrorExcerpt("<html>\xff\xfe oops</html>"),
            "<html>\xEF\xBF\xBD\xEF\xBF\xBD oops</html>");
  EXPECT_EQ(internal::ErrorExcerpt(std::string(300, 'x')), std::string(200, 'x') + "...");
}

// --- Chat ------------------------------------------------------------------

TEST(OpenAiChat, CompleteSendsTheRequestAndReadsTheAnswer) {
  FakeOpenAi fake;
  ProviderConfig config = fake.Config("qwen-plus");
  config.api_key = "sk-test-key";
  config.extra_body = R"({"enable_thinking": false})";
  fake.ScriptChat({.text = "Paris.", .reasoning = "The user asks about France."});
  auto chat = MakeOpenAiChat(config);
  ChatRequest request = Question();
  request.temperature = 0.25;
  request.max_tokens = 64;
  Result<ChatResponse> r = chat->Complete(request);
  ASSERT_TRUE(r) << ErrorOf(r);
  EXPECT_EQ(r->text, "Paris.");
  EXPECT_EQ(r->finish_reason, "stop");
  EXPECT_EQ(r->prompt_tokens, 11);
  EXPECT_EQ(r->completion_tokens, 7);
  EXPECT_EQ(r->attempts, 1);

  const auto requests = fake.Requests(FakeOpenAi::kChat);
  ASSERT_EQ(requests.size(), 1u);
  const nlohmann::json& body = requests[0].json;
  EXPECT_EQ(body["model"], "qwen-plus");
  EXPECT_EQ(body["messages"][1]["role"], "user");
  EXPECT_EQ(body["messages"][1]["content"], "What is the capital of France?");
  EXPECT_EQ(body["temperature"], 0.25);
  EXPECT_EQ(body["max_tokens"], 64);
  EXPECT_EQ(body["stream"], false);
  EXPECT_EQ(body["enable_thinking"], false);
  EXPECT_EQ(requests[0].authorization, "Bearer sk-test-key");
}

TEST(OpenAiChat, NoAuthorizationHeaderWithoutAKey) {
  FakeOpenAi fake;
  auto chat = MakeOpenAiChat(fake.Config());
  ASSERT_TRUE(chat->Complete(Question()));
  EXPECT_EQ(fake.Requests()[0].authorization, "");
}

TEST(OpenAiChat, StreamDeliversTokensButNotReasoning) {
  FakeOpenAi fake;
  fake.ScriptChat({.text = "Paris is the capital, \xE4\xB8\x96\xE7\x95\x8C.",
                   .reasoning = "thinking about France",
                   .piece_bytes = 3,
                   .keep_alive = true,
                   .crlf = true,
                   .multiline_data = true,
                   .other_events = true});
  auto chat = MakeOpenAiChat(fake.Config());
  std::vector<std::string> tokens;
  Result<ChatResponse> r = chat->Stream(Question(), [&](std::string_view piece) {
    tokens.emplace_back(piece);
    return true;
  });
  ASSERT_TRUE(r) << ErrorOf(r);
  std::string joined;
  for (const std::string& t : tokens) joined += t;
  EXPECT_EQ(joined, "Paris is the capital, \xE4\xB8\x96\xE7\x95\x8C.");
  EXPECT_EQ(r->text, joined);
  EXPECT_GT(tokens.size(), 5u);
  EXPECT_EQ(r->finish_reason, "stop");
  EXPECT_EQ(r->prompt_tokens, 11);
  EXPECT_EQ(r->completion_tokens, 7);
  const nlohmann::json body = fake.Requests()[0].json;
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
}

TEST(OpenAiChat, StreamSurvivesEverySplitPosition) {
  FakeOpenAi fake;
  FakeChatReply reply{.text = "h\xC3\xA9 \xF0\x9F\x99\x82!", .piece_bytes = 4, .keep_alive = true};
  const std::vector<std::string> events = FakeOpenAi::SseEvents(reply, true);
  size_t size = 0;
  for (const std::string& e : events) size += e.size();
  auto chat = MakeOpenAiChat(fake.Config());
  for (size_t cut = 1; cut < size; ++cut) {
    FakeChatReply split = reply;
    split.split_at = {cut, cut + 5};
    fake.ScriptChat(split);
    std::string got;
    Result<ChatResponse> r = chat->Stream(Question(), [&](std::string_view piece) {
      got += piece;
      return true;
    });
    ASSERT_TRUE(r) << "cut at " << cut << ": " << ErrorOf(r);
    ASSERT_EQ(got, reply.text) << "cut at " << cut;
    ASSERT_EQ(r->completion_tokens, 7) << "cut at " << cut;
  }
}

TEST(OpenAiChat, StreamAcceptsAWholeJsonAnswer) {
  // A server that ignores "stream": true answers with one JSON completion.
  askio::testing::HttpTestServer server;
  server.Route("POST", "/v1/chat/completions", [](const askio::testing::HttpRequest&) {
    return askio::testing::HttpResponse{
        200,
        {{"Content-Type", "application/json; charset=utf-8"}},
        R"({"choices":[{"message":{"content":"whole"},"finish_reason":"stop"}]})"};
  });
  ProviderConfig config;
  config.base_url = server.Url("/v1");
  config.model = "m";
  std::string got;
  Result<ChatResponse> r = MakeOpenAiChat(config)->Stream(Question(), [&](std::string_view p) {
    got += p;
    return true;
  });
  ASSERT_TRUE(r) << ErrorOf(r);
  EXPECT_EQ(got, "whole");
}

TEST(OpenAiChat, RetriesAfter429HonouringRetryAfter) {
  FakeOpenAi fake;
  fake.FailNext(FakeOpenAi::kChat, 1, 429, "1");
  auto chat = MakeOpenAiChat(fake.Config());
  Result<ChatResponse> r = chat->Complete(Question());
  ASSERT_TRUE(r) << ErrorOf(r);
  EXPECT_EQ(r->attempts, 2);
  const auto requests = fake.Requests(FakeOpenAi::kChat);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_GE(requests[1].at - requests[0].at, milliseconds(1000));
}

TEST(OpenAiChat, StreamRetriesBeforeTheFirstToken) {
  FakeOpenAi fake;
  fake.FailNext(FakeOpenAi::kChat, 2, 503, "0");
  std::string got;
  Result<ChatResponse> r = MakeOpenAiChat(fake.Config())->Stream(Question(), [&](auto p) {
    got += p;
    return true;
  });
  ASSERT_TRUE(r) << ErrorOf(r);
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(got, FakeChatReply().text);
}

TEST(OpenAiChat, GivesUpAfterMaxRetries) {
  FakeOpenAi fake;
  fake.FailNext(FakeOpenAi::kChat, 10, 500, "0");
  ProviderConfig config = fake.Config();
  config.max_retries = 3;
  Result<ChatResponse> r = MakeOpenAiChat(config)->Complete(Question());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kIOError);
  EXPECT_TRUE(Contains(r.error().message(), "gave up after 4 attempts: HTTP 500"));
  EXPECT_TRUE(Contains(r.error().message(), "the fake server failed on purpose"));
  EXPECT_EQ(fake.Count(FakeOpenAi::kChat), 4u);
}

TEST(OpenAiChat, BacksOffWithoutRetryAfter) {
  FakeOpenAi fake;
  fake.FailNext(FakeOpenAi::kChat, 10, 502);
  ProviderConfig config = fake.Config();
  config.max_retries = 1;
  Result<ChatResponse> r = MakeOpenAiChat(config)->Complete(Question());
  ASSERT_FALSE(r);
  EXPECT_TRUE(Contains(r.error().message(), "gave up after 2 attempts: HTTP 502"));
  const auto requests = fake.Requests(FakeOpenAi::kChat);
  ASSERT_EQ(requests.size(), 2u);
  // Full jitter: somewhere in [0, 0.5 s).
  EXPECT_LT(requests[1].at - requests[0].at, milliseconds(700));
}

TEST(OpenAiChat, RetryAfterBeyondTheDeadlineGivesUpAtOnce) {
  FakeOpenAi fake;
  fake.FailNext(FakeOpenAi::kChat, 1, 429, "30");
  const Clock::time_point start = Clock::now();
  Result<ChatResponse> r =
      MakeOpenAiChat(fake.Config())->Complete(Question(), {.deadline_seconds = 5});
  ASSERT_FALSE(r);
  EXPECT_TRUE(Contains(r.error().message(), "server asked to wait 30 s"));
  EXPECT_TRUE(Contains(r.error().message(), "HTTP 429"));
  EXPECT_LT(SecondsSince(start), 2.0);
}

TEST(OpenAiChat, NoRetryOnClientErrors) {
  FakeOpenAi fake;
  auto chat = MakeOpenAiChat(fake.Config());
  for (int status : {400, 401, 403, 404, 422}) {
    fake.FailNext(FakeOpenAi::kChat, 1, status);
    const size_t before = fake.Count(FakeOpenAi::kChat);
    Result<ChatResponse> r = chat->Complete(Question());
    ASSERT_FALSE(r) << status;
    EXPECT_EQ(fake.Count(FakeOpenAi::kChat), before + 1) << status;
    EXPECT_TRUE(Contains(r.error().message(), "HTTP " + std::to_string(status)));
    EXPECT_TRUE(Contains(r.error().message(), "the fake server failed on purpose"));
    EXPECT_TRUE(Contains(r.error().message(), "chat fake-model @ 127.0.0.1:"));
  }
  fake.FailNext(FakeOpenAi::kChat, 1, 404);
  Result<ChatResponse> r = chat->Complete(Question());
  EXPECT_EQ(r.error().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(r.error().message(), "not found (check base_url and model)"));
}

TEST(OpenAiChat, AuthenticationFailureSaysSoWithoutTheKey) {
  FakeOpenAi fake;
  fake.RequireApiKey("sk-the-right-one");
  ProviderConfig config = fake.Config();
  config.api_key = "sk-wrong-0123456789";
  Result<ChatResponse> r = MakeOpenAiChat(config)->Complete(Question());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.error().message(), "authentication failed (check api_key)"));
  EXPECT_TRUE(Contains(r.error().message(), "Incorrect API key provided"));  // the server's word
  EXPECT_EQ(r.error().message().find("sk-wrong-0123456789"), std::string::npos)
      << r.error().message();
  EXPECT_EQ(fake.Count(FakeOpenAi::kChat), 1u);
}

TEST(OpenAiChat, TimesOutOnAStalledServer) {
  FakeOpenAi fake;
  fake.StallNext(FakeOpenAi::kChat, 1);
  const Clock::time_point start = Clock::now();
  Result<ChatResponse> r =
      MakeOpenAiChat(fake.Config())->Complete(Question(), {.deadline_seconds = 0.3});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kIOError);
  EXPECT_TRUE(Contains(r.error().message(), "no answer within 0.3 s"));
  EXPECT_LT(SecondsSince(start), 2.0);
  EXPECT_TRUE(fake.WaitForClientCloses(1, milliseconds(2000)));
}

TEST(OpenAiChat, ConfiguredTimeoutBoundsAStream) {
  FakeOpenAi fake;
  fake.StallNext(FakeOpenAi::kChat, 1);
  ProviderConfig config = fake.Config();
  config.timeout_seconds = 0.25;
  int tokens = 0;
  Result<ChatResponse> r = MakeOpenAiChat(config)->Stream(Question(), [&](auto) {
    ++tokens;
    return true;
  });
  ASSERT_FALSE(r);
  EXPECT_TRUE(Contains(r.error().message(), "no answer within 0.25 s"));
  EXPECT_EQ(tokens, 0);
}

TEST(OpenAiChat, CancelFromOnTokenStopsTheStream) {
  FakeOpenAi fake;
  fake.ScriptChat({.text = "one two three four five six", .piece_bytes = 4, .hold_open = true});
  std::atomic<bool> cancelled{false};
  int tokens = 0;
  Result<ChatResponse> r = MakeOpenAiChat(fake.Config())
                               ->Stream(Question(),
                                        [&](std::string_view) {
                                          ++tokens;
                                          cancelled = true;
                                          return true;
                                        },
                                        {.cancelled = &cancelled});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kIOError);
  EXPECT_TRUE(Contains(r.error().message(), "cancelled"));
  EXPECT_EQ(tokens, 1);
  EXPECT_TRUE(fake.WaitForClientCloses(1, milliseconds(2000)));
}

TEST(OpenAiChat, CancelWhileWaitingStopsWithinASecond) {
  FakeOpenAi fake;
  fake.StallNext(FakeOpenAi::kChat, 1);
  std::atomic<bool> cancelled{false};
  Clock::time_point cancelled_at;
  std::thread canceller([&] {
    fake.server().WaitForRequests(1, milliseconds(5000));
    cancelled_at = Clock::now();
    cancelled = true;
  });
  Result<ChatResponse> r = MakeOpenAiChat(fake.Config())->Complete(Question(), {&cancelled});
  canceller.join();
  ASSERT_FALSE(r);
  EXPECT_TRUE(Contains(r.error().message(), "cancelled"));
  EXPECT_LT(SecondsSince(cancelled_at), 1.5);
  EXPECT_TRUE(fake.WaitForClientCloses(1, milliseconds(2000)));
}

TEST(OpenAiChat, CancelBetweenRetries) {
  FakeOpenAi fake;
  fake.FailNext(FakeOpenAi::kChat, 1, 503, "5");
  std::atomic<bool> cancelled{false};
  std::thread canceller([&] {
    fake.server().WaitForRequests(1, milliseconds(5000));
    cancelled = true;
  });
  const Clock::time_point start = Clock::now();
  Result<ChatResponse> r = MakeOpenAiChat(fake.Config())->Complete(Question(), {&cancelled});
  canceller.join();
  ASSERT_FALSE(r);
  EXPECT_TRUE(Contains(r.error().message(), "cancelled"));
  EXPECT_LT(SecondsSince(start), 2.0);
  EXPECT_EQ(fake.Count(FakeOpenAi::kChat), 1u);
}

TEST(OpenAiChat, OnTokenReturningFalseAbortsTheTransfer) {
  FakeOpenAi fake;
  fake.ScriptChat({.text = "alpha beta gamma delta", .piece_bytes = 6, .hold_open = true});
  std::string got;
  Result<ChatResponse> r = MakeOpenAiChat(fake.Config())->Stream(Question(), [&](auto p) {
    got += p;
    return false;
  });
  ASSERT_TRUE(r) << ErrorOf(r);
  EXPECT_EQ(got, "alpha ");
  EXPECT_EQ(r->text, "alpha ");
  EXPECT_EQ(r->finish_reason, "stopped");
  EXPECT_TRUE(fake.WaitForClientCloses(1, milliseconds(2000)));
}

TEST(OpenAiChat, MalformedJsonIsAnError) {
  FakeOpenAi fake;
  auto chat = MakeOpenAiChat(fake.Config());
  fake.MalformedNext(FakeOpenAi::kChat, 1);
  Result<ChatResponse> r = chat->Complete(Question());
  ASSERT_FALSE(r);
  EXPECT_TRUE(Contains(r.error().message(), "invalid JSON"));
  fake.MalformedNext(FakeOpenAi::kChat, 1);
  r = chat->Stream(Question(), [](auto) { return true; });
  ASSERT_FALSE(r);
  EXPECT_TRUE(Contains(r.error().message(), "invalid JSON in the event stream"));
}

TEST(OpenAiChat, ErrorInsideTheStreamIsAnError) {
  FakeOpenAi fake;
  fake.ScriptChat({.text = "partial", .stream_error = "model overloaded, try later"});
  std::string got;
  Result<ChatResponse> r = MakeOpenAiChat(fake.Config())->Stream(Question(), [&](auto p) {
    got += p;
    return true;
  });
  ASSERT_FALSE(r);
  EXPECT_TRUE(Contains(r.error().message(), "model overloaded, try later"));
  EXPECT_EQ(got, "partial");
}

TEST(OpenAiChat, StreamEndingBeforeDoneIsAnError) {
  FakeOpenAi fake;
  // The response ends properly, but without finish_reason or [DONE]: a
  // proxy or the server gave up mid-answer.
  FakeChatReply reply{.text = "half an ans"};
  reply.send_finish = false;
  reply.send_done = false;
  fake.ScriptChat(reply);
  std::string got;
  Result<ChatResponse> r = MakeOpenAiChat(fake.Config())->Stream(Question(), [&](auto p) {
    got += p;
    return true;
  });
  ASSERT_FALSE(r);
  EXPECT_TRUE(Contains(r.error().message(), "ended before [DONE]"));
  EXPECT_EQ(got, "half an ans");

  // finish_reason without [DONE] is a complete answer.
  reply.send_finish = true;
  fake.ScriptChat(reply);
  r = MakeOpenAiChat(fake.Config())->Stream(Question(), [](auto) { return true; });
  ASSERT_TRUE(r) << ErrorOf(r);
  EXPECT_EQ(r->text, "half an ans");
}

TEST(OpenAiChat, ConnectionRefusedIsRetriedThenReported) {
  std::string url;
  {
    askio::testing::HttpTestServer gone;
    url = gone.Url("/v1");
  }
  ProviderConfig config;
  config.base_url = url;
  config.model = "m";
  config.max_retries = 1;
  Result<ChatResponse> r = MakeOpenAiChat(config)->Complete(Question());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kIOError);
  EXPECT_TRUE(Contains(r.error().message(), "gave up after 2 attempts"));
}

TEST(OpenAiChat, BadExtraBodyIsInvalidArgument) {
  FakeOpenAi fake;
  ProviderConfig config = fake.Config();
  config.extra_body = "[1, 2]";
  Result<ChatResponse> r = MakeOpenAiChat(config)->Complete(Question());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.error().message(), "extra_body"));
  EXPECT_EQ(fake.Count(FakeOpenAi::kChat), 0u);
}

// --- Embeddings --------------------------------------------------------------

std::vector<std::string> Texts(size_t n) {
  std::vector<std::string> texts;
  for (size_t i = 0; i < n; ++i)
    texts.push_back("text number " + std::to_string(i) + " about topic " + std::to_string(i % 7));
  return texts;
}

void ExpectEmbeddings(const std::vector<std::vector<float>>& got,
                      const std::vector<std::string>& texts, size_t dim) {
  ASSERT_EQ(got.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::vector<float> want = FakeOpenAi::EmbedText(texts[i], dim);
    ASSERT_EQ(got[i].size(), dim) << i;
    for (size_t k = 0; k < dim; ++k) ASSERT_NEAR(got[i][k], want[k], 1e-6) << i << "/" << k;
  }
}

TEST(OpenAiEmbed, ReturnsNormalisedVectorsInInputOrder) {
  FakeOpenAi fake;
  fake.SetEmbeddingOptions({.dim = 32, .reverse = true});
  const std::vector<std::string> texts = {"the cat sat", "a dog ran", "\xE7\x8C\xAB\xE5\x9C\xA8"};
  Result<std::vector<std::vector<float>>> r =
      MakeOpenAiEmbedder(fake.Config("bge-m3"))->Embed(texts);
  ASSERT_TRUE(r) << ErrorOf(r);
  ExpectEmbeddings(*r, texts, 32);
  for (const auto& v : *r) {
    double norm = 0;
    for (float x : v) norm += x * x;
    EXPECT_NEAR(norm, 1.0, 1e-5);
  }
  const nlohmann::json body = fake.Requests(FakeOpenAi::kEmbeddings)[0].json;
  EXPECT_EQ(body["model"], "bge-m3");
  EXPECT_EQ(body["encoding_format"], "float");
  EXPECT_EQ(body["input"].size(), 3u);
}

TEST(OpenAiEmbed, AcceptsBase64Embeddings) {
  FakeOpenAi fake;
  fake.SetEmbeddingOptions({.dim = 16, .base64 = true});
  const std::vector<std::string> texts = {"alpha beta", "gamma"};
  Result<std::vector<std::vector<float>>> r = MakeOpenAiEmbedder(fake.Config())->Embed(texts);
  ASSERT_TRUE(r) << ErrorOf(r);
  ExpectEmbeddings(*r, texts, 16);
}

TEST(OpenAiEmbed, BatchesRunConcurrentlyAndKeepOrder) {
  FakeOpenAi fake;
  fake.SetEmbeddingOptions({.dim = 24, .reverse = true, .hold_until_concurrent = 4});
  ProviderConfig config = fake.Config();
  config.batch_size = 8;
  config.concurrency = 4;
  const std::vector<std::string> texts = Texts(100);
  Result<std::vector<std::vector<float>>> r = MakeOpenAiEmbedder(config)->Embed(texts);
  ASSERT_TRUE(r) << ErrorOf(r);
  ExpectEmbeddings(*r, texts, 24);
  const auto requests = fake.Requests(FakeOpenAi::kEmbeddings);
  ASSERT_EQ(requests.size(), 13u);
  std::vector<int> seen(texts.size(), 0);
  for (const auto& req : requests) {
    EXPECT_LE(req.json["input"].size(), 8u);
    for (const auto& t : req.json["input"]) {
      const auto it = std::find(texts.begin(), texts.end(), t.get<std::string>());
      ASSERT_NE(it, texts.end());
      ++seen[it - texts.begin()];
    }
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), 100);
  EXPECT_EQ(fake.MaxConcurrentEmbeddings(), 4u);
}

TEST(OpenAiEmbed, InconsistentDimensionsFail) {
  FakeOpenAi fake;
  fake.SetEmbeddingOptions({.dim = 8, .ragged = true});
  auto embedder = MakeOpenAiEmbedder(fake.Config());
  Result<std::vector<std::vector<float>>> r = embedder->Embed(Texts(3));
  ASSERT_FALSE(r);
  EXPECT_TRUE(Contains(r.error().message(), "inconsistent embedding dimensions in one answer"));

  fake.SetEmbeddingOptions(
      {.dim = 8, .odd_request = 2, .odd_dim = 9});  // request 0 was above; this call makes 1 and 2
  ProviderConfig config = fake.Config();
  config.batch_size = 2;
  config.concurrency = 1;
  r = MakeOpenAiEmbedder(config)->Embed(Texts(4));
  ASSERT_FALSE(r);
  EXPECT_TRUE(Contains(r.error().message(), "inconsistent embedding dimensions between batches"))
      << r.error().message();
}

TEST(OpenAiEmbed, CountMismatchFails) {
  FakeOpenAi fake;
  fake.SetEmbeddingOptions({.drop_last = true});
  Result<std::vector<std::vector<float>>> r = MakeOpenAiEmbedder(fake.Config())->Embed(Texts(3));
  ASSERT_FALSE(r);
  EXPECT_TRUE(Contains(r.error().message(), "returned 2 embeddings for 3 texts"));
  EXPECT_TRUE(Contains(r.error().message(), "embeddings fake-model @ 127.0.0.1:"));
}

TEST(OpenAiEmbed, RetriesAndEmptyInput) {
  FakeOpenAi fake;
  fake.FailNext(FakeOpenAi::kEmbeddings, 1, 429, "0");
  auto embedder = MakeOpenAiEmbedder(fake.Config());
  Result<std::vector<std::vector<float>>> r = embedder->Embed(Texts(2));
  ASSERT_TRUE(r) << ErrorOf(r);
  EXPECT_EQ(fake.Count(FakeOpenAi::kEmbeddings), 2u);
  r = embedder->Embed({});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(fake.Count(FakeOpenAi::kEmbeddings), 2u);
}

TEST(OpenAiEmbed, OneFailedBatchFailsTheCall) {
  FakeOpenAi fake;
  fake.FailNext(FakeOpenAi::kEmbeddings, 1, 400);
  ProviderConfig config = fake.Config();
  config.batch_size = 1;
  config.concurrency = 2;
  Result<std::vector<std::vector<float>>> r = MakeOpenAiEmbedder(config)->Embed(Texts(6));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.error().message(), "HTTP 400"));
}

TEST(OpenAiEmbed, SimilarTextsAreSimilar) {
  const auto a = FakeOpenAi::EmbedText("solar panels on the roof", 64);
  const auto b = FakeOpenAi::EmbedText("roof solar panels", 64);
  const auto c = FakeOpenAi::EmbedText("quarterly tax filing deadline", 64);
  auto dot = [](const auto& x, const auto& y) {
    double s = 0;
    for (size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
    return s;
  };
  EXPECT_GT(dot(a, b), dot(a, c));
  EXPECT_EQ(FakeOpenAi::EmbedText("x y", 8), FakeOpenAi::EmbedText("X, y!", 8));
}

// --- Rerank ----------------------------------------------------------------

TEST(OpenAiRerank, ScoresComeBackInDocumentOrder) {
  FakeOpenAi fake;
  const std::vector<std::string> docs = {"nothing relevant here", "solar panel roof", "solar power",
                                         "panel"};
  const std::string query = "solar panel";
  auto reranker = MakeOpenAiReranker(fake.Config("bge-reranker"));
  Result<std::vector<double>> r = reranker->Rerank(query, docs);
  ASSERT_TRUE(r) << ErrorOf(r);
  ASSERT_EQ(r->size(), docs.size());
  for (size_t i = 0; i < docs.size(); ++i)
    EXPECT_DOUBLE_EQ((*r)[i], FakeOpenAi::WordOverlap(query, docs[i])) << i;
  EXPECT_GT((*r)[1], (*r)[2]);
  const nlohmann::json body = fake.Requests(FakeOpenAi::kRerank)[0].json;
  EXPECT_EQ(body["model"], "bge-reranker");
  EXPECT_EQ(body["query"], query);
  EXPECT_EQ(body["documents"].size(), 4u);
  EXPECT_EQ(body["top_n"], 4);

  // llama.cpp's "score" key; documents left out of the answer rank last.
  fake.SetRerankOptions({.score_key = true, .max_results = 2});
  r = reranker->Rerank(query, docs);
  ASSERT_TRUE(r) << ErrorOf(r);
  EXPECT_DOUBLE_EQ((*r)[1], 1.0);
  EXPECT_EQ((*r)[0], -std::numeric_limits<double>::infinity());
  EXPECT_EQ(std::count_if(r->begin(), r->end(), [](double s) { return std::isinf(s); }), 2);

  r = reranker->Rerank(query, {});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(OpenAiRerank, MalformedAnswerIsAnError) {
  FakeOpenAi fake;
  fake.MalformedNext(FakeOpenAi::kRerank, 1);
  Result<std::vector<double>> r = MakeOpenAiReranker(fake.Config())->Rerank("q", {"d"});
  ASSERT_FALSE(r);
  EXPECT_TRUE(Contains(r.error().message(), "rerank fake-model @"));
  EXPECT_TRUE(Contains(r.error().message(), "invalid JSON"));
}

// --- Secrets ---------------------------------------------------------------

TEST(OpenAiClient, ApiKeyIsNeverInAnErrorMessage) {
  const std::string key = "sk-live-5ecret-DO-NOT-LEAK";
  FakeOpenAi fake;
  ProviderConfig config = fake.Config();
  config.api_key = key;
  config.max_retries = 1;
  auto chat = MakeOpenAiChat(config);
  auto embedder = MakeOpenAiEmbedder(config);
  auto reranker = MakeOpenAiReranker(config);
  std::vector<std::string> messages;
  auto record = [&](const auto& r) {
    ASSERT_FALSE(r);
    messages.push_back(r.error().message());
  };
  auto ignore = [](auto) { return true; };

  fake.RequireApiKey("sk-another-key");  // 401 whose message echoes the key sent
  record(chat->Complete(Question()));
  record(chat->Stream(Question(), ignore));
  record(embedder->Embed({"a"}));
  record(reranker->Rerank("q", {"d"}));
  fake.RequireApiKey("");

  fake.ScriptChat({.status = 400, .error_message = "invalid request from key " + key});
  record(chat->Complete(Question()));
  fake.ScriptChat({.status = 503, .error_message = "overloaded for " + key});
  fake.ScriptChat({.status = 503, .error_message = "overloaded for " + key});
  record(chat->Complete(Question()));
  fake.ScriptChat({.stream_error = "stream failed for " + key});
  record(chat->Stream(Question(), ignore));
  fake.MalformedNext(FakeOpenAi::kChat, 1);
  record(chat->Complete(Question()));
  fake.StallNext(FakeOpenAi::kChat, 1);
  record(chat->Complete(Question(), {.deadline_seconds = 0.2}));
  fake.SetEmbeddingOptions({.ragged = true});
  record(embedder->Embed({"a", "b"}));
  fake.SetEmbeddingOptions({.drop_last = true});
  record(embedder->Embed({"a", "b"}));

  ProviderConfig bad = config;
  bad.extra_body = "{not json " + key;
  record(MakeOpenAiChat(bad)->Complete(Question()));
  {
    askio::testing::HttpTestServer gone;
    bad = config;
    bad.base_url = "http://user:" + key + "@127.0.0.1:" + std::to_string(gone.port()) + "/v1";
  }
  bad.max_retries = 0;
  record(MakeOpenAiChat(bad)->Complete(Question()));

  ASSERT_EQ(messages.size(), 13u);
  for (const std::string& m : messages) {
    EXPECT_EQ(m.find(key), std::string::npos) << m;
    EXPECT_EQ(m.find("5ecret"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace askio::model
