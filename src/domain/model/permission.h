#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/ids.h"
#include "domain/model/page.h"

namespace orgd::domain {

// A permission: Logto organization scope (its `name` is `key` here), Kinde permission (`key`
// and display `name`). Environment-wide; granted through roles or directly to a member.
struct Permission {
  PermissionId id;
  std::string key;   // unique
  std::string name;  // display name; the key when not given
  std::optional<std::string> description;
  int64_t created_at = 0;  // epoch ms
};

struct PermissionPatch {
  std::optional<std::string> key;
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> description;

  bool empty() const { return !key && !name && !description; }
};

// kKeyAsc: Logto (byte order of the key). The rest are Kinde's: creation order, display name
// (case-insensitive), id. Ties by id.
enum class PermissionSort { kKeyAsc, kCreatedAsc, kNameAsc, kNameDesc, kIdAsc, kIdDesc };

struct PermissionListQuery {
  std::string q;  // case-insensitive substring of the key; % and _ act as wildcards
  PermissionSort sort = PermissionSort::kKeyAsc;
  PageRequest page;
};

using PermissionPage = Page<Permission>;

}  // namespace orgd::domain
