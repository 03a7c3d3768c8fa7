#include "domain/organization_service.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "domain/feature_flag_service.h"
#include "store/tx_mode.h"

namespace orgd::domain {
namespace {

// How many fresh ids to try when a generated id collides with an existing one. With 12
// characters of [0-9a-z] a collision is already astronomically rare; more than one retry means
// something else is wrong.
constexpr int kIdAttempts = 3;

Result<void> ValidateCommon(const std::string* name, const std::string* theme_code) {
  if (name && name->empty()) return Error::InvalidArgument("name must not be empty", "name");
  if (theme_code && !IsValidThemeCode(*theme_code)) {
    return Error::InvalidArgument("theme_code must be light, dark or user_preference",
                                  "theme_code");
  }
  return {};
}

// Inserts `org` and its feature flag overrides in one transaction: a bad override (unknown flag,
// level, value) leaves no organization behind.
Result<void> InsertWithFeatureFlags(store::Store& store, const Organization& org,
                                    const std::vector<FeatureFlagOverride>& feature_flags) {
  return store.InTransaction(store::TxMode::kWrite, [&](store::Store& tx) -> Result<void> {
    ORGD_TRY(tx.InsertOrganization(org));
    for (const FeatureFlagOverride& flag_override : feature_flags) {
      ORGD_TRY(SetFeatureFlagOverrideIn(tx, org.id, flag_override));
    }
    return {};
  });
}

}  // namespace

bool IsValidThemeCode(std::string_view theme_code) {
  return theme_code == "light" || theme_code == "dark" || theme_code == "user_preference";
}

OrganizationService::OrganizationService(store::Store& store, const Clock& clock,
                                         IdGenerator& ids)
    : store_(store), clock_(clock), ids_(ids) {}

Result<Organization> OrganizationService::Create(const CreateOrganizationInput& input,
                                                 IdStyle style) {
  ORGD_TRY(ValidateCommon(&input.fields.name, &input.fields.theme_code));
  Organization org = input.fields;
  int64_t now = clock_.NowMillis();
  org.created_at = input.created_at.value_or(now);
  org.updated_at = now;
  org.suspended_at = org.is_suspended ? std::optional<int64_t>(now) : std::nullopt;
  for (int attempt = 1;; ++attempt) {
    org.id = OrgId(ids_.Next(IdKind::kOrganization, style));
    auto inserted = input.feature_flags.empty()
                        ? store_.InsertOrganization(org)
                        : InsertWithFeatureFlags(store_, org, input.feature_flags);
    if (inserted) return org;
    const Error& e = inserted.error();
    if (e.code == ErrorCode::kAlreadyExists && e.reason == "id" && attempt < kIdAttempts) continue;
    return std::move(inserted).error();
  }
}

Result<Organization> OrganizationService::Get(const OrgId& id) {
  if (read_model_ != nullptr) {
    auto org = read_model_->GetOrganization(id, [&] { return store_.GetOrganization(id); });
    if (org) return **org;
    // An unknown organization is an answer; any other failure may be the feed's, so ask SQL.
    if (org.error().code == ErrorCode::kNotFound) return std::move(org).error();
  }
  return store_.GetOrganization(id);
}

Result<Organization> OrganizationService::Update(const OrgId& id, OrganizationPatch patch) {
  ORGD_TRY(ValidateCommon(patch.name ? &*patch.name : nullptr,
                          patch.theme_code ? &*patch.theme_code : nullptr));
  if (patch.empty()) return store_.GetOrganization(id);
  int64_t now = clock_.NowMillis();
  if (patch.is_suspended) {
    patch.suspended_at = *patch.is_suspended ? std::optional<int64_t>(now) : std::nullopt;
  }
  return store_.UpdateOrganization(id, patch, now);
}

Result<void> OrganizationService::Delete(const OrgId& id) { return store_.DeleteOrganization(id); }

Result<std::shared_ptr<const OrganizationPage>> OrganizationService::List(const OrganizationListQuery& query) {
  ListKey key;
  key.Add(query.q).Add(static_cast<int64_t>(query.sort)).Add(query.limit).Add(query.offset);
  key.Add(query.want_total ? 1 : 0).Add(query.after ? 1 : 0);
  if (query.after) key.Add(query.after->sort_key).Add(query.after->id);
  return pages_.Through(read_model_, key.Take(), [&] {
    return store_.ListOrganizations(WithKnownMatches(query));
  });
}

OrganizationListQuery OrganizationService::WithKnownMatches(const OrganizationListQuery& query) {
  OrganizationListQuery out = query;
  if (search_index_ != nullptr && query.want_total && !query.q.empty()) {
    out.known_matches = search_index_->Count(query.q);
  }
  return out;
}

Result<OrganizationWithFeaturedPage> OrganizationService::ListWithFeatured(
    const OrganizationListQuery& query, int64_t featured_per_org) {
  OrganizationWithFeaturedPage out;
  const OrganizationListQuery counted = WithKnownMatches(query);
  ORGD_TRY(store_.InTransaction(store::TxMode::kRead, [&](store::Store& tx) -> Result<void> {
    out = OrganizationWithFeaturedPage{};
    auto page = tx.ListOrganizations(counted);
    if (!page) return std::move(page).error();
    std::vector<OrgId> ids;
    ids.reserve(page->items.size());
    for (const Organization& org : page->items) ids.push_back(org.id);
    auto summaries = tx.SummarizeMembers(ids, featured_per_org);
    if (!summaries) return std::move(summaries).error();
    for (size_t i = 0; i < page->items.size(); ++i) {
      out.items.push_back({std::move(page->items[i]), std::move((*summaries)[i])});
    }
    out.total = page->total;
    out.has_more = page->has_more;
    return {};
  }));
  return out;
}

namespace {

Error DuplicateDomain() {
  return Error::AlreadyExists("organization", "email_domain", "the email domain is already set");
}

// Locks `org` and reads its domains. kNotFound (reason "foreign_key") when absent.
Result<std::vector<std::string>> LockedDomains(store::Store& tx, const OrgId& org) {
  auto locked = tx.LockOrganization(org);
  if (!locked) {
    Error e = std::move(locked).error();
    if (e.code == ErrorCode::kNotFound) return std::move(e).WithReason("foreign_key");
    return e;
  }
  auto current = tx.GetOrganization(org);
  if (!current) return std::move(current).error();
  return std::move(current->allowed_domains);
}

}  // namespace

Result<std::vector<std::string>> OrganizationService::ListJitEmailDomains(const OrgId& org) {
  auto current = store_.GetOrganization(org);
  if (!current) {
    if (current.error().code == ErrorCode::kNotFound) return std::vector<std::string>{};
    return std::move(current).error();
  }
  return std::move(current->allowed_domains);
}

Result<void> OrganizationService::AddJitEmailDomain(const OrgId& org, const std::string& domain) {
  return store_.InTransaction(store::TxMode::kWrite, [&](store::Store& tx) -> Result<void> {
    auto domains = LockedDomains(tx, org);
    if (!domains) return std::move(domains).error();
    if (std::find(domains->begin(), domains->end(), domain) != domains->end()) {
      return DuplicateDomain();
    }
    domains->push_back(domain);
    OrganizationPatch patch;
    patch.allowed_domains = std::move(*domains);
    ORGD_TRY(tx.UpdateOrganization(org, patch, clock_.NowMillis()));
    return {};
  });
}

Result<void> OrganizationService::ReplaceJitEmailDomains(const OrgId& org,
                                                         const std::vector<std::string>& domains) {
  if (std::set<std::string>(domains.begin(), domains.end()).size() != domains.size()) {
    return DuplicateDomain();
  }
  return store_.InTransaction(store::TxMode::kWrite, [&](store::Store& tx) -> Result<void> {
    auto current = LockedDomains(tx, org);
    if (!current) {
      // Clearing the domains of an organization that does not exist has nothing to do.
      if (domains.empty() && current.error().code == ErrorCode::kNotFound) return {};
      return std::move(current).error();
    }
    OrganizationPatch patch;
    patch.allowed_domains = domains;
    ORGD_TRY(tx.UpdateOrganization(org, patch, clock_.NowMillis()));
    return {};
  });
}

Result<void> OrganizationService::RemoveJitEmailDomain(const OrgId& org,
                                                       const std::string& domain) {
  return store_.InTransaction(store::TxMode::kWrite, [&](store::Store& tx) -> Result<void> {
    const Error absent = Error::NotFound("jit_email_domain").WithReason("not_assigned");
    auto domains = LockedDomains(tx, org);
    if (!domains) {
      return domains.error().code == ErrorCode::kNotFound ? absent : std::move(domains).error();
    }
    auto it = std::find(domains->begin(), domains->end(), domain);
    if (it == domains->end()) return absent;
    domains->erase(it);
    OrganizationPatch patch;
    patch.allowed_domains = std::move(*domains);
    ORGD_TRY(tx.UpdateOrganization(org, patch, clock_.NowMillis()));
    return {};
  });
}

}  // namespace orgd::domain
