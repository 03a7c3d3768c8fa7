#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "domain/model/page.h"

namespace orgd::domain {

enum class ApplicationType { kNative, kSpa, kTraditional, kMachineToMachine, kProtected, kSaml };

// "Native", "SPA", "Traditional", "MachineToMachine", "Protected", "SAML".
inline constexpr std::string_view kApplicationTypeNames[] = {
    "Native", "SPA", "Traditional", "MachineToMachine", "Protected", "SAML"};
inline std::string_view ApplicationTypeName(ApplicationType type) {
  return kApplicationTypeNames[static_cast<int>(type)];
}
inline std::optional<ApplicationType> ParseApplicationType(std::string_view name) {
  for (int i = 0; i < 6; ++i) {
    if (kApplicationTypeNames[i] == name) return static_cast<ApplicationType>(i);
  }
  return std::nullopt;
}

// A Logto application. JSON-valued fields hold compact JSON text the dialect validated.
struct Application {
  ApplicationId id;
  std::string name;
  ApplicationType type = ApplicationType::kMachineToMachine;
  std::optional<std::string> description;
  std::string oidc_client_metadata = R"({"redirectUris":[],"postLogoutRedirectUris":[]})";
  std::string custom_client_metadata = "{}";
  std::string custom_data = "{}";
  bool is_third_party = false;
  int64_t created_at = 0;  // epoch ms
};

struct ApplicationListQuery {
  std::string q;  // case-insensitive substring of id, name or description
  std::vector<ApplicationType> types;    // empty: every type
  std::optional<OrgId> exclude_org;      // applications not in this organization
  std::optional<bool> is_third_party;
  PageRequest page;                      // newest first, ties by id
};

using ApplicationPage = Page<Application>;

}  // namespace orgd::domain
