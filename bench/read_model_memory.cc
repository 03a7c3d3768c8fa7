// Memory and speed of the in-memory read model (src/domain/read_model.h), in process, without a
// database: a fake feed that never reports a change and fake snapshots that generate
// organizations. Prints the heap bytes per membership held (glibc mallinfo2, so every allocation
// counts: ids, vectors, hash nodes, the interned catalog) and the time of a warm
// MemberRoleScopes / IsMember call.
//
//   read_model_memory [memberships=1000000] [members_per_org=100] [id_length=35]
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "quiet_feed.h"
#include "domain/read_model.h"

namespace {

using namespace orgd;

std::string IdOf(const char* prefix, int64_t n, size_t length) {
  std::string id = prefix + std::to_string(n);
  if (id.size() < length) id.insert(std::string(prefix).size(), length - id.size(), '0');
  return id;
}

using bench::QuietFeed;

// Organization n has members_per_org users drawn from a pool of users (each user in several
// organizations, as in the 1M users / 10M memberships shape), one of 10 roles each, and
// every tenth member a direct permission.
class GeneratedSnapshots final : public store::GrantSnapshots {
 public:
  GeneratedSnapshots(int64_t members_per_org, int64_t users, size_t id_length)
      : members_per_org_(members_per_org), users_(users), id_length_(id_length) {}

  Result<void> ReadOrganizationGrants(
      const OrgId& org, const std::function<void(const store::GrantRow&)>& on_row) override {
    const int64_t n = std::stoll(org.value().substr(4));
    for (int64_t i = 0; i < members_per_org_; ++i) {
      const std::string user = IdOf("usr_", (n * 7919 + i * 104729) % users_, id_length_);
      const std::string role = "role" + std::to_string((n + i) % 10);
      on_row({.kind = store::GrantRow::Kind::kMember, .user_id = user, .target_id = {}});
      on_row({.kind = store::GrantRow::Kind::kRole, .user_id = user, .target_id = role});
      if (i % 10 == 0) {
        on_row({.kind = store::GrantRow::Kind::kPermission, .user_id = user, .target_id = "perm3"});
      }
    }
    return {};
  }

  Result<store::GrantCatalog> ReadGrantCatalog() override {
    store::GrantCatalog catalog;
    for (int i = 0; i < 10; ++i) {
      domain::Role r;
      r.id = RoleId("role" + std::to_string(i));
      r.key = "key" + std::to_string(i);
      r.name = "Role " + std::to_string(i);
      catalog.roles.push_back(r);
    }
    for (int i = 0; i < 20; ++i) {
      catalog.permissions.push_back(domain::Permission{.id = PermissionId("perm" + std::to_string(i)),
                                                       .key = "scope:" + std::to_string(i),
                                                       .name = "Scope " + std::to_string(i),
                                                       .description = std::nullopt,
                                                       .created_at = 0});
    }
    for (int r = 0; r < 10; ++r) {
      for (int p = r; p < r + 4; ++p) {
        catalog.role_permissions.emplace_back(RoleId("role" + std::to_string(r)),
                                              PermissionId("perm" + std::to_string(p)));
      }
    }
    return catalog;
  }

 private:
  int64_t members_per_org_;
  int64_t users_;
  size_t id_length_;
};

}  // namespace

int main(int argc, char** argv) {
  const int64_t memberships = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const int64_t per_org = argc > 2 ? std::atoll(argv[2]) : 100;
  const size_t id_length = argc > 3 ? static_cast<size_t>(std::atoll(argv[3])) : 35;
  const int64_t orgs = memberships / per_org;

  QuietFeed feed;
  GeneratedSnapshots snapshots(per_org, memberships / 10, id_length);
  domain::ReadModel model(feed, snapshots);
  malloc_trim(0);
  const size_t before = mallinfo2().uordblks;
  const auto load_start = std::chrono::steady_clock::now();
  for (int64_t n = 0; n < orgs; ++n) {
    auto r = model.IsMember(OrgId("org_" + std::to_string(n)), UserId("nobody"));
    if (!r) return 1;
  }
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
  malloc_trim(0);
  const size_t after = mallinfo2().uordblks;
  const auto stats = model.stats();
  std::printf("organizations %lld, memberships %lld, user id length %zu\n",
              static_cast<long long>(stats.organizations),
              static_cast<long long>(stats.memberships), id_length);
  std::printf("heap held: %.1f MB, %.1f bytes/membership; loaded in %.2f s\n",
              static_cast<double>(after - before) / 1e6,
              static_cast<double>(after - before) / static_cast<double>(stats.memberships), load_s);

  // Warm calls on members that exist: organization n, its member i.
  constexpr int kCalls = 200000;
  std::vector<std::pair<OrgId, UserId>> probes;
  for (int i = 0; i < 1000; ++i) {
    const int64_t n = (i * 37) % orgs;
    const int64_t m = i % per_org;
    probes.emplace_back(OrgId("org_" + std::to_string(n)),
                        UserId(IdOf("usr_", (n * 7919 + m * 104729) % (memberships / 10), id_length)));
  }
  size_t sink = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kCalls; ++i) {
    const auto& [org, user] = probes[static_cast<size_t>(i) % probes.size()];
    auto scopes = model.MemberRoleScopes(org, user);
    sink += scopes ? scopes->size() : 0;
  }
  auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < kCalls; ++i) {
    const auto& [org, user] = probes[static_cast<size_t>(i) % probes.size()];
    auto member = model.IsMember(org, user);
    sink += member && *member ? 1 : 0;
  }
  auto t2 = std::chrono::steady_clock::now();
  std::printf("MemberRoleScopes: %.2f us/call; IsMember: %.2f us/call (checksum %zu)\n",
              std::chrono::duration<double, std::micro>(t1 - t0).count() / kCalls,
              std::chrono::duration<double, std::micro>(t2 - t1).count() / kCalls, sink);
  return 0;
}
