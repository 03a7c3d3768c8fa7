// Bulk import (docs/import.md): the service over the SQL store on every backend, and
// POST /api/orgd/import over HTTP.
#include <algorithm>
#include <memory>
#include <utility>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/import_ndjson.h"
#include "common/clock.h"
#include "common/id_generator.h"
#include "domain/import_service.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "tests/store/backends.h"
#include "tests/support/test_server.h"

namespace orgd {
namespace {

using domain::ImportOptions;
using domain::ImportSummary;

std::string Text(const Error& e) { return e.message + " (" + e.detail + ")"; }

// Scopes, roles, two organizations, three users, memberships and grants: every record type.
const std::string kFile =
    R"({"type":"organizationScope","name":"read:docs","description":"Read docs"})" "\n"
    R"({"type":"organizationScope","id":"scopewrite01","name":"write:docs"})" "\n"
    R"({"type":"organizationRole","name":"editor","organizationScopeNames":["read:docs","write:docs"]})" "\n"
    R"({"type":"organizationRole","id":"roleviewer01","name":"viewer","description":"Reads","organizationScopeNames":["read:docs"]})" "\n"
    R"({"type":"organization","id":"orgacme00001","name":"Acme","description":"Rockets","customData":{"tier":"gold"}})" "\n"
    R"({"type":"organization","id":"orgglobex001","name":"Globex","createdAt":1700000000000})" "\n"
    "\n"
    R"({"type":"user","id":"useralice001","username":"alice","primaryEmail":"Alice@Example.com","name":"Alice A"})" "\n"
    R"({"type":"user","id":"userbob00001","username":"bob","customData":{"k":1}})" "\n"
    R"({"type":"user","id":"usercarol001","primaryPhone":"15550001"})" "\n"
    R"({"type":"membership","organizationId":"orgacme00001","userId":"useralice001"})" "\n"
    R"({"type":"membership","organizationId":"orgacme00001","userId":"userbob00001"})" "\n"
    R"({"type":"memberRoles","organizationId":"orgacme00001","userId":"useralice001","organizationRoleNames":["editor","viewer"]})" "\n"
    R"({"type":"memberRoles","organizationId":"orgglobex001","userId":"usercarol001","organizationRoleNames":["viewer"]})" "\n";
constexpr int64_t kFileLines = 14;

class ImportServiceTest : public store::testing::MigratedStoreTest {
 protected:
  void SetUp() override {
    MigratedStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    imports_ = std::make_unique<domain::ImportService>(*store_, clock_, ids_, api::ParseImportLine);
  }
  void TearDown() override {
    imports_.reset();
    MigratedStoreTest::TearDown();
  }

  // In the "bulk" variant every import asks for a bulk load (ImportOptions::bulk_load): the
  // suite's tests then hold for both ways in.
  Result<ImportSummary> Import(const std::string& content, ImportOptions options = {}) {
    options.bulk_load = variant() == "bulk";
    return imports_->Import(content, api::ImportFileId(content), options);
  }
  // Whether an import into this empty database loads in one transaction.
  bool LoadsInBulk() const { return variant() == "bulk"; }

  // Every row an import writes, as text, table by table, in key order.
  std::vector<std::string> Rows(store::Database& database) {
    static constexpr std::string_view kDumps[] = {
        "SELECT id || '|' || name || '|' || name_sort || '|' || COALESCE(description, '-') || '|' "
        "|| custom_data || '|' || created_at || '|' || updated_at FROM organizations ORDER BY id",
        "SELECT id || '|' || COALESCE(username, '-') || '|' || COALESCE(primary_email, '-') || "
        "'|' || COALESCE(primary_phone, '-') || '|' || COALESCE(name, '-') || '|' || custom_data "
        "|| '|' || created_at || '|' || updated_at FROM users ORDER BY id",
        "SELECT org_id || '|' || user_id || '|' || created_at FROM organization_members "
        "ORDER BY org_id, user_id",
        "SELECT org_id || '|' || user_id || '|' || role_id FROM organization_member_roles "
        "ORDER BY org_id, user_id, role_id",
        "SELECT key || '|' || id FROM permissions ORDER BY key",
        "SELECT key || '|' || id FROM roles ORDER BY key",
        "SELECT name || '|' || n FROM row_counts ORDER BY name",
        "SELECT org_id || '|' || n FROM organization_member_counts ORDER BY org_id",
        "SELECT org_id FROM changes ORDER BY org_id",
    };
    std::vector<std::string> out;
    auto lease = database.Acquire();
    EXPECT_TRUE(lease);
    if (!lease) return out;
    for (std::string_view sql : kDumps) {
      out.push_back("-- " + std::string(sql.substr(sql.rfind("FROM "))));
      auto r = (*lease)->Query(sql, {}, [&](const store::Row& row) { out.push_back(row.GetString(0)); });
      EXPECT_TRUE(r) << Text(r.error());
    }
    return out;
  }
  // The schema's names and statements, to see that a bulk load restores every index, trigger
  // and (PostgreSQL) foreign key, validated and enabled as before.
  std::vector<std::string> Schema() {
    std::vector<std::string> out;
    auto lease = db().Acquire();
    EXPECT_TRUE(lease);
    const std::string_view sql =
        backend() == "postgres"
            ? "SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes "
              "WHERE schemaname = current_schema() "
              "UNION ALL SELECT 'constraint ' || c.conname || ': ' || pg_get_constraintdef(c.oid) "
              "|| CASE WHEN c.convalidated THEN '' ELSE ' NOT VALID' END FROM pg_constraint c "
              "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema() "
              "UNION ALL SELECT 'trigger ' || t.tgname || ': ' || CAST(t.tgenabled AS TEXT) "
              "FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid "
              "JOIN pg_namespace n ON n.oid = r.relnamespace "
              "WHERE n.nspname = current_schema() AND NOT t.tgisinternal ORDER BY 1"
            : "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master "
              "ORDER BY name";
    auto r = (*lease)->Query(sql, {}, [&](const store::Row& row) { out.push_back(row.GetString(0)); });
    EXPECT_TRUE(r) << Text(r.error());
    return out;
  }

  // Every row count an import touches, and the sum of the updated_at columns.
  std::vector<int64_t> Snapshot() {
    return {CountRows("SELECT COUNT(*) FROM organizations"),
            CountRows("SELECT COUNT(*) FROM users"),
            CountRows("SELECT COUNT(*) FROM permissions"),
            CountRows("SELECT COUNT(*) FROM roles"),
            CountRows("SELECT COUNT(*) FROM role_permissions"),
            CountRows("SELECT COUNT(*) FROM organization_members"),
            CountRows("SELECT COUNT(*) FROM organization_member_roles"),
            CountRows("SELECT COALESCE(SUM(updated_at), 0) FROM organizations"),
            CountRows("SELECT COALESCE(SUM(updated_at), 0) FROM users")};
  }

  FakeClock clock_;
  SequentialIdGenerator ids_;
  std::unique_ptr<domain::ImportService> imports_;
};

TEST_P(ImportServiceTest, ImportsEveryRecordType) {
  auto summary = Import(kFile);
  ASSERT_TRUE(summary) << Text(summary.error());
  EXPECT_EQ(summary->lines_done, kFileLines);
  EXPECT_EQ(summary->first_line, 1);
  EXPECT_FALSE(summary->already_complete);
  const domain::ImportCounts& c = summary->counts;
  EXPECT_EQ(c.organization_scopes.inserted, 2);
  EXPECT_EQ(c.organization_roles.inserted, 2);
  EXPECT_EQ(c.organizations.inserted, 2);
  EXPECT_EQ(c.users.inserted, 3);
  EXPECT_EQ(c.memberships.inserted, 3);    // two lines, and carol's implied by her grant
  EXPECT_EQ(c.memberships.unchanged, 1);   // alice's grant line names an existing membership
  EXPECT_EQ(c.member_roles.inserted, 3);

  auto acme = store_->GetOrganization(OrgId("orgacme00001"));
  ASSERT_TRUE(acme) << Text(acme.error());
  EXPECT_EQ(acme->name, "Acme");
  EXPECT_EQ(acme->description, "Rockets");
  EXPECT_EQ(acme->custom_data, R"({"tier":"gold"})");
  EXPECT_EQ(acme->created_at, clock_.NowMillis());
  auto globex = store_->GetOrganization(OrgId("orgglobex001"));
  ASSERT_TRUE(globex);
  EXPECT_EQ(globex->created_at, 1700000000000);
  auto alice = store_->GetUser(UserId("useralice001"));
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->primary_email, "Alice@Example.com");
  EXPECT_EQ(alice->name, "Alice A");

  auto roles = store_->ListMemberRoles(OrgId("orgacme00001"), UserId("useralice001"));
  ASSERT_TRUE(roles);
  ASSERT_EQ(roles->size(), 2u);
  auto viewer = store_->GetRolesByKey({"viewer"});
  ASSERT_TRUE(viewer);
  ASSERT_EQ(viewer->size(), 1u);
  EXPECT_EQ(viewer->front().id.value(), "roleviewer01");
  auto write = store_->GetPermissionsByKey({"write:docs"});
  ASSERT_TRUE(write);
  ASSERT_EQ(write->size(), 1u);
  EXPECT_EQ(write->front().id.value(), "scopewrite01");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM role_permissions"), 3);
  auto effective = store_->ListEffectivePermissions(OrgId("orgacme00001"), UserId("useralice001"));
  ASSERT_TRUE(effective);
  EXPECT_EQ(effective->size(), 2u);
}

TEST_P(ImportServiceTest, ACompletedFileIsNotImportedAgain) {
  ASSERT_TRUE(Import(kFile));
  const auto before = Snapshot();
  clock_.Advance(60'000);
  auto again = Import(kFile);
  ASSERT_TRUE(again) << Text(again.error());
  EXPECT_TRUE(again->already_complete);
  EXPECT_EQ(again->lines_this_run, 0);
  EXPECT_EQ(again->batches, 0);
  EXPECT_EQ(Snapshot(), before);
}

TEST_P(ImportServiceTest, ReapplyingTheSameFileChangesNothing) {
  ASSERT_TRUE(Import(kFile));
  const auto before = Snapshot();
  clock_.Advance(60'000);
  auto again = Import(kFile, ImportOptions{.from_start = true});
  ASSERT_TRUE(again) << Text(again.error());
  EXPECT_FALSE(again->already_complete);
  EXPECT_EQ(again->lines_this_run, kFileLines);
  const domain::ImportCounts& c = again->counts;
  for (const domain::ImportTally* t : {&c.organizations, &c.users, &c.organization_scopes,
                                       &c.organization_roles, &c.memberships, &c.member_roles}) {
    EXPECT_EQ(t->inserted, 0);
    EXPECT_EQ(t->updated, 0);
  }
  EXPECT_EQ(c.organizations.unchanged, 2);
  EXPECT_EQ(c.users.unchanged, 3);
  EXPECT_EQ(c.member_roles.unchanged, 3);
  EXPECT_EQ(Snapshot(), before);
}

TEST_P(ImportServiceTest, AChangedLineUpdatesItsRowOnly) {
  ASSERT_TRUE(Import(kFile));
  clock_.Advance(60'000);
  const std::string changed =
      R"({"type":"organization","id":"orgacme00001","name":"Acme Corp","description":"Rockets","customData":{"tier":"gold"}})" "\n"
      R"({"type":"organization","id":"orgglobex001","name":"Globex","createdAt":1700000000000})" "\n"
      R"({"type":"user","id":"userbob00001","username":"bobby","customData":{"k":1}})" "\n";
  auto summary = Import(changed);
  ASSERT_TRUE(summary) << Text(summary.error());
  EXPECT_EQ(summary->counts.organizations.updated, 1);
  EXPECT_EQ(summary->counts.organizations.unchanged, 1);
  EXPECT_EQ(summary->counts.users.updated, 1);
  auto acme = store_->GetOrganization(OrgId("orgacme00001"));
  ASSERT_TRUE(acme);
  EXPECT_EQ(acme->name, "Acme Corp");
  EXPECT_EQ(acme->updated_at, clock_.NowMillis());
  auto globex = store_->GetOrganization(OrgId("orgglobex001"));
  ASSERT_TRUE(globex);
  EXPECT_EQ(globex->updated_at, clock_.NowMillis() - 60'000);
  auto bob = store_->GetUser(UserId("userbob00001"));
  ASSERT_TRUE(bob);
  EXPECT_EQ(bob->username, "bobby");
}

TEST_P(ImportServiceTest, ABadLineStopsWithItsNumberAndKeepsEarlierBatches) {
  // Batches of 2: lines 1-2 and 3-4 commit; line 6 (unknown user) fails batch 5-6.
  const std::string file =
      R"({"type":"organization","id":"org000000001","name":"One"})" "\n"
      R"({"type":"organization","id":"org000000002","name":"Two"})" "\n"
      R"({"type":"user","id":"user00000001"})" "\n"
      R"({"type":"membership","organizationId":"org000000001","userId":"user00000001"})" "\n"
      R"({"type":"membership","organizationId":"org000000002","userId":"user00000001"})" "\n"
      R"({"type":"membership","organizationId":"org000000002","userId":"user00000002"})" "\n"
      R"({"type":"organization","id":"org000000003","name":"Three"})" "\n";
  auto failed = Import(file, ImportOptions{.batch_lines = 2});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(failed.error().reason, "foreign_key");
  EXPECT_EQ(failed.error().fields.at("line"), "6");
  EXPECT_EQ(failed.error().message.rfind("line 6: ", 0), 0u) << failed.error().message;
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organizations"), 2);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_members"), 1);  // line 5 rolled back
  auto progress = store_->GetImportProgress(api::ImportFileId(file));
  ASSERT_TRUE(progress);
  ASSERT_TRUE(progress->has_value());
  EXPECT_EQ((*progress)->lines_done, 4);
  EXPECT_FALSE((*progress)->completed_at.has_value());

  // The same file once the missing user exists: it resumes at line 5, with no duplicates.
  domain::User user;
  user.id = UserId("user00000002");
  ASSERT_TRUE(store_->InsertUser(user));
  auto resumed = Import(file, ImportOptions{.batch_lines = 2});
  ASSERT_TRUE(resumed) << Text(resumed.error());
  EXPECT_EQ(resumed->first_line, 5);
  EXPECT_EQ(resumed->lines_this_run, 3);
  EXPECT_EQ(resumed->lines_done, 7);
  EXPECT_EQ(resumed->counts.memberships.inserted, 2);
  EXPECT_EQ(resumed->counts.organizations.inserted, 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organizations"), 3);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_members"), 3);
}

TEST_P(ImportServiceTest, AFixedFileStartsOverWithoutDuplicates) {
  const std::string bad =
      R"({"type":"organization","id":"org000000001","name":"One"})" "\n"
      R"({"type":"user","id":"user00000001"})" "\n"
      R"({"type":"membership","organizationId":"org000000001","userId":"user00000001"})" "\n"
      R"({"type":"organization","id":"org000000002","name":""})" "\n";
  auto failed = Import(bad, ImportOptions{.batch_lines = 3});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(failed.error().fields.at("line"), "4");
  EXPECT_EQ(failed.error().fields.count("name"), 1u);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_members"), 1);

  std::string fixed = bad;
  fixed.replace(fixed.find(R"("name":"")"), 9, R"("name":"Two")");
  auto done = Import(fixed, ImportOptions{.batch_lines = 3});
  ASSERT_TRUE(done) << Text(done.error());
  EXPECT_EQ(done->first_line, 1);
  EXPECT_EQ(done->counts.organizations.inserted, 1);
  EXPECT_EQ(done->counts.organizations.unchanged, 1);
  EXPECT_EQ(done->counts.memberships.unchanged, 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organizations"), 2);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_members"), 1);
}

TEST_P(ImportServiceTest, ParseErrorsNameTheLineAndCommitNothingOfTheirBatch) {
  const std::string file =
      R"({"type":"organization","id":"org000000001","name":"One"})" "\n"
      "{not json\n";
  auto failed = Import(file);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(failed.error().fields.at("line"), "2");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organizations"), 0);
}

TEST_P(ImportServiceTest, FieldRulesAreChecked) {
  struct Case {
    std::string line;
    std::string field;
  };
  const std::vector<Case> cases = {
      {R"({"type":"user","id":"u1","primaryEmail":"not-an-email"})", "primaryEmail"},
      {R"({"type":"user","id":"u1","username":"9lives"})", "username"},
      {R"({"type":"user","id":"u1","primaryPhone":"+1 555"})", "primaryPhone"},
      {R"({"type":"user","id":"bad id"})", "id"},
      {R"({"type":"organization","id":"o1","name":")" + std::string(129, 'x') + R"("})", "name"},
      {R"({"type":"organization","id":"o1","name":"x","nmae":"typo"})", "nmae"},
      {R"({"type":"organization","name":"no id"})", "id"},
      {R"({"type":"organizationRole","name":"r","roleType":"Robot"})", "roleType"},
      {R"({"type":"membership","organizationId":"o1"})", "userId"},
      {R"({"type":"team","id":"t1"})", "type"},
  };
  for (const Case& c : cases) {
    auto failed = Import(c.line + "\n");
    ASSERT_FALSE(failed) << c.line;
    EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument) << c.line;
    EXPECT_EQ(failed.error().fields.at("line"), "1") << c.line;
    EXPECT_EQ(failed.error().fields.count(c.field), 1u) << c.line << ": " << failed.error().message;
  }
}

TEST_P(ImportServiceTest, UnknownNamesAndClashesNameTheLine) {
  ASSERT_TRUE(Import(kFile));
  auto unknown_role = Import(
      R"({"type":"memberRoles","organizationId":"orgacme00001","userId":"userbob00001","organizationRoleNames":["owner"]})"
      "\n");
  ASSERT_FALSE(unknown_role);
  EXPECT_EQ(unknown_role.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(unknown_role.error().subject, "organization_role");

  auto clash = Import(R"({"type":"user","id":"usernew00001","primaryEmail":"alice@example.COM"})"
                      "\n");
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(clash.error().subject, "user");
  EXPECT_EQ(clash.error().reason, "email");
  EXPECT_EQ(clash.error().fields.at("line"), "1");

  auto other_id = Import(R"({"type":"organizationRole","id":"someotherid1","name":"viewer"})" "\n");
  ASSERT_FALSE(other_id);
  EXPECT_EQ(other_id.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(other_id.error().reason, "id");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM users"), 3);
}

// Lines are written in runs of one kind (organizations, users, memberships and grants); what
// the runs write and count is what line after line would.
TEST_P(ImportServiceTest, RunsCountAndApplyLinesInFileOrder) {
  const std::string file =
      R"({"type":"organizationRole","name":"viewer"})" "\n"
      R"({"type":"organization","id":"org000000001","name":"One"})" "\n"
      R"({"type":"organization","id":"org000000002","name":"Two"})" "\n"
      R"({"type":"organization","id":"org000000001","name":"One again"})" "\n"  // same id
      R"({"type":"user","id":"user00000001","primaryEmail":"a@example.com"})" "\n"
      R"({"type":"user","id":"user00000002"})" "\n"
      R"({"type":"membership","organizationId":"org000000001","userId":"user00000001"})" "\n"
      R"({"type":"memberRoles","organizationId":"org000000001","userId":"user00000002","organizationRoleNames":["viewer"]})" "\n"
      R"({"type":"membership","organizationId":"org000000001","userId":"user00000002"})" "\n"
      R"({"type":"memberRoles","organizationId":"org000000001","userId":"user00000002","organizationRoleNames":["viewer"]})" "\n"
      R"({"type":"user","id":"user00000001","primaryEmail":"b@example.com"})" "\n"
      R"({"type":"membership","organizationId":"org000000002","userId":"user00000001"})" "\n";
  auto summary = Import(file);
  ASSERT_TRUE(summary) << Text(summary.error());
  const domain::ImportCounts& c = summary->counts;
  EXPECT_EQ(c.organizations.inserted, 2);
  EXPECT_EQ(c.organizations.updated, 1);
  EXPECT_EQ(c.users.inserted, 2);
  EXPECT_EQ(c.users.updated, 1);
  EXPECT_EQ(c.memberships.inserted, 3);
  EXPECT_EQ(c.memberships.unchanged, 2);
  EXPECT_EQ(c.member_roles.inserted, 1);
  EXPECT_EQ(c.member_roles.unchanged, 1);
  auto one = store_->GetOrganization(OrgId("org000000001"));
  ASSERT_TRUE(one);
  EXPECT_EQ(one->name, "One again");
  auto user = store_->GetUser(UserId("user00000001"));
  ASSERT_TRUE(user);
  EXPECT_EQ(user->primary_email, "b@example.com");

  // Again from the start: every line finds its row.
  clock_.Advance(1000);
  const auto before = Snapshot();
  auto again = Import(file, ImportOptions{.from_start = true});
  ASSERT_TRUE(again) << Text(again.error());
  // Lines 2 and 4 name one organization with two names, and lines 5 and 11 one user with two
  // emails: each pair updates the row twice, as line after line would.
  EXPECT_EQ(again->counts.organizations.updated, 2);
  EXPECT_EQ(again->counts.organizations.unchanged, 1);
  EXPECT_EQ(again->counts.users.updated, 2);
  EXPECT_EQ(again->counts.users.unchanged, 1);
  EXPECT_EQ(again->counts.memberships.inserted, 0);
  EXPECT_EQ(again->counts.memberships.unchanged, 5);
  EXPECT_EQ(again->counts.member_roles.unchanged, 2);
  EXPECT_EQ(Snapshot()[5], before[5]);
  EXPECT_EQ(Snapshot()[6], before[6]);
}

// A line that fails inside a run is named exactly, with the error it gets on its own, and
// nothing of its batch stays.
TEST_P(ImportServiceTest, AFailureInsideARunNamesItsLine) {
  std::string base =
      R"({"type":"organizationRole","name":"viewer"})" "\n"
      R"({"type":"organizationRole","name":"robot","roleType":"MachineToMachine"})" "\n"
      R"({"type":"organization","id":"org000000001","name":"One"})" "\n";
  for (int i = 0; i < 20; ++i) {
    base += R"({"type":"user","id":"user000000)" + std::to_string(10 + i) + R"("})" "\n";
  }
  ASSERT_TRUE(Import(base));
  struct Case {
    std::vector<std::string> lines;  // the failing one is marked by "!" in front
    ErrorCode code;
    std::string subject;
    std::string reason;
  };
  auto member = [](int user) {
    return R"({"type":"membership","organizationId":"org000000001","userId":"user000000)" +
           std::to_string(user) + R"("})";
  };
  auto grant = [](int user, const std::string& role) {
    return R"({"type":"memberRoles","organizationId":"org000000001","userId":"user000000)" +
           std::to_string(user) + R"(","organizationRoleNames":[")" + role + R"("]})";
  };
  const std::vector<Case> cases = {
      // An unknown user in the middle of a run of memberships.
      {{member(10), member(11), member(12), "!" + member(99), member(13)},
       ErrorCode::kFailedPrecondition, "membership", "foreign_key"},
      // An unknown user before an unknown role name: the user's line comes first.
      {{member(10), "!" + member(98), grant(11, "owner")},
       ErrorCode::kFailedPrecondition, "membership", "foreign_key"},
      {{member(10), grant(11, "viewer"), "!" + grant(12, "owner"), member(13)},
       ErrorCode::kNotFound, "organization_role", ""},
      {{grant(11, "viewer"), "!" + grant(12, "robot")},
       ErrorCode::kFailedPrecondition, "", "constraint"},
      // Two new users with one email in a run of users.
      {{R"({"type":"user","id":"usernew00001","primaryEmail":"x@example.com"})",
        R"({"type":"user","id":"usernew00002"})",
        "!" R"({"type":"user","id":"usernew00003","primaryEmail":"X@example.com"})"},
       ErrorCode::kAlreadyExists, "user", "email"},
  };
  for (const Case& c : cases) {
    std::string file;
    int failing = 0;
    for (size_t i = 0; i < c.lines.size(); ++i) {
      std::string line = c.lines[i];
      if (line[0] == '!') {
        failing = static_cast<int>(i) + 1;
        line.erase(0, 1);
      }
      file += line + "\n";
    }
    const auto before = Snapshot();
    auto failed = Import(file);
    ASSERT_FALSE(failed) << file;
    EXPECT_EQ(failed.error().code, c.code) << file << Text(failed.error());
    EXPECT_EQ(failed.error().fields.at("line"), std::to_string(failing)) << file;
    EXPECT_EQ(failed.error().message.rfind("line " + std::to_string(failing) + ": ", 0), 0u)
        << failed.error().message;
    if (!c.subject.empty()) {
      EXPECT_EQ(failed.error().subject, c.subject) << file;
    }
    if (!c.reason.empty()) {
      EXPECT_EQ(failed.error().reason, c.reason) << file;
    }
    EXPECT_EQ(Snapshot(), before) << file;
  }
  // The message of a missing membership reference is the line-by-line one.
  auto failed = Import(member(10) + "\n" + member(97) + "\n");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message,
            "line 2: organization 'org000000001' or user 'user00000097' does not exist");
}

// Runs longer than one statement (kBulkRowsPerStatement rows) in batches that split them.
TEST_P(ImportServiceTest, LongRunsCommitWhole) {
  std::string file = R"({"type":"organization","id":"org000000001","name":"One"})" "\n";
  constexpr int kUsers = 4200;
  for (int i = 0; i < kUsers; ++i) {
    file += R"({"type":"user","id":"u)" + std::to_string(100000 + i) + R"("})" "\n";
  }
  for (int i = 0; i < kUsers; ++i) {
    file += R"({"type":"membership","organizationId":"org000000001","userId":"u)" +
            std::to_string(100000 + i) + R"("})" "\n";
  }
  auto summary = Import(file, ImportOptions{.batch_lines = 5000});
  ASSERT_TRUE(summary) << Text(summary.error());
  EXPECT_EQ(summary->batches, LoadsInBulk() ? 1 : 2);
  EXPECT_EQ(summary->bulk, LoadsInBulk());
  EXPECT_EQ(summary->counts.users.inserted, kUsers);
  EXPECT_EQ(summary->counts.memberships.inserted, kUsers);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_members"), kUsers);
}

TEST_P(ImportServiceTest, AnEmptyFileCompletes) {
  auto summary = Import("");
  ASSERT_TRUE(summary) << Text(summary.error());
  EXPECT_EQ(summary->lines_done, 0);
  EXPECT_EQ(summary->batches, 1);
  auto again = Import("");
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->already_complete);
}

// The command line's import ends by readying the tables for traffic: on PostgreSQL a VACUUM
// (ANALYZE) after the last commit, reported as its own stage; nothing on SQLite, and nothing
// when the run committed no line.
TEST_P(ImportServiceTest, FinishingForTrafficVacuumsAndAnalyzesOnPostgres) {
  ImportOptions options;
  options.bulk_load = variant() == "bulk";
  options.finish_for_traffic = true;
  std::vector<domain::ImportStage> stages;
  int64_t lines_when_finishing = -1;
  auto progress = [&](const ImportSummary& s) {
    stages.push_back(s.stage);
    if (s.stage == domain::ImportStage::kFinishing) lines_when_finishing = s.lines_done;
  };
  auto summary = imports_->Import(kFile, api::ImportFileId(kFile), options, progress);
  ASSERT_TRUE(summary) << Text(summary.error());
  EXPECT_EQ(summary->lines_done, kFileLines);
  const auto finishing = std::count(stages.begin(), stages.end(), domain::ImportStage::kFinishing);
  if (backend() == "postgres") {
    EXPECT_EQ(finishing, 1);
    EXPECT_EQ(stages.back(), domain::ImportStage::kFinishing);
    EXPECT_EQ(lines_when_finishing, kFileLines);
    for (const char* table : {"organizations", "users", "organization_members",
                              "organization_member_roles", "roles", "permissions", "changes"}) {
      EXPECT_EQ(CountRows("SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname = '" +
                          std::string(table) +
                          "' AND schemaname = current_schema() AND last_vacuum IS NOT NULL "
                          "AND last_analyze IS NOT NULL"),
                1)
          << table;
    }
  } else {
    EXPECT_EQ(finishing, 0);
  }
  stages.clear();
  auto again = imports_->Import(kFile, api::ImportFileId(kFile), options, progress);
  ASSERT_TRUE(again) << Text(again.error());
  EXPECT_TRUE(again->already_complete);
  EXPECT_TRUE(stages.empty());
}

// The finishing step runs after the last commit: when it fails, the import has still succeeded
// (every line is in, a re-run has nothing to do) and the failure is noted, not returned.
TEST_P(ImportServiceTest, AFailedFinishingStepLeavesTheImportSucceeded) {
  if (backend() != "postgres") GTEST_SKIP() << "only PostgreSQL has a finishing step";
  std::unique_ptr<store::Database> other = store::testing::OpenSecondHandle(backend(), *database_);
  ASSERT_NE(other, nullptr);
  auto exec = [&](std::string_view sql) {
    auto lease = other->Acquire();
    ASSERT_TRUE(lease) << Text(lease.error());
    auto done = (*lease)->ExecScript(sql);
    ASSERT_TRUE(done) << Text(done.error());
  };
  ImportOptions options;
  options.bulk_load = variant() == "bulk";
  options.finish_for_traffic = true;
  // One of the tables the VACUUM names is gone when it starts.
  auto progress = [&](const ImportSummary& s) {
    if (s.stage == domain::ImportStage::kFinishing) {
      exec("ALTER TABLE import_progress RENAME TO import_progress_aside");
    }
  };
  auto summary = imports_->Import(kFile, api::ImportFileId(kFile), options, progress);
  ASSERT_TRUE(summary) << Text(summary.error());
  EXPECT_EQ(summary->lines_done, kFileLines);
  EXPECT_EQ(summary->lines_this_run, kFileLines);
  ASSERT_TRUE(summary->finish_failed.has_value());
  EXPECT_NE(summary->finish_failed->detail.find("relation \"import_progress\" does not exist"),
            std::string::npos)
      << Text(*summary->finish_failed);
  exec("ALTER TABLE import_progress_aside RENAME TO import_progress");
  // Alice and Bob in Acme, Carol in Globex through her grant.
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_members"), 3);

  auto again = imports_->Import(kFile, api::ImportFileId(kFile), options, progress);
  ASSERT_TRUE(again) << Text(again.error());
  EXPECT_TRUE(again->already_complete);
  EXPECT_FALSE(again->finish_failed.has_value());
}

// Into an empty database, a bulk load writes what batches write, rows, counts and change feed
// alike, and leaves the schema as it found it: each index and trigger it set aside is back.
TEST_P(ImportServiceTest, ABulkLoadEndsAsBatchesEnd) {
  const std::vector<std::string> schema = Schema();
  // Lines that batches apply one after the other: a changed organization line, a repeated
  // membership, grant lines naming existing memberships and repeating a role.
  std::string file =
      kFile +
      R"({"type":"organization","id":"orgacme00001","name":"Acme Two","description":"Rockets"})" "\n"
      R"({"type":"membership","organizationId":"orgacme00001","userId":"useralice001"})" "\n"
      R"({"type":"memberRoles","organizationId":"orgacme00001","userId":"userbob00001","organizationRoleNames":["viewer","viewer"]})" "\n"
      R"({"type":"user","id":"userdave0001","username":"dave","primaryEmail":"dave@example.com"})" "\n"
      R"({"type":"memberRoles","organizationId":"orgglobex001","userId":"userdave0001","organizationRoleNames":["editor"]})" "\n";
  // An id longer than the bulk load keeps inline in its id set.
  file += R"({"type":"user","id":"user-with-a-rather-long-identifier-0001"})" "\n"
          R"({"type":"membership","organizationId":"orgacme00001","userId":"user-with-a-rather-long-identifier-0001"})" "\n";
  // And 300 members with a role each: memberships and grants in statements of many rows.
  std::string many = file;
  for (int i = 0; i < 300; ++i) {
    const std::string id = "usermany" + std::to_string(1000 + i);
    many += R"({"type":"user","id":")" + id + R"("})" "\n";
    many += R"({"type":"memberRoles","organizationId":"orgglobex001","userId":")" + id +
            R"(","organizationRoleNames":["viewer"]})" "\n";
  }
  file = many;
  auto summary = Import(file, ImportOptions{.batch_lines = 4});
  ASSERT_TRUE(summary) << Text(summary.error());
  EXPECT_EQ(summary->bulk, LoadsInBulk());

  // The same file in batches, into a second database of the same backend.
  auto other = store::testing::OpenBackend(backend());
  ASSERT_TRUE(other && other->database) << "second database";
  ASSERT_TRUE(store::sql::Migrate(other->database->db()));
  store::sql::SqlStore other_store(other->database->db());
  FakeClock other_clock;
  SequentialIdGenerator other_ids;
  domain::ImportService batches(other_store, other_clock, other_ids, api::ParseImportLine);
  auto expected = batches.Import(file, api::ImportFileId(file), ImportOptions{.batch_lines = 4});
  ASSERT_TRUE(expected) << Text(expected.error());
  EXPECT_FALSE(expected->bulk);

  EXPECT_EQ(Rows(db()), Rows(other->database->db()));
  const domain::ImportCounts& got = summary->counts;
  const domain::ImportCounts& want = expected->counts;
  for (auto [g, w] : {std::pair{&got.organizations, &want.organizations},
                      std::pair{&got.users, &want.users},
                      std::pair{&got.organization_scopes, &want.organization_scopes},
                      std::pair{&got.organization_roles, &want.organization_roles},
                      std::pair{&got.memberships, &want.memberships},
                      std::pair{&got.member_roles, &want.member_roles}}) {
    EXPECT_EQ(g->inserted, w->inserted);
    EXPECT_EQ(g->updated, w->updated);
    EXPECT_EQ(g->unchanged, w->unchanged);
  }
  EXPECT_EQ(got.memberships.inserted, 305);
  EXPECT_EQ(got.memberships.unchanged, 3);
  EXPECT_EQ(got.member_roles.inserted, 305);
  EXPECT_EQ(got.member_roles.unchanged, 1);
  EXPECT_EQ(summary->lines_done, expected->lines_done);
  EXPECT_EQ(Schema(), schema);
  // The kept member counts are the counts (migration 0015), and the organization with the 300 new
  // members has one.
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organizations o WHERE "
                      "COALESCE((SELECT n FROM organization_member_counts c WHERE c.org_id = o.id), 0) "
                      "<> (SELECT COUNT(*) FROM organization_members m WHERE m.org_id = o.id)"),
            0);
  EXPECT_GT(CountRows("SELECT n FROM organization_member_counts WHERE org_id = 'orgglobex001'"),
            300);
  if (backend() != "postgres") {
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"),
              0);
    // The load checked no foreign key row by row; every reference holds all the same.
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
    EXPECT_EQ(CountRows("PRAGMA foreign_keys"), 1);  // back on for the connection
    if (backend() == "sqlite_file") {  // ran in rollback-journal mode, and back in WAL
      EXPECT_EQ(CountRows("SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
    }
  }

  // The search tables were built: a search finds the organization by its new name and the user
  // by a piece of the email, as it would after batches.
  auto found = store_->ListOrganizations(domain::OrganizationListQuery{.q = "acme tw"});
  ASSERT_TRUE(found) << Text(found.error());
  ASSERT_EQ(found->items.size(), 1u);
  EXPECT_EQ(found->items[0].id.value(), "orgacme00001");

  // The tables hold rows now: the next import runs in batches.
  auto again = Import(file, ImportOptions{.from_start = true});
  ASSERT_TRUE(again) << Text(again.error());
  EXPECT_FALSE(again->bulk);
  EXPECT_EQ(Rows(db()), Rows(other->database->db()));
}

// A membership line before its organization's line fails at that line, as batches make it: the
// organization does not exist yet when the line is applied.
TEST_P(ImportServiceTest, AMembershipBeforeItsOrganizationNamesTheLine) {
  const std::string file =
      R"({"type":"user","id":"user00000001"})" "\n"
      R"({"type":"membership","organizationId":"org000000001","userId":"user00000001"})" "\n"
      R"({"type":"organization","id":"org000000001","name":"One"})" "\n";
  auto failed = Import(file);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(failed.error().reason, "foreign_key");
  EXPECT_EQ(failed.error().fields.at("line"), "2");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM users"), 0);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organizations"), 0);
}

// The store's side: a bulk load declines a database that holds rows, and one whose load fails
// leaves the tables empty and the schema whole.
TEST_P(ImportServiceTest, ABulkLoadDeclinesRowsAndRollsBackWhole) {
  const std::vector<std::string> schema = Schema();
  domain::Organization org;
  org.id = OrgId("org000000001");
  org.name = "One";
  int calls = 0;
  auto failed = store_->BulkLoad([&](store::Store& tx) -> Result<void> {
    ++calls;
    ORGD_TRY(tx.ImportOrganization(org, std::nullopt, 1));
    return Error::InvalidArgument("stop here");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "stop here");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organizations"), 0);
  EXPECT_EQ(Schema(), schema);

  ASSERT_TRUE(store_->InsertOrganization(org));
  auto declined = store_->BulkLoad([&](store::Store&) -> Result<void> {
    ++calls;
    return {};
  });
  ASSERT_TRUE(declined) << Text(declined.error());
  EXPECT_FALSE(*declined);
  EXPECT_EQ(calls, 1);
}

// Each test runs on every backend, and again asking for bulk loads ("+bulk").
std::vector<std::string> BackendsAndBulk() {
  std::vector<std::string> params = store::testing::AvailableBackends();
  for (const std::string& backend : store::testing::AvailableBackends()) {
    params.push_back(backend + "+bulk");
  }
  return params;
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportServiceTest, ::testing::ValuesIn(BackendsAndBulk()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '+', '_');
                           return name;
                         });

class ImportHttpTest : public ::testing::TestWithParam<std::string> {
 protected:
  testing::HttpResponse Post(const std::string& body, const std::string& query = "",
                             const std::string& type = "application/x-ndjson") {
    if (token_.empty()) token_ = server_.LogtoToken();
    return server_.Send("POST", "/api/orgd/import" + query, body,
                        {{"Authorization", "Bearer " + token_}, {"Content-Type", type}});
  }

  testing::TestServer server_{GetParam()};
  std::string token_;
};

TEST_P(ImportHttpTest, ImportsAndAnswersCounts) {
  auto res = Post(kFile);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json["fileId"], api::ImportFileId(kFile));
  EXPECT_EQ(res.json["alreadyComplete"], false);
  EXPECT_EQ(res.json["linesDone"], kFileLines);
  EXPECT_EQ(res.json["organizations"],
            (nlohmann::json{{"inserted", 2}, {"updated", 0}, {"unchanged", 0}}));
  EXPECT_EQ(res.json["memberRoles"]["inserted"], 3);

  // Both dialects see the rows, by the ids of the file.
  auto logto = server_.Logto("GET", "/api/organizations/orgacme00001/users/useralice001/scopes");
  ASSERT_EQ(logto.status, 200) << logto.body;
  EXPECT_EQ(logto.json.size(), 2u);
  auto kinde = server_.Kinde("GET", "/api/v1/organization?code=orgglobex001");
  ASSERT_EQ(kinde.status, 200) << kinde.body;
  EXPECT_EQ(kinde.json["name"], "Globex");

  auto again = Post(kFile);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json["alreadyComplete"], true);
  EXPECT_EQ(again.json["linesThisRun"], 0);

  auto reapplied = Post(kFile, "?fromStart=true");
  ASSERT_EQ(reapplied.status, 200) << reapplied.body;
  EXPECT_EQ(reapplied.json["organizations"],
            (nlohmann::json{{"inserted", 0}, {"updated", 0}, {"unchanged", 2}}));
}

TEST_P(ImportHttpTest, ABadLineIsA400WithItsNumber) {
  auto res = Post(R"({"type":"organization","id":"org000000001","name":"One"})" "\n"
                  R"({"type":"user","id":"u1","primaryEmail":"nope"})" "\n",
                  "?batchSize=1");
  ASSERT_EQ(res.status, 400) << res.body;
  EXPECT_EQ(res.json["code"], "import.invalid_line");
  EXPECT_EQ(res.json["data"]["line"], 2);
  EXPECT_EQ(res.json["data"]["field"], "primaryEmail");
  EXPECT_EQ(res.json["message"], "line 2: primaryEmail: is not valid");
  // Line 1 was its own batch, and stays.
  EXPECT_EQ(server_.Logto("GET", "/api/organizations/org000000001").status, 200);
}

TEST_P(ImportHttpTest, ARejectedLineIsA422WithItsNumber) {
  auto res = Post(R"({"type":"membership","organizationId":"nosuchorg","userId":"nosuchuser"})"
                  "\n");
  ASSERT_EQ(res.status, 422) << res.body;
  EXPECT_EQ(res.json["code"], "import.line_rejected");
  EXPECT_EQ(res.json["data"]["line"], 1);
  EXPECT_EQ(res.json["message"],
            "line 1: organization 'nosuchorg' or user 'nosuchuser' does not exist");
}

TEST_P(ImportHttpTest, OtherMediaTypesAndBadBatchSizesAre400) {
  auto json = Post("{}", "", "application/json");
  EXPECT_EQ(json.status, 400) << json.body;
  EXPECT_EQ(json.json["code"], "guard.invalid_input");
  auto batch = Post("", "?batchSize=0");
  EXPECT_EQ(batch.status, 400) << batch.body;
  EXPECT_EQ(batch.json["code"], "guard.invalid_input");
}

TEST_P(ImportHttpTest, NeedsALogtoToken) {
  auto res = server_.Send("POST", "/api/orgd/import", "", {{"Content-Type", "application/x-ndjson"}});
  EXPECT_EQ(res.status, 401) << res.body;
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportHttpTest, ::testing::ValuesIn(testing::AvailableBackends()),
                         testing::BackendName);

}  // namespace
}  // namespace orgd
