#include "domain/property_service.h"

#include <utility>

#include "domain/key_rules.h"
#include "store/tx_mode.h"

namespace orgd::domain {
namespace {

// How many fresh ids to try when a generated id collides with an existing one (32 random hex
// digits: more than one retry means something else is wrong).
constexpr int kIdAttempts = 3;

Result<void> ValidateName(const std::string& name) {
  if (name.empty())
    return Error::InvalidArgument("Name is required", "name").WithReason("required");
  return {};
}

bool IsIdClash(const Error& e) { return e.code == ErrorCode::kAlreadyExists && e.reason == "id"; }

}  // namespace

PropertyService::PropertyService(store::Store& store, const Clock& clock, IdGenerator& ids)
    : store_(store), clock_(clock), ids_(ids) {}

Result<PropertyCategory> PropertyService::CreateCategory(std::string name, PropertyContext context,
                                                         IdStyle style) {
  ORGD_TRY(ValidateName(name));
  PropertyCategory category{
      .name = std::move(name), .context = context, .created_at = clock_.NowMillis()};
  for (int attempt = 1;; ++attempt) {
    category.id = PropertyCategoryId(ids_.Next(IdKind::kPropertyCategory, style));
    auto inserted = store_.InsertPropertyCategory(category);
    if (inserted) return category;
    if (IsIdClash(inserted.error()) && attempt < kIdAttempts) continue;
    return std::move(inserted).error();
  }
}

Result<void> PropertyService::RenameCategory(const PropertyCategoryId& id, std::string name) {
  ORGD_TRY(ValidateName(name));
  return store_.RenamePropertyCategory(id, name);
}

Result<PropertyCategoryPage> PropertyService::ListCategories(
    const PropertyCategoryListQuery& query) {
  return store_.ListPropertyCategories(query);
}

Result<Property> PropertyService::Create(const CreatePropertyInput& input, IdStyle style) {
  ORGD_TRY(ValidateName(input.name));
  if (input.key.empty()) {
    return Error::InvalidArgument("Key is required", "key").WithReason("required");
  }
  if (!IsValidKey(input.key)) return Error::InvalidArgument("Invalid key", "key");
  Property property{.key = input.key,
                    .name = input.name,
                    .description = input.description,
                    .type = input.type,
                    .context = input.context,
                    .is_private = input.is_private,
                    .category_id = input.category_id,
                    .created_at = clock_.NowMillis()};
  for (int attempt = 1;; ++attempt) {
    property.id = PropertyId(ids_.Next(IdKind::kProperty, style));
    auto inserted = store_.InsertProperty(property);
    if (inserted) return property;
    if (IsIdClash(inserted.error()) && attempt < kIdAttempts) continue;
    return std::move(inserted).error();
  }
}

Result<void> PropertyService::Update(const PropertyId& id, const PropertyUpdate& update) {
  ORGD_TRY(ValidateName(update.name));
  return store_.UpdateProperty(id, update);
}

Result<void> PropertyService::Delete(const PropertyId& id) { return store_.DeleteProperty(id); }

Result<PropertyPage> PropertyService::List(const PropertyListQuery& query) {
  return store_.ListProperties(query);
}

Result<std::vector<OrgPropertyValue>> PropertyService::ListOrgValues(const OrgId& org) {
  std::vector<OrgPropertyValue> values;
  ORGD_TRY(store_.InTransaction(store::TxMode::kRead, [&](store::Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetOrganization(org));
    auto listed = tx.ListOrgPropertyValues(org);
    if (!listed) return std::move(listed).error();
    values = std::move(*listed);
    return {};
  }));
  return values;
}

Result<void> PropertyService::SetOrgValues(const OrgId& org,
                                           const std::vector<PropertyValueChange>& changes) {
  return store_.InTransaction(store::TxMode::kWrite, [&](store::Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetOrganization(org));
    for (const PropertyValueChange& change : changes) {
      auto property = tx.GetPropertyByKey(change.key);
      if (!property) return std::move(property).error();
      if (property->context != PropertyContext::kOrg) {
        return Error::InvalidArgument("Invalid context", "context");
      }
      if (change.value) {
        ORGD_TRY(tx.SetOrgPropertyValue(org, property->id, *change.value));
      } else {
        ORGD_TRY(tx.ClearOrgPropertyValue(org, property->id));
      }
    }
    return {};
  });
}

}  // namespace orgd::domain
