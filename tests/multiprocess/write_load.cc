#include "tests/multiprocess/write_load.h"

#include <algorithm>
#include <exception>
#include <utility>

#include <nlohmann/json.hpp>

#include "tests/multiprocess/api_calls.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

constexpr size_t kLogtoBulkUsers = 50;
constexpr size_t kKindeBulkUsers = 40;  // kinde.md: at most 100 users per request

std::string Describe(const std::string& method, const std::string& target,
                     const HttpResponse& res) {
  return method + " " + target + " -> " + std::to_string(res.status) + " " + res.body.substr(0, 300);
}

std::string Join(const RoleSet& roles) {
  std::string out = "{";
  for (const std::string& r : roles) out += (out.size() > 1 ? "," : "") + r;
  return out + "}";
}

}  // namespace

bool PrepareLoadFixture(HttpClient& client, const std::string& public_url, const std::string& prefix,
                        int roles, int users, LoadFixture* fixture, std::string* error) {
  fixture->logto_token = FetchLogtoToken(client);
  fixture->kinde_token = FetchKindeToken(client, public_url);
  if (fixture->logto_token.empty() || fixture->kinde_token.empty()) {
    *error = "no token";
    return false;
  }
  for (int i = 0; i < roles; ++i) {
    const std::string name = prefix + "-role-" + std::to_string(i);
    HttpResponse res = SendBearer(client, fixture->logto_token, "POST", "/api/organization-roles",
                                  Json{{"name", name}}.dump());
    if (res.status != 201 || !res.json.contains("id")) {
      *error = Describe("POST", "/api/organization-roles", res);
      return false;
    }
    fixture->role_names.push_back(name);
    fixture->role_ids[name] = res.json.at("id").get<std::string>();
  }
  for (int i = 0; i < users; ++i) {
    HttpResponse res = SendBearer(client, fixture->logto_token, "POST", "/api/users",
                                  Json{{"name", prefix + " user " + std::to_string(i)}}.dump());
    if (res.status != 200 || !res.json.contains("id")) {
      *error = Describe("POST", "/api/users", res);
      return false;
    }
    fixture->users.push_back(res.json.at("id").get<std::string>());
  }
  return true;
}

WriteLoad::WriteLoad(const LoadFixture& fixture, uint16_t port, uint64_t seed, std::string label,
                     UnavailableFn unavailable)
    : fixture_(fixture),
      http_(port),
      rng_(seed),
      label_(std::move(label)),
      unavailable_(std::move(unavailable)) {}

WriteLoad::Outcome WriteLoad::Write(bool logto, const std::string& method,
                                    const std::string& target, const std::string& body,
                                    int want_status, HttpResponse* response) {
  try {
    *response = SendBearer(http_, logto ? fixture_.logto_token : fixture_.kinde_token, method,
                           target, body);
  } catch (const std::exception&) {
    gone_ = true;
    ++stats_.unknown;
    return Outcome::kTransportFailure;
  }
  if (response->status == want_status) {
    ++stats_.acknowledged;
    acknowledged_so_far_.fetch_add(1, std::memory_order_relaxed);
    return Outcome::kAcknowledged;
  }
  if (!unavailable_ || !unavailable_(*response, logto)) {
    if (unexpected_.size() < 20) unexpected_.push_back(label_ + ": " + Describe(method, target, *response));
  }
  ++stats_.unknown;
  return Outcome::kUnknown;
}

bool WriteLoad::CreateOrg(bool logto) {
  const std::string name = label_ + " #" + std::to_string(orgs_.size());
  HttpResponse res;
  const Outcome outcome =
      logto ? Write(true, "POST", "/api/organizations", Json{{"name", name}}.dump(), 201, &res)
            : Write(false, "POST", "/api/v1/organization", Json{{"name", name}}.dump(), 200, &res);
  if (outcome != Outcome::kAcknowledged) return false;
  const Json* id = nullptr;
  if (logto && res.json.is_object() && res.json.contains("id")) {
    id = &res.json.at("id");
  } else if (!logto && res.json.is_object() && res.json.contains("organization") &&
             res.json.at("organization").contains("code")) {
    id = &res.json.at("organization").at("code");
  }
  if (id == nullptr || !id->is_string()) {
    unexpected_.push_back(label_ + ": create answered without an id: " + res.body);
    return false;
  }
  orgs_.push_back({.id = id->get<std::string>(), .name = name, .label = name});
  return true;
}

bool WriteLoad::LogtoAddMember(OrgExpectation& org, const std::string& user) {
  org.members[user] = {.may_be_absent = true, .allowed = {RoleSet{}}};
  HttpResponse res;
  if (Write(true, "POST", "/api/organizations/" + org.id + "/users",
            Json{{"userIds", {user}}}.dump(), 201, &res) != Outcome::kAcknowledged) {
    return false;
  }
  org.members[user].may_be_absent = false;
  return true;
}

bool WriteLoad::LogtoAssignRoles(OrgExpectation& org, const std::vector<std::string>& users,
                                 const RoleSet& roles, bool bulk) {
  // The users are members without roles; afterwards they hold `roles`, or still none.
  for (const std::string& u : users) org.members[u].allowed.push_back(roles);
  if (bulk) org.bulks.push_back({.what = "Logto role assignment", .users = users,
                                 .role = *roles.begin()});
  Json ids = Json::array();
  for (const std::string& r : roles) ids.push_back(fixture_.role_ids.at(r));
  HttpResponse res;
  if (Write(true, "POST", "/api/organizations/" + org.id + "/users/roles",
            Json{{"userIds", users}, {"organizationRoleIds", ids}}.dump(), 201,
            &res) != Outcome::kAcknowledged) {
    return false;
  }
  for (const std::string& u : users) org.members[u].allowed = {roles};
  if (bulk) {
    org.bulks.back().acknowledged = true;
    ++stats_.bulk_acknowledged;
  }
  return true;
}

bool WriteLoad::KindeAddMembers(OrgExpectation& org, const std::vector<std::string>& users,
                                const RoleSet& roles, bool bulk) {
  // One transaction: a new member comes with its roles or not at all.
  for (const std::string& u : users) org.members[u] = {.may_be_absent = true, .allowed = {roles}};
  if (bulk) org.bulks.push_back({.what = "Kinde add with roles", .users = users});
  Json items = Json::array();
  for (const std::string& u : users) {
    items.push_back({{"id", u}, {"roles", Json(std::vector<std::string>(roles.begin(), roles.end()))}});
  }
  HttpResponse res;
  if (Write(false, "POST", "/api/v1/organizations/" + org.id + "/users",
            Json{{"users", items}}.dump(), 200, &res) != Outcome::kAcknowledged) {
    return false;
  }
  if (!res.json.is_object() || res.json.value("users_added", Json::array()) != Json(users)) {
    unexpected_.push_back(label_ + ": Kinde add answered " + res.body.substr(0, 300));
  }
  for (const std::string& u : users) org.members[u].may_be_absent = false;
  if (bulk) {
    org.bulks.back().acknowledged = true;
    ++stats_.bulk_acknowledged;
  }
  return true;
}

bool WriteLoad::LogtoAddBulk(OrgExpectation& org, const std::vector<std::string>& users) {
  for (const std::string& u : users) org.members[u] = {.may_be_absent = true, .allowed = {RoleSet{}}};
  org.bulks.push_back({.what = "Logto add", .users = users});
  HttpResponse res;
  if (Write(true, "POST", "/api/organizations/" + org.id + "/users",
            Json{{"userIds", users}}.dump(), 201, &res) != Outcome::kAcknowledged) {
    return false;
  }
  for (const std::string& u : users) org.members[u].may_be_absent = false;
  org.bulks.back().acknowledged = true;
  ++stats_.bulk_acknowledged;
  return true;
}

bool WriteLoad::ReplaceRoles(OrgExpectation& org, const std::string& user, const RoleSet& roles) {
  org.members[user].allowed.push_back(roles);
  Json ids = Json::array();
  for (const std::string& r : roles) ids.push_back(fixture_.role_ids.at(r));
  HttpResponse res;
  if (Write(true, "PUT", "/api/organizations/" + org.id + "/users/" + user + "/roles",
            Json{{"organizationRoleIds", ids}}.dump(), 204, &res) != Outcome::kAcknowledged) {
    return false;
  }
  org.members[user].allowed = {roles};
  return true;
}

std::vector<std::string> WriteLoad::FreshUsers(const OrgExpectation& org, size_t n) {
  std::vector<std::string> candidates;
  for (const std::string& u : fixture_.users) {
    if (!org.members.contains(u)) candidates.push_back(u);
  }
  std::shuffle(candidates.begin(), candidates.end(), rng_);
  candidates.resize(std::min(n, candidates.size()));
  return candidates;
}

RoleSet WriteLoad::RandomRoles(bool allow_empty) {
  RoleSet roles;
  do {
    for (const std::string& r : fixture_.role_names) {
      if (rng_() % 2 == 0) roles.insert(r);
    }
  } while (roles.empty() && !allow_empty);
  return roles;
}

void WriteLoad::Run(const std::atomic<bool>& stop) {
  while (!stop && !gone_) {
    const bool logto = rng_() % 2 == 0;
    if (!CreateOrg(logto)) continue;
    // orgs_ grows only in CreateOrg, so this reference stays valid until the next iteration.
    OrgExpectation& org = orgs_.back();
    auto replace_some = [&](int n) {
      std::vector<std::string> members;
      for (const auto& [u, m] : org.members) members.push_back(u);
      for (int i = 0; i < n && !members.empty() && !stop; ++i) {
        if (!ReplaceRoles(org, members[rng_() % members.size()], RandomRoles(true))) return false;
      }
      return true;
    };
    switch (rng_() % 4) {
      case 0: {  // a few members, one request each, then role replaces
        const int n = 1 + static_cast<int>(rng_() % 3);
        bool ok = true;
        for (const std::string& u : FreshUsers(org, static_cast<size_t>(n))) {
          if (stop) break;
          ok = rng_() % 2 == 0 ? LogtoAddMember(org, u) &&
                                     LogtoAssignRoles(org, {u}, RandomRoles(false), false)
                               : KindeAddMembers(org, {u}, RandomRoles(false), false);
          if (!ok) break;
        }
        if (ok) replace_some(1 + static_cast<int>(rng_() % 2));
        break;
      }
      case 1: {  // Logto bulk add, then one role to all of them in one request
        const std::vector<std::string> users = FreshUsers(org, kLogtoBulkUsers);
        const std::string& role = fixture_.role_names[rng_() % fixture_.role_names.size()];
        if (LogtoAddBulk(org, users) && !stop) LogtoAssignRoles(org, users, {role}, true);
        break;
      }
      case 2:  // Kinde bulk add with roles
        KindeAddMembers(org, FreshUsers(org, kKindeBulkUsers), RandomRoles(false), true);
        break;
      default:  // Logto bulk add, then role replaces of some of the new members
        if (LogtoAddBulk(org, FreshUsers(org, kLogtoBulkUsers)) && !stop) replace_some(2);
        break;
    }
  }
}

void VerifyOrgs(HttpClient& client, const std::string& logto_token,
                std::vector<OrgExpectation>& orgs, std::vector<std::string>* failures) {
  auto fail = [&](const OrgExpectation& org, const std::string& what) {
    failures->push_back("organization " + org.id + " (" + org.label + "): " + what);
  };
  for (OrgExpectation& org : orgs) {
    HttpResponse got = SendBearer(client, logto_token, "GET", "/api/organizations/" + org.id);
    if (got.status != 200) {
      fail(org, "acknowledged create is missing: " + std::to_string(got.status) + " " + got.body);
      continue;
    }
    if (got.json.value("name", "") != org.name) fail(org, "name is " + got.json.value("name", ""));
    HttpResponse list = SendBearer(client, logto_token, "GET",
                                   "/api/organizations/" + org.id + "/users?page_size=100");
    if (list.status != 200 || !list.json.is_array() || list.json.size() >= 100) {
      fail(org, "member list: " + std::to_string(list.status) + " " + list.body.substr(0, 300));
      continue;
    }
    std::map<std::string, RoleSet> actual;
    for (const Json& member : list.json) {
      RoleSet roles;
      for (const Json& role : member.at("organizationRoles")) {
        roles.insert(role.at("name").get<std::string>());
      }
      actual[member.at("id").get<std::string>()] = std::move(roles);
    }
    for (const auto& [user, expected] : org.members) {
      auto it = actual.find(user);
      if (it == actual.end()) {
        if (!expected.may_be_absent) fail(org, "acknowledged member " + user + " is missing");
        continue;
      }
      if (std::find(expected.allowed.begin(), expected.allowed.end(), it->second) ==
          expected.allowed.end()) {
        std::string allowed;
        for (const RoleSet& r : expected.allowed) allowed += " " + Join(r);
        fail(org, "member " + user + " holds " + Join(it->second) + ", expected one of" + allowed);
      }
    }
    for (const auto& [user, roles] : actual) {
      if (!org.members.contains(user)) fail(org, "member " + user + " was never written");
    }
    for (const BulkExpectation& bulk : org.bulks) {
      size_t present = 0;
      for (const std::string& u : bulk.users) {
        auto it = actual.find(u);
        if (it != actual.end() && (bulk.role.empty() || it->second.contains(bulk.role))) ++present;
      }
      if (present != 0 && present != bulk.users.size()) {
        fail(org, bulk.what + " is partial: " + std::to_string(present) + " of " +
                      std::to_string(bulk.users.size()));
      } else if (bulk.acknowledged && present == 0) {
        fail(org, "acknowledged " + bulk.what + " is missing");
      }
    }
    org.members.clear();
    for (auto& [user, roles] : actual) org.members[user] = {.allowed = {std::move(roles)}};
    org.bulks.clear();
  }
}

}  // namespace orgd::testing
