// Store contract suite for the multi-row writes (store/sql/bulk_rows.h): bulk membership and
// grant writes and the import's runs, on every backend. They must read back exactly what the
// single-row writes would have written, whatever the characters of the ids and across the
// statement boundary of kBulkRowsPerStatement rows.

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/error.h"
#include "domain/model/membership.h"
#include "store/sql/bulk_rows.h"
#include "store/sql/sql_store.h"
#include "tests/store/backends.h"

namespace orgd::store {
namespace {

using namespace orgd::domain;  // NOLINT: test file
using testing::ErrorText;
using testing::ExpectError;

constexpr int64_t kT0 = 1'767'225'600'000;
// Rows enough for two statements and a part of a third.
constexpr size_t kManyRows = 2 * sql::internal::kBulkRowsPerStatement + 5;

// Ids that an array literal or a JSON text would mangle if they were not quoted and escaped.
const std::vector<std::string> kAwkwardIds = {
    R"(quote"d)", R"(back\slash)", "com,ma", "{braces}", "sp ace", "NULL", "null", "trailing ",
    "tab\there", "üñíçødé", "[1,2]", "'single'", R"(\"both\")", "x"};

class BulkWritesContractTest : public testing::MigratedStoreTest {
 protected:
  void AddOrg(const std::string& id) {
    Organization org;
    org.id = OrgId(id);
    org.name = id;
    org.created_at = org.updated_at = kT0;
    ASSERT_OK(s().InsertOrganization(org));
  }
  void AddUser(const std::string& id) {
    User u;
    u.id = UserId(id);
    u.created_at = u.updated_at = kT0;
    ASSERT_OK(s().InsertUser(u));
  }
  // `count` users "u00000", "u00001", ..., inserted in one transaction.
  std::vector<UserId> AddUsers(size_t count) {
    std::vector<UserId> ids;
    for (size_t i = 0; i < count; ++i) {
      std::string id = std::to_string(100000 + i);
      id[0] = 'u';
      ids.emplace_back(id);
    }
    EXPECT_TRUE(s().InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
      for (const UserId& id : ids) {
        User u;
        u.id = id;
        u.created_at = u.updated_at = kT0;
        ORGD_TRY(tx.InsertUser(u));
      }
      return {};
    }));
    return ids;
  }
  void AddRole(const std::string& id, const std::string& key) {
    ASSERT_OK(s().InsertRole(Role{.id = RoleId(id), .key = key, .name = key, .created_at = kT0}));
  }
  void AddPermission(const std::string& id, const std::string& key) {
    ASSERT_OK(s().InsertPermission(
        Permission{.id = PermissionId(id), .key = key, .name = key, .created_at = kT0}));
  }
  std::set<std::string> MemberIds(const std::string& org) {
    std::set<std::string> out;
    auto ids = s().ListMemberIds(OrgId(org));
    EXPECT_TRUE(ids) << ErrorText(ids.error());
    if (ids) {
      for (const UserId& id : *ids) out.insert(id.value());
    }
    return out;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, BulkWritesContractTest,
                         ::testing::ValuesIn(testing::AvailableBackends()), testing::BackendName);

TEST_P(BulkWritesContractTest, AwkwardIdsRoundTripThroughEveryBulkWrite) {
  AddOrg("o1");
  for (const std::string& id : kAwkwardIds) AddUser(id);
  AddRole("r1", "viewer");
  AddPermission("p1", "read");
  std::vector<UserId> users(kAwkwardIds.begin(), kAwkwardIds.end());

  auto found = s().GetUsers(users);
  ASSERT_OK(found);
  std::set<std::string> found_ids;
  for (const User& u : *found) found_ids.insert(u.id.value());
  EXPECT_EQ(found_ids, std::set<std::string>(kAwkwardIds.begin(), kAwkwardIds.end()));

  auto added = s().AddMembers(OrgId("o1"), users, kT0);
  ASSERT_OK(added);
  EXPECT_EQ(*added, users);  // input order
  EXPECT_EQ(MemberIds("o1"), std::set<std::string>(kAwkwardIds.begin(), kAwkwardIds.end()));
  auto members = s().FindMembers(OrgId("o1"), {UserId(R"(quote"d)"), UserId("quote")});
  ASSERT_OK(members);
  EXPECT_EQ(*members, std::vector<UserId>{UserId(R"(quote"d)")});

  std::vector<MemberRoleGrant> roles;
  std::vector<MemberPermissionGrant> permissions;
  for (const UserId& u : users) {
    roles.push_back({u, RoleId("r1")});
    permissions.push_back({u, PermissionId("p1")});
  }
  auto granted = s().AddMemberRoleGrants(OrgId("o1"), roles, kT0);
  ASSERT_OK(granted);
  EXPECT_EQ(*granted, static_cast<int64_t>(users.size()));
  auto direct = s().AddMemberPermissionGrants(OrgId("o1"), permissions, kT0);
  ASSERT_OK(direct);
  EXPECT_EQ(*direct, static_cast<int64_t>(users.size()));
  for (const UserId& u : users) {
    auto held = s().ListMemberRoles(OrgId("o1"), u);
    ASSERT_OK(held);
    ASSERT_EQ(held->size(), 1u) << u.value();
    auto perms = s().ListMemberPermissions(OrgId("o1"), u);
    ASSERT_OK(perms);
    ASSERT_EQ(perms->size(), 1u) << u.value();
  }

  auto removed = s().RemoveMembers(OrgId("o1"), {UserId("com,ma"), UserId("NULL"), UserId("no")});
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, 2);
  EXPECT_EQ(MemberIds("o1").count("NULL"), 0u);
  EXPECT_EQ(MemberIds("o1").count("null"), 1u);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_member_roles WHERE user_id = 'NULL'"), 0);
}

TEST_P(BulkWritesContractTest, AddMembersAcrossStatementsReportsNewOnesInInputOrder) {
  AddOrg("o1");
  const std::vector<UserId> users = AddUsers(kManyRows);
  // Some members already, and a user listed twice.
  ASSERT_OK(s().AddMembers(OrgId("o1"), {users[3], users[kManyRows - 1]}, kT0));
  std::vector<UserId> request = users;
  std::reverse(request.begin(), request.end());
  request.push_back(users[10]);
  auto added = s().AddMembers(OrgId("o1"), request, kT0 + 1);
  ASSERT_OK(added);
  std::vector<UserId> expected;
  for (const UserId& u : request) {
    if (u != users[3] && u != users[kManyRows - 1] &&
        std::find(expected.begin(), expected.end(), u) == expected.end()) {
      expected.push_back(u);
    }
  }
  EXPECT_EQ(*added, expected);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_members WHERE org_id = 'o1'"),
            static_cast<int64_t>(kManyRows));
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_members WHERE created_at = $1",
                      {Int(kT0)}),
            2);

  auto members = s().FindMembers(OrgId("o1"), users);
  ASSERT_OK(members);
  EXPECT_EQ(members->size(), kManyRows);
  auto found = s().GetUsers(users);
  ASSERT_OK(found);
  EXPECT_EQ(found->size(), kManyRows);

  std::vector<MemberRoleGrant> grants;
  AddRole("r1", "viewer");
  AddRole("r2", "editor");
  for (const UserId& u : users) grants.push_back({u, RoleId("r1")});
  grants.push_back({users[0], RoleId("r2")});
  grants.push_back({users[0], RoleId("r1")});  // twice: granted once
  auto granted = s().AddMemberRoleGrants(OrgId("o1"), grants, kT0);
  ASSERT_OK(granted);
  EXPECT_EQ(*granted, static_cast<int64_t>(kManyRows) + 1);
  granted = s().AddMemberRoleGrants(OrgId("o1"), grants, kT0);
  ASSERT_OK(granted);
  EXPECT_EQ(*granted, 0);

  std::vector<UserId> leaving(users.begin(), users.begin() + kManyRows - 2);
  auto removed = s().RemoveMembers(OrgId("o1"), leaving);
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, static_cast<int64_t>(kManyRows) - 2);
  EXPECT_EQ(MemberIds("o1").size(), 2u);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_member_roles"), 2);
}

TEST_P(BulkWritesContractTest, GrantsToANonMemberFailAndGrantNothing) {
  AddOrg("o1");
  AddUser("u1");
  AddUser("u2");
  AddRole("r1", "viewer");
  AddPermission("p1", "read");
  ASSERT_OK(s().AddMembers(OrgId("o1"), {UserId("u1")}, kT0));
  ExpectError(s().AddMemberRoleGrants(
                  OrgId("o1"), {{UserId("u1"), RoleId("r1")}, {UserId("u2"), RoleId("r1")}}, kT0),
              ErrorCode::kFailedPrecondition, "", "foreign_key");
  ExpectError(s().AddMemberRoleGrants(OrgId("o1"), {{UserId("u1"), RoleId("nope")}}, kT0),
              ErrorCode::kFailedPrecondition, "", "foreign_key");
  ExpectError(s().AddMemberPermissionGrants(OrgId("o1"),
                                            {{UserId("u1"), PermissionId("p1")},
                                             {UserId("u2"), PermissionId("p1")}},
                                            kT0),
              ErrorCode::kFailedPrecondition, "", "foreign_key");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_member_roles"), 0);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_member_permissions"), 0);
  // Unknown users are not added, whatever else the list holds.
  ExpectError(s().AddMembers(OrgId("o1"), {UserId("u2"), UserId("ghost")}, kT0),
              ErrorCode::kFailedPrecondition, "", "foreign_key");
  EXPECT_EQ(MemberIds("o1"), std::set<std::string>{"u1"});
}

TEST_P(BulkWritesContractTest, EmptyListsWriteNothing) {
  AddOrg("o1");
  auto added = s().AddMembers(OrgId("o1"), {}, kT0);
  ASSERT_OK(added);
  EXPECT_TRUE(added->empty());
  auto found = s().GetUsers({});
  ASSERT_OK(found);
  EXPECT_TRUE(found->empty());
  auto removed = s().RemoveMembers(OrgId("o1"), {});
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, 0);
  auto granted = s().AddMemberRoleGrants(OrgId("o1"), {}, kT0);
  ASSERT_OK(granted);
  EXPECT_EQ(*granted, 0);
}

// The import's runs: the counts and rows of the single-row calls, one after the other.
TEST_P(BulkWritesContractTest, ImportRunsUpsertAsTheSingleRowCallsWould) {
  std::vector<Organization> orgs(3);
  for (size_t i = 0; i < orgs.size(); ++i) {
    orgs[i].id = OrgId(kAwkwardIds[i]);
    orgs[i].name = "Org " + std::to_string(i);
    orgs[i].custom_data = R"({"k":"v \"q\"","n":[1,2]})";
  }
  orgs[1].description = "with\nnewline";
  orgs[2].is_mfa_required = true;
  orgs[2].custom_css = "a { b: c }";
  std::vector<ImportOrganizationRow> rows;
  for (const Organization& o : orgs) rows.push_back({&o, std::nullopt});
  rows[1].created_at = 1234;
  auto counts = s().ImportOrganizations(rows, kT0);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->inserted, 3);
  EXPECT_EQ(counts->updated, 0);
  for (size_t i = 0; i < orgs.size(); ++i) {
    auto got = s().GetOrganization(orgs[i].id);
    ASSERT_OK(got);
    EXPECT_EQ(got->name, orgs[i].name);
    EXPECT_EQ(got->description, orgs[i].description);
    EXPECT_EQ(got->custom_data, orgs[i].custom_data);
    EXPECT_EQ(got->is_mfa_required, orgs[i].is_mfa_required);
    EXPECT_EQ(got->custom_css, orgs[i].custom_css);
    EXPECT_EQ(got->created_at, i == 1 ? 1234 : kT0);
    EXPECT_EQ(got->updated_at, kT0);
  }

  // Again: unchanged. Then one changed name and one new row: one update, one insert.
  counts = s().ImportOrganizations(rows, kT0 + 1);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->inserted, 0);
  EXPECT_EQ(counts->updated, 0);
  orgs[0].name = "Renamed";
  Organization extra;
  extra.id = OrgId("extra");
  extra.name = "Extra";
  rows.push_back({&extra, std::nullopt});
  counts = s().ImportOrganizations(rows, kT0 + 2);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->inserted, 1);
  EXPECT_EQ(counts->updated, 1);
  auto renamed = s().GetOrganization(orgs[0].id);
  ASSERT_OK(renamed);
  EXPECT_EQ(renamed->name, "Renamed");
  EXPECT_EQ(renamed->updated_at, kT0 + 2);
  EXPECT_EQ(renamed->created_at, kT0);
  auto kept = s().GetOrganization(orgs[1].id);
  ASSERT_OK(kept);
  EXPECT_EQ(kept->updated_at, kT0);
  EXPECT_EQ(kept->created_at, 1234);

  std::vector<User> users(2);
  users[0].id = UserId("ua");
  users[0].username = "Alice";
  users[0].primary_email = "Alice@Example.com";
  users[0].name = "Alice";
  users[1].id = UserId("ub");
  users[1].primary_phone = "15550001";
  users[1].custom_data = R"({"x":null})";
  std::vector<ImportUserRow> user_rows = {{&users[0], std::nullopt}, {&users[1], 99}};
  auto user_counts = s().ImportUsers(user_rows, kT0);
  ASSERT_OK(user_counts);
  EXPECT_EQ(user_counts->inserted, 2);
  auto alice = s().GetUser(UserId("ua"));
  ASSERT_OK(alice);
  EXPECT_EQ(alice->username, "Alice");
  EXPECT_EQ(alice->primary_email, "Alice@Example.com");
  EXPECT_EQ(alice->name, "Alice");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM users WHERE primary_email_lower = 'alice@example.com' "
                      "AND username_lower = 'alice' AND name_lower = 'alice'"),
            1);
  auto bob = s().GetUser(UserId("ub"));
  ASSERT_OK(bob);
  EXPECT_EQ(bob->primary_phone, "15550001");
  EXPECT_EQ(bob->custom_data, R"({"x":null})");
  EXPECT_EQ(bob->created_at, 99);
  EXPECT_FALSE(bob->username.has_value());
  users[1].name = "Bob";
  user_counts = s().ImportUsers(user_rows, kT0 + 5);
  ASSERT_OK(user_counts);
  EXPECT_EQ(user_counts->inserted, 0);
  EXPECT_EQ(user_counts->updated, 1);
  // A clash on another unique column fails the run, as the single-row call fails.
  User clash;
  clash.id = UserId("uc");
  clash.primary_email = "alice@EXAMPLE.com";
  const std::vector<ImportUserRow> clash_rows = {{&clash, std::nullopt}};
  ExpectError(s().ImportUsers(clash_rows, kT0), ErrorCode::kAlreadyExists, "user", "email");

  // Memberships and grants: new ones counted once, existing ones not.
  std::vector<ImportMembershipRow> memberships = {
      {orgs[0].id, UserId("ua")}, {orgs[1].id, UserId("ua")}, {orgs[0].id, UserId("ua")}};
  auto added = s().ImportMemberships(memberships, kT0);
  ASSERT_OK(added);
  EXPECT_EQ(*added, 2);
  AddRole("r1", "viewer");
  std::vector<ImportMemberRoleRow> grants = {{orgs[0].id, UserId("ua"), RoleId("r1")},
                                             {orgs[0].id, UserId("ua"), RoleId("r1")}};
  auto granted = s().ImportMemberRoles(grants, kT0);
  ASSERT_OK(granted);
  EXPECT_EQ(*granted, 1);
  granted = s().ImportMemberRoles(grants, kT0);
  ASSERT_OK(granted);
  EXPECT_EQ(*granted, 0);
  const std::vector<ImportMemberRoleRow> non_member = {{orgs[2].id, UserId("ua"), RoleId("r1")}};
  ExpectError(s().ImportMemberRoles(non_member, kT0), ErrorCode::kFailedPrecondition, "",
              "foreign_key");
  const std::vector<ImportMembershipRow> unknown = {{orgs[0].id, UserId("ub")},
                                                    {orgs[0].id, UserId("ghost")}};
  ExpectError(s().ImportMemberships(unknown, kT0), ErrorCode::kFailedPrecondition, "",
              "foreign_key");
}

TEST_P(BulkWritesContractTest, ImportMembershipsAcrossStatements) {
  AddOrg("o1");
  AddOrg("o2");
  const std::vector<UserId> users = AddUsers(kManyRows);
  std::vector<ImportMembershipRow> rows;
  for (const UserId& u : users) rows.push_back({OrgId("o1"), u});
  for (size_t i = 0; i < 10; ++i) rows.push_back({OrgId("o2"), users[i]});
  auto added = s().ImportMemberships(rows, kT0);
  ASSERT_OK(added);
  EXPECT_EQ(*added, static_cast<int64_t>(kManyRows) + 10);
  added = s().ImportMemberships(rows, kT0);
  ASSERT_OK(added);
  EXPECT_EQ(*added, 0);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_members"),
            static_cast<int64_t>(kManyRows) + 10);
}

}  // namespace
}  // namespace orgd::store
