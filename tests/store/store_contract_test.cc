// The store contract suite: every Store method, with the exact ErrorCode / subject / reason of
// every failure, on every backend of backends.h. Each test gets a fresh, migrated database.

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/ids.h"
#include "domain/model/organization.h"
#include "store/db.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store/store.h"
#include "tests/store/backends.h"

namespace orgd::store {
namespace {

using domain::Organization;
using domain::OrganizationListQuery;
using domain::OrganizationPage;
using domain::OrganizationPatch;
using domain::OrgCursor;
using domain::OrgSort;
using testing::AvailableBackends;
using testing::BackendName;
using testing::ErrorText;
using testing::ExpectError;

constexpr int64_t kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

std::string Opt(const std::optional<std::string>& v) { return v ? "\"" + *v + "\"" : "null"; }
std::string Opt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "null"; }

// Every field of an organization, one per line, so that a mismatch shows which field differs.
std::string Describe(const Organization& o) {
  std::ostringstream out;
  out << "id=" << o.id.value() << "\nname=" << o.name << "\ndescription=" << Opt(o.description)
      << "\ncustom_data=" << o.custom_data << "\nis_mfa_required=" << o.is_mfa_required
      << "\ncolor=" << o.color << "\nbranding=" << o.branding
      << "\ncustom_css=" << Opt(o.custom_css) << "\nhandle=" << Opt(o.handle)
      << "\nexternal_id=" << Opt(o.external_id)
      << "\nis_auto_membership_enabled=" << o.is_auto_membership_enabled
      << "\nis_auto_join_domain_list=" << o.is_auto_join_domain_list
      << "\nis_enable_advanced_orgs=" << o.is_enable_advanced_orgs
      << "\nbackground_color=" << Opt(o.colors.background_color)
      << "\nbutton_color=" << Opt(o.colors.button_color)
      << "\nbutton_text_color=" << Opt(o.colors.button_text_color)
      << "\nlink_color=" << Opt(o.colors.link_color)
      << "\nbackground_color_dark=" << Opt(o.colors.background_color_dark)
      << "\nbutton_color_dark=" << Opt(o.colors.button_color_dark)
      << "\nbutton_text_color_dark=" << Opt(o.colors.button_text_color_dark)
      << "\nlink_color_dark=" << Opt(o.colors.link_color_dark) << "\ntheme_code=" << o.theme_code
      << "\nsender_name=" << Opt(o.sender_name) << "\nsender_email=" << Opt(o.sender_email)
      << "\nis_suspended=" << o.is_suspended << "\nsuspended_at=" << Opt(o.suspended_at)
      << "\nallowed_domains=";
  for (const std::string& d : o.allowed_domains) out << d << ",";
  out << "\ncreated_at=" << o.created_at << "\nupdated_at=" << o.updated_at << "\n";
  return out.str();
}

Organization MakeOrg(std::string id, std::string name, int64_t created_at = kT0) {
  Organization org;
  org.id = OrgId(std::move(id));
  org.name = std::move(name);
  org.created_at = created_at;
  org.updated_at = created_at;
  return org;
}

// An organization with every field set to a non-default value.
Organization FullOrg(std::string id = "full0000001") {
  Organization org = MakeOrg(std::move(id), "Full Org", kT0 + 5);
  org.description = "every field set";
  org.custom_data = R"({"tier":"gold","n":1})";
  org.is_mfa_required = true;
  org.color = R"({"primaryColor":"#ff0000","isDarkModeEnabled":true})";
  org.branding = R"({"logoUrl":"https://example.com/logo.png"})";
  org.custom_css = "body { color: red; }";
  org.handle = "Full-Org";
  org.external_id = "ext-full";
  org.is_auto_membership_enabled = true;
  org.is_auto_join_domain_list = true;
  org.is_enable_advanced_orgs = true;
  org.colors.background_color = "#111";
  org.colors.button_color = "#222222";
  org.colors.button_text_color = "#333";
  org.colors.link_color = "#444444";
  org.colors.background_color_dark = "#555";
  org.colors.button_color_dark = "#666666";
  org.colors.button_text_color_dark = "#777";
  org.colors.link_color_dark = "#888888";
  org.theme_code = "user_preference";
  org.sender_name = "Full Sender";
  org.sender_email = "sender@full.example";
  org.is_suspended = true;
  org.suspended_at = kT0 + 3;
  org.allowed_domains = {"zeta.example", "alpha.example", "mid.example"};
  org.updated_at = kT0 + 9;
  return org;
}

std::vector<std::string> Ids(const OrganizationPage& page) {
  std::vector<std::string> ids;
  for (const Organization& o : page.items) ids.push_back(o.id.value());
  return ids;
}

ClientRecord MakeClient(std::string id, std::vector<std::string> scopes = {"all"}) {
  return ClientRecord{.id = ClientId(std::move(id)),
                      .name = "client",
                      .secret_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
                      .scopes = std::move(scopes),
                      .created_at = kT0};
}

class MigrationContractTest : public testing::BackendTest {};

// A fresh, migrated database of the backend and a SqlStore over it.
class StoreContractTest : public testing::MigratedStoreTest {
 protected:
  void Insert(const Organization& org) { ASSERT_OK(s().InsertOrganization(org)); }

  Organization Get(const std::string& id) {
    auto org = s().GetOrganization(OrgId(id));
    EXPECT_TRUE(org) << ErrorText(org.error());
    return org ? *org : Organization{};
  }

  OrganizationPage List(OrganizationListQuery query) {
    auto page = s().ListOrganizations(query);
    EXPECT_TRUE(page) << ErrorText(page.error());
    return page ? *page : OrganizationPage{};
  }

  std::vector<std::string> ListIds(OrganizationListQuery query) { return Ids(List(query)); }
};

// The versions of the embedded migration files of this engine (both engines have the same).
std::vector<int> EmbeddedVersions() {
  std::vector<int> versions;
  for (const auto& f : sql::SqliteMigrations()) versions.push_back(f.version);
  return versions;
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationContractTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

TEST_P(MigrationContractTest, EmptyDatabaseIsAtVersionZero) {
  auto version = sql::CurrentSchemaVersion(db());
  ASSERT_OK(version);
  EXPECT_EQ(*version, 0);
}

TEST_P(MigrationContractTest, FirstMigrateAppliesEveryVersionInOrder) {
  auto applied = sql::Migrate(db());
  ASSERT_OK(applied);
  EXPECT_EQ(*applied, EmbeddedVersions());
  EXPECT_TRUE(std::is_sorted(applied->begin(), applied->end()));
  EXPECT_EQ(applied->front(), 1);
}

TEST_P(MigrationContractTest, SecondMigrateAppliesNothing) {
  ASSERT_OK(sql::Migrate(db()));
  auto again = sql::Migrate(db());
  ASSERT_OK(again);
  EXPECT_EQ(*again, std::vector<int>{});
}

TEST_P(MigrationContractTest, CurrentSchemaVersionIsTheLatestApplied) {
  ASSERT_OK(sql::Migrate(db()));
  auto version = sql::CurrentSchemaVersion(db());
  ASSERT_OK(version);
  EXPECT_EQ(*version, EmbeddedVersions().back());
}

TEST_P(MigrationContractTest, MigrateRecordsVersionAndFileName) {
  ASSERT_OK(sql::Migrate(db()));
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM schema_migrations WHERE version = $1 AND name = $2",
                      {Int(1), Param{std::string_view("0001_init.sql")}}),
            1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM schema_migrations"),
            static_cast<int64_t>(EmbeddedVersions().size()));
}

TEST_P(MigrationContractTest, MigrationCreatesEveryTable) {
  ASSERT_OK(sql::Migrate(db()));
  for (std::string_view table :
       {"SELECT COUNT(*) FROM organizations", "SELECT COUNT(*) FROM organization_jit_email_domains",
        "SELECT COUNT(*) FROM clients", "SELECT COUNT(*) FROM signing_keys"}) {
    EXPECT_EQ(CountRows(table), 0) << table;
  }
}

TEST_P(MigrationContractTest, EveryEngineHasTheSameMigrationNumbers) {
  std::vector<int> sqlite_versions, postgres_versions;
  for (const auto& f : sql::SqliteMigrations()) sqlite_versions.push_back(f.version);
  for (const auto& f : sql::PostgresMigrations()) postgres_versions.push_back(f.version);
  EXPECT_EQ(sqlite_versions, postgres_versions);
}

TEST_P(StoreContractTest, MigrationRanInSetUp) { EXPECT_EQ(migrated_, EmbeddedVersions()); }

TEST_P(StoreContractTest, InsertThenGetReturnsEveryField) {
  const Organization org = FullOrg();
  Insert(org);
  EXPECT_EQ(Describe(Get("full0000001")), Describe(org));
}

TEST_P(StoreContractTest, InsertWithDefaultsThenGetReturnsDefaults) {
  Organization org = MakeOrg("plain000001", "Plain");
  Insert(org);
  const Organization got = Get("plain000001");
  EXPECT_EQ(Describe(got), Describe(org));
  EXPECT_EQ(got.description, std::nullopt);
  EXPECT_EQ(got.custom_data, "{}");
  EXPECT_EQ(got.theme_code, "light");
  EXPECT_EQ(got.allowed_domains, std::vector<std::string>{});
}

TEST_P(StoreContractTest, GetReturnsAllowedDomainsInInsertionOrder) {
  Organization org = MakeOrg("dom00000001", "Domains");
  org.allowed_domains = {"zeta.example", "alpha.example", "mid.example"};
  Insert(org);
  EXPECT_EQ(Get("dom00000001").allowed_domains,
            (std::vector<std::string>{"zeta.example", "alpha.example", "mid.example"}));
}

TEST_P(StoreContractTest, TextIsStoredByteForByte) {
  Organization org = MakeOrg("utf800000001", "Ünïcødé 組織 \"quoted\" 'single' \\ %_");
  org.custom_data = R"({"emoji":"🙂","nested":{"a":[1,2,3]}})";
  Insert(org);
  EXPECT_EQ(Describe(Get("utf800000001")), Describe(org));
}

TEST_P(StoreContractTest, InsertDuplicateIdIsAlreadyExistsId) {
  Insert(MakeOrg("dup00000001", "First"));
  ExpectError(s().InsertOrganization(MakeOrg("dup00000001", "Second")),
              ErrorCode::kAlreadyExists, "organization", "id");
  EXPECT_EQ(Get("dup00000001").name, "First");
}

TEST_P(StoreContractTest, InsertDuplicateHandleIsAlreadyExistsHandle) {
  Organization a = MakeOrg("hnd00000001", "A");
  a.handle = "acme";
  Insert(a);
  Organization b = MakeOrg("hnd00000002", "B");
  b.handle = "acme";
  ExpectError(s().InsertOrganization(b), ErrorCode::kAlreadyExists, "organization", "handle");
}

TEST_P(StoreContractTest, HandleUniquenessIgnoresCase) {
  Organization a = MakeOrg("hnd00000001", "A");
  a.handle = "Acme-Corp";
  Insert(a);
  Organization b = MakeOrg("hnd00000002", "B");
  b.handle = "aCME-cORP";
  ExpectError(s().InsertOrganization(b), ErrorCode::kAlreadyExists, "organization", "handle");
  EXPECT_EQ(Get("hnd00000001").handle, "Acme-Corp");
}

TEST_P(StoreContractTest, InsertDuplicateExternalIdIsAlreadyExistsExternalId) {
  Organization a = MakeOrg("ext00000001", "A");
  a.external_id = "crm-42";
  Insert(a);
  Organization b = MakeOrg("ext00000002", "B");
  b.external_id = "crm-42";
  ExpectError(s().InsertOrganization(b), ErrorCode::kAlreadyExists, "organization",
              "external_id");
}

TEST_P(StoreContractTest, ExternalIdUniquenessIsCaseSensitive) {
  Organization a = MakeOrg("ext00000001", "A");
  a.external_id = "CRM-42";
  Insert(a);
  Organization b = MakeOrg("ext00000002", "B");
  b.external_id = "crm-42";
  Insert(b);
  EXPECT_EQ(Get("ext00000002").external_id, "crm-42");
}

TEST_P(StoreContractTest, ManyOrganizationsMayLackHandleAndExternalId) {
  Insert(MakeOrg("null0000001", "A"));
  Insert(MakeOrg("null0000002", "B"));
  EXPECT_EQ(Get("null0000002").handle, std::nullopt);
  EXPECT_EQ(Get("null0000002").external_id, std::nullopt);
}

TEST_P(StoreContractTest, NamesAreNotUnique) {
  Insert(MakeOrg("name0000001", "Same"));
  Insert(MakeOrg("name0000002", "Same"));
  EXPECT_EQ(Get("name0000002").name, "Same");
}

TEST_P(StoreContractTest, DuplicateAllowedDomainIsAlreadyExistsEmailDomain) {
  Organization org = MakeOrg("dom00000001", "Domains");
  org.allowed_domains = {"a.example", "a.example"};
  ExpectError(s().InsertOrganization(org), ErrorCode::kAlreadyExists, "organization",
              "email_domain");
}

TEST_P(StoreContractTest, FailedInsertLeavesNothingBehind) {
  Organization org = MakeOrg("dom00000001", "Domains");
  org.allowed_domains = {"a.example", "b.example", "a.example"};
  ASSERT_FALSE(s().InsertOrganization(org));
  ExpectError(s().GetOrganization(OrgId("dom00000001")), ErrorCode::kNotFound, "organization",
              "");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_jit_email_domains"), 0);
}

TEST_P(StoreContractTest, OrganizationsMayShareAnAllowedDomain) {
  Organization a = MakeOrg("dom00000001", "A");
  a.allowed_domains = {"shared.example"};
  Organization b = MakeOrg("dom00000002", "B");
  b.allowed_domains = {"shared.example"};
  Insert(a);
  Insert(b);
  EXPECT_EQ(Get("dom00000002").allowed_domains, std::vector<std::string>{"shared.example"});
}

TEST_P(StoreContractTest, GetUnknownIsNotFound) {
  ExpectError(s().GetOrganization(OrgId("missing0001")), ErrorCode::kNotFound, "organization",
              "");
}

TEST_P(StoreContractTest, UpdateUnknownIsNotFound) {
  OrganizationPatch patch;
  patch.name = "x";
  ExpectError(s().UpdateOrganization(OrgId("missing0001"), patch, kT0), ErrorCode::kNotFound,
              "organization", "");
}

TEST_P(StoreContractTest, UpdateUnknownWithDomainsIsNotFoundAndAddsNoDomains) {
  OrganizationPatch patch;
  patch.allowed_domains = std::vector<std::string>{"a.example"};
  ExpectError(s().UpdateOrganization(OrgId("missing0001"), patch, kT0), ErrorCode::kNotFound,
              "organization", "");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_jit_email_domains"), 0);
}

TEST_P(StoreContractTest, EmptyPatchOnlyMovesUpdatedAt) {
  const Organization org = FullOrg();
  Insert(org);
  auto updated = s().UpdateOrganization(org.id, OrganizationPatch{}, kT0 + 100);
  ASSERT_OK(updated);
  Organization expected = org;
  expected.updated_at = kT0 + 100;
  EXPECT_EQ(Describe(*updated), Describe(expected));
}

TEST_P(StoreContractTest, UpdateReturnsTheStoredRow) {
  Insert(FullOrg());
  OrganizationPatch patch;
  patch.name = "Renamed";
  patch.description = std::optional<std::string>();
  auto updated = s().UpdateOrganization(OrgId("full0000001"), patch, kT0 + 100);
  ASSERT_OK(updated);
  EXPECT_EQ(Describe(*updated), Describe(Get("full0000001")));
}

TEST_P(StoreContractTest, UpdateWritesNonNullFieldsAndKeepsTheRest) {
  const Organization org = FullOrg();
  Insert(org);
  OrganizationPatch patch;
  patch.name = "New Name";
  patch.custom_data = R"({"k":"v"})";
  patch.color = "{}";
  patch.branding = R"({"favicon":"https://x.example/f.ico"})";
  patch.theme_code = "dark";
  patch.is_mfa_required = false;
  patch.is_auto_membership_enabled = false;
  patch.is_auto_join_domain_list = false;
  patch.is_enable_advanced_orgs = false;
  patch.is_suspended = false;
  auto updated = s().UpdateOrganization(org.id, patch, kT0 + 100);
  ASSERT_OK(updated);

  Organization expected = org;
  expected.name = "New Name";
  expected.custom_data = R"({"k":"v"})";
  expected.color = "{}";
  expected.branding = R"({"favicon":"https://x.example/f.ico"})";
  expected.theme_code = "dark";
  expected.is_mfa_required = false;
  expected.is_auto_membership_enabled = false;
  expected.is_auto_join_domain_list = false;
  expected.is_enable_advanced_orgs = false;
  expected.is_suspended = false;
  expected.updated_at = kT0 + 100;
  EXPECT_EQ(Describe(Get("full0000001")), Describe(expected));
}

TEST_P(StoreContractTest, UpdateSetsBooleansToTrue) {
  Insert(MakeOrg("bool0000001", "B"));
  OrganizationPatch patch;
  patch.is_mfa_required = true;
  patch.is_auto_membership_enabled = true;
  patch.is_auto_join_domain_list = true;
  patch.is_enable_advanced_orgs = true;
  patch.is_suspended = true;
  ASSERT_OK(s().UpdateOrganization(OrgId("bool0000001"), patch, kT0 + 1));
  const Organization got = Get("bool0000001");
  EXPECT_TRUE(got.is_mfa_required);
  EXPECT_TRUE(got.is_auto_membership_enabled);
  EXPECT_TRUE(got.is_auto_join_domain_list);
  EXPECT_TRUE(got.is_enable_advanced_orgs);
  EXPECT_TRUE(got.is_suspended);
}

TEST_P(StoreContractTest, UpdateSetsNullableFieldsToValues) {
  const Organization org = MakeOrg("nul00000001", "N");
  Insert(org);
  OrganizationPatch patch;
  patch.description = "d";
  patch.custom_css = "css";
  patch.handle = "Handle";
  patch.external_id = "ext";
  patch.background_color = "#010101";
  patch.button_color = "#020202";
  patch.button_text_color = "#030303";
  patch.link_color = "#040404";
  patch.background_color_dark = "#050505";
  patch.button_color_dark = "#060606";
  patch.button_text_color_dark = "#070707";
  patch.link_color_dark = "#080808";
  patch.sender_name = "S";
  patch.sender_email = "s@example.com";
  patch.suspended_at = kT0 + 7;
  ASSERT_OK(s().UpdateOrganization(org.id, patch, kT0 + 100));

  Organization expected = org;
  expected.description = "d";
  expected.custom_css = "css";
  expected.handle = "Handle";
  expected.external_id = "ext";
  expected.colors = {"#010101", "#020202", "#030303", "#040404",
                     "#050505", "#060606", "#070707", "#080808"};
  expected.sender_name = "S";
  expected.sender_email = "s@example.com";
  expected.suspended_at = kT0 + 7;
  expected.updated_at = kT0 + 100;
  EXPECT_EQ(Describe(Get("nul00000001")), Describe(expected));
}

TEST_P(StoreContractTest, UpdateSetsNullableFieldsToNull) {
  const Organization org = FullOrg();
  Insert(org);
  const std::optional<std::string> null;
  OrganizationPatch patch;
  patch.description = null;
  patch.custom_css = null;
  patch.handle = null;
  patch.external_id = null;
  patch.background_color = null;
  patch.button_color = null;
  patch.button_text_color = null;
  patch.link_color = null;
  patch.background_color_dark = null;
  patch.button_color_dark = null;
  patch.button_text_color_dark = null;
  patch.link_color_dark = null;
  patch.sender_name = null;
  patch.sender_email = null;
  patch.suspended_at = std::optional<int64_t>();
  ASSERT_OK(s().UpdateOrganization(org.id, patch, kT0 + 100));

  Organization expected = org;
  expected.description.reset();
  expected.custom_css.reset();
  expected.handle.reset();
  expected.external_id.reset();
  expected.colors = {};
  expected.sender_name.reset();
  expected.sender_email.reset();
  expected.suspended_at.reset();
  expected.updated_at = kT0 + 100;
  EXPECT_EQ(Describe(Get("full0000001")), Describe(expected));
}

TEST_P(StoreContractTest, UpdateNeverChangesCreatedAt) {
  Insert(MakeOrg("crt00000001", "C", kT0 + 1));
  OrganizationPatch patch;
  patch.name = "D";
  auto updated = s().UpdateOrganization(OrgId("crt00000001"), patch, kT0 + 500);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->created_at, kT0 + 1);
  EXPECT_EQ(updated->updated_at, kT0 + 500);
}

TEST_P(StoreContractTest, UpdateToTakenHandleIsAlreadyExistsHandle) {
  Organization a = MakeOrg("hnd00000001", "A");
  a.handle = "taken";
  Insert(a);
  Insert(MakeOrg("hnd00000002", "B"));
  OrganizationPatch patch;
  patch.handle = "TAKEN";
  ExpectError(s().UpdateOrganization(OrgId("hnd00000002"), patch, kT0),
              ErrorCode::kAlreadyExists, "organization", "handle");
  EXPECT_EQ(Get("hnd00000002").handle, std::nullopt);
}

TEST_P(StoreContractTest, UpdateToTakenExternalIdIsAlreadyExistsExternalId) {
  Organization a = MakeOrg("ext00000001", "A");
  a.external_id = "crm-1";
  Insert(a);
  Insert(MakeOrg("ext00000002", "B"));
  OrganizationPatch patch;
  patch.external_id = "crm-1";
  ExpectError(s().UpdateOrganization(OrgId("ext00000002"), patch, kT0),
              ErrorCode::kAlreadyExists, "organization", "external_id");
}

TEST_P(StoreContractTest, FailedUpdateChangesNothing) {
  Organization a = MakeOrg("hnd00000001", "A");
  a.handle = "taken";
  Insert(a);
  Organization b = MakeOrg("hnd00000002", "B");
  b.allowed_domains = {"b.example"};
  Insert(b);
  OrganizationPatch patch;
  patch.name = "Changed";
  patch.handle = "taken";
  patch.allowed_domains = std::vector<std::string>{"c.example"};
  ASSERT_FALSE(s().UpdateOrganization(b.id, patch, kT0 + 100));
  EXPECT_EQ(Describe(Get("hnd00000002")), Describe(b));
}

TEST_P(StoreContractTest, OrganizationMayChangeTheCaseOfItsOwnHandle) {
  Organization a = MakeOrg("hnd00000001", "A");
  a.handle = "acme";
  Insert(a);
  OrganizationPatch patch;
  patch.handle = "ACME";
  ASSERT_OK(s().UpdateOrganization(a.id, patch, kT0 + 1));
  EXPECT_EQ(Get("hnd00000001").handle, "ACME");
}

TEST_P(StoreContractTest, ReleasedHandleCanBeTakenAndNewOneIsReserved) {
  Organization a = MakeOrg("hnd00000001", "A");
  a.handle = "old";
  Insert(a);
  OrganizationPatch patch;
  patch.handle = "New";
  ASSERT_OK(s().UpdateOrganization(a.id, patch, kT0 + 1));

  Organization b = MakeOrg("hnd00000002", "B");
  b.handle = "OLD";
  Insert(b);
  Organization c = MakeOrg("hnd00000003", "C");
  c.handle = "new";
  ExpectError(s().InsertOrganization(c), ErrorCode::kAlreadyExists, "organization", "handle");
}

TEST_P(StoreContractTest, ClearedHandleCanBeTaken) {
  Organization a = MakeOrg("hnd00000001", "A");
  a.handle = "free-me";
  Insert(a);
  OrganizationPatch patch;
  patch.handle = std::optional<std::string>();
  ASSERT_OK(s().UpdateOrganization(a.id, patch, kT0 + 1));
  Organization b = MakeOrg("hnd00000002", "B");
  b.handle = "free-me";
  Insert(b);
  EXPECT_EQ(Get("hnd00000002").handle, "free-me");
}

TEST_P(StoreContractTest, UpdateReplacesAllowedDomains) {
  Organization org = MakeOrg("dom00000001", "D");
  org.allowed_domains = {"a.example", "b.example"};
  Insert(org);
  OrganizationPatch patch;
  patch.allowed_domains = std::vector<std::string>{"c.example", "b.example", "0.example"};
  auto updated = s().UpdateOrganization(org.id, patch, kT0 + 1);
  ASSERT_OK(updated);
  const std::vector<std::string> expected{"c.example", "b.example", "0.example"};
  EXPECT_EQ(updated->allowed_domains, expected);
  EXPECT_EQ(Get("dom00000001").allowed_domains, expected);
}

TEST_P(StoreContractTest, UpdateWithEmptyAllowedDomainsClearsThem) {
  Organization org = MakeOrg("dom00000001", "D");
  org.allowed_domains = {"a.example"};
  Insert(org);
  OrganizationPatch patch;
  patch.allowed_domains = std::vector<std::string>{};
  ASSERT_OK(s().UpdateOrganization(org.id, patch, kT0 + 1));
  EXPECT_EQ(Get("dom00000001").allowed_domains, std::vector<std::string>{});
}

TEST_P(StoreContractTest, UpdateWithoutAllowedDomainsKeepsThem) {
  Organization org = MakeOrg("dom00000001", "D");
  org.allowed_domains = {"b.example", "a.example"};
  Insert(org);
  OrganizationPatch patch;
  patch.name = "E";
  ASSERT_OK(s().UpdateOrganization(org.id, patch, kT0 + 1));
  EXPECT_EQ(Get("dom00000001").allowed_domains,
            (std::vector<std::string>{"b.example", "a.example"}));
}

TEST_P(StoreContractTest, UpdateLeavesOtherOrganizationsAlone) {
  Organization a = FullOrg("full0000001");
  Organization b = FullOrg("full0000002");
  b.handle = "other";
  b.external_id = "other";
  Insert(a);
  Insert(b);
  OrganizationPatch patch;
  patch.name = "Changed";
  patch.allowed_domains = std::vector<std::string>{};
  ASSERT_OK(s().UpdateOrganization(a.id, patch, kT0 + 100));
  EXPECT_EQ(Describe(Get("full0000002")), Describe(b));
}

TEST_P(StoreContractTest, DeleteRemovesTheOrganization) {
  Insert(MakeOrg("del00000001", "D"));
  ASSERT_OK(s().DeleteOrganization(OrgId("del00000001")));
  ExpectError(s().GetOrganization(OrgId("del00000001")), ErrorCode::kNotFound, "organization",
              "");
}

TEST_P(StoreContractTest, DeleteUnknownIsNotFound) {
  ExpectError(s().DeleteOrganization(OrgId("missing0001")), ErrorCode::kNotFound,
              "organization", "");
}

TEST_P(StoreContractTest, DeleteTwiceIsNotFound) {
  Insert(MakeOrg("del00000001", "D"));
  ASSERT_OK(s().DeleteOrganization(OrgId("del00000001")));
  ExpectError(s().DeleteOrganization(OrgId("del00000001")), ErrorCode::kNotFound,
              "organization", "");
}

TEST_P(StoreContractTest, DeleteCascadesToAllowedDomains) {
  Organization a = MakeOrg("del00000001", "A");
  a.allowed_domains = {"a.example", "b.example"};
  Organization b = MakeOrg("del00000002", "B");
  b.allowed_domains = {"a.example"};
  Insert(a);
  Insert(b);
  ASSERT_OK(s().DeleteOrganization(a.id));
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_jit_email_domains WHERE org_id = $1",
                      {Text(a.id.value())}),
            0);
  EXPECT_EQ(Get("del00000002").allowed_domains, std::vector<std::string>{"a.example"});
}

TEST_P(StoreContractTest, DeletedIdHandleAndExternalIdCanBeReused) {
  Organization a = FullOrg();
  Insert(a);
  ASSERT_OK(s().DeleteOrganization(a.id));
  Organization again = FullOrg();
  again.allowed_domains = {"new.example"};
  Insert(again);
  EXPECT_EQ(Get("full0000001").allowed_domains, std::vector<std::string>{"new.example"});
}

TEST_P(StoreContractTest, ListOfNothingIsEmpty) {
  const OrganizationPage page = List({.want_total = true});
  EXPECT_TRUE(page.items.empty());
  EXPECT_EQ(page.total, 0);
  EXPECT_FALSE(page.has_more);
  EXPECT_FALSE(page.last.has_value());
}

// The total without a search is a kept count (migrations/*/0011_row_counts.sql): it follows
// creates, deletes, a create that clashes and a delete of nothing.
TEST_P(StoreContractTest, ListTotalFollowsCreatesAndDeletes) {
  for (int i = 0; i < 5; ++i) Insert(MakeOrg("cnt" + std::to_string(i), "x", kT0 + i));
  EXPECT_EQ(List({.want_total = true}).total, 5);
  EXPECT_FALSE(s().InsertOrganization(MakeOrg("cnt0", "again", kT0)).has_value());
  ASSERT_OK(s().DeleteOrganization(OrgId("cnt1")));
  ASSERT_OK(s().DeleteOrganization(OrgId("cnt3")));
  EXPECT_FALSE(s().DeleteOrganization(OrgId("cnt3")).has_value());
  const OrganizationPage page = List({.limit = 2, .want_total = true});
  EXPECT_EQ(page.total, 3);
  EXPECT_EQ(page.items.size(), 2u);
  EXPECT_TRUE(page.has_more);
  // A search still counts its matches.
  Insert(MakeOrg("other", "needle", kT0 + 9));
  EXPECT_EQ(List({.q = "needle", .want_total = true}).total, 1);
  EXPECT_EQ(List({.want_total = true}).total, 4);
}

TEST_P(StoreContractTest, ListDefaultsToCreationOrderWithIdTieBreak) {
  Insert(MakeOrg("c", "x", kT0 + 2));
  Insert(MakeOrg("b", "x", kT0 + 1));
  Insert(MakeOrg("a", "x", kT0 + 2));
  Insert(MakeOrg("d", "x", kT0 + 0));
  EXPECT_EQ(ListIds({}), (std::vector<std::string>{"d", "b", "a", "c"}));
}

TEST_P(StoreContractTest, ListByNameAscendingIgnoresCaseThenId) {
  Insert(MakeOrg("o1", "beta", kT0 + 1));
  Insert(MakeOrg("o2", "Alpha", kT0 + 2));
  Insert(MakeOrg("o3", "alpha", kT0 + 3));
  Insert(MakeOrg("o0", "ALPHA", kT0 + 4));
  Insert(MakeOrg("o4", "Gamma", kT0 + 5));
  Insert(MakeOrg("o5", "_under", kT0 + 6));
  // '_' (0x5f) sorts after upper-case letters but before lower-case ones: comparisons are bytes
  // of the lower-cased name on every engine.
  EXPECT_EQ(ListIds({.sort = OrgSort::kNameAsc}),
            (std::vector<std::string>{"o5", "o0", "o2", "o3", "o1", "o4"}));
}

TEST_P(StoreContractTest, ListByNameDescendingIsTheExactReverse) {
  Insert(MakeOrg("o1", "beta", kT0 + 1));
  Insert(MakeOrg("o2", "Alpha", kT0 + 2));
  Insert(MakeOrg("o3", "alpha", kT0 + 3));
  Insert(MakeOrg("o4", "Gamma", kT0 + 5));
  EXPECT_EQ(ListIds({.sort = OrgSort::kNameDesc}),
            (std::vector<std::string>{"o4", "o1", "o3", "o2"}));
}

TEST_P(StoreContractTest, ListRenamedOrganizationMovesInNameOrder) {
  Insert(MakeOrg("o1", "Zed"));
  Insert(MakeOrg("o2", "middle"));
  OrganizationPatch patch;
  patch.name = "Aardvark";
  ASSERT_OK(s().UpdateOrganization(OrgId("o1"), patch, kT0 + 1));
  EXPECT_EQ(ListIds({.sort = OrgSort::kNameAsc}), (std::vector<std::string>{"o1", "o2"}));
}

TEST_P(StoreContractTest, ListItemsCarryEveryFieldAndTheirDomains) {
  const Organization full = FullOrg();
  Insert(full);
  Organization plain = MakeOrg("plain000001", "Plain", kT0 + 10);
  plain.allowed_domains = {"p.example"};
  Insert(plain);
  const OrganizationPage page = List({});
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(Describe(page.items[0]), Describe(full));
  EXPECT_EQ(Describe(page.items[1]), Describe(plain));
}

TEST_P(StoreContractTest, ListLoadsDomainsOfEveryItemOnLargePages) {
  for (int i = 0; i < 70; ++i) {
    Organization org = MakeOrg("org" + std::to_string(100 + i), "Org", kT0 + i);
    if (i % 3 != 0) org.allowed_domains = {"d" + std::to_string(i) + ".example", "z.example"};
    Insert(org);
  }
  const OrganizationPage page = List({.limit = 100});
  ASSERT_EQ(page.items.size(), 70u);
  for (int i = 0; i < 70; ++i) {
    const std::vector<std::string> expected =
        i % 3 == 0 ? std::vector<std::string>{}
                   : std::vector<std::string>{"d" + std::to_string(i) + ".example", "z.example"};
    EXPECT_EQ(page.items[static_cast<size_t>(i)].allowed_domains, expected) << i;
  }
}

class SearchTest : public StoreContractTest {
 protected:
  void SetUp() override {
    StoreContractTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Insert(MakeOrg("acme0000001", "Acme Widgets", kT0 + 1));
    Insert(MakeOrg("beta0000002", "Beta 100% Sure", kT0 + 2));
    Insert(MakeOrg("gamma000003", "gamma_ray", kT0 + 3));
    Insert(MakeOrg("delta000004", "DeltaXray", kT0 + 4));
  }
  std::vector<std::string> Search(std::string q) { return ListIds({.q = std::move(q)}); }
};
INSTANTIATE_TEST_SUITE_P(Backends, SearchTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

TEST_P(SearchTest, EmptyQueryMatchesEverything) {
  EXPECT_EQ(Search(""),
            (std::vector<std::string>{"acme0000001", "beta0000002", "gamma000003", "delta000004"}));
}

TEST_P(SearchTest, MatchesNameSubstringIgnoringCase) {
  EXPECT_EQ(Search("WIDG"), std::vector<std::string>{"acme0000001"});
  EXPECT_EQ(Search("xRAY"), std::vector<std::string>{"delta000004"});
}

TEST_P(SearchTest, MatchesIdSubstringIgnoringCase) {
  EXPECT_EQ(Search("0002"), std::vector<std::string>{"beta0000002"});
  EXPECT_EQ(Search("GAMMA0"), std::vector<std::string>{"gamma000003"});
}

TEST_P(SearchTest, NoMatchIsEmpty) { EXPECT_EQ(Search("nothing"), std::vector<std::string>{}); }

TEST_P(SearchTest, PercentMatchesAnyRun) {
  EXPECT_EQ(Search("beta%sure"), std::vector<std::string>{"beta0000002"});
  EXPECT_EQ(Search("100%"), std::vector<std::string>{"beta0000002"});
  EXPECT_EQ(Search("%"),
            (std::vector<std::string>{"acme0000001", "beta0000002", "gamma000003", "delta000004"}));
}

TEST_P(SearchTest, UnderscoreMatchesOneCharacter) {
  EXPECT_EQ(Search("delta_ray"), std::vector<std::string>{"delta000004"});
  EXPECT_EQ(Search("a_r"), (std::vector<std::string>{"gamma000003", "delta000004"}));
}

TEST_P(SearchTest, BackslashEscapesAWildcard) {
  EXPECT_EQ(Search("a\\_r"), std::vector<std::string>{"gamma000003"});
  EXPECT_EQ(Search("delta\\_ray"), std::vector<std::string>{});
}

TEST_P(SearchTest, TotalCountsMatchesIgnoringPaging) {
  const OrganizationPage page = List({.q = "a_r", .limit = 1, .want_total = true});
  EXPECT_EQ(Ids(page), std::vector<std::string>{"gamma000003"});
  EXPECT_EQ(page.total, 2);
  EXPECT_TRUE(page.has_more);
}

TEST_P(SearchTest, SearchWorksWithEverySort) {
  EXPECT_EQ(ListIds({.q = "RAY", .sort = OrgSort::kNameAsc}),
            (std::vector<std::string>{"delta000004", "gamma000003"}));
  EXPECT_EQ(ListIds({.q = "RAY", .sort = OrgSort::kNameDesc}),
            (std::vector<std::string>{"gamma000003", "delta000004"}));
}

TEST_P(SearchTest, SearchAppliesAfterACursor) {
  const OrganizationPage first = List({.q = "a", .limit = 2});
  ASSERT_EQ(Ids(first), (std::vector<std::string>{"acme0000001", "beta0000002"}));
  ASSERT_TRUE(first.last.has_value());
  EXPECT_EQ(ListIds({.q = "ray", .after = first.last}),
            (std::vector<std::string>{"gamma000003", "delta000004"}));
}

TEST_P(StoreContractTest, TotalIsZeroUnlessWanted) {
  Insert(MakeOrg("o1", "A"));
  EXPECT_EQ(List({}).total, 0);
  EXPECT_EQ(List({.want_total = true}).total, 1);
}

TEST_P(StoreContractTest, HasMoreAndLastDescribeThePage) {
  Insert(MakeOrg("o1", "A", kT0 + 1));
  Insert(MakeOrg("o2", "B", kT0 + 2));
  Insert(MakeOrg("o3", "C", kT0 + 3));

  const OrganizationPage partial = List({.limit = 2});
  EXPECT_EQ(Ids(partial), (std::vector<std::string>{"o1", "o2"}));
  EXPECT_TRUE(partial.has_more);
  ASSERT_TRUE(partial.last.has_value());
  EXPECT_EQ(partial.last->sort_key, std::to_string(kT0 + 2));
  EXPECT_EQ(partial.last->id, "o2");

  const OrganizationPage exact = List({.limit = 3});
  EXPECT_EQ(Ids(exact), (std::vector<std::string>{"o1", "o2", "o3"}));
  EXPECT_FALSE(exact.has_more);
  ASSERT_TRUE(exact.last.has_value());
  EXPECT_EQ(exact.last->id, "o3");
}

TEST_P(StoreContractTest, LastSortKeyOfNameOrdersIsTheLowerCasedName) {
  Insert(MakeOrg("o1", "Bravo"));
  Insert(MakeOrg("o2", "ALPHA"));
  const OrganizationPage asc = List({.sort = OrgSort::kNameAsc, .limit = 1});
  ASSERT_TRUE(asc.last.has_value());
  EXPECT_EQ(asc.last->sort_key, "alpha");
  EXPECT_EQ(asc.last->id, "o2");
  const OrganizationPage desc = List({.sort = OrgSort::kNameDesc, .limit = 1});
  ASSERT_TRUE(desc.last.has_value());
  EXPECT_EQ(desc.last->sort_key, "bravo");
  EXPECT_EQ(desc.last->id, "o1");
}

TEST_P(StoreContractTest, LimitZeroReturnsNoItemsButTellsWhetherThereAreAny) {
  Insert(MakeOrg("o1", "A"));
  const OrganizationPage page = List({.limit = 0, .want_total = true});
  EXPECT_TRUE(page.items.empty());
  EXPECT_TRUE(page.has_more);
  EXPECT_FALSE(page.last.has_value());
  EXPECT_EQ(page.total, 1);
}

TEST_P(StoreContractTest, NegativeLimitIsInvalidArgument) {
  ExpectError(s().ListOrganizations({.limit = -1}), ErrorCode::kInvalidArgument, "limit", "");
}

TEST_P(StoreContractTest, NegativeOffsetIsInvalidArgument) {
  ExpectError(s().ListOrganizations({.offset = -1}), ErrorCode::kInvalidArgument, "offset", "");
}

TEST_P(StoreContractTest, NonNumericCreationCursorIsInvalidArgument) {
  ExpectError(s().ListOrganizations({.after = OrgCursor{.sort_key = "12x", .id = "o1"}}),
              ErrorCode::kInvalidArgument, "after", "");
  ExpectError(s().ListOrganizations({.after = OrgCursor{.sort_key = "", .id = "o1"}}),
              ErrorCode::kInvalidArgument, "after", "");
}

TEST_P(StoreContractTest, OffsetPagesAreStable) {
  for (int i = 0; i < 25; ++i) {
    // Pairs share a creation time so that the id tie-break matters.
    Insert(MakeOrg("org" + std::to_string(200 - i), "Org", kT0 + i / 2));
  }
  const std::vector<std::string> first20 = ListIds({.limit = 20});
  ASSERT_EQ(first20.size(), 20u);
  const std::vector<std::string> page2 = ListIds({.limit = 10, .offset = 10});
  EXPECT_EQ(page2, std::vector<std::string>(first20.begin() + 10, first20.end()));
  const std::vector<std::string> page3 = ListIds({.limit = 10, .offset = 20});
  EXPECT_EQ(page3.size(), 5u);
  EXPECT_EQ(ListIds({.limit = 10, .offset = 30}), std::vector<std::string>{});
}

TEST_P(StoreContractTest, OffsetPagesCoverEveryRowOnceInEverySort) {
  const std::vector<std::string> names = {"b", "A", "a", "C", "b", "_", "z", "Z", "m"};
  for (size_t i = 0; i < names.size(); ++i) {
    Insert(MakeOrg("o" + std::to_string(i), names[i], kT0 + static_cast<int64_t>(i % 3)));
  }
  for (OrgSort sort : {OrgSort::kCreatedAsc, OrgSort::kNameAsc, OrgSort::kNameDesc}) {
    const std::vector<std::string> all = ListIds({.sort = sort, .limit = 100});
    std::vector<std::string> paged;
    for (int64_t offset = 0; offset < 12; offset += 4) {
      for (const std::string& id : ListIds({.sort = sort, .limit = 4, .offset = offset})) {
        paged.push_back(id);
      }
    }
    EXPECT_EQ(paged, all);
    EXPECT_EQ(all.size(), names.size());
  }
}

// Keyset paging while other writers insert and delete between pages: every row that exists for
// the whole walk is seen exactly once, no row is seen twice, and rows come in strict sort order.
TEST_P(StoreContractTest, KeysetPagingVisitsEveryStableRowOnceUnderChurn) {
  for (OrgSort sort : {OrgSort::kCreatedAsc, OrgSort::kNameAsc, OrgSort::kNameDesc}) {
    SCOPED_TRACE(static_cast<int>(sort));
    // Start from an empty table for each sort.
    for (const std::string& id : ListIds({.limit = 1000})) {
      ASSERT_OK(s().DeleteOrganization(OrgId(id)));
    }
    const std::vector<std::string> names = {
        "Kilo",  "alpha", "Echo", "echo",   "bravo",   "Lima",    "delta", "ALPHA",
        "hotel", "india", "Golf", "juliet", "Charlie", "foxtrot", "echo",  "mike"};
    std::set<std::string> stable;
    for (size_t i = 0; i < names.size(); ++i) {
      const std::string id = "s" + std::to_string(100 + i);
      Insert(MakeOrg(id, names[i], kT0 + static_cast<int64_t>(i % 5)));
      stable.insert(id);
    }

    // The sort key as the store orders by it, for checking that rows arrive in strict order.
    auto key_of = [&](const Organization& o) {
      std::string lower = o.name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return std::make_tuple(lower, o.created_at);
    };

    std::vector<std::string> seen;
    std::optional<OrgCursor> cursor;
    std::optional<Organization> previous;
    int churn = 0;
    for (int guard = 0; guard < 100; ++guard) {
      const OrganizationPage page = List({.sort = sort, .limit = 3, .after = cursor});
      for (const Organization& o : page.items) {
        seen.push_back(o.id.value());
        if (previous) {
          const auto prev = key_of(*previous);
          const auto cur = key_of(o);
          bool in_order = false;
          switch (sort) {
            case OrgSort::kCreatedAsc:
              in_order =
                  std::tie(std::get<1>(prev), previous->id) < std::tie(std::get<1>(cur), o.id);
              break;
            case OrgSort::kNameAsc:
              in_order =
                  std::tie(std::get<0>(prev), previous->id) < std::tie(std::get<0>(cur), o.id);
              break;
            case OrgSort::kNameDesc:
              in_order =
                  std::tie(std::get<0>(prev), previous->id) > std::tie(std::get<0>(cur), o.id);
              break;
          }
          EXPECT_TRUE(in_order) << previous->id.value() << " then " << o.id.value();
        }
        previous = o;
      }
      if (!page.has_more) break;
      ASSERT_TRUE(page.last.has_value());
      cursor = page.last;

      // Churn between pages: a row that sorts first, one that sorts last, and a row that sorts
      // between existing rows; delete one unseen churn row and, once, one already seen stable row.
      ++churn;
      const std::string c = std::to_string(churn);
      Insert(MakeOrg("c0" + c, "0000 first " + c, kT0 - churn));
      Insert(MakeOrg("c9" + c, "zzzz last " + c, kT0 + 100 + churn));
      Insert(MakeOrg("c5" + c, "Echo " + c, kT0 + 2));
      if (churn >= 2) {
        ASSERT_OK(s().DeleteOrganization(OrgId("c5" + std::to_string(churn - 1))));
      }
      if (churn == 2) {
        // The first row seen is a stable one (the first page comes before any churn).
        ASSERT_EQ(stable.erase(seen.front()), 1u);
        ASSERT_OK(s().DeleteOrganization(OrgId(seen.front())));
      }
    }

    std::set<std::string> unique(seen.begin(), seen.end());
    EXPECT_EQ(unique.size(), seen.size()) << "a row was seen twice";
    for (const std::string& id : stable) {
      EXPECT_EQ(std::count(seen.begin(), seen.end(), id), 1) << id;
    }
  }
}

TEST_P(StoreContractTest, KeysetPagingWithoutChurnMatchesTheFullList) {
  for (int i = 0; i < 11; ++i) {
    Insert(MakeOrg("k" + std::to_string(i), i % 2 ? "Same" : "same", kT0 + i % 4));
  }
  for (OrgSort sort : {OrgSort::kCreatedAsc, OrgSort::kNameAsc, OrgSort::kNameDesc}) {
    const std::vector<std::string> all = ListIds({.sort = sort, .limit = 100});
    std::vector<std::string> walked;
    std::optional<OrgCursor> cursor;
    for (int guard = 0; guard < 20; ++guard) {
      const OrganizationPage page = List({.sort = sort, .limit = 4, .after = cursor});
      for (const std::string& id : Ids(page)) walked.push_back(id);
      if (!page.has_more) break;
      cursor = page.last;
    }
    EXPECT_EQ(walked, all) << static_cast<int>(sort);
  }
}

TEST_P(StoreContractTest, CursorOfADeletedRowStillPositionsThePage) {
  Insert(MakeOrg("o1", "A", kT0 + 1));
  Insert(MakeOrg("o2", "B", kT0 + 2));
  Insert(MakeOrg("o3", "C", kT0 + 3));
  const OrganizationPage first = List({.limit = 2});
  ASSERT_OK(s().DeleteOrganization(OrgId("o2")));
  EXPECT_EQ(ListIds({.after = first.last}), std::vector<std::string>{"o3"});
}

TEST_P(StoreContractTest, InsertClientThenGetReturnsEveryField) {
  const ClientRecord client = MakeClient("cli1", {"read:organizations", "write:organizations"});
  ASSERT_OK(s().InsertClient(client));
  auto got = s().GetClient(ClientId("cli1"));
  ASSERT_OK(got);
  EXPECT_EQ(got->id, client.id);
  EXPECT_EQ(got->name, client.name);
  EXPECT_EQ(got->secret_hash, client.secret_hash);
  EXPECT_EQ(got->scopes, client.scopes);
  EXPECT_EQ(got->created_at, client.created_at);
}

TEST_P(StoreContractTest, ClientWithoutScopesRoundTrips) {
  ASSERT_OK(s().InsertClient(MakeClient("cli1", {})));
  auto got = s().GetClient(ClientId("cli1"));
  ASSERT_OK(got);
  EXPECT_EQ(got->scopes, std::vector<std::string>{});
}

TEST_P(StoreContractTest, InsertDuplicateClientIsAlreadyExistsId) {
  ASSERT_OK(s().InsertClient(MakeClient("cli1")));
  ExpectError(s().InsertClient(MakeClient("cli1")), ErrorCode::kAlreadyExists, "client", "id");
}

TEST_P(StoreContractTest, UpsertClientInsertsThenOverwrites) {
  ASSERT_OK(s().UpsertClient(MakeClient("cli1", {"all"})));
  ClientRecord changed = MakeClient("cli1", {"read:organizations"});
  changed.name = "renamed";
  changed.secret_hash = "other-hash";
  changed.created_at = kT0 + 9;
  ASSERT_OK(s().UpsertClient(changed));
  auto got = s().GetClient(ClientId("cli1"));
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "renamed");
  EXPECT_EQ(got->secret_hash, "other-hash");
  EXPECT_EQ(got->scopes, std::vector<std::string>{"read:organizations"});
  EXPECT_EQ(got->created_at, kT0 + 9);
  auto count = s().CountClients();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 1);
}

TEST_P(StoreContractTest, GetUnknownClientIsNotFound) {
  ExpectError(s().GetClient(ClientId("nope")), ErrorCode::kNotFound, "client", "");
}

TEST_P(StoreContractTest, CountClientsCountsEveryClient) {
  auto none = s().CountClients();
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0);
  ASSERT_OK(s().InsertClient(MakeClient("cli1")));
  ASSERT_OK(s().InsertClient(MakeClient("cli2")));
  auto two = s().CountClients();
  ASSERT_OK(two);
  EXPECT_EQ(*two, 2);
}

TEST_P(StoreContractTest, DeleteClientRemovesIt) {
  ASSERT_OK(s().InsertClient(MakeClient("cli1")));
  ASSERT_OK(s().DeleteClient(ClientId("cli1")));
  ExpectError(s().GetClient(ClientId("cli1")), ErrorCode::kNotFound, "client", "");
}

TEST_P(StoreContractTest, DeleteUnknownClientIsNotFound) {
  ExpectError(s().DeleteClient(ClientId("nope")), ErrorCode::kNotFound, "client", "");
}

SigningKeyRecord MakeKey(std::string kid, int64_t created_at,
                         std::optional<int64_t> retired_at = std::nullopt) {
  return SigningKeyRecord{
      .kid = std::move(kid),
      .algorithm = "RS256",
      .private_pem = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
      .created_at = created_at,
      .retired_at = retired_at};
}

TEST_P(StoreContractTest, NoSigningKeysAtFirst) {
  auto keys = s().ListSigningKeys();
  ASSERT_OK(keys);
  EXPECT_TRUE(keys->empty());
}

TEST_P(StoreContractTest, SigningKeysListNewestFirstWithEveryField) {
  ASSERT_OK(s().InsertSigningKey(MakeKey("k-old", kT0, kT0 + 50)));
  ASSERT_OK(s().InsertSigningKey(MakeKey("k-new", kT0 + 100)));
  ASSERT_OK(s().InsertSigningKey(MakeKey("k-mid", kT0 + 10)));
  auto keys = s().ListSigningKeys();
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 3u);
  EXPECT_EQ((*keys)[0].kid, "k-new");
  EXPECT_EQ((*keys)[1].kid, "k-mid");
  EXPECT_EQ((*keys)[2].kid, "k-old");
  const SigningKeyRecord expected = MakeKey("k-old", kT0, kT0 + 50);
  EXPECT_EQ((*keys)[2].algorithm, expected.algorithm);
  EXPECT_EQ((*keys)[2].private_pem, expected.private_pem);
  EXPECT_EQ((*keys)[2].created_at, expected.created_at);
  EXPECT_EQ((*keys)[2].retired_at, expected.retired_at);
  EXPECT_EQ((*keys)[0].retired_at, std::nullopt);
}

TEST_P(StoreContractTest, DuplicateSigningKeyIsAlreadyExistsKid) {
  ASSERT_OK(s().InsertSigningKey(MakeKey("k1", kT0)));
  ExpectError(s().InsertSigningKey(MakeKey("k1", kT0 + 1)), ErrorCode::kAlreadyExists,
              "signing_key", "kid");
}

TEST_P(StoreContractTest, TransactionCommitsWhenCallbackSucceeds) {
  auto r = s().InTransaction(TxMode::kWrite, [](Store& tx) -> Result<void> {
    ORGD_TRY(tx.InsertOrganization(MakeOrg("tx000000001", "T")));
    return tx.InsertClient(MakeClient("cli1"));
  });
  ASSERT_OK(r);
  EXPECT_EQ(Get("tx000000001").name, "T");
  EXPECT_TRUE(s().GetClient(ClientId("cli1")));
}

TEST_P(StoreContractTest, TransactionRollsBackAndReturnsTheCallbacksError) {
  auto r = s().InTransaction(TxMode::kWrite, [](Store& tx) -> Result<void> {
    ORGD_TRY(tx.InsertOrganization(MakeOrg("tx000000001", "T")));
    return Error::FailedPrecondition("require_membership", "no");
  });
  ExpectError(r, ErrorCode::kFailedPrecondition, "", "require_membership");
  ExpectError(s().GetOrganization(OrgId("tx000000001")), ErrorCode::kNotFound, "organization",
              "");
}

TEST_P(StoreContractTest, TransactionSeesItsOwnWrites) {
  auto r = s().InTransaction(TxMode::kWrite, [](Store& tx) -> Result<void> {
    ORGD_TRY(tx.InsertOrganization(MakeOrg("tx000000001", "T")));
    auto got = tx.GetOrganization(OrgId("tx000000001"));
    if (!got) return got.error();
    auto page = tx.ListOrganizations({.want_total = true});
    if (!page) return page.error();
    if (page->total != 1) return Error::Internal("list did not see the insert");
    return {};
  });
  ASSERT_OK(r);
}

TEST_P(StoreContractTest, NotFoundInsideTransactionDoesNotSpoilIt) {
  auto r = s().InTransaction(TxMode::kWrite, [](Store& tx) -> Result<void> {
    if (tx.GetOrganization(OrgId("missing0001"))) return Error::Internal("found a missing org");
    return tx.InsertOrganization(MakeOrg("tx000000001", "T"));
  });
  ASSERT_OK(r);
  EXPECT_EQ(Get("tx000000001").name, "T");
}

TEST_P(StoreContractTest, CarryingOnAfterAFailedStatementRollsBackAsInternal) {
  Insert(MakeOrg("dup00000001", "Existing"));
  auto r = s().InTransaction(TxMode::kWrite, [](Store& tx) -> Result<void> {
    ORGD_TRY(tx.InsertOrganization(MakeOrg("tx000000001", "T")));
    (void)tx.InsertOrganization(MakeOrg("dup00000001", "Clash"));  // ignored on purpose
    return {};
  });
  ExpectError(r, ErrorCode::kInternal, "", "");
  ExpectError(s().GetOrganization(OrgId("tx000000001")), ErrorCode::kNotFound, "organization",
              "");
}

TEST_P(StoreContractTest, NestedTransactionJoinsTheOuterOne) {
  auto r = s().InTransaction(TxMode::kWrite, [](Store& tx) -> Result<void> {
    ORGD_TRY(tx.InsertOrganization(MakeOrg("tx000000001", "Outer")));
    ORGD_TRY(tx.InTransaction(TxMode::kWrite, [](Store& inner) {
      return inner.InsertOrganization(MakeOrg("tx000000002", "Inner"));
    }));
    return Error::Aborted("give up");
  });
  ExpectError(r, ErrorCode::kAborted, "", "");
  ExpectError(s().GetOrganization(OrgId("tx000000001")), ErrorCode::kNotFound, "organization",
              "");
  ExpectError(s().GetOrganization(OrgId("tx000000002")), ErrorCode::kNotFound, "organization",
              "");
}

TEST_P(StoreContractTest, AbortedTransactionIsRetriedThreeTimesInAll) {
  int attempts = 0;
  auto r = s().InTransaction(TxMode::kWrite, [&](Store&) -> Result<void> {
    ++attempts;
    return Error::Aborted("conflict");
  });
  ExpectError(r, ErrorCode::kAborted, "", "");
  EXPECT_EQ(attempts, 3);
}

TEST_P(StoreContractTest, OtherFailuresAreNotRetried) {
  int attempts = 0;
  auto r = s().InTransaction(TxMode::kWrite, [&](Store&) -> Result<void> {
    ++attempts;
    return Error::NotFound("user");
  });
  ExpectError(r, ErrorCode::kNotFound, "user", "");
  EXPECT_EQ(attempts, 1);
}

TEST_P(StoreContractTest, RetriedTransactionStartsClean) {
  int attempts = 0;
  auto r = s().InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ++attempts;
    ORGD_TRY(tx.InsertOrganization(MakeOrg("tx000000001", "T" + std::to_string(attempts))));
    if (attempts == 1) return Error::Aborted("conflict");
    return {};
  });
  ASSERT_OK(r);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(Get("tx000000001").name, "T2");
}

TEST_P(StoreContractTest, ReadTransactionRuns) {
  Insert(MakeOrg("o1", "A"));
  std::string name;
  auto r = s().InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    auto org = tx.GetOrganization(OrgId("o1"));
    if (!org) return org.error();
    name = org->name;
    return {};
  });
  ASSERT_OK(r);
  EXPECT_EQ(name, "A");
}

TEST_P(StoreContractTest, PingAnswers) { EXPECT_TRUE(s().Ping()); }

TEST_P(StoreContractTest, ConcurrentInsertsAllLand) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Organization org =
            MakeOrg("t" + std::to_string(t) + "-" + std::to_string(i), "Org", kT0 + i);
        org.allowed_domains = {"t" + std::to_string(t) + ".example"};
        if (!s().InsertOrganization(org)) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(List({.want_total = true}).total, kThreads * kPerThread);
}

TEST_P(StoreContractTest, ConcurrentPatchesOfDifferentFieldsAllApply) {
  Insert(MakeOrg("o1", "A"));
  constexpr int kRounds = 20;
  std::atomic<int> failures{0};
  std::thread describer([&] {
    for (int i = 0; i < kRounds; ++i) {
      OrganizationPatch patch;
      patch.description = "d" + std::to_string(i);
      if (!s().UpdateOrganization(OrgId("o1"), patch, kT0 + i)) ++failures;
    }
  });
  std::thread styler([&] {
    for (int i = 0; i < kRounds; ++i) {
      OrganizationPatch patch;
      patch.custom_css = "c" + std::to_string(i);
      if (!s().UpdateOrganization(OrgId("o1"), patch, kT0 + i)) ++failures;
    }
  });
  describer.join();
  styler.join();
  EXPECT_EQ(failures.load(), 0);
  const Organization got = Get("o1");
  EXPECT_EQ(got.description, "d" + std::to_string(kRounds - 1));
  EXPECT_EQ(got.custom_css, "c" + std::to_string(kRounds - 1));
}

TEST_P(StoreContractTest, ConcurrentWriteTransactionsAllCommit) {
  // Only what both engines promise: concurrent kWrite transactions each commit whole (retried on
  // kAborted). A count-then-insert rule would also be serialized on SQLite (BEGIN IMMEDIATE) but
  // not on PostgreSQL, where kWrite relies on row locks that the SQL takes.
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string suffix = std::to_string(t) + "-" + std::to_string(i);
        auto r = s().InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
          Organization org = MakeOrg("tx" + suffix, "Org " + suffix);
          org.allowed_domains = {"d" + suffix + ".example"};
          ORGD_TRY(tx.InsertOrganization(org));
          return tx.InsertClient(MakeClient("cli" + suffix));
        });
        if (!r) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto count = s().CountClients();
  ASSERT_OK(count);
  EXPECT_EQ(*count, kThreads * kPerThread);
  EXPECT_EQ(List({.want_total = true}).total, kThreads * kPerThread);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_jit_email_domains"),
            kThreads * kPerThread);
}

}  // namespace
}  // namespace orgd::store
