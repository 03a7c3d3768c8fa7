// Read-your-writes of the in-memory read model across processes (issue #7 item 1): two real
// `orgd serve` processes on one database (an SQLite file in WAL mode, and one PostgreSQL schema).
// Process A writes and process B reads, in a tight loop, with no pause between a write's answer
// and the next read: B must never answer from a stale memory of the organization or the catalog.
// Each iteration covers a membership with a role (B's scopes show the role's scopes at once), the
// role's permissions changing (reflected at once), and the member leaving (gone at once).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/multiprocess/api_calls.h"
#include "tests/multiprocess/orgd_process.h"
#include "tests/support/http_client.h"
#include "tests/support/pg_schema.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;
using std::chrono::seconds;

constexpr int kIterations = 200;

// The scope names of a GET …/users/{id}/scopes answer, as a set.
std::set<std::string> ScopeNames(const HttpResponse& response) {
  std::set<std::string> names;
  if (!response.json.is_array()) return names;
  for (const Json& item : response.json) names.insert(item.value("name", ""));
  return names;
}

class ReadYourWritesTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    auto database = ProcessDatabase::Create(GetParam(), &skip);
    ASSERT_TRUE(database) << database.error().message << " " << database.error().detail;
    if (*database == nullptr) GTEST_SKIP() << skip;
    database_ = std::move(*database);
  }

  void TearDown() override {
    for (auto& process : processes_) {
      if (process->running()) process->Kill();
    }
    processes_.clear();
    database_.reset();
  }

  OrgdProcess* Start(std::vector<std::string> extra_args = {}) {
    std::string error;
    auto process = OrgdProcess::Start(
        {.database_url = database_->url(), .extra_args = std::move(extra_args)}, &error);
    if (process == nullptr) {
      ADD_FAILURE() << error;
      return nullptr;
    }
    processes_.push_back(std::move(process));
    return processes_.back().get();
  }

  // Starts process A (the writer, with `writer_args`) and B (the reader), each with a client and
  // a Logto token.
  void StartWriterAndReader(std::vector<std::string> writer_args = {}) {
    OrgdProcess* a_process = Start(std::move(writer_args));
    ASSERT_NE(a_process, nullptr);
    OrgdProcess* b_process = Start();
    ASSERT_NE(b_process, nullptr);
    a_ = std::make_unique<HttpClient>(a_process->port());
    b_ = std::make_unique<HttpClient>(b_process->port());
    a_token_ = FetchLogtoToken(*a_);
    b_token_ = FetchLogtoToken(*b_);
    ASSERT_FALSE(a_token_.empty() || b_token_.empty());
  }

  // A writes and B reads in a tight loop (see the file comment); B is never stale.
  void ExpectEveryWriteOfAReadThroughBAtOnce();

  std::unique_ptr<ProcessDatabase> database_;
  std::vector<std::unique_ptr<OrgdProcess>> processes_;
  std::unique_ptr<HttpClient> a_;
  std::unique_ptr<HttpClient> b_;
  std::string a_token_;
  std::string b_token_;
};

void ReadYourWritesTest::ExpectEveryWriteOfAReadThroughBAtOnce() {
  HttpClient& a = *a_;
  HttpClient& b = *b_;
  const std::string& a_token = a_token_;
  const std::string& b_token = b_token_;
  const std::string b_kinde = FetchKindeToken(b, OrgdProcessOptions{}.public_url);
  ASSERT_FALSE(b_kinde.empty());
  auto write = [&](const std::string& method, const std::string& target, const std::string& body) {
    return SendBearer(a, a_token, method, target, body);
  };

  HttpResponse org = write("POST", "/api/organizations", R"({"name":"RYW"})");
  ASSERT_EQ(org.status, 201) << org.body;
  const std::string org_id = org.json["id"];
  HttpResponse user = write("POST", "/api/users", R"({"username":"ryw_user"})");
  ASSERT_EQ(user.status, 200) << user.body;
  const std::string user_id = user.json["id"];
  std::vector<std::string> scope_ids;
  for (const char* name : {"read:ryw", "write:ryw"}) {
    HttpResponse scope =
        write("POST", "/api/organization-scopes", Json{{"name", name}}.dump());
    ASSERT_EQ(scope.status, 201) << scope.body;
    scope_ids.push_back(scope.json["id"]);
  }
  HttpResponse role = write("POST", "/api/organization-roles",
                            Json{{"name", "ryw-role"}, {"organizationScopeIds", {scope_ids[0]}}}.dump());
  ASSERT_EQ(role.status, 201) << role.body;
  const std::string role_id = role.json["id"];

  const std::string scopes_path = "/api/organizations/" + org_id + "/users/" + user_id + "/scopes";
  const std::string kinde_permissions =
      "/api/v1/organizations/" + org_id + "/users/" + user_id + "/permissions";
  // Warm B's memory of the organization and the catalog before the loop.
  ASSERT_EQ(SendBearer(b, b_token, "GET", scopes_path).status, 200);

  int stale = 0;
  for (int i = 0; i < kIterations; ++i) {
    SCOPED_TRACE("iteration " + std::to_string(i));
    HttpResponse added =
        write("POST", "/api/organizations/" + org_id + "/users", Json{{"userIds", {user_id}}}.dump());
    ASSERT_EQ(added.status, 201) << added.body;
    HttpResponse granted = write("POST", "/api/organizations/" + org_id + "/users/" + user_id + "/roles",
                                 Json{{"organizationRoleIds", {role_id}}}.dump());
    ASSERT_EQ(granted.status, 201) << granted.body;
    HttpResponse read = SendBearer(b, b_token, "GET", scopes_path);
    ASSERT_EQ(read.status, 200) << read.body;
    if (ScopeNames(read) != std::set<std::string>{"read:ryw"}) {
      ++stale;
      ADD_FAILURE() << "after the grant: " << read.body;
    }

    HttpResponse linked = write("POST", "/api/organization-roles/" + role_id + "/scopes",
                                Json{{"organizationScopeIds", {scope_ids[1]}}}.dump());
    ASSERT_EQ(linked.status, 201) << linked.body;
    read = SendBearer(b, b_token, "GET", scopes_path);
    ASSERT_EQ(read.status, 200) << read.body;
    if (ScopeNames(read) != std::set<std::string>{"read:ryw", "write:ryw"}) {
      ++stale;
      ADD_FAILURE() << "after linking a scope to the role: " << read.body;
    }
    HttpResponse kinde = SendBearer(b, b_kinde, "GET", kinde_permissions);
    ASSERT_EQ(kinde.status, 200) << kinde.body;
    if (kinde.json["permissions"].size() != 2) {
      ++stale;
      ADD_FAILURE() << "Kinde permissions after linking: " << kinde.body;
    }

    HttpResponse unlinked =
        write("DELETE", "/api/organization-roles/" + role_id + "/scopes/" + scope_ids[1], "");
    ASSERT_EQ(unlinked.status, 204) << unlinked.body;
    read = SendBearer(b, b_token, "GET", scopes_path);
    if (ScopeNames(read) != std::set<std::string>{"read:ryw"}) {
      ++stale;
      ADD_FAILURE() << "after unlinking a scope from the role: " << read.body;
    }

    HttpResponse removed =
        write("DELETE", "/api/organizations/" + org_id + "/users/" + user_id, "");
    ASSERT_EQ(removed.status, 204) << removed.body;
    read = SendBearer(b, b_token, "GET", scopes_path);
    ASSERT_EQ(read.status, 200) << read.body;
    if (!ScopeNames(read).empty()) {
      ++stale;
      ADD_FAILURE() << "after the removal: " << read.body;
    }
    kinde = SendBearer(b, b_kinde, "GET", kinde_permissions);
    if (kinde.status != 400 || !kinde.json.contains("errors") ||
        kinde.json["errors"][0].value("code", "") != "USER_NOT_IN_ORGANIZATION") {
      ++stale;
      ADD_FAILURE() << "Kinde permissions of a removed member: " << kinde.status << " " << kinde.body;
    }
    if (stale > 5) break;
  }
  EXPECT_EQ(stale, 0);
  for (auto& process : processes_) EXPECT_EQ(process->Terminate(seconds(5)), std::optional<int>(0));
}

TEST_P(ReadYourWritesTest, WritesThroughOneProcessAreReadThroughTheOtherAtOnce) {
  ASSERT_NO_FATAL_FAILURE(StartWriterAndReader());
  ExpectEveryWriteOfAReadThroughBAtOnce();
}

// On PostgreSQL, B answers from memory under a lease and A's writes wait for B's acknowledgement
// (store/postgres/pg_change_fence.h). A process that does not follow the feed itself must still
// make its writes wait: here A runs with --follow-changes off (on SQLite the flag does nothing).
TEST_P(ReadYourWritesTest, AWriterThatDoesNotFollowTheFeedStillWaitsForTheReader) {
  ASSERT_NO_FATAL_FAILURE(StartWriterAndReader({"--follow-changes", "off"}));
  ExpectEveryWriteOfAReadThroughBAtOnce();
}

// The count of a search (Logto's Total-Number), which B takes from its in-memory search index
// (src/domain/org_search_index.h) once built, follows every create, rename and delete through A
// at once.
TEST_P(ReadYourWritesTest, SearchTotalsThroughOneProcessFollowWritesThroughTheOther) {
  ASSERT_NO_FATAL_FAILURE(StartWriterAndReader());
  HttpClient& a = *a_;
  HttpClient& b = *b_;
  const std::string& a_token = a_token_;
  const std::string& b_token = b_token_;
  auto total = [&](const std::string& q) {
    HttpResponse r = SendBearer(b, b_token, "GET", "/api/organizations?page=1&page_size=2&q=" + q);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Header("total-number");
  };

  std::vector<std::string> needles;  // ids of the organizations named "Needle …" now
  int hays = 0;                      // organizations renamed "Hay …"
  int stale = 0;
  for (int i = 0; i < kIterations / 2 && stale <= 5; ++i) {
    SCOPED_TRACE("iteration " + std::to_string(i));
    HttpResponse org = SendBearer(a, a_token, "POST", "/api/organizations",
                                  Json{{"name", "Needle " + std::to_string(i)}}.dump());
    ASSERT_EQ(org.status, 201) << org.body;
    needles.push_back(org.json["id"]);
    if (i % 3 == 2) {  // renamed away
      HttpResponse renamed = SendBearer(a, a_token, "PATCH", "/api/organizations/" + needles[0],
                                        Json{{"name", "Hay " + std::to_string(i)}}.dump());
      ASSERT_EQ(renamed.status, 200) << renamed.body;
      needles.erase(needles.begin());
      ++hays;
    } else if (i % 5 == 4) {  // deleted
      ASSERT_EQ(SendBearer(a, a_token, "DELETE", "/api/organizations/" + needles.back()).status,
                204);
      needles.pop_back();
    }
    if (total("needle") != std::to_string(needles.size())) {
      ++stale;
      ADD_FAILURE() << "needle: " << total("needle") << ", want " << needles.size();
    }
    if (total("HAY%25") != std::to_string(hays)) {  // q=HAY%: a case-folded wildcard search
      ++stale;
      ADD_FAILURE() << "hay: " << total("HAY%25") << ", want " << hays;
    }
  }
  EXPECT_EQ(stale, 0);
  for (auto& process : processes_) EXPECT_EQ(process->Terminate(seconds(5)), std::optional<int>(0));
}

INSTANTIATE_TEST_SUITE_P(Engines, ReadYourWritesTest, ::testing::Values("sqlite_file", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace orgd::testing
