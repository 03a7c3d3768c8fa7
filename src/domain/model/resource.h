#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/ids.h"

namespace orgd::domain {

// An API resource: Logto resource (`indicator`), Kinde API (`audience`).
struct Resource {
  ResourceId id;
  std::string name;
  std::string indicator;  // unique
  int64_t access_token_ttl = 3600;  // seconds
  int64_t created_at = 0;           // epoch ms
};

struct ResourcePatch {
  std::optional<std::string> name;
  std::optional<int64_t> access_token_ttl;

  bool empty() const { return !name && !access_token_ttl; }
};

// A scope of an API resource: Logto resource scope (`name`), Kinde API scope (`key`).
struct ResourceScope {
  ResourceScopeId id;
  ResourceId resource_id;
  std::string name;  // unique within its resource
  std::optional<std::string> description;
  int64_t created_at = 0;  // epoch ms
};

// A resource scope with the name of its resource (Logto role list form, Kinde role scopes).
struct ResourceScopeWithResource {
  ResourceScope scope;
  std::string resource_name;
};

struct ResourceScopePatch {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> description;

  bool empty() const { return !name && !description; }
};

// Orders of the resource list: Logto creation order, Kinde name order (case-insensitive).
enum class ResourceSort { kCreatedAsc, kNameAsc };

}  // namespace orgd::domain
