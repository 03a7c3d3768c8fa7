#include "domain/organization_service.h"

#include <utility>

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
    auto inserted = store_.InsertOrganization(org);
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
