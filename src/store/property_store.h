#pragma once

#include <string>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "domain/model/property.h"

namespace orgd::store {

// Property categories, property definitions and organizations' property values, part of Store
// (store.h). The store checks no property rules (contexts): the domain does.
//
// Cursor lists (ListPropertyCategories, ListProperties) run in list order, (created_at, id), and
// fail with kInvalidArgument: subject "starting_after" or "ending_before" and reason
// "invalid_cursor" when the cursor names no row of the table (a row outside the context filter is
// a valid position); subject "starting_after" and reason "too_many_parameters" when both cursors
// are set; subject "limit" for a limit below 1.
class PropertyStore {
 public:
  virtual ~PropertyStore() = default;

  // kAlreadyExists (subject "property_category", reason "id") when the id is taken.
  virtual Result<void> InsertPropertyCategory(const domain::PropertyCategory& category) = 0;
  // kNotFound (subject "category") when absent.
  virtual Result<domain::PropertyCategory> GetPropertyCategory(
      const domain::PropertyCategoryId& id) = 0;
  // Renames the category. kNotFound (subject "category") when absent.
  virtual Result<void> RenamePropertyCategory(const domain::PropertyCategoryId& id,
                                              const std::string& name) = 0;
  virtual Result<domain::PropertyCategoryPage> ListPropertyCategories(
      const domain::PropertyCategoryListQuery& query) = 0;

  // kAlreadyExists (subject "property", reason "property_key" or "id") on a clash; kNotFound
  // (subject "category") when its category does not exist.
  virtual Result<void> InsertProperty(const domain::Property& property) = 0;
  // kNotFound (subject "property") when absent.
  virtual Result<domain::Property> GetProperty(const domain::PropertyId& id) = 0;
  virtual Result<domain::Property> GetPropertyByKey(const std::string& key) = 0;
  // Writes name, is_private, category_id and (when engaged) description. kNotFound (subject
  // "property") when absent, (subject "category") when the new category does not exist.
  virtual Result<void> UpdateProperty(const domain::PropertyId& id,
                                      const domain::PropertyUpdate& update) = 0;
  // Deletes the property and its values in every organization. kNotFound when absent.
  virtual Result<void> DeleteProperty(const domain::PropertyId& id) = 0;
  virtual Result<domain::PropertyPage> ListProperties(const domain::PropertyListQuery& query) = 0;

  // Every property of context org with `org`'s value (null when unset), in creation order. Does
  // not check that `org` exists.
  virtual Result<std::vector<domain::OrgPropertyValue>> ListOrgPropertyValues(const OrgId& org) = 0;
  // Sets or replaces `org`'s value of `property`. kNotFound (subject "organization" or
  // "property") when either does not exist.
  virtual Result<void> SetOrgPropertyValue(const OrgId& org, const domain::PropertyId& property,
                                           const std::string& value) = 0;
  // Removes `org`'s value of `property` (nothing to remove is success).
  virtual Result<void> ClearOrgPropertyValue(const OrgId& org,
                                             const domain::PropertyId& property) = 0;
};

}  // namespace orgd::store
