// The in-memory read model (src/domain/read_model.h) over the SQL change feed, on every backend:
// its answers equal the SQL store's after every kind of write, writes through another database
// handle (another process, as far as the feed can tell) are seen by the next read, a load that a
// write overlapped is not kept, catalog changes keep organizations, and polls that find no commit
// cost no query on an SQLite file.
#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/id_generator.h"
#include "domain/list_cache.h"
#include "domain/membership_service.h"
#include "domain/organization_service.h"
#include "domain/organization_settings_service.h"
#include "domain/read_model.h"
#include "store/postgres/pg_change_fence.h"
#include "store/postgres/pg_db.h"
#include "store/sql/change_feed.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store/sqlite/sqlite_db.h"
#include "tests/store/backends.h"

namespace orgd::store::testing {
namespace {

using domain::EffectivePermission;
using domain::Permission;
using domain::ReadModel;
using domain::Role;

// One "process": a change feed and a read model over a database handle.
struct Reader {
  Reader(Database& db, bool dedicated) {
    sql::SqlChangeFeedOptions options;
    if (auto* sqlite = dynamic_cast<sqlite::SqliteDatabase*>(&db);
        sqlite != nullptr && dedicated && sqlite->path() != ":memory:") {
      auto conn = sqlite->OpenDedicated();
      EXPECT_TRUE(conn);
      if (conn) {
        sqlite::SqliteConnection* raw = conn->get();
        options.commit_counter = [raw] { return raw->DataVersion(); };
        options.poll_connection = std::move(*conn);
      }
      // As the server wires it (src/app/app.cc): a data_version connection per reading thread.
      options.open_thread_counter = [sqlite]() -> Result<std::function<Result<int64_t>()>> {
        auto own = sqlite->OpenDedicated();
        if (!own) return std::move(own).error();
        std::shared_ptr<sqlite::SqliteConnection> shared = std::move(*own);
        return std::function<Result<int64_t>()>([shared] { return shared->DataVersion(); });
      };
    }
    feed = std::make_unique<sql::SqlChangeFeed>(db, std::move(options));
    model = std::make_unique<ReadModel>(*feed, *feed);
  }
  std::unique_ptr<sql::SqlChangeFeed> feed;
  std::unique_ptr<ReadModel> model;
};

std::vector<std::string> Keys(const std::vector<Permission>& ps) {
  std::vector<std::string> out;
  for (const Permission& p : ps) out.push_back(p.id.value() + ":" + p.key + ":" + p.name);
  return out;
}
std::vector<std::string> Keys(const std::vector<Role>& rs) {
  std::vector<std::string> out;
  for (const Role& r : rs) out.push_back(r.id.value() + ":" + r.key + ":" + r.name);
  return out;
}
std::vector<std::string> Keys(const std::vector<EffectivePermission>& es) {
  std::vector<std::string> out;
  for (const EffectivePermission& e : es) {
    std::string s = e.permission.id.value() + ":" + e.permission.key + (e.is_direct ? " direct" : "");
    for (const auto& r : e.via_roles) s += " via " + r.id.value() + ":" + r.key + ":" + r.name;
    out.push_back(s);
  }
  return out;
}

class ReadModelTest : public MigratedStoreTest {
 protected:
  void SetUp() override {
    MigratedStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    reader_ = std::make_unique<Reader>(database_->db(), /*dedicated=*/true);
  }

  // A second handle on the same database, as another process would hold (none for ":memory:").
  Database* OtherHandle() {
    other_db_ = OpenSecondHandle(GetParam(), *database_);
    return other_db_.get();
  }

  void TearDown() override {
    reader_.reset();
    MigratedStoreTest::TearDown();
    other_db_.reset();
    database_.reset();
  }

  OrgId NewOrg(const std::string& id) {
    domain::Organization org;
    org.id = OrgId(id);
    org.name = id;
    EXPECT_TRUE(store_->InsertOrganization(org));
    return org.id;
  }
  UserId NewUser(const std::string& id) {
    domain::User user;
    user.id = UserId(id);
    user.username = id;
    EXPECT_TRUE(store_->InsertUser(user));
    return user.id;
  }
  PermissionId NewPermission(const std::string& id, const std::string& key) {
    domain::Permission p{.id = PermissionId(id), .key = key, .name = key + " name",
                         .description = std::nullopt, .created_at = 1};
    EXPECT_TRUE(store_->InsertPermission(p));
    return p.id;
  }
  RoleId NewRole(const std::string& id, const std::string& key) {
    domain::Role r;
    r.id = RoleId(id);
    r.key = key;
    r.name = key + " name";
    EXPECT_TRUE(store_->InsertRole(r));
    return r.id;
  }

  // Every answer of `model` equals the SQL store's, for each pair.
  void ExpectSameAsSql(ReadModel& model, const std::vector<OrgId>& orgs,
                       const std::vector<UserId>& users) {
    for (const OrgId& org : orgs) {
      for (const UserId& user : users) {
        SCOPED_TRACE(org.value() + "/" + user.value());
        auto is_member = store_->IsMember(org, user);
        ASSERT_TRUE(is_member);
        auto member = model.IsMember(org, user);
        ASSERT_OK(member);
        EXPECT_EQ(*member, *is_member);

        auto scopes = model.MemberRoleScopes(org, user);
        ASSERT_OK(scopes);
        auto sql_scopes = store_->ListMemberRolePermissions(org, user);
        ASSERT_TRUE(sql_scopes);
        EXPECT_EQ(Keys(*scopes), Keys(*sql_scopes));

        auto roles = model.MemberRoles(org, user);
        ASSERT_OK(roles);
        auto effective = model.EffectivePermissions(org, user);
        ASSERT_OK(effective);
        if (!*is_member) {
          EXPECT_FALSE(roles->has_value());
          EXPECT_FALSE(effective->has_value());
          continue;
        }
        ASSERT_TRUE(roles->has_value());
        ASSERT_TRUE(effective->has_value());
        auto sql_roles = store_->ListMemberRoles(org, user);
        ASSERT_TRUE(sql_roles);
        EXPECT_EQ(Keys(**roles), Keys(*sql_roles));
        auto sql_effective = store_->ListEffectivePermissions(org, user);
        ASSERT_TRUE(sql_effective);
        EXPECT_EQ(Keys(**effective), Keys(*sql_effective));
      }
    }
  }

  std::unique_ptr<Database> other_db_;
  std::unique_ptr<Reader> reader_;
};

TEST_P(ReadModelTest, AnswersEqualSqlAfterEveryKindOfWrite) {
  const OrgId o1 = NewOrg("org1"), o2 = NewOrg("org2");
  const UserId u1 = NewUser("user1"), u2 = NewUser("user2"), u3 = NewUser("user3");
  const PermissionId pa = NewPermission("pa", "b:read"), pb = NewPermission("pb", "a:write"),
                     pc = NewPermission("pc", "c:admin");
  const RoleId ra = NewRole("ra", "viewer"), rb = NewRole("rb", "editor");
  ASSERT_OK(store_->AddRolePermissions(ra, {pa}, 1));
  ASSERT_OK(store_->AddRolePermissions(rb, {pa, pb}, 1));
  const std::vector<OrgId> orgs = {o1, o2, OrgId("no-such-org")};
  const std::vector<UserId> users = {u1, u2, u3, UserId("no-such-user")};
  ReadModel& model = *reader_->model;
  ExpectSameAsSql(model, orgs, users);

  // Each step writes, then the very next reads must agree with SQL.
  const std::vector<std::pair<std::string, std::function<Result<void>()>>> steps = {
      {"add members", [&]() -> Result<void> {
         ORGD_TRY(store_->AddMembers(o1, {u1, u2}, 1));
         ORGD_TRY(store_->AddMembers(o2, {u1}, 1));
         return {};
       }},
      {"grant roles", [&]() -> Result<void> {
         ORGD_TRY(store_->AddMemberRoles(o1, u1, {ra, rb}, 1));
         ORGD_TRY(store_->AddMemberRoles(o2, u1, {ra}, 1));
         return {};
       }},
      {"grant a permission directly", [&]() -> Result<void> {
         ORGD_TRY(store_->AddMemberPermissions(o1, u2, {pc, pb}, 1));
         return {};
       }},
      {"link a permission to a role", [&]() -> Result<void> {
         ORGD_TRY(store_->AddRolePermissions(ra, {pc}, 1));
         return {};
       }},
      {"rename a permission key (order changes)", [&]() -> Result<void> {
         domain::PermissionPatch patch;
         patch.key = "0:first";
         ORGD_TRY(store_->UpdatePermission(pc, patch));
         return {};
       }},
      {"rename a role", [&]() -> Result<void> {
         domain::RolePatch patch;
         patch.key = "aaa-editor";
         patch.name = "Renamed";
         ORGD_TRY(store_->UpdateRole(rb, patch));
         return {};
       }},
      {"unlink a permission from a role", [&]() { return store_->RemoveRolePermission(rb, pa); }},
      {"remove a role grant", [&]() { return store_->RemoveMemberRole(o1, u1, ra); }},
      {"revoke a direct permission", [&]() { return store_->RemoveMemberPermission(o1, u2, pb); }},
      {"clear a member's roles", [&]() { return store_->ClearMemberRoles(o2, u1); }},
      {"grant again, then delete the permission", [&]() -> Result<void> {
         ORGD_TRY(store_->AddMemberRoles(o2, u1, {rb}, 1));
         return store_->DeletePermission(pb);
       }},
      {"delete a role", [&]() { return store_->DeleteRole(ra); }},
      {"remove a member", [&]() { return store_->RemoveMember(o1, u2); }},
      {"delete a user", [&]() -> Result<void> {
         ORGD_TRY(store_->AddMembers(o2, {u3}, 1));
         ORGD_TRY(store_->AddMemberRoles(o2, u3, {rb}, 1));
         return store_->DeleteUser(u1);
       }},
      {"delete an organization", [&]() { return store_->DeleteOrganization(o2); }},
  };
  for (const auto& [name, write] : steps) {
    SCOPED_TRACE(name);
    ASSERT_OK(write());
    ExpectSameAsSql(model, orgs, users);
  }
}

TEST_P(ReadModelTest, WritesThroughAnotherHandleAreSeenByTheNextRead) {
  Database* other = OtherHandle();
  if (other == nullptr) GTEST_SKIP() << "one in-memory database has no second handle";
  sql::SqlStore writer(*other);
  const OrgId org = NewOrg("org1");
  const UserId user = NewUser("user1");
  const PermissionId p1 = NewPermission("p1", "read"), p2 = NewPermission("p2", "write");
  const RoleId role = NewRole("r1", "member");
  ASSERT_OK(store_->AddRolePermissions(role, {p1}, 1));
  ReadModel& model = *reader_->model;
  for (int i = 0; i < 50; ++i) {
    SCOPED_TRACE(i);
    ASSERT_OK(writer.AddMembers(org, {user}, 1));
    ASSERT_OK(writer.AddMemberRoles(org, user, {role}, 1));
    auto scopes = model.MemberRoleScopes(org, user);
    ASSERT_OK(scopes);
    ASSERT_EQ(scopes->size(), 1u);
    ASSERT_OK(writer.AddRolePermissions(role, {p2}, 1));
    scopes = model.MemberRoleScopes(org, user);
    ASSERT_OK(scopes);
    ASSERT_EQ(scopes->size(), 2u);
    ASSERT_OK(writer.RemoveRolePermission(role, p2));
    ASSERT_OK(writer.RemoveMember(org, user));
    auto member = model.IsMember(org, user);
    ASSERT_OK(member);
    ASSERT_FALSE(*member);
    scopes = model.MemberRoleScopes(org, user);
    ASSERT_OK(scopes);
    ASSERT_TRUE(scopes->empty());
  }
}

// PostgreSQL with ReadModel::Follow (as `orgd serve` runs by default): a model following the feed
// under a lease answers without polling, and stays exactly right: writes through another handle
// (fenced by its own PgChangeFence: they return only once this model acknowledged them) are seen
// by the very next read, and a write through the model's own handle makes the next read poll.
TEST_P(ReadModelTest, AFollowingModelAnswersWithoutPollsAndSeesEveryWriteAtOnce) {
  if (GetParam() != "postgres") GTEST_SKIP() << "following the feed under a lease is for PostgreSQL";
  auto* own = dynamic_cast<postgres::PgDatabase*>(&database_->db());
  auto* other = dynamic_cast<postgres::PgDatabase*>(OtherHandle());
  ASSERT_TRUE(own != nullptr && other != nullptr);
  // The follower polls on a session of its own, as the server wires it.
  sql::SqlChangeFeedOptions options;
  auto poll_connection = own->OpenDedicated();
  ASSERT_TRUE(poll_connection);
  options.poll_connection = std::move(*poll_connection);
  sql::SqlChangeFeed feed(*own, std::move(options));
  auto own_fence = postgres::PgChangeFence::Open(*own);
  ASSERT_TRUE(own_fence);
  auto writer_fence = postgres::PgChangeFence::Open(*other, {.follow = false});
  ASSERT_TRUE(writer_fence);
  sql::SqlStore writer(*other);

  const OrgId org = NewOrg("org1");
  const UserId user = NewUser("user1");
  const PermissionId p1 = NewPermission("p1", "read");
  const RoleId role = NewRole("r1", "member");
  ASSERT_OK(store_->AddRolePermissions(role, {p1}, 1));

  ReadModel model(feed, feed);
  // Rounds only when another process writes (no periodic renewal within the test).
  model.Follow(**own_fence, std::chrono::milliseconds(600'000));
  for (int i = 0; i < 500 && model.stats().follow_rounds == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(model.stats().follow_rounds, 1);
  ASSERT_TRUE(model.FreshWithoutPoll());

  // Reads cost no poll.
  ASSERT_OK(model.IsMember(org, user));
  const int64_t polls = model.stats().polls;
  for (int i = 0; i < 100; ++i) ASSERT_OK(model.MemberRoleScopes(org, user));
  EXPECT_EQ(model.stats().polls, polls);

  for (int i = 0; i < 30; ++i) {
    SCOPED_TRACE(i);
    ASSERT_OK(writer.AddMembers(org, {user}, 1));
    ASSERT_OK(writer.AddMemberRoles(org, user, {role}, 1));
    auto scopes = model.MemberRoleScopes(org, user);
    ASSERT_OK(scopes);
    ASSERT_EQ(scopes->size(), 1u);
    ASSERT_OK(writer.RemoveMember(org, user));
    auto member = model.IsMember(org, user);
    ASSERT_OK(member);
    ASSERT_FALSE(*member);
  }
  EXPECT_GE((*writer_fence)->stats().waits, 1);

  // A write through the model's own handle: the next read polls once, and sees it.
  ASSERT_TRUE(model.FreshWithoutPoll());
  ASSERT_OK(store_->AddMembers(org, {user}, 1));
  EXPECT_FALSE(model.FreshWithoutPoll());
  const int64_t before = model.stats().polls;
  auto member = model.IsMember(org, user);
  ASSERT_OK(member);
  EXPECT_TRUE(*member);
  EXPECT_GE(model.stats().polls, before + 1);
  EXPECT_TRUE(model.FreshWithoutPoll());
  model.StopAdmission();
}

// A subscription under the test's control, for how a following model uses its lease.
class FakeSubscription final : public ChangeSubscription {
 public:
  Result<bool> WaitForWrites(std::chrono::milliseconds timeout) override {
    std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(2)));
    return wake.exchange(false);
  }
  Result<int64_t> TakeFence() override {
    // After a lapse the database "is gone": no rounds (and no polls of the follower's own).
    if (unreachable) return Error::Unavailable("test: the database is gone");
    return ++fences;
  }
  Result<std::optional<Clock::time_point>> Acknowledge(int64_t) override {
    ++acknowledgements;
    if (lapsed) {
      unreachable = true;
      return std::optional<Clock::time_point>();
    }
    return std::optional<Clock::time_point>(Clock::now() + std::chrono::minutes(10));
  }
  uint64_t LocalWrites() const override { return local_writes; }

  std::atomic<bool> wake{false};     // the next WaitForWrites reports another process's write
  std::atomic<bool> lapsed{false};   // Acknowledge reports a lapsed lease, then fences fail
  std::atomic<bool> unreachable{false};
  std::atomic<uint64_t> local_writes{0};
  std::atomic<int64_t> fences{0};
  std::atomic<int64_t> acknowledgements{0};
};

// Waits (up to 5 s) until `done()`.
template <typename Done>
bool Eventually(Done done) {
  for (int i = 0; i < 500 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return done();
}

TEST_P(ReadModelTest, AFollowingModelPollsOnlyAfterItsOwnWritesOrWithoutALease) {
  const OrgId org = NewOrg("org1");
  const UserId user = NewUser("user1");
  sql::SqlChangeFeed feed(database_->db());
  FakeSubscription subscription;
  ReadModel model(feed, feed);
  model.Follow(subscription, std::chrono::milliseconds(600'000));
  ASSERT_TRUE(Eventually([&] { return model.FreshWithoutPoll(); }));
  EXPECT_EQ(model.stats().follow_rounds, 1);

  ASSERT_OK(model.IsMember(org, user));
  const int64_t polls = model.stats().polls;
  for (int i = 0; i < 20; ++i) ASSERT_OK(model.IsMember(org, user));
  EXPECT_EQ(model.stats().polls, polls);

  // A write of this process: the next call polls once, and sees it.
  ASSERT_OK(store_->AddMembers(org, {user}, 1));
  ++subscription.local_writes;
  EXPECT_FALSE(model.FreshWithoutPoll());
  auto member = model.IsMember(org, user);
  ASSERT_OK(member);
  EXPECT_TRUE(*member);
  EXPECT_EQ(model.stats().polls, polls + 1);
  EXPECT_TRUE(model.FreshWithoutPoll());

  // Another process's write: a round (fence, then poll, then acknowledgement of that fence).
  const int64_t fences = subscription.fences;
  subscription.wake = true;
  ASSERT_TRUE(Eventually([&] { return model.stats().follow_rounds == 2; }));
  EXPECT_EQ(subscription.fences, fences + 1);

  // A lapsed lease (and no round since): each call polls, until a round is acknowledged again.
  subscription.lapsed = true;
  subscription.wake = true;
  ASSERT_TRUE(Eventually([&] { return !model.FreshWithoutPoll(); }));
  const int64_t before = model.stats().polls;
  ASSERT_OK(model.IsMember(org, user));
  ASSERT_OK(model.IsMember(org, user));
  EXPECT_EQ(model.stats().polls, before + 2);
  subscription.lapsed = false;
  subscription.unreachable = false;
  ASSERT_TRUE(Eventually([&] { return model.FreshWithoutPoll(); }));
  model.StopAdmission();
  EXPECT_FALSE(model.FreshWithoutPoll());
}

// Wraps the real snapshots and commits a write to the organization right after its grants were
// read, then makes the model poll (as a concurrent request would) while the load is in flight.
class WriteDuringLoad final : public GrantSnapshots {
 public:
  WriteDuringLoad(GrantSnapshots& inner, std::function<void()> during)
      : inner_(inner), during_(std::move(during)) {}
  Result<void> ReadOrganizationGrants(const OrgId& org,
                                      const std::function<void(const GrantRow&)>& on_row) override {
    ORGD_TRY(inner_.ReadOrganizationGrants(org, on_row));
    if (during_) std::exchange(during_, nullptr)();
    return {};
  }
  Result<GrantCatalog> ReadGrantCatalog() override { return inner_.ReadGrantCatalog(); }

 private:
  GrantSnapshots& inner_;
  std::function<void()> during_;
};

TEST_P(ReadModelTest, ALoadOverlappedByAReportedWriteIsNotKept) {
  const OrgId org = NewOrg("org1");
  const UserId u1 = NewUser("user1"), u2 = NewUser("user2");
  ASSERT_OK(store_->AddMembers(org, {u1}, 1));
  ReadModel* model = nullptr;
  WriteDuringLoad snapshots(*reader_->feed, [&] {
    ASSERT_OK(store_->AddMembers(org, {u2}, 1));
    ASSERT_OK(model->IsMember(OrgId("another"), u1));  // a concurrent call's poll
  });
  ReadModel m(*reader_->feed, snapshots);
  model = &m;
  // The load began after the call, so its answer is right for the call...
  auto first = m.IsMember(org, u2);
  ASSERT_OK(first);
  EXPECT_FALSE(*first);
  // ...but it missed the write the poll reported, so the next call loads again and sees it.
  const int64_t loads = m.stats().organization_loads;
  auto second = m.IsMember(org, u2);
  ASSERT_OK(second);
  EXPECT_TRUE(*second);
  EXPECT_EQ(m.stats().organization_loads, loads + 1);
}

// An organization with at least background_load_members members is loaded again on the model's
// loader thread after a write to it: until that load is kept, calls about it answer kUnavailable
// (and the services answer from the store, as fresh: the next read sees the write at once); a
// small organization is loaded by the call that needs it, as before.
TEST_P(ReadModelTest, ALargeOrganizationIsReloadedInTheBackgroundAndTheStoreAnswersMeanwhile) {
  const OrgId large = NewOrg("large"), small = NewOrg("small");
  std::vector<UserId> users;
  for (int i = 1; i <= 6; ++i) users.push_back(NewUser("user" + std::to_string(i)));
  const PermissionId read = NewPermission("pr", "read");
  const RoleId viewer = NewRole("rv", "viewer");
  ASSERT_OK(store_->AddRolePermissions(viewer, {read}, 1));
  ASSERT_OK(store_->AddMembers(large, {users[0], users[1], users[2], users[3]}, 1));
  ASSERT_OK(store_->AddMembers(small, {users[0]}, 1));
  ReadModel model(*reader_->feed, *reader_->feed,
                  ReadModel::Options{.background_load_members = 4});
  FakeClock clock(1'000);
  domain::MembershipService memberships(*store_, clock, &model);

  // The first load of an organization is the caller's, whatever its size.
  auto member = model.IsMember(large, users[3]);
  ASSERT_OK(member);
  EXPECT_TRUE(*member);
  ASSERT_OK(model.IsMember(small, users[0]));
  EXPECT_EQ(model.stats().organization_loads, 2);

  // A write to the large one: the model sends its callers to the store until the reload is kept.
  ASSERT_OK(store_->AddMembers(large, {users[4]}, 1));
  ASSERT_OK(store_->AddMemberRoles(large, users[4], {viewer}, 1));
  auto missing = model.IsMember(large, users[4]);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);
  ASSERT_OK(memberships.RequireMembership(large, users[4]));
  auto scopes = memberships.MemberRoleScopes(large, users[4]);
  ASSERT_OK(scopes);
  EXPECT_EQ(Keys(*scopes), std::vector<std::string>{"pr:read:read name"});

  // The loader keeps the reload; from then on the model answers from memory again.
  ASSERT_TRUE(Eventually([&] {
    auto answer = model.IsMember(large, users[4]);
    return answer.has_value() && *answer;
  }));
  EXPECT_GE(model.stats().background_loads, 1);
  const int64_t loads = model.stats().organization_loads;
  auto kept_scopes = model.MemberRoleScopes(large, users[4]);
  ASSERT_OK(kept_scopes);
  EXPECT_EQ(Keys(*kept_scopes), std::vector<std::string>{"pr:read:read name"});
  auto not_member = model.IsMember(large, users[5]);
  ASSERT_OK(not_member);
  EXPECT_FALSE(*not_member);
  EXPECT_EQ(model.stats().organization_loads, loads);

  // A write to the small one: the next call loads it itself, and answers.
  ASSERT_OK(store_->AddMembers(small, {users[5]}, 1));
  auto small_member = model.IsMember(small, users[5]);
  ASSERT_OK(small_member);
  EXPECT_TRUE(*small_member);
  EXPECT_EQ(model.stats().organization_loads, loads + 1);
  model.StopAdmission();
}

TEST_P(ReadModelTest, CatalogChangesKeepOrganizationsAndOrganizationChangesKeepOthers) {
  const OrgId o1 = NewOrg("org1"), o2 = NewOrg("org2");
  const UserId user = NewUser("user1");
  const RoleId role = NewRole("r1", "member");
  ASSERT_OK(store_->AddMembers(o1, {user}, 1));
  ASSERT_OK(store_->AddMembers(o2, {user}, 1));
  ReadModel& model = *reader_->model;
  ASSERT_OK(model.IsMember(o1, user));
  ASSERT_OK(model.IsMember(o2, user));
  const ReadModel::Stats warm = model.stats();
  EXPECT_EQ(warm.organizations, 2);
  EXPECT_EQ(warm.memberships, 2);

  domain::RolePatch patch;
  patch.name = "Renamed";
  ASSERT_OK(store_->UpdateRole(role, patch));
  ASSERT_OK(model.IsMember(o1, user));
  EXPECT_EQ(model.stats().organization_loads, warm.organization_loads);
  EXPECT_EQ(model.stats().catalog_loads, warm.catalog_loads + 1);

  ASSERT_OK(store_->AddMemberRoles(o1, user, {role}, 1));
  ASSERT_OK(model.IsMember(o1, user));
  ASSERT_OK(model.IsMember(o2, user));
  EXPECT_EQ(model.stats().organization_loads, warm.organization_loads + 1);
}

TEST_P(ReadModelTest, PollsWithoutCommitsCostNoQueryOnAnSqliteFile) {
  const OrgId org = NewOrg("org1");
  const UserId user = NewUser("user1");
  ASSERT_OK(store_->AddMembers(org, {user}, 1));
  ReadModel& model = *reader_->model;
  ASSERT_OK(model.IsMember(org, user));
  const int64_t queries = reader_->feed->queries();
  for (int i = 0; i < 100; ++i) ASSERT_OK(model.MemberRoleScopes(org, user));
  if (GetParam() == "sqlite_file") {
    // The thread's own data_version shows that nothing committed: no poll at all.
    EXPECT_EQ(model.stats().polls, 1);
    EXPECT_EQ(reader_->feed->queries(), queries);
  } else {
    EXPECT_EQ(model.stats().polls, 101);
    EXPECT_EQ(reader_->feed->queries(), queries + 100);
  }
  ASSERT_OK(store_->RemoveMember(org, user));
  auto member = model.IsMember(org, user);
  ASSERT_OK(member);
  EXPECT_FALSE(*member);
}

// Organizations kept in memory (GetOrganization) are dropped when their row or their email
// domains change, through this handle or another one, and when they are deleted.
TEST_P(ReadModelTest, KeptOrganizationsFollowEveryChangeToTheirRowAndDomains) {
  Database* other = OtherHandle();
  sql::SqlStore writer(other != nullptr ? *other : database_->db());
  const OrgId org = NewOrg("org1");
  ReadModel& model = *reader_->model;
  auto load = [&] { return store_->GetOrganization(org); };
  auto get = [&]() -> domain::Organization {
    auto got = model.GetOrganization(org, load);
    EXPECT_TRUE(got) << (got ? "" : got.error().message);
    return got ? **got : domain::Organization{};
  };
  EXPECT_EQ(get().name, "org1");
  EXPECT_EQ(get().name, "org1");
  EXPECT_EQ(model.stats().organization_record_loads, 1);

  domain::OrganizationPatch rename;
  rename.name = "renamed";
  ASSERT_OK(writer.UpdateOrganization(org, rename, 2));
  EXPECT_EQ(get().name, "renamed");
  domain::OrganizationPatch domains;
  domains.allowed_domains = std::vector<std::string>{"a.example", "b.example"};
  ASSERT_OK(writer.UpdateOrganization(org, domains, 3));
  EXPECT_EQ(get().allowed_domains, (std::vector<std::string>{"a.example", "b.example"}));
  domains.allowed_domains = std::vector<std::string>{"b.example"};
  ASSERT_OK(store_->UpdateOrganization(org, domains, 4));
  EXPECT_EQ(get().allowed_domains, std::vector<std::string>{"b.example"});
  const int64_t loads = model.stats().organization_record_loads;
  EXPECT_EQ(get().allowed_domains, std::vector<std::string>{"b.example"});
  EXPECT_EQ(model.stats().organization_record_loads, loads);

  ASSERT_OK(writer.DeleteOrganization(org));
  auto gone = model.GetOrganization(org, load);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  // Re-created under the same id: the new row, not the one kept before the delete.
  domain::Organization again;
  again.id = org;
  again.name = "again";
  ASSERT_OK(writer.InsertOrganization(again));
  EXPECT_EQ(get().name, "again");
}

// A load that a reported change overlapped is answered but not kept.
TEST_P(ReadModelTest, AnOrganizationLoadOverlappedByAChangeIsNotKept) {
  const OrgId org = NewOrg("org1");
  ReadModel& model = *reader_->model;
  ASSERT_OK(model.IsMember(org, UserId("nobody")));  // the first poll
  bool first = true;
  auto load = [&]() -> Result<domain::Organization> {
    auto read = store_->GetOrganization(org);
    if (first) {
      first = false;
      domain::OrganizationPatch rename;
      rename.name = "renamed";
      EXPECT_TRUE(store_->UpdateOrganization(org, rename, 2));
      EXPECT_TRUE(model.IsMember(OrgId("another"), UserId("u")));  // a concurrent call's poll
    }
    return read;
  };
  auto got = model.GetOrganization(org, load);
  ASSERT_OK(got);
  EXPECT_EQ((*got)->name, "org1");
  got = model.GetOrganization(org, load);
  ASSERT_OK(got);
  EXPECT_EQ((*got)->name, "renamed");
}

// PostgreSQL: changes committed while an older transaction stays open sit at or above the first
// poll's xmin. That poll reports everything; the next must not report them again (which would
// drop and reload their organizations for nothing).
TEST_P(ReadModelTest, ChangesBelowAnOpenTransactionAreNotReportedTwice) {
  Database* other = OtherHandle();
  if (GetParam() != "postgres") GTEST_SKIP() << "PostgreSQL's xmin";
  auto lease = other->Acquire();
  ASSERT_OK(lease);
  Connection& old = **lease;
  ASSERT_OK(old.Begin(TxMode::kWrite));
  ASSERT_OK(old.Query("SELECT CAST(pg_current_xact_id() AS TEXT)", {}, [](const Row&) {}));
  const OrgId org = NewOrg("org1");
  const UserId user = NewUser("user1");
  ASSERT_OK(store_->AddMembers(org, {user}, 1));
  sql::SqlChangeFeed feed(database_->db());
  auto first = feed.Poll();
  ASSERT_OK(first);
  EXPECT_TRUE(first->everything);
  auto second = feed.Poll();
  ASSERT_OK(second);
  EXPECT_FALSE(second->everything);
  EXPECT_TRUE(second->organizations.empty());
  EXPECT_FALSE(second->catalog_changed);
  old.Rollback();
}

// Each thread keeps its own "nothing committed since": a write seen by one thread's read is seen
// by every other thread's next read, however many reads without a commit each made before.
TEST_P(ReadModelTest, AWriteIsSeenByTheNextReadOfEveryThread) {
  const OrgId org = NewOrg("org1");
  const UserId user = NewUser("user1");
  ReadModel& model = *reader_->model;
  auto read_on_new_thread = [&] {
    Result<bool> out = false;
    std::thread([&] {
      for (int i = 0; i < 3; ++i) out = model.IsMember(org, user);
    }).join();
    return out;
  };
  auto before = read_on_new_thread();
  ASSERT_OK(before);
  EXPECT_FALSE(*before);
  for (int i = 0; i < 3; ++i) ASSERT_OK(model.IsMember(org, user));
  ASSERT_OK(store_->AddMembers(org, {user}, 1));
  auto here = model.IsMember(org, user);
  ASSERT_OK(here);
  EXPECT_TRUE(*here);
  auto there = read_on_new_thread();
  ASSERT_OK(there);
  EXPECT_TRUE(*there);
  // A thread that read before the write and reads again after another thread saw it.
  Result<bool> late = false;
  std::atomic<int> stage = 0;
  std::thread reader([&] {
    ASSERT_OK(model.IsMember(org, user));
    stage = 1;
    while (stage.load() != 2) std::this_thread::yield();
    late = model.IsMember(org, user);
  });
  while (stage.load() != 1) std::this_thread::yield();
  ASSERT_OK(store_->RemoveMember(org, user));
  auto gone = model.IsMember(org, user);
  ASSERT_OK(gone);
  EXPECT_FALSE(*gone);
  stage = 2;
  reader.join();
  ASSERT_OK(late);
  EXPECT_FALSE(*late);
}

// WhenFresh (the server's admission on PostgreSQL): the callback comes after a poll that began
// after the call, so a write committed before it is seen inside the admitted scope without
// another poll; outside a scope, or with fresh = false, reads poll as before.
TEST_P(ReadModelTest, AdmittedReadsSeeEveryWriteBeforeTheirAdmissionWithoutPollingAgain) {
  Database* other = OtherHandle();
  if (other == nullptr) GTEST_SKIP() << "one in-memory database has no second handle";
  sql::SqlStore writer(*other);
  const OrgId org = NewOrg("org1");
  const UserId user = NewUser("user1");
  ReadModel& model = *reader_->model;
  ASSERT_OK(model.IsMember(org, user));  // the first poll, and the organization kept
  auto admit = [&] {
    std::promise<bool> admitted;
    model.WhenFresh([&](bool fresh) { admitted.set_value(fresh); });
    return admitted.get_future().get();
  };
  for (int i = 0; i < 20; ++i) {
    SCOPED_TRACE(i);
    ASSERT_OK(writer.AddMembers(org, {user}, 1));
    const bool fresh = admit();
    ASSERT_TRUE(fresh);
    const int64_t polls = model.stats().polls;
    {
      ReadModel::AdmittedScope scope(model, fresh);
      auto member = model.IsMember(org, user);
      ASSERT_OK(member);
      EXPECT_TRUE(*member);
      EXPECT_EQ(model.stats().polls, polls);  // answered on the admission's poll
    }
    ASSERT_OK(writer.RemoveMember(org, user));
    {
      // Not admitted: the read finds the removal by a poll of its own.
      ReadModel::AdmittedScope scope(model, /*fresh=*/false);
      auto member = model.IsMember(org, user);
      ASSERT_OK(member);
      EXPECT_FALSE(*member);
    }
  }
  EXPECT_EQ(model.stats().admitted_batches, 20);
}

TEST_P(ReadModelTest, ConcurrentAdmissionsSharePollsAndStopAdmissionAnswersTheWaiting) {
  const OrgId org = NewOrg("org1");
  ReadModel& model = *reader_->model;
  ASSERT_OK(model.IsMember(org, UserId("nobody")));
  constexpr int kCallers = 200;
  std::atomic<int> answered = 0, fresh = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCallers / 4; ++i) {
        model.WhenFresh([&](bool ok) {
          fresh += ok ? 1 : 0;
          ++answered;
        });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  model.StopAdmission();  // answers whoever still waits, then joins the poller
  EXPECT_EQ(answered.load(), kCallers);
  EXPECT_EQ(fresh.load(), kCallers);
  EXPECT_GE(model.stats().admitted_batches, 1);
  EXPECT_LE(model.stats().admitted_batches, kCallers);
}

// List pages kept per generation (src/domain/list_cache.h) are exactly what the store answers
// after every kind of write a list shows, made through another handle: a new organization, a
// rename, new domains, a delete; a member added, its user renamed, its role renamed, its role
// taken away, the member removed.
TEST_P(ReadModelTest, KeptListPagesFollowEveryWriteTheyShow) {
  Database* other = OtherHandle();
  if (other == nullptr) GTEST_SKIP() << "one in-memory database has no second handle";
  sql::SqlStore writer(*other);
  FakeClock clock(1'000);
  SequentialIdGenerator ids;
  ReadModel& model = *reader_->model;
  domain::OrganizationService organizations(*store_, clock, ids);
  organizations.UseReadModel(&model);
  domain::MembershipService memberships(*store_, clock, &model);

  const domain::OrganizationListQuery org_query{.want_total = true};
  auto org_list = [&] {
    auto kept = organizations.List(org_query);
    EXPECT_TRUE(kept.has_value());
    auto sql = store_->ListOrganizations(org_query);
    EXPECT_TRUE(sql);
    std::string out = kept ? std::to_string((*kept)->total) : "error";
    std::string expected = sql ? std::to_string(sql->total) : "error";
    for (const auto& org : kept ? (*kept)->items : std::vector<domain::Organization>{}) {
      out += " " + org.id.value() + "=" + org.name;
      for (const auto& d : org.allowed_domains) out += "@" + d;
    }
    for (const auto& org : sql ? sql->items : std::vector<domain::Organization>{}) {
      expected += " " + org.id.value() + "=" + org.name;
      for (const auto& d : org.allowed_domains) expected += "@" + d;
    }
    EXPECT_EQ(out, expected);
    return out;
  };
  const OrgId org = NewOrg("org1");
  EXPECT_EQ(org_list(), "1 org1=org1");
  EXPECT_EQ(org_list(), "1 org1=org1");
  domain::Organization second;
  second.id = OrgId("org2");
  second.name = "second";
  second.created_at = 2;
  ASSERT_OK(writer.InsertOrganization(second));
  EXPECT_EQ(org_list(), "2 org1=org1 org2=second");
  domain::OrganizationPatch rename;
  rename.name = "renamed";
  ASSERT_OK(writer.UpdateOrganization(second.id, rename, 5));
  EXPECT_EQ(org_list(), "2 org1=org1 org2=renamed");
  domain::OrganizationPatch domains;
  domains.allowed_domains = std::vector<std::string>{"example.com"};
  ASSERT_OK(writer.UpdateOrganization(second.id, domains, 6));
  EXPECT_EQ(org_list(), "2 org1=org1 org2=renamed@example.com");
  ASSERT_OK(writer.DeleteOrganization(second.id));
  EXPECT_EQ(org_list(), "1 org1=org1");

  const UserId user = NewUser("user1");
  const RoleId role = NewRole("r1", "admin");
  domain::MemberListQuery member_query;
  member_query.page.want_total = true;
  auto member_list = [&] {
    auto kept = memberships.ListMembers(org, member_query);
    EXPECT_TRUE(kept.has_value());
    auto sql = store_->ListMembers(org, member_query);
    EXPECT_TRUE(sql);
    auto text = [](const domain::MemberPage& page) {
      std::string out = std::to_string(page.total);
      for (const auto& m : page.items) {
        out += " " + m.user.id.value() + "=" + m.user.name.value_or("-");
        for (const auto& r : m.roles) out += "+" + r.name;
      }
      return out;
    };
    EXPECT_EQ(kept ? text(**kept) : "error", sql ? text(*sql) : "error");
    return kept ? text(**kept) : "error";
  };
  EXPECT_EQ(member_list(), "0");
  ASSERT_OK(writer.AddMembers(org, {user}, 1));
  ASSERT_OK(writer.AddMemberRoles(org, user, {role}, 1));
  EXPECT_EQ(member_list(), "1 user1=-+admin name");
  domain::UserPatch user_patch;
  user_patch.name = std::optional<std::string>("Ada");
  ASSERT_OK(writer.UpdateUser(user, user_patch, 7));
  EXPECT_EQ(member_list(), "1 user1=Ada+admin name");
  domain::RolePatch role_patch;
  role_patch.name = "Owner";
  ASSERT_OK(writer.UpdateRole(role, role_patch));
  EXPECT_EQ(member_list(), "1 user1=Ada+Owner");
  ASSERT_OK(writer.RemoveMemberRole(org, user, role));
  EXPECT_EQ(member_list(), "1 user1=Ada");
  ASSERT_OK(writer.RemoveMember(org, user));
  EXPECT_EQ(member_list(), "0");

  // Kinde's organization with its logos: the logos' descriptions are kept too.
  domain::OrganizationSettingsService settings(*store_, clock);
  settings.UseReadModel(&model);
  auto logo_hashes = [&] {
    auto with = settings.GetOrganizationWithLogos(org);
    EXPECT_TRUE(with.has_value());
    std::string out;
    for (const auto& logo : with ? *with->logos : std::vector<domain::OrganizationLogoInfo>{}) {
      out += logo.content_hash + ";";
    }
    return out;
  };
  EXPECT_EQ(logo_hashes(), "");
  domain::OrganizationLogo logo;
  logo.info = {.type = domain::LogoType::kLight, .file_name = std::nullopt,
               .content_type = "image/png", .content_hash = "aa", .byte_size = 1, .updated_at = 1};
  logo.bytes = "x";
  ASSERT_OK(writer.PutOrganizationLogo(org, logo));
  EXPECT_EQ(logo_hashes(), "aa;");
  logo.info.content_hash = "bb";
  ASSERT_OK(writer.PutOrganizationLogo(org, logo));
  EXPECT_EQ(logo_hashes(), "bb;");
  ASSERT_OK(writer.DeleteOrganizationLogo(org, domain::LogoType::kLight));
  EXPECT_EQ(logo_hashes(), "");
}

TEST_P(ReadModelTest, AKeptPageIsAnsweredUntilAWriteIsReported) {
  Database* other = OtherHandle();
  if (other == nullptr) GTEST_SKIP() << "one in-memory database has no second handle";
  sql::SqlStore writer(*other);
  const OrgId org = NewOrg("org1");
  const UserId user = NewUser("user1");
  ReadModel& model = *reader_->model;
  struct Page {
    std::vector<int> items;
  };
  domain::ListCache<Page> cache;
  int loads = 0;
  auto load = [&]() -> Result<Page> { return Page{{++loads}}; };
  auto first = cache.Through(&model, "key", load);
  ASSERT_OK(first);
  auto again = cache.Through(&model, "key", load);
  ASSERT_OK(again);
  EXPECT_EQ((*again)->items, std::vector<int>{1});
  EXPECT_EQ(loads, 1);
  ASSERT_OK(writer.AddMembers(org, {user}, 1));
  auto after_write = cache.Through(&model, "key", load);
  ASSERT_OK(after_write);
  EXPECT_EQ((*after_write)->items, std::vector<int>{2});
  EXPECT_EQ((*cache.Through(nullptr, "key", load))->items, std::vector<int>{3});  // no model: loads
}

INSTANTIATE_TEST_SUITE_P(Backends, ReadModelTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::store::testing
