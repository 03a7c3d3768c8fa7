// A PostgreSQL restart under write load (issues #5 and #8): one orgd process keeps serving creates
// in both dialects, and the mixed load of write_load.h (member adds with roles, role replaces,
// bulk adds and bulk role assignments), while the cluster restarts. During the outage requests get
// the dialect's 503 and /readyz answers 503; afterwards orgd recovers by itself (same process),
// every organization and every other write it acknowledged is there exactly, and no bulk write is
// partly visible (a write answered 503 may or may not have been committed, but all of it or none).
//
// Runs when ORGD_TEST_POSTGRES_URL and ORGD_TEST_PG_RESTART (a shell command that restarts that
// cluster and returns once it accepts connections again; scripts/test.sh sets both) are set.
// The restart disturbs every other user of the cluster, so ctest runs this binary alone
// (RUN_SERIAL in CMakeLists.txt).
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/multiprocess/api_calls.h"
#include "tests/multiprocess/orgd_process.h"
#include "tests/multiprocess/write_load.h"
#include "tests/support/http_client.h"
#include "tests/support/pg_schema.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The bodies each dialect's renderer gives kUnavailable (src/api/logto/errors.cc,
// src/api/kinde/errors.cc).
const Json kLogtoUnavailable = {
    {"code", "request.service_unavailable"},
    {"message", "The service is temporarily unavailable. Please retry."},
};
const Json kKindeUnavailable = {
    {"errors",
     {{{"code", "SERVICE_UNAVAILABLE"}, {"message", "The service is temporarily unavailable"}}}},
};

// What the load saw, shared by its threads.
struct LoadRecord {
  std::mutex mu;
  std::vector<std::string> acknowledged;  // ids of organizations answered 200/201
  std::vector<std::string> unexpected;    // anything but an acknowledgement or the dialect's 503
  std::atomic<int> acknowledged_count{0};
  std::atomic<int> unavailable{0};

  void Ack(std::string id) {
    std::lock_guard lock(mu);
    acknowledged.push_back(std::move(id));
    ++acknowledged_count;
  }
  void Unexpected(std::string what) {
    std::lock_guard lock(mu);
    if (unexpected.size() < 20) unexpected.push_back(std::move(what));
  }
};

// Creates organizations until `stop`, alternating dialects by thread.
void RunLoad(OrgdProcess& process, int thread, const std::string& token, bool logto,
             const std::atomic<bool>& stop, LoadRecord& record) {
  HttpClient http(process.port());
  for (int i = 0; !stop; ++i) {
    const std::string name = "load " + std::to_string(thread) + "-" + std::to_string(i);
    HttpResponse res;
    try {
      res = SendBearer(http, token, "POST", logto ? "/api/organizations" : "/api/v1/organization",
                       Json{{"name", name}}.dump());
    } catch (const std::exception& e) {
      record.Unexpected(name + ": " + e.what());
      continue;
    }
    // The id of an organization the request created, if it did.
    const Json* id = nullptr;
    if (logto && res.status == 201 && res.json.is_object() && res.json.contains("id")) {
      id = &res.json.at("id");
    } else if (!logto && res.status == 200 && res.json.is_object() &&
               res.json.contains("organization") && res.json.at("organization").is_object() &&
               res.json.at("organization").contains("code")) {
      id = &res.json.at("organization").at("code");
    }
    if (id != nullptr && id->is_string()) {
      record.Ack(id->get<std::string>());
    } else if (res.status == 503 && res.json == (logto ? kLogtoUnavailable : kKindeUnavailable)) {
      ++record.unavailable;
    } else {
      record.Unexpected(name + ": " + std::to_string(res.status) + " " + res.body);
    }
  }
}

TEST(PgRestartTest, AcknowledgedWritesSurviveARestartUnderLoadAndOrgdRecoversByItself) {
  const char* restart = std::getenv("ORGD_TEST_PG_RESTART");
  if (restart == nullptr || *restart == '\0') GTEST_SKIP() << "ORGD_TEST_PG_RESTART is not set";
  std::string skip;
  auto schema = PgTestSchema::Create(&skip);
  ASSERT_TRUE(schema) << schema.error().message << " " << schema.error().detail;
  if (*schema == nullptr) GTEST_SKIP() << skip;

  std::string error;
  auto process = OrgdProcess::Start({.database_url = (*schema)->url(), .db_pool_size = 8}, &error);
  ASSERT_NE(process, nullptr) << error;
  const pid_t pid = process->pid();
  HttpClient control(process->port());
  const std::string logto = FetchLogtoToken(control);
  const std::string kinde = FetchKindeToken(control, OrgdProcessOptions{}.public_url);
  ASSERT_FALSE(logto.empty() || kinde.empty());

  LoadFixture fixture;
  ASSERT_TRUE(PrepareLoadFixture(control, OrgdProcessOptions{}.public_url, "pgr", 4, 150, &fixture,
                                 &error))
      << error;

  constexpr int kLoadThreads = 4;
  constexpr int kWritesBeforeAndAfter = 50;
  LoadRecord record;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kLoadThreads; ++t) {
    const bool use_logto = t % 2 == 0;
    threads.emplace_back(RunLoad, std::ref(*process), t, use_logto ? logto : kinde, use_logto,
                         std::cref(stop), std::ref(record));
  }
  // The mixed load: the dialect's 503 is the outage; anything else but a 2xx is unexpected.
  constexpr int kMixedThreads = 2;
  std::vector<std::unique_ptr<WriteLoad>> mixed;
  for (int t = 0; t < kMixedThreads; ++t) {
    mixed.push_back(std::make_unique<WriteLoad>(
        fixture, process->port(), static_cast<uint64_t>(t) + 1, "mixed " + std::to_string(t),
        [](const HttpResponse& res, bool logto) {
          return res.status == 503 && res.json == (logto ? kLogtoUnavailable : kKindeUnavailable);
        }));
    threads.emplace_back([&load = *mixed.back(), &stop] { load.Run(stop); });
  }
  // /readyz, polled throughout.
  std::atomic<int> ready_503{0};
  std::atomic<int> ready_200{0};
  threads.emplace_back([&] {
    HttpClient http(process->port());
    while (!stop) {
      try {
        HttpResponse res = http.Send("GET", "/readyz");
        if (res.status == 200 && res.json == Json{{"status", "ready"}}) {
          ++ready_200;
        } else if (res.status == 503 && res.json == Json{{"status", "unavailable"}}) {
          ++ready_503;
        } else {
          record.Unexpected("/readyz: " + std::to_string(res.status) + " " + res.body);
        }
      } catch (const std::exception& e) {
        record.Unexpected(std::string("/readyz: ") + e.what());
      }
      std::this_thread::sleep_for(milliseconds(2));
    }
  });
  auto stop_load = [&] {
    stop = true;
    for (auto& thread : threads) thread.join();
    threads.clear();
  };

  auto mixed_acknowledged = [&] {
    int n = 0;
    for (const auto& load : mixed) n += load->acknowledged_so_far();
    return n;
  };
  const bool loaded = WaitUntil(
      [&] {
        return record.acknowledged_count >= kWritesBeforeAndAfter &&
               mixed_acknowledged() >= kWritesBeforeAndAfter;
      },
      seconds(30), milliseconds(5));
  const int ready_before = ready_503.load();
  const int restart_status = loaded ? std::system(restart) : -1;
  const int acknowledged_at_restart = record.acknowledged_count;
  const int mixed_at_restart = mixed_acknowledged();
  const bool recovered = WaitUntil(
      [&] {
        return record.acknowledged_count >= acknowledged_at_restart + kWritesBeforeAndAfter &&
               mixed_acknowledged() >= mixed_at_restart + kWritesBeforeAndAfter;
      },
      seconds(30), milliseconds(5));
  stop_load();

  ASSERT_TRUE(loaded) << "no write load before the restart";
  ASSERT_EQ(restart_status, 0) << "ORGD_TEST_PG_RESTART failed: " << restart;
  EXPECT_TRUE(recovered) << "orgd acknowledged no writes after the restart";
  EXPECT_EQ(ready_before, 0) << "/readyz was 503 before the restart";
  {
    std::lock_guard lock(record.mu);
    for (const std::string& what : record.unexpected) ADD_FAILURE() << what;
  }
  EXPECT_GT(record.unavailable, 0) << "no request met the outage";
  EXPECT_GT(ready_503, 0) << "/readyz never answered 503 during the outage";
  EXPECT_TRUE(process->running());
  EXPECT_EQ(process->pid(), pid);
  HttpResponse ready = control.Send("GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;

  // Every acknowledged organization is there: list them all.
  std::set<std::string> listed;
  int64_t total = -1;
  for (int page = 1;; ++page) {
    HttpResponse res =
        SendBearer(control, logto, "GET",
                   "/api/organizations?page=" + std::to_string(page) + "&page_size=100");
    ASSERT_EQ(res.status, 200) << res.body;
    total = std::stoll(res.Header("total-number"));
    for (const Json& org : res.json) listed.insert(org.at("id").get<std::string>());
    if (res.json.size() < 100) break;
  }
  EXPECT_EQ(static_cast<int64_t>(listed.size()), total);
  int missing = 0;
  for (const std::string& id : record.acknowledged) {
    if (!listed.contains(id)) ++missing;
  }
  EXPECT_EQ(missing, 0) << "of " << record.acknowledged.size() << " acknowledged";
  // A request answered 503 may still have committed (its COMMIT's answer was lost), so the list
  // may hold more than was acknowledged, never less.
  EXPECT_GE(listed.size(), record.acknowledged.size());
  // The mixed load's writes: acknowledged ones exactly, 503-answered ones all or nothing.
  std::vector<OrgExpectation> orgs;
  LoadStats mixed_stats;
  for (auto& load : mixed) {
    EXPECT_FALSE(load->gone()) << "a mixed-load request failed at the transport level";
    for (const std::string& what : load->unexpected()) ADD_FAILURE() << what;
    mixed_stats.acknowledged += load->stats().acknowledged;
    mixed_stats.unknown += load->stats().unknown;
    mixed_stats.bulk_acknowledged += load->stats().bulk_acknowledged;
    for (OrgExpectation& org : load->orgs()) orgs.push_back(std::move(org));
  }
  std::vector<std::string> failures;
  VerifyOrgs(control, logto, orgs, &failures);
  for (const std::string& failure : failures) ADD_FAILURE() << failure;
  EXPECT_GT(mixed_stats.acknowledged, 0);
  std::cout << "[ restart  ] creates: " << record.acknowledged.size() << " acknowledged, "
            << record.unavailable << " answered 503; mixed load: " << mixed_stats.acknowledged
            << " writes acknowledged (" << mixed_stats.bulk_acknowledged << " bulk), "
            << mixed_stats.unknown << " answered 503, " << orgs.size()
            << " organizations checked\n";
  RecordProperty("mixed_acknowledged", mixed_stats.acknowledged);
  RecordProperty("mixed_unavailable", mixed_stats.unknown);
  RecordProperty("acknowledged", static_cast<int>(record.acknowledged.size()));
  RecordProperty("unavailable", record.unavailable.load());
  RecordProperty("readyz_503", ready_503.load());

  const std::optional<int> code = process->Terminate(seconds(5));
  EXPECT_EQ(code, std::optional<int>(0)) << process->StderrTail();
}

}  // namespace
}  // namespace orgd::testing
