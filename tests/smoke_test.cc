#include <gtest/gtest.h>

#include "askio/status.h"

TEST(Smoke, StatusMapsUserErrors) {
  EXPECT_TRUE(askio::Status::NotFound("x").IsUserError());
  EXPECT_FALSE(askio::Status::IOError("x").IsUserError());
}
