#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"

namespace orgd::domain {

// A property is addressed by its id (Kinde `prop_` + 32 hex) in the definition routes and by its
// key (unique, no whitespace) in the organization value routes.
using PropertyId = Id<struct PropertyIdTag>;
using PropertyCategoryId = Id<struct PropertyCategoryIdTag>;

// What a property (or category) describes: organizations, users or applications. Only kOrg
// properties carry organization values.
enum class PropertyContext { kOrg, kUsr, kApp };
enum class PropertyType { kSingleLineText, kMultiLineText };

// "org", "usr", "app" and back; nullopt for anything else.
inline std::string_view PropertyContextName(PropertyContext context) {
  switch (context) {
    case PropertyContext::kUsr:
      return "usr";
    case PropertyContext::kApp:
      return "app";
    case PropertyContext::kOrg:
      break;
  }
  return "org";
}
inline std::optional<PropertyContext> ParsePropertyContext(std::string_view name) {
  if (name == "org") return PropertyContext::kOrg;
  if (name == "usr") return PropertyContext::kUsr;
  if (name == "app") return PropertyContext::kApp;
  return std::nullopt;
}

// "single_line_text", "multi_line_text" and back; nullopt for anything else.
inline std::string_view PropertyTypeName(PropertyType type) {
  return type == PropertyType::kMultiLineText ? "multi_line_text" : "single_line_text";
}
inline std::optional<PropertyType> ParsePropertyType(std::string_view name) {
  if (name == "single_line_text") return PropertyType::kSingleLineText;
  if (name == "multi_line_text") return PropertyType::kMultiLineText;
  return std::nullopt;
}

struct PropertyCategory {
  PropertyCategoryId id;
  std::string name;
  PropertyContext context = PropertyContext::kOrg;
  int64_t created_at = 0;  // epoch ms
};

// A property definition. `key`, `type` and `context` never change after creation.
struct Property {
  PropertyId id;
  std::string key;
  std::string name;
  std::optional<std::string> description;
  PropertyType type = PropertyType::kSingleLineText;
  PropertyContext context = PropertyContext::kOrg;
  bool is_private = false;
  PropertyCategoryId category_id;
  int64_t created_at = 0;  // epoch ms
};

// Creation input; the id and created_at are minted by the service.
struct CreatePropertyInput {
  std::string key;
  std::string name;
  std::optional<std::string> description;
  PropertyType type = PropertyType::kSingleLineText;
  PropertyContext context = PropertyContext::kOrg;
  bool is_private = false;
  PropertyCategoryId category_id;
};

// The changeable fields of a property. `description` disengaged leaves it unchanged; engaged, it
// holds the new value or null.
struct PropertyUpdate {
  std::string name;
  bool is_private = false;
  PropertyCategoryId category_id;
  std::optional<std::optional<std::string>> description;
};

// Cursor paging in list order, which is creation order (created_at, then id). At most one of
// `starting_after` (the items after that one) and `ending_before` (the `limit` items right before
// that one) is set.
struct PropertyCursorRequest {
  int64_t limit = 10;
  std::optional<std::string> starting_after;
  std::optional<std::string> ending_before;
};

struct PropertyListQuery {
  std::optional<PropertyContext> context;  // only properties of this context
  PropertyCursorRequest page;
};

struct PropertyCategoryListQuery {
  std::optional<PropertyContext> context;  // only categories of this context
  PropertyCursorRequest page;
};

// A page in list order. `has_more`: further items exist beyond the page in the direction of
// travel (after the last item, or before the first one for `ending_before`).
template <typename T>
struct PropertyCursorPage {
  std::vector<T> items;
  bool has_more = false;
};
using PropertyPage = PropertyCursorPage<Property>;
using PropertyCategoryPage = PropertyCursorPage<PropertyCategory>;

// An organization's value of one org-context property; `value` is null when unset.
struct OrgPropertyValue {
  Property property;
  std::optional<std::string> value;
};

// One change of an organization's property values: a value sets it, null clears it.
struct PropertyValueChange {
  std::string key;
  std::optional<std::string> value;
};

}  // namespace orgd::domain
