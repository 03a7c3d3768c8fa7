#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/support/http_client.h"

// A write load for the crash and restart suites (issue #8): organization creates in both
// dialects, member adds with roles (Logto add + role assignment, Kinde add with roles), Logto
// role replaces and bulk writes (a Logto add of 50 users and a role assignment to all of them,
// a Kinde add of 40 users with roles). Every write is recorded before it is sent, so that after
// a crash or an outage the database can be checked against what was acknowledged: an
// acknowledged write must be there exactly; a write whose outcome is unknown (in flight, or
// answered 503) may be there or not, but a bulk write is all there or not at all.
namespace orgd::testing {

// What the load writes with: roles and a pool of users made beforehand, and tokens of both
// dialects for one orgd installation.
struct LoadFixture {
  std::string logto_token;
  std::string kinde_token;
  std::vector<std::string> role_names;          // Logto role names = Kinde role keys
  std::map<std::string, std::string> role_ids;  // name -> Logto id
  std::vector<std::string> users;
};

// Fetches both tokens and creates `roles` organization roles (names `<prefix>-role-N`) and
// `users` users through the Logto dialect. False with `error` set when any request fails.
bool PrepareLoadFixture(HttpClient& client, const std::string& public_url, const std::string& prefix,
                        int roles, int users, LoadFixture* fixture, std::string* error);

using RoleSet = std::set<std::string>;  // role names

// One user's membership in one organization as the load left it.
struct MemberExpectation {
  // True while only a write of unknown outcome made the user a member.
  bool may_be_absent = false;
  // The role sets the member may hold: one after an acknowledged write, more while writes of
  // unknown outcome might have changed it.
  std::vector<RoleSet> allowed;
};

// A bulk write: all of `users` are members (holding `role`, when set) or none are.
struct BulkExpectation {
  std::string what;
  std::vector<std::string> users;
  std::string role;  // empty: membership only
  bool acknowledged = false;
};

struct OrgExpectation {
  std::string id;  // Logto id or Kinde code (both dialects address it by that)
  std::string name;
  std::string label;  // "round 3 thread 1 #4", for failure messages
  std::map<std::string, MemberExpectation> members;
  std::vector<BulkExpectation> bulks;
};

// Counts over one load run.
struct LoadStats {
  int acknowledged = 0;  // writes answered 2xx
  int unknown = 0;       // writes in flight at a crash or answered as `unavailable` says
  int bulk_acknowledged = 0;
};

// One client thread's load against one orgd: sequential writes, each org touched by this load
// only. A write whose outcome is unknown ends the work on its organization (the load moves on to
// a new one), so each organization has at most one such write, its last.
class WriteLoad {
 public:
  // `unavailable(response, logto)` says whether a non-2xx answer is the expected sign of an
  // outage (e.g. the dialect's 503): such writes count as unknown. Any other non-2xx answer is
  // recorded in unexpected() and also counts as unknown. Without the predicate every non-2xx is
  // unexpected.
  using UnavailableFn = std::function<bool(const HttpResponse&, bool logto)>;
  WriteLoad(const LoadFixture& fixture, uint16_t port, uint64_t seed, std::string label,
            UnavailableFn unavailable = nullptr);

  // Writes until `stop` is set or a request fails at the transport level (orgd gone); that
  // request counts as in flight.
  void Run(const std::atomic<bool>& stop);

  std::vector<OrgExpectation>& orgs() { return orgs_; }
  const LoadStats& stats() const { return stats_; }
  const std::vector<std::string>& unexpected() const { return unexpected_; }
  // stats().acknowledged, safe to read while Run is running on another thread.
  int acknowledged_so_far() const { return acknowledged_so_far_.load(std::memory_order_relaxed); }
  // Whether a request failed at the transport level (Run returned because orgd was gone).
  bool gone() const { return gone_; }

 private:
  enum class Outcome { kAcknowledged, kUnknown, kTransportFailure };
  Outcome Write(bool logto, const std::string& method, const std::string& target,
                const std::string& body, int want_status, HttpResponse* response);
  // Each returns false when the organization is to be left (unknown outcome or orgd gone).
  bool CreateOrg(bool logto);
  bool LogtoAddMember(OrgExpectation& org, const std::string& user);
  bool LogtoAssignRoles(OrgExpectation& org, const std::vector<std::string>& users,
                        const RoleSet& roles, bool bulk);
  bool KindeAddMembers(OrgExpectation& org, const std::vector<std::string>& users,
                       const RoleSet& roles, bool bulk);
  bool LogtoAddBulk(OrgExpectation& org, const std::vector<std::string>& users);
  bool ReplaceRoles(OrgExpectation& org, const std::string& user, const RoleSet& roles);
  std::vector<std::string> FreshUsers(const OrgExpectation& org, size_t n);
  RoleSet RandomRoles(bool allow_empty);

  const LoadFixture& fixture_;
  HttpClient http_;
  std::mt19937_64 rng_;
  std::string label_;
  UnavailableFn unavailable_;
  bool gone_ = false;
  std::vector<OrgExpectation> orgs_;
  LoadStats stats_;
  std::atomic<int> acknowledged_so_far_{0};
  std::vector<std::string> unexpected_;
};

// Checks each organization against what orgd answers through `client` (Logto dialect): the
// organization exists with its name; every acknowledged member is there with an allowed role
// set; no member the load did not write; every bulk write all or nothing. Appends one message per
// failure to `failures`. Then makes each expectation the observed state (the data is durable
// now), so that a later check of the same organizations needs no memory of what was unknown.
void VerifyOrgs(HttpClient& client, const std::string& logto_token,
                std::vector<OrgExpectation>& orgs, std::vector<std::string>* failures);

}  // namespace orgd::testing
