#include "domain/organization_service.h"

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

Result<OrganizationPage> OrganizationService::List(const OrganizationListQuery& query) {
  return store_.ListOrganizations(query);
}

}  // namespace orgd::domain
