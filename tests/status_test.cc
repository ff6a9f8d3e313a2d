// Status/Result, the one mapping from failures to exit codes, and the content
// hash incremental ingest relies on.
#include "askio/status.h"

#include <gtest/gtest.h>

#include <string>

#include "common/hash.h"

namespace askio {
namespace {

TEST(Status, UserErrorsAreTheCallersFault) {
  EXPECT_TRUE(Status::InvalidArgument("x").IsUserError());
  EXPECT_TRUE(Status::NotFound("x").IsUserError());
  EXPECT_TRUE(Status::AlreadyExists("x").IsUserError());
  EXPECT_TRUE(Status::Unsupported("x").IsUserError());
  EXPECT_FALSE(Status::IOError("x").IsUserError());
  EXPECT_FALSE(Status::Corruption("x").IsUserError());
  EXPECT_FALSE(Status::Internal("x").IsUserError());
  EXPECT_FALSE(Status::Ok().IsUserError());
}

TEST(Status, CarriesCodeAndMessage) {
  const Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.code(), StatusCode::kOk);
  EXPECT_EQ(ok.ToString(), "ok");
  const Status s = Status::NotFound("knowledge base 'x' does not exist");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "knowledge base 'x' does not exist");
  EXPECT_EQ(s.ToString(), "not found: knowledge base 'x' does not exist");
}

Status FailsWith(StatusCode code) { return Status(code, "boom"); }

Status PropagatesStatus(StatusCode code, bool* reached_end) {
  ASKIO_RETURN_IF_ERROR(FailsWith(code));
  *reached_end = true;
  return Status::Ok();
}

Result<int> PropagatesIntoResult(StatusCode code) {
  ASKIO_RETURN_IF_ERROR(FailsWith(code));
  return 42;
}

TEST(Status, ReturnIfErrorPropagatesIntoStatusAndResult) {
  bool reached = false;
  EXPECT_EQ(PropagatesStatus(StatusCode::kIOError, &reached).code(), StatusCode::kIOError);
  EXPECT_FALSE(reached);
  EXPECT_TRUE(PropagatesStatus(StatusCode::kOk, &reached).ok());
  EXPECT_TRUE(reached);

  const Result<int> bad = PropagatesIntoResult(StatusCode::kCorruption);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), StatusCode::kCorruption);
  EXPECT_EQ(bad.error().message(), "boom");
  const Result<int> good = PropagatesIntoResult(StatusCode::kOk);
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 42);
}

TEST(ContentHash, IsStableHexAndContentSensitive) {
  const std::string h = ContentHash("hello");
  EXPECT_EQ(h.size(), 32u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(ContentHash("hello"), h);
  EXPECT_NE(ContentHash("hello!"), h);
  EXPECT_NE(ContentHash(""), h);
  EXPECT_NE(ContentHash(std::string("a\0b", 3)), ContentHash(std::string("a\0c", 3)));
}

}  // namespace
}  // namespace askio
