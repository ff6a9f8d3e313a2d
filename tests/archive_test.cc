#include "ingest/archive.h"

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace askio::ingest {
namespace {

std::string Fixture(const std::string& name) {
  return askio::testing::ReadFile(std::string(ASKIO_TEST_DATA_DIR) + "/formats/" + name);
}

TEST(Archive, ReadsZipMembersInOrderWithNormalisedNames) {
  auto a = ReadArchive(Fixture("archive-bundle.zip"), {});
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_GE(a->members.size(), 5u);
  EXPECT_EQ(a->members[0].name, "docs/travel.md");
  EXPECT_NE(a->members[0].bytes.find("Economy class"), std::string::npos);
  const ArchiveMember* nested = FindMember(*a, "docs/schedule.tar.gz");
  ASSERT_NE(nested, nullptr);
  // The nested tar.gz is itself an archive libarchive reads (gzip filter).
  auto inner = ReadArchive(nested->bytes, {});
  ASSERT_TRUE(inner) << inner.error().message();
  ASSERT_EQ(inner->members.size(), 1u);
  EXPECT_EQ(inner->members[0].name, "nested/oncall.md");
  EXPECT_NE(inner->members[0].bytes.find("王小明"), std::string::npos);
}

TEST(Archive, FilterSkipsUnwantedMembers) {
  auto a = ReadArchive(Fixture("archive-bundle.zip"), {},
                       [](std::string_view name) { return name.ends_with(".md"); });
  ASSERT_TRUE(a);
  for (const ArchiveMember& m : a->members) EXPECT_TRUE(m.name.ends_with(".md")) << m.name;
  EXPECT_NE(FindMember(*a, "docs/travel.md"), nullptr);
  EXPECT_EQ(FindMember(*a, "docs/notes.txt"), nullptr);
}

TEST(Archive, PathsEscapingTheArchiveAreIgnoredAndReported) {
  auto a = ReadArchive(Fixture("hostile-traversal.zip"), {});
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_EQ(a->members.size(), 1u);
  EXPECT_EQ(a->members[0].name, "good/readme.md");
  ASSERT_EQ(a->skipped.size(), 2u);
  EXPECT_NE(a->skipped[0].find("escapes the archive"), std::string::npos) << a->skipped[0];
}

TEST(Archive, SymlinksAreNotFollowed) {
  auto a = ReadArchive(Fixture("hostile-symlink.tar"), {});
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_EQ(a->members.size(), 1u);
  EXPECT_EQ(a->members[0].name, "kept.md");
  ASSERT_EQ(a->skipped.size(), 1u);
  EXPECT_NE(a->skipped[0].find("links are not followed"), std::string::npos);
}

TEST(Archive, BombIsStoppedByTheBytesItProduces) {
  const std::string bomb = Fixture("hostile-bomb.zip");
  // The ratio limit trips first, long before the member's 300 MiB.
  auto a = ReadArchive(bomb, {});
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message().find("archive bomb"), std::string::npos) << a.error().message();
  // With the ratio limit out of the way, the per-member cap stops it.
  ArchiveLimits per_member;
  per_member.max_ratio = 1e9;
  per_member.max_member_bytes = 8 << 20;
  a = ReadArchive(bomb, per_member);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message().find("zeros.txt expands to more than 8 MiB"), std::string::npos)
      << a.error().message();
  // And the total cap.
  ArchiveLimits total;
  total.max_ratio = 1e9;
  total.max_total_bytes = 4 << 20;
  a = ReadArchive(bomb, total);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message().find("more than 4 MiB"), std::string::npos);
}

TEST(Archive, MemberCountIsBounded) {
  ArchiveLimits limits;
  limits.max_members = 2;
  auto a = ReadArchive(Fixture("archive-bundle.zip"), limits);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message().find("more than 2 members"), std::string::npos);
}

TEST(Archive, GarbageAndTruncationAreErrors) {
  EXPECT_FALSE(ReadArchive("this is not an archive at all", {}));
  EXPECT_FALSE(ReadArchive("", {}));
  const std::string zip = Fixture("archive-bundle.zip");
  // Cut in the middle of the first member's data.
  auto cut = ReadArchive(std::string_view(zip).substr(0, 120), {});
  EXPECT_FALSE(cut);
}

TEST(Archive, SafeMemberNames) {
  EXPECT_EQ(SafeMemberName("a/./b//c.md"), "a/b/c.md");
  EXPECT_EQ(SafeMemberName("dir\\file.md"), "dir/file.md");
  EXPECT_EQ(SafeMemberName("../x"), "");
  EXPECT_EQ(SafeMemberName("a/../../x"), "");
  EXPECT_EQ(SafeMemberName("/etc/passwd"), "");
  EXPECT_EQ(SafeMemberName("C:\\Windows\\x"), "");
  EXPECT_EQ(SafeMemberName("./"), "");
}

TEST(Archive, ListsNamesWithoutReadingData) {
  auto names = ListArchive(Fixture("epub-gardening.epub"));
  ASSERT_TRUE(names);
  ASSERT_FALSE(names->empty());
  EXPECT_EQ(names->front(), "mimetype");
}

}  // namespace
}  // namespace askio::ingest
