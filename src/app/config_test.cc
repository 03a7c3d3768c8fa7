#include "app/config.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace orgd::app {
namespace {

// LoadConfig with a fixed environment.
Result<Config> Load(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env = {}) {
  return LoadConfig(args, [&env](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
}

TEST(ConfigTest, CpuAffinityIsOnByDefaultAndSetByFlagOrEnvironment) {
  auto defaults = Load({"serve"});
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->cpu_affinity);
  EXPECT_EQ(defaults->threads, 0);

  auto off = Load({"serve", "--cpu-affinity", "off"});
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->cpu_affinity);
  auto env_off = Load({"serve"}, {{"ORGD_CPU_AFFINITY", "false"}});
  ASSERT_TRUE(env_off);
  EXPECT_FALSE(env_off->cpu_affinity);
  // The flag wins over the environment.
  auto on = Load({"serve", "--cpu-affinity", "on"}, {{"ORGD_CPU_AFFINITY", "0"}});
  ASSERT_TRUE(on);
  EXPECT_TRUE(on->cpu_affinity);
}

TEST(ConfigTest, ImportLoadsInBulkUnlessInBatches) {
  auto defaults = Load({"import", "data.ndjson"});
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->import_bulk_load);
  EXPECT_EQ(defaults->import_file, "data.ndjson");
  auto batches = Load({"import", "data.ndjson", "--in-batches"});
  ASSERT_TRUE(batches);
  EXPECT_FALSE(batches->import_bulk_load);
  // Only import knows the flag.
  EXPECT_FALSE(Load({"serve", "--in-batches"}));
}

TEST(ConfigTest, BadCpuAffinityValuesSayWhatIsWanted) {
  auto flag = Load({"serve", "--cpu-affinity", "yes"});
  ASSERT_FALSE(flag);
  EXPECT_EQ(flag.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(flag.error().message, "--cpu-affinity wants on or off, got 'yes'");

  auto missing = Load({"serve", "--cpu-affinity"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "--cpu-affinity needs a value");

  auto env = Load({"serve"}, {{"ORGD_CPU_AFFINITY", "sometimes"}});
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error().message, "ORGD_CPU_AFFINITY wants true or false, got 'sometimes'");
}

TEST(ConfigTest, OrgSearchIndexIsOnByDefaultAndSetByFlagOrEnvironment) {
  auto defaults = Load({"serve"});
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->org_search_index);
  auto off = Load({"serve", "--org-search-index", "off"});
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->org_search_index);
  EXPECT_TRUE(off->cpu_affinity);  // the other on/off flag is left alone
  auto env_off = Load({"serve"}, {{"ORGD_ORG_SEARCH_INDEX", "false"}});
  ASSERT_TRUE(env_off);
  EXPECT_FALSE(env_off->org_search_index);
  auto on = Load({"serve", "--org-search-index", "on"}, {{"ORGD_ORG_SEARCH_INDEX", "0"}});
  ASSERT_TRUE(on);
  EXPECT_TRUE(on->org_search_index);

  auto bad = Load({"serve", "--org-search-index", "maybe"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "--org-search-index wants on or off, got 'maybe'");
  auto bad_env = Load({"serve"}, {{"ORGD_ORG_SEARCH_INDEX", "2"}});
  ASSERT_FALSE(bad_env);
  EXPECT_EQ(bad_env.error().message, "ORGD_ORG_SEARCH_INDEX wants true or false, got '2'");
}

TEST(ConfigTest, FollowChangesIsOnByDefaultAndSetByFlagOrEnvironment) {
  auto defaults = Load({"serve"});
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->follow_changes);
  auto off = Load({"serve", "--follow-changes", "off"});
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->follow_changes);
  EXPECT_TRUE(off->org_search_index);
  EXPECT_TRUE(off->cpu_affinity);
  auto env_off = Load({"serve"}, {{"ORGD_FOLLOW_CHANGES", "false"}});
  ASSERT_TRUE(env_off);
  EXPECT_FALSE(env_off->follow_changes);
  auto bad = Load({"serve", "--follow-changes", "yes"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "--follow-changes wants on or off, got 'yes'");
}

}  // namespace
}  // namespace orgd::app
