// Several orgd processes on one database (DESIGN.md "Scale-out"; issue #5): real `orgd serve`
// binaries in child processes, on one PostgreSQL schema and on one SQLite file (WAL), checked
// over HTTP. A write through either process is read through the other at once, concurrent
// conflicting writes through both leave one winner and the contract's error for every loser,
// and a token issued by one process is accepted by the other in both dialects, also when both
// start together on an empty database.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
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
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kStartTimeout = seconds(30);
constexpr milliseconds kStopTimeout = seconds(5);

class MultiprocessTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    auto probe = ProcessDatabase::Create(GetParam(), &skip);
    ASSERT_TRUE(probe) << probe.error().message << " " << probe.error().detail;
    if (*probe == nullptr) GTEST_SKIP() << skip;
    databases_.push_back(std::move(*probe));
    database_url_ = NewDatabase();
  }

  void TearDown() override {
    // Processes first: a schema is dropped, and a file removed, only once nothing uses it.
    for (auto& process : processes_) {
      if (process->running()) {
        ADD_FAILURE() << "orgd pid " << process->pid() << " was still running; killed";
        process->Kill();
      }
    }
    processes_.clear();
    databases_.clear();
  }

  // A fresh, empty database of the engine under test; returns its URL. The first one is made by
  // SetUp (which may skip).
  std::string NewDatabase() {
    if (databases_.size() > used_databases_) return databases_[used_databases_++]->url();
    auto database = ProcessDatabase::Create(GetParam(), nullptr);
    if (!database || *database == nullptr) {
      ADD_FAILURE() << "cannot create a test database";
      return "";
    }
    databases_.push_back(std::move(*database));
    ++used_databases_;
    return databases_.back()->url();
  }

  // Spawns `count` processes on `url` back to back (each fork takes well under a millisecond, so
  // they start together), then waits for each to listen. Empty on failure.
  std::vector<OrgdProcess*> StartProcesses(int count, const std::string& url) {
    std::vector<OrgdProcess*> started;
    for (int i = 0; i < count; ++i) {
      std::string error;
      auto process = OrgdProcess::Spawn({.database_url = url}, &error);
      if (process == nullptr) {
        ADD_FAILURE() << error;
        return {};
      }
      started.push_back(process.get());
      processes_.push_back(std::move(process));
    }
    for (OrgdProcess* process : started) {
      std::string error;
      if (!process->WaitReady(kStartTimeout, &error)) {
        ADD_FAILURE() << error;
        return {};
      }
    }
    return started;
  }

  // One process on the test's database, started after any earlier one is up.
  OrgdProcess* StartOne() {
    auto started = StartProcesses(1, database_url_);
    return started.empty() ? nullptr : started[0];
  }

  // SIGTERM to every running process; each must exit 0 within kStopTimeout.
  void StopAllCleanly() {
    for (auto& process : processes_) {
      if (!process->running()) continue;
      const pid_t pid = process->pid();
      const std::optional<int> code = process->Terminate(kStopTimeout);
      EXPECT_EQ(code, std::optional<int>(0)) << "orgd pid " << pid << " did not exit 0 within "
                                             << kStopTimeout.count() << " ms of SIGTERM\n"
                                             << process->StderrTail();
    }
  }

  std::string database_url_;
  std::vector<std::unique_ptr<OrgdProcess>> processes_;
  std::vector<std::unique_ptr<ProcessDatabase>> databases_;
  size_t used_databases_ = 0;
};

// A client of one process with both dialects' tokens of the admin.
struct Caller {
  explicit Caller(OrgdProcess& process) : http(process.port()) {
    logto = FetchLogtoToken(http);
    kinde = FetchKindeToken(http, OrgdProcessOptions{}.public_url);
  }
  HttpResponse Logto(const std::string& method, const std::string& target,
                     const std::string& body = "") {
    return SendBearer(http, logto, method, target, body);
  }
  HttpResponse Kinde(const std::string& method, const std::string& target,
                     const std::string& body = "") {
    return SendBearer(http, kinde, method, target, body);
  }
  HttpClient http;
  std::string logto;
  std::string kinde;
};

TEST_P(MultiprocessTest, AWriteThroughEitherProcessIsReadThroughTheOtherAtOnce) {
  OrgdProcess* a_process = StartOne();
  ASSERT_NE(a_process, nullptr);
  OrgdProcess* b_process = StartOne();
  ASSERT_NE(b_process, nullptr);
  Caller a(*a_process);
  Caller b(*b_process);
  ASSERT_FALSE(a.logto.empty() || a.kinde.empty() || b.logto.empty() || b.kinde.empty());

  // Created in A through Logto, read in B through both dialects.
  HttpResponse created = a.Logto("POST", "/api/organizations",
                                 R"({"name":"Shared Org","description":"written by A"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json["id"];
  HttpResponse kinde_read = b.Kinde("GET", "/api/v1/organization?code=" + id);
  ASSERT_EQ(kinde_read.status, 200) << kinde_read.body;
  EXPECT_EQ(kinde_read.json["code"], id);
  EXPECT_EQ(kinde_read.json["name"], "Shared Org");
  HttpResponse logto_read = b.Logto("GET", "/api/organizations/" + id);
  ASSERT_EQ(logto_read.status, 200) << logto_read.body;
  EXPECT_EQ(logto_read.json, created.json);

  // Patched in B, read in A.
  HttpResponse patched = b.Logto("PATCH", "/api/organizations/" + id,
                                 R"({"name":"Renamed by B","description":"patched by B"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  HttpResponse after_patch = a.Logto("GET", "/api/organizations/" + id);
  ASSERT_EQ(after_patch.status, 200) << after_patch.body;
  EXPECT_EQ(after_patch.json, patched.json);
  EXPECT_EQ(after_patch.json["name"], "Renamed by B");
  EXPECT_EQ(after_patch.json["description"], "patched by B");
  HttpResponse kinde_after_patch = a.Kinde("GET", "/api/v1/organization?code=" + id);
  ASSERT_EQ(kinde_after_patch.status, 200) << kinde_after_patch.body;
  EXPECT_EQ(kinde_after_patch.json["name"], "Renamed by B");

  // Created in B through Kinde with a handle, found in A's list and search.
  HttpResponse kinde_created =
      b.Kinde("POST", "/api/v1/organization", R"({"name":"Made in B","handle":"made-in-b"})");
  ASSERT_EQ(kinde_created.status, 200) << kinde_created.body;
  const std::string code = kinde_created.json["organization"]["code"];
  HttpResponse listed = a.Kinde("GET", "/api/v1/organizations?sort=name_asc");
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.json["organizations"].size(), 2u) << listed.body;
  EXPECT_EQ(listed.json["organizations"][0]["code"], code);
  EXPECT_EQ(listed.json["organizations"][0]["handle"], "made-in-b");
  EXPECT_EQ(listed.json["organizations"][1]["code"], id);
  HttpResponse searched = a.Logto("GET", "/api/organizations?q=made%20in");
  ASSERT_EQ(searched.status, 200) << searched.body;
  ASSERT_EQ(searched.json.size(), 1u) << searched.body;
  EXPECT_EQ(searched.json[0]["id"], code);

  // Deleted in A, gone in B at once.
  HttpResponse deleted = a.Logto("DELETE", "/api/organizations/" + id);
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  HttpResponse logto_gone = b.Logto("GET", "/api/organizations/" + id);
  EXPECT_EQ(logto_gone.status, 404) << logto_gone.body;
  EXPECT_EQ(logto_gone.json,
            (Json{{"code", "entity.not_exists_with_id"},
                  {"message", "The organizations with ID `" + id + "` does not exist."}}))
      << logto_gone.body;
  HttpResponse kinde_gone = b.Kinde("GET", "/api/v1/organization?code=" + id);
  EXPECT_EQ(kinde_gone.status, 400) << kinde_gone.body;  // Kinde's contract: 400, not 404
  ASSERT_TRUE(kinde_gone.json["errors"].is_array()) << kinde_gone.body;
  EXPECT_EQ(kinde_gone.json["errors"][0]["code"], "ORGANIZATION_NOT_FOUND");
  HttpResponse deleted_again = b.Kinde("DELETE", "/api/v1/organization/" + id);
  EXPECT_EQ(deleted_again.status, 404) << deleted_again.body;
  EXPECT_EQ(deleted_again.json["errors"]["code"], "ORGANIZATION_NOT_FOUND") << deleted_again.body;

  StopAllCleanly();
}

// Creates organizations with `body` from kThreadsPerProcess threads through each of `processes`
// at once (the threads are released together), and returns every response.
std::vector<HttpResponse> RaceCreates(const std::vector<OrgdProcess*>& processes,
                                      const std::string& body) {
  constexpr int kThreadsPerProcess = 6;
  std::vector<std::string> tokens;
  for (OrgdProcess* process : processes) {
    HttpClient http(process->port());
    tokens.push_back(FetchKindeToken(http, OrgdProcessOptions{}.public_url));
  }
  const size_t total = processes.size() * kThreadsPerProcess;
  std::vector<HttpResponse> responses(total);
  std::latch ready(static_cast<std::ptrdiff_t>(total));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < total; ++i) {
    threads.emplace_back([&, i] {
      const size_t p = i % processes.size();
      HttpClient http(processes[p]->port());
      // One request first, so that the raced one goes over a connection already open. A failure
      // here shows in the raced request; every thread must reach the latch either way.
      try {
        (void)http.Send("GET", "/healthz");
      } catch (const std::exception&) {
      }
      ready.arrive_and_wait();
      try {
        responses[i] = SendBearer(http, tokens[p], "POST", "/api/v1/organization", body);
      } catch (const std::exception& e) {
        responses[i].body = e.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return responses;
}

// Every organization, through the Kinde list of `caller`.
Json ListAllKinde(Caller& caller) {
  HttpResponse res = caller.Kinde("GET", "/api/v1/organizations?page_size=500");
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_TRUE(res.json["next_token"].is_null() || res.json["next_token"] == "") << res.body;
  return res.json["organizations"];
}

void ExpectOneWinner(const std::vector<HttpResponse>& responses, const std::string& loser_code,
                     std::string* winner) {
  int won = 0;
  for (const HttpResponse& res : responses) {
    if (res.status == 200) {
      ++won;
      *winner = res.json.at("organization").at("code").get<std::string>();
      continue;
    }
    EXPECT_EQ(res.status, 400) << res.body;
    ASSERT_TRUE(res.json.is_object() && res.json.contains("errors") &&
                res.json.at("errors").is_array() && res.json.at("errors").size() == 1)
        << res.body;
    EXPECT_EQ(res.json.at("errors").at(0).value("code", ""), loser_code) << res.body;
  }
  EXPECT_EQ(won, 1);
}

TEST_P(MultiprocessTest, ConcurrentCreatesWithOneHandleThroughBothProcessesLeaveOneOrganization) {
  std::vector<OrgdProcess*> processes = StartProcesses(2, database_url_);
  ASSERT_EQ(processes.size(), 2u);
  constexpr int kRounds = 3;
  std::vector<std::string> winners;
  for (int round = 0; round < kRounds; ++round) {
    const std::string handle = "contested-" + std::to_string(round);
    auto responses = RaceCreates(processes, R"({"name":"Racer","handle":")" + handle + R"("})");
    std::string winner;
    ExpectOneWinner(responses, "HANDLE_EXISTS", &winner);
    winners.push_back(winner);
  }
  Caller b(*processes[1]);
  Json all = ListAllKinde(b);
  ASSERT_EQ(all.size(), static_cast<size_t>(kRounds)) << all.dump();
  for (int round = 0; round < kRounds; ++round) {
    int with_handle = 0;
    for (const Json& org : all) {
      if (org["handle"] != "contested-" + std::to_string(round)) continue;
      ++with_handle;
      EXPECT_EQ(org["code"], winners[round]);
    }
    EXPECT_EQ(with_handle, 1) << all.dump();
  }
  StopAllCleanly();
}

TEST_P(MultiprocessTest,
       ConcurrentCreatesWithOneExternalIdThroughBothProcessesLeaveOneOrganization) {
  std::vector<OrgdProcess*> processes = StartProcesses(2, database_url_);
  ASSERT_EQ(processes.size(), 2u);
  constexpr int kRounds = 3;
  std::vector<std::string> winners;
  for (int round = 0; round < kRounds; ++round) {
    const std::string external_id = "ext-contested-" + std::to_string(round);
    auto responses =
        RaceCreates(processes, R"({"name":"Racer","external_id":")" + external_id + R"("})");
    std::string winner;
    ExpectOneWinner(responses, "EXTERNAL_ID_EXISTS", &winner);
    winners.push_back(winner);
  }
  Caller a(*processes[0]);
  Json all = ListAllKinde(a);
  ASSERT_EQ(all.size(), static_cast<size_t>(kRounds)) << all.dump();
  for (int round = 0; round < kRounds; ++round) {
    int with_external_id = 0;
    for (const Json& org : all) {
      if (org["external_id"] != "ext-contested-" + std::to_string(round)) continue;
      ++with_external_id;
      EXPECT_EQ(org["code"], winners[round]);
    }
    EXPECT_EQ(with_external_id, 1) << all.dump();
  }
  StopAllCleanly();
}

// Tokens of each dialect from `issuer` are accepted by `verifier` and both sign with one key.
void ExpectTokensAcceptedAcross(OrgdProcess& issuer, OrgdProcess& verifier) {
  Caller from(issuer);
  ASSERT_FALSE(from.logto.empty()) << "no Logto token from pid " << issuer.pid();
  ASSERT_FALSE(from.kinde.empty()) << "no Kinde token from pid " << issuer.pid();
  HttpClient to(verifier.port());
  HttpResponse logto = SendBearer(to, from.logto, "GET", "/api/organizations");
  EXPECT_EQ(logto.status, 200) << logto.body;
  EXPECT_EQ(logto.json, Json::array()) << logto.body;
  HttpResponse kinde = SendBearer(to, from.kinde, "GET", "/api/v1/organizations");
  EXPECT_EQ(kinde.status, 200) << kinde.body;
  EXPECT_EQ(kinde.json["code"], "OK") << kinde.body;
  EXPECT_EQ(JwtKid(from.logto), JwtKid(from.kinde));
}

void ExpectOneSigningKey(OrgdProcess& a, OrgdProcess& b) {
  HttpClient a_http(a.port());
  HttpClient b_http(b.port());
  const std::string a_kid = JwtKid(FetchLogtoToken(a_http));
  const std::string b_kid = JwtKid(FetchLogtoToken(b_http));
  EXPECT_FALSE(a_kid.empty());
  EXPECT_EQ(a_kid, b_kid) << "the processes sign with different keys";
}

TEST_P(MultiprocessTest, TokensIssuedByOneProcessAreAcceptedByTheOther) {
  OrgdProcess* a = StartOne();
  ASSERT_NE(a, nullptr);
  OrgdProcess* b = StartOne();
  ASSERT_NE(b, nullptr);
  ExpectTokensAcceptedAcross(*a, *b);
  ExpectTokensAcceptedAcross(*b, *a);
  ExpectOneSigningKey(*a, *b);

  // The acceptance above is verification against the shared keys, not a blanket yes: a process
  // on another database has keys of its own, and its tokens are refused.
  auto others = StartProcesses(1, NewDatabase());
  ASSERT_EQ(others.size(), 1u);
  Caller stranger(*others[0]);
  ASSERT_FALSE(stranger.logto.empty() || stranger.kinde.empty());
  HttpClient to_a(a->port());
  HttpResponse logto = SendBearer(to_a, stranger.logto, "GET", "/api/organizations");
  EXPECT_EQ(logto.status, 401) << logto.body;
  EXPECT_EQ(logto.json["code"], "auth.unauthorized") << logto.body;
  HttpResponse kinde = SendBearer(to_a, stranger.kinde, "GET", "/api/v1/organizations");
  EXPECT_EQ(kinde.status, 401) << kinde.body;
  ASSERT_TRUE(kinde.json["errors"].is_array()) << kinde.body;
  EXPECT_EQ(kinde.json["errors"][0]["code"], "UNAUTHORIZED") << kinde.body;
  StopAllCleanly();
}

TEST_P(MultiprocessTest, ProcessesStartingTogetherOnAnEmptyDatabaseAgreeOnOneSigningKey) {
  // Both race through the migrations and the first-start key creation; a few rounds, each on a
  // fresh database, give the race several chances to go wrong.
  constexpr int kRounds = 3;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string url = round == 0 ? database_url_ : NewDatabase();
    std::vector<OrgdProcess*> processes = StartProcesses(2, url);
    ASSERT_EQ(processes.size(), 2u);
    ExpectTokensAcceptedAcross(*processes[0], *processes[1]);
    ExpectTokensAcceptedAcross(*processes[1], *processes[0]);
    ExpectOneSigningKey(*processes[0], *processes[1]);
    StopAllCleanly();
  }
}

// Members, role grants and effective scopes written through one process are read through the
// other at once, in both dialects, in a tight loop of alternating writes.
TEST_P(MultiprocessTest, MembersRolesAndEffectiveScopesAreReadThroughTheOtherProcessAtOnce) {
  OrgdProcess* a_process = StartOne();
  ASSERT_NE(a_process, nullptr);
  OrgdProcess* b_process = StartOne();
  ASSERT_NE(b_process, nullptr);
  Caller a(*a_process);
  Caller b(*b_process);

  HttpResponse org = a.Logto("POST", "/api/organizations", R"({"name":"Team"})");
  ASSERT_EQ(org.status, 201) << org.body;
  const std::string org_id = org.json["id"];
  HttpResponse user = b.Logto("POST", "/api/users", R"({"username":"member_one"})");
  ASSERT_EQ(user.status, 200) << user.body;
  const std::string user_id = user.json["id"];
  HttpResponse scope = a.Logto("POST", "/api/organization-scopes", R"({"name":"docs:read"})");
  ASSERT_EQ(scope.status, 201) << scope.body;
  const std::string scope_id = scope.json["id"];
  HttpResponse role = b.Logto("POST", "/api/organization-roles",
                              Json{{"name", "reader"}, {"organizationScopeIds", {scope_id}}}.dump());
  ASSERT_EQ(role.status, 201) << role.body;
  const std::string role_id = role.json["id"];

  HttpResponse added = a.Logto("POST", "/api/organizations/" + org_id + "/users",
                               Json{{"userIds", {user_id}}}.dump());
  ASSERT_EQ(added.status, 201) << added.body;
  HttpResponse members = b.Kinde("GET", "/api/v1/organizations/" + org_id + "/users");
  ASSERT_EQ(members.status, 200) << members.body;
  ASSERT_EQ(members.json["organization_users"].size(), 1u) << members.body;
  EXPECT_EQ(members.json["organization_users"][0]["id"], user_id);

  const std::string user_roles = "/api/organizations/" + org_id + "/users/" + user_id + "/roles";
  const std::string user_scopes = "/api/organizations/" + org_id + "/users/" + user_id + "/scopes";
  const std::string kinde_perms =
      "/api/v1/organizations/" + org_id + "/users/" + user_id + "/permissions";
  for (int round = 0; round < 10; ++round) {
    Caller& writer = round % 2 == 0 ? a : b;
    Caller& reader = round % 2 == 0 ? b : a;
    HttpResponse grant = writer.Logto("POST", user_roles, Json{{"organizationRoleIds", {role_id}}}.dump());
    ASSERT_EQ(grant.status, 201) << grant.body;
    HttpResponse scopes = reader.Logto("GET", user_scopes);
    ASSERT_EQ(scopes.status, 200) << scopes.body;
    ASSERT_EQ(scopes.json.size(), 1u) << "round " << round << ": " << scopes.body;
    EXPECT_EQ(scopes.json[0]["id"], scope_id);
    HttpResponse perms = reader.Kinde("GET", kinde_perms + "?expand=roles");
    ASSERT_EQ(perms.status, 200) << perms.body;
    ASSERT_EQ(perms.json["permissions"].size(), 1u) << perms.body;
    EXPECT_EQ(perms.json["permissions"][0]["key"], "docs:read");
    EXPECT_EQ(perms.json["permissions"][0]["roles"], (Json::array({{{"id", role_id}, {"key", "reader"}}})));

    HttpResponse revoke = writer.Kinde("DELETE", "/api/v1/organizations/" + org_id + "/users/" +
                                                     user_id + "/roles/" + role_id);
    ASSERT_EQ(revoke.status, 200) << revoke.body;
    HttpResponse none = reader.Logto("GET", user_scopes);
    ASSERT_EQ(none.status, 200) << none.body;
    EXPECT_EQ(none.json, Json::array()) << "round " << round;
  }

  // Removed through A, no longer a member through B.
  HttpResponse removed = a.Logto("DELETE", "/api/organizations/" + org_id + "/users/" + user_id);
  EXPECT_EQ(removed.status, 204) << removed.body;
  HttpResponse not_member = b.Logto("GET", user_roles);
  EXPECT_EQ(not_member.status, 422) << not_member.body;
  EXPECT_EQ(not_member.json["code"], "organization.require_membership");
  StopAllCleanly();
}

// Concurrent replaces of one member list through both processes: every request succeeds, and the
// list ends exactly equal to one of the requested sets (never a mix); concurrent adds of the same
// membership leave one membership.
TEST_P(MultiprocessTest, ConcurrentMemberWritesThroughBothProcessesEndConsistent) {
  std::vector<OrgdProcess*> processes = StartProcesses(2, database_url_);
  ASSERT_EQ(processes.size(), 2u);
  Caller a(*processes[0]);
  Caller b(*processes[1]);
  HttpResponse org = a.Logto("POST", "/api/organizations", R"({"name":"Contended"})");
  ASSERT_EQ(org.status, 201) << org.body;
  const std::string org_id = org.json["id"];
  std::vector<std::string> users;
  for (int i = 0; i < 6; ++i) {
    HttpResponse user = a.Logto("POST", "/api/users", Json{{"username", "user_" + std::to_string(i)}}.dump());
    ASSERT_EQ(user.status, 200) << user.body;
    users.push_back(user.json["id"]);
  }
  const std::vector<std::string> set_a = {users[0], users[1], users[2]};
  const std::vector<std::string> set_b = {users[3], users[4], users[5]};
  const std::string path = "/api/organizations/" + org_id + "/users";

  for (int round = 0; round < 5; ++round) {
    std::latch ready(2);
    HttpResponse ra, rb;
    std::thread ta([&] {
      Caller c(*processes[0]);
      ready.arrive_and_wait();
      ra = c.Logto("PUT", path, Json{{"userIds", set_a}}.dump());
    });
    std::thread tb([&] {
      Caller c(*processes[1]);
      ready.arrive_and_wait();
      rb = c.Logto("PUT", path, Json{{"userIds", set_b}}.dump());
    });
    ta.join();
    tb.join();
    EXPECT_EQ(ra.status, 204) << ra.body;
    EXPECT_EQ(rb.status, 204) << rb.body;
    HttpResponse listed = b.Logto("GET", path + "?page_size=100");
    ASSERT_EQ(listed.status, 200) << listed.body;
    std::vector<std::string> ids;
    for (const auto& m : listed.json) ids.push_back(m["id"]);
    std::sort(ids.begin(), ids.end());
    std::vector<std::string> want_a = set_a, want_b = set_b;
    std::sort(want_a.begin(), want_a.end());
    std::sort(want_b.begin(), want_b.end());
    EXPECT_TRUE(ids == want_a || ids == want_b) << "round " << round << ": " << listed.body;
    EXPECT_EQ(listed.Header("total-number"), "3") << "round " << round;  // the kept count
  }

  HttpResponse cleared = a.Logto("PUT", path, R"({"userIds":[]})");
  ASSERT_EQ(cleared.status, 204) << cleared.body;
  std::latch ready(2);
  HttpResponse ra, rb;
  std::thread ta([&] {
    Caller c(*processes[0]);
    ready.arrive_and_wait();
    ra = c.Kinde("POST", "/api/v1/organizations/" + org_id + "/users",
                 Json{{"users", {{{"id", users[0]}}}}}.dump());
  });
  std::thread tb([&] {
    Caller c(*processes[1]);
    ready.arrive_and_wait();
    rb = c.Logto("POST", path, Json{{"userIds", {users[0]}}}.dump());
  });
  ta.join();
  tb.join();
  EXPECT_EQ(ra.status, 200) << ra.body;
  EXPECT_EQ(rb.status, 201) << rb.body;
  HttpResponse listed = b.Kinde("GET", "/api/v1/organizations/" + org_id + "/users");
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.json["organization_users"].size(), 1u) << listed.body;
  EXPECT_EQ(listed.json["organization_users"][0]["id"], users[0]);
  EXPECT_EQ(b.Logto("GET", path + "?page_size=1").Header("total-number"), "1");
  StopAllCleanly();
}

// Four writers, two through each process, add and remove members of one organization at once;
// the member total (kept by triggers, migration 0015) ends equal to the members listed.
TEST_P(MultiprocessTest, ConcurrentMemberAddsAndRemovalsKeepTheMemberTotalExact) {
  std::vector<OrgdProcess*> processes = StartProcesses(2, database_url_);
  ASSERT_EQ(processes.size(), 2u);
  Caller a(*processes[0]);
  HttpResponse org = a.Logto("POST", "/api/organizations", R"({"name":"Counted"})");
  ASSERT_EQ(org.status, 201) << org.body;
  const std::string path = "/api/organizations/" + std::string(org.json["id"]) + "/users";
  constexpr int kWriters = 4, kUsersEach = 6, kRounds = 8;
  std::vector<std::vector<std::string>> users(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kUsersEach; ++i) {
      HttpResponse user = a.Logto(
          "POST", "/api/users",
          Json{{"username", "w" + std::to_string(w) + "_" + std::to_string(i)}}.dump());
      ASSERT_EQ(user.status, 200) << user.body;
      users[w].push_back(user.json["id"]);
    }
  }
  std::latch ready(kWriters);
  std::vector<std::string> failures(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      Caller c(*processes[w % 2]);
      ready.arrive_and_wait();
      for (int round = 0; round < kRounds; ++round) {
        // All of this writer's users in one request, then all but the last removed one by one
        // (each a statement of its own), then the first again: after the last round, one left.
        HttpResponse added = c.Logto("POST", path, Json{{"userIds", users[w]}}.dump());
        if (added.status != 201) failures[w] += "add " + added.body + "; ";
        for (int i = 0; i + 1 < kUsersEach; ++i) {
          HttpResponse removed = c.Logto("DELETE", path + "/" + users[w][i]);
          if (removed.status != 204) failures[w] += "remove " + removed.body + "; ";
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();
  for (int w = 0; w < kWriters; ++w) EXPECT_EQ(failures[w], "") << "writer " << w;
  for (OrgdProcess* process : processes) {
    HttpResponse listed = Caller(*process).Logto("GET", path + "?page_size=100");
    ASSERT_EQ(listed.status, 200) << listed.body;
    EXPECT_EQ(listed.json.size(), size_t{kWriters});
    EXPECT_EQ(listed.Header("total-number"), std::to_string(kWriters));
  }
  StopAllCleanly();
}

INSTANTIATE_TEST_SUITE_P(Engines, MultiprocessTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace orgd::testing
