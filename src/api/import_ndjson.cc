#include "api/import_ndjson.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/json_input.h"

namespace orgd::api {
namespace {

using domain::ImportRecord;

// Every field each type may carry ("type" included).
constexpr std::array<std::string_view, 8> kOrganizationFields = {
    "type", "id", "name", "description", "customData", "isMfaRequired", "customCss", "createdAt"};
constexpr std::array<std::string_view, 9> kUserFields = {
    "type", "id",     "username",   "primaryEmail", "primaryPhone",
    "name", "avatar", "customData", "createdAt"};
constexpr std::array<std::string_view, 4> kScopeFields = {"type", "id", "name", "description"};
constexpr std::array<std::string_view, 6> kRoleFields = {
    "type", "id", "name", "description", "roleType", "organizationScopeNames"};
constexpr std::array<std::string_view, 3> kMembershipFields = {"type", "organizationId", "userId"};
constexpr std::array<std::string_view, 4> kMemberRolesFields = {"type", "organizationId", "userId",
                                                                "organizationRoleNames"};

template <size_t N>
Result<void> OnlyFields(const Json& obj, const std::array<std::string_view, N>& allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      return FieldError(it.key(), "unknown", "unknown field '" + it.key() + "'");
    }
  }
  return {};
}

Result<void> Required(const Json& obj, std::string_view key, std::string& out) {
  std::optional<std::string> value;
  ORGD_TRY(ReadString(obj, key, value));
  if (!value) return FieldError(key, "required", std::string(key) + " is required");
  out = std::move(*value);
  return {};
}

// Absent and null both read as no value.
Result<void> Nullable(const Json& obj, std::string_view key, std::optional<std::string>& out) {
  std::optional<std::optional<std::string>> value;
  ORGD_TRY(ReadNullableString(obj, key, value));
  if (value) out = std::move(*value);
  return {};
}

Result<void> CreatedAt(const Json& obj, std::optional<int64_t>& out) {
  ORGD_TRY(ReadInt(obj, "createdAt", out));
  if (out && *out < 0) return FieldError("createdAt", "invalid", "createdAt must not be negative");
  return {};
}

Result<void> Names(const Json& obj, std::string_view key, bool required,
                   std::vector<std::string>& out) {
  std::optional<std::vector<std::string>> names;
  ORGD_TRY(ReadStringArray(obj, key, names));
  if (!names && required) return FieldError(key, "required", std::string(key) + " is required");
  if (names) out = std::move(*names);
  return {};
}

Result<ImportRecord> ParseOrganization(const Json& obj) {
  ORGD_TRY(OnlyFields(obj, kOrganizationFields));
  domain::ImportOrganizationRecord r;
  std::string id;
  ORGD_TRY(Required(obj, "id", id));
  r.org.id = OrgId(std::move(id));
  ORGD_TRY(Required(obj, "name", r.org.name));
  ORGD_TRY(Nullable(obj, "description", r.org.description));
  std::optional<std::string> custom_data;
  ORGD_TRY(ReadObjectText(obj, "customData", custom_data));
  if (custom_data) r.org.custom_data = std::move(*custom_data);
  std::optional<bool> mfa;
  ORGD_TRY(ReadBool(obj, "isMfaRequired", mfa));
  r.org.is_mfa_required = mfa.value_or(false);
  ORGD_TRY(Nullable(obj, "customCss", r.org.custom_css));
  ORGD_TRY(CreatedAt(obj, r.created_at));
  return ImportRecord(std::move(r));
}

Result<ImportRecord> ParseUser(const Json& obj) {
  ORGD_TRY(OnlyFields(obj, kUserFields));
  domain::ImportUserRecord r;
  std::string id;
  ORGD_TRY(Required(obj, "id", id));
  r.user.id = UserId(std::move(id));
  ORGD_TRY(Nullable(obj, "username", r.user.username));
  ORGD_TRY(Nullable(obj, "primaryEmail", r.user.primary_email));
  ORGD_TRY(Nullable(obj, "primaryPhone", r.user.primary_phone));
  ORGD_TRY(Nullable(obj, "name", r.user.name));
  ORGD_TRY(Nullable(obj, "avatar", r.user.avatar));
  std::optional<std::string> custom_data;
  ORGD_TRY(ReadObjectText(obj, "customData", custom_data));
  if (custom_data) r.user.custom_data = std::move(*custom_data);
  ORGD_TRY(CreatedAt(obj, r.created_at));
  return ImportRecord(std::move(r));
}

Result<ImportRecord> ParseScope(const Json& obj) {
  ORGD_TRY(OnlyFields(obj, kScopeFields));
  domain::ImportScopeRecord r;
  std::optional<std::string> id;
  ORGD_TRY(ReadString(obj, "id", id));
  if (id) r.id = PermissionId(std::move(*id));
  ORGD_TRY(Required(obj, "name", r.name));
  ORGD_TRY(Nullable(obj, "description", r.description));
  return ImportRecord(std::move(r));
}

Result<ImportRecord> ParseRole(const Json& obj) {
  ORGD_TRY(OnlyFields(obj, kRoleFields));
  domain::ImportRoleRecord r;
  std::optional<std::string> id;
  ORGD_TRY(ReadString(obj, "id", id));
  if (id) r.id = RoleId(std::move(*id));
  ORGD_TRY(Required(obj, "name", r.name));
  ORGD_TRY(Nullable(obj, "description", r.description));
  std::optional<std::string> type;
  ORGD_TRY(ReadString(obj, "roleType", type));
  if (type) {
    auto parsed = domain::ParseRoleType(*type);
    if (!parsed) {
      return FieldError("roleType", "invalid", "roleType must be User or MachineToMachine");
    }
    r.type = *parsed;
  }
  ORGD_TRY(Names(obj, "organizationScopeNames", false, r.scope_names));
  return ImportRecord(std::move(r));
}

Result<void> ReadPair(const Json& obj, OrgId& org, UserId& user) {
  std::string org_id, user_id;
  ORGD_TRY(Required(obj, "organizationId", org_id));
  ORGD_TRY(Required(obj, "userId", user_id));
  org = OrgId(std::move(org_id));
  user = UserId(std::move(user_id));
  return {};
}

Result<ImportRecord> ParseMembership(const Json& obj) {
  ORGD_TRY(OnlyFields(obj, kMembershipFields));
  domain::ImportMembershipRecord r;
  ORGD_TRY(ReadPair(obj, r.org, r.user));
  return ImportRecord(std::move(r));
}

Result<ImportRecord> ParseMemberRoles(const Json& obj) {
  ORGD_TRY(OnlyFields(obj, kMemberRolesFields));
  domain::ImportMemberRolesRecord r;
  ORGD_TRY(ReadPair(obj, r.org, r.user));
  ORGD_TRY(Names(obj, "organizationRoleNames", true, r.role_names));
  return ImportRecord(std::move(r));
}

}  // namespace

Result<ImportRecord> ParseImportLine(std::string_view line) {
  Json obj = Json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded()) {
    // The full parser's message says where the JSON went wrong; only failures pay for it.
    auto parsed = ParseJson(line);
    return Error::InvalidArgument(parsed ? "invalid JSON"
                                         : "invalid JSON: " + parsed.error().message)
        .WithReason("json");
  }
  if (!obj.is_object()) return Error::InvalidArgument("a line must be a JSON object");
  std::string type;
  ORGD_TRY(Required(obj, "type", type));
  if (type == "membership") return ParseMembership(obj);
  if (type == "memberRoles") return ParseMemberRoles(obj);
  if (type == "user") return ParseUser(obj);
  if (type == "organization") return ParseOrganization(obj);
  if (type == "organizationRole") return ParseRole(obj);
  if (type == "organizationScope") return ParseScope(obj);
  return FieldError("type", "invalid",
                    "type must be organization, user, organizationScope, organizationRole, "
                    "membership or memberRoles");
}

std::string ImportFileId(std::string_view content) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // Cannot fail for an in-memory SHA-256 short of memory exhaustion.
  EVP_Digest(content.data(), content.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

}  // namespace orgd::api
