#pragma once

#include <compare>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace orgd {

// A string id with a distinct type per entity, so that swapped arguments do not compile.
template <typename Tag>
class Id {
 public:
  Id() = default;
  explicit Id(std::string value) : value_(std::move(value)) {}
  explicit Id(std::string_view value) : value_(value) {}
  explicit Id(const char* value) : value_(value) {}

  const std::string& value() const { return value_; }
  bool empty() const { return value_.empty(); }
  auto operator<=>(const Id&) const = default;

 private:
  std::string value_;
};

using OrgId = Id<struct OrgIdTag>;
using UserId = Id<struct UserIdTag>;
using RoleId = Id<struct RoleIdTag>;
using PermissionId = Id<struct PermissionIdTag>;
using ApplicationId = Id<struct ApplicationIdTag>;
using ResourceId = Id<struct ResourceIdTag>;
using ResourceScopeId = Id<struct ResourceScopeIdTag>;
using ClientId = Id<struct ClientIdTag>;

}  // namespace orgd

template <typename Tag>
struct std::hash<orgd::Id<Tag>> {
  size_t operator()(const orgd::Id<Tag>& id) const noexcept {
    return std::hash<std::string>{}(id.value());
  }
};
