#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/id_generator.h"
#include "common/ids.h"
#include "common/result.h"
#include "domain/model/property.h"
#include "store/store.h"

namespace orgd::domain {

// Property categories, property definitions and organizations' property values
// (contracts/kinde.md §3.9, §3.13.5). The rules: names are non-empty, keys non-empty without
// whitespace; only properties of context org carry organization values. Ids are minted in
// `style`'s format (Kinde: prop_ / cat_ + 32 hex). Each method is one transaction. Thread-safe.
//
// Errors, beyond those listed per method: kInvalidArgument with subject "name" (reason
// "required") or "key" (reason "required" or "invalid"); kNotFound with subject "organization",
// "property" or "category"; the cursor errors of store::PropertyStore for the lists.
class PropertyService {
 public:
  PropertyService(store::Store& store, const Clock& clock, IdGenerator& ids);

  Result<PropertyCategory> CreateCategory(std::string name, PropertyContext context, IdStyle style);
  Result<void> RenameCategory(const PropertyCategoryId& id, std::string name);
  Result<PropertyCategoryPage> ListCategories(const PropertyCategoryListQuery& query);

  // kAlreadyExists (subject "property", reason "property_key") when the key is taken.
  Result<Property> Create(const CreatePropertyInput& input, IdStyle style);
  Result<void> Update(const PropertyId& id, const PropertyUpdate& update);
  // Deletes the property and its values in every organization.
  Result<void> Delete(const PropertyId& id);
  Result<PropertyPage> List(const PropertyListQuery& query);

  // Every property of context org with `org`'s value (null when unset), in creation order.
  Result<std::vector<OrgPropertyValue>> ListOrgValues(const OrgId& org);
  // Applies `changes` (a value sets, null clears; properties not listed keep theirs) all or
  // nothing: the first key that names no property (kNotFound "property") or a property whose
  // context is not org (kInvalidArgument, subject "context", reason "invalid") fails the whole
  // request with no change.
  Result<void> SetOrgValues(const OrgId& org, const std::vector<PropertyValueChange>& changes);

 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
};

}  // namespace orgd::domain
