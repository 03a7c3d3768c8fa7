#include "domain/resource_service.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "domain/key_rules.h"

namespace orgd::domain {
namespace {

using store::Store;
using store::TxMode;

constexpr int kIdAttempts = 3;

bool IsIdClash(const Error& e) { return e.code == ErrorCode::kAlreadyExists && e.reason == "id"; }

Result<void> CheckScopeName(const std::string& name) {
  if (name.empty()) {
    return Error::InvalidArgument("name must not be empty", "name").WithReason("required");
  }
  if (!IsValidKey(name)) {
    return Error::InvalidArgument("the scope name must not contain whitespace", "name")
        .WithReason("whitespace");
  }
  return {};
}

// The scope `id` of `resource`: kNotFound "resource" first, then "resource_scope" (also for a
// scope of another resource).
Result<ResourceScope> ScopeOf(Store& tx, const ResourceId& resource, const ResourceScopeId& id) {
  ORGD_TRY(tx.GetResource(resource));
  auto scope = tx.GetResourceScope(id);
  if (!scope) return std::move(scope).error();
  if (scope->resource_id != resource) return Error::NotFound("resource_scope");
  return std::move(*scope);
}

}  // namespace

ResourceService::ResourceService(store::Store& store, const Clock& clock, IdGenerator& ids,
                                 std::vector<std::string> reserved_indicators)
    : store_(store),
      clock_(clock),
      ids_(ids),
      reserved_indicators_(std::move(reserved_indicators)) {}

Result<Resource> ResourceService::CreateResource(const CreateResourceInput& input, IdStyle style) {
  if (input.name.empty()) {
    return Error::InvalidArgument("name must not be empty", "name").WithReason("required");
  }
  if (input.indicator.empty()) {
    return Error::InvalidArgument("indicator must not be empty", "indicator")
        .WithReason("required");
  }
  if (std::find(reserved_indicators_.begin(), reserved_indicators_.end(), input.indicator) !=
      reserved_indicators_.end()) {
    return Error::AlreadyExists("resource", "indicator", "the indicator is reserved");
  }
  Resource resource{.name = input.name,
                    .indicator = input.indicator,
                    .access_token_ttl = input.access_token_ttl.value_or(3600),
                    .created_at = clock_.NowMillis()};
  for (int attempt = 1;; ++attempt) {
    resource.id = ResourceId(ids_.Next(IdKind::kResource, style));
    auto inserted = store_.InsertResource(resource);
    if (inserted) return resource;
    if (!IsIdClash(inserted.error()) || attempt == kIdAttempts) return std::move(inserted).error();
  }
}

Result<Resource> ResourceService::GetResource(const ResourceId& id) {
  return store_.GetResource(id);
}

Result<ResourceWithScopes> ResourceService::GetResourceWithScopes(const ResourceId& id) {
  ResourceWithScopes out;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    auto resource = tx.GetResource(id);
    if (!resource) return std::move(resource).error();
    auto scopes = tx.ListResourceScopes(id);
    if (!scopes) return std::move(scopes).error();
    out = ResourceWithScopes{.resource = std::move(*resource), .scopes = std::move(*scopes)};
    return {};
  }));
  return out;
}

Result<std::vector<ResourceWithScopes>> ResourceService::ListResources(ResourceSort sort,
                                                                       bool with_scopes) {
  std::vector<ResourceWithScopes> out;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    out.clear();
    auto resources = tx.ListResources(sort);
    if (!resources) return std::move(resources).error();
    for (Resource& resource : *resources) {
      ResourceWithScopes item{.resource = std::move(resource)};
      if (with_scopes) {
        auto scopes = tx.ListResourceScopes(item.resource.id);
        if (!scopes) return std::move(scopes).error();
        item.scopes = std::move(*scopes);
      }
      out.push_back(std::move(item));
    }
    return {};
  }));
  return out;
}

Result<void> ResourceService::DeleteResource(const ResourceId& id) {
  return store_.DeleteResource(id);
}

Result<ResourceScope> ResourceService::CreateScope(const ResourceId& resource,
                                                   const CreateResourceScopeInput& input,
                                                   IdStyle style) {
  ORGD_TRY(CheckScopeName(input.name));
  ResourceScope scope{.resource_id = resource,
                      .name = input.name,
                      .description = input.description,
                      .created_at = clock_.NowMillis()};
  for (int attempt = 1;; ++attempt) {
    scope.id = ResourceScopeId(ids_.Next(IdKind::kResourceScope, style));
    auto inserted = store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
      ORGD_TRY(tx.GetResource(resource));
      return tx.InsertResourceScope(scope);
    });
    if (inserted) return scope;
    if (!IsIdClash(inserted.error()) || attempt == kIdAttempts) return std::move(inserted).error();
  }
}

Result<ResourceScope> ResourceService::GetScope(const ResourceId& resource,
                                                const ResourceScopeId& scope) {
  std::optional<ResourceScope> out;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    auto found = ScopeOf(tx, resource, scope);
    if (!found) return std::move(found).error();
    out = std::move(*found);
    return {};
  }));
  return std::move(*out);
}

Result<ResourceScope> ResourceService::UpdateScope(const ResourceId& resource,
                                                   const ResourceScopeId& scope,
                                                   const ResourceScopePatch& patch) {
  if (patch.name) ORGD_TRY(CheckScopeName(*patch.name));
  std::optional<ResourceScope> out;
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    auto found = ScopeOf(tx, resource, scope);
    if (!found) return std::move(found).error();
    if (patch.empty()) {
      out = std::move(*found);
      return {};
    }
    auto updated = tx.UpdateResourceScope(resource, scope, patch);
    if (!updated) return std::move(updated).error();
    out = std::move(*updated);
    return {};
  }));
  return std::move(*out);
}

Result<void> ResourceService::DeleteScope(const ResourceId& resource,
                                          const ResourceScopeId& scope) {
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetResource(resource));
    return tx.DeleteResourceScope(resource, scope);
  });
}

Result<std::vector<ResourceScope>> ResourceService::ListScopes(const ResourceId& resource) {
  auto found = GetResourceWithScopes(resource);
  if (!found) return std::move(found).error();
  return std::move(found->scopes);
}

Result<Page<ResourceScope>> ResourceService::SearchScopes(const ResourceId& resource,
                                                          const TextSearch& search,
                                                          const PageRequest& page) {
  if (page.limit < 0 || page.offset < 0) {
    return Error::InvalidArgument("limit and offset must not be negative", "limit");
  }
  auto scopes = store_.ListResourceScopes(resource);
  if (!scopes) return std::move(scopes).error();
  // A resource's scopes are few (each one a permission an API defines), so the search runs over
  // the resource's list here rather than as SQL.
  static const std::vector<std::string_view> kFields = {"id", "name", "description"};
  Page<ResourceScope> out;
  for (ResourceScope& scope : *scopes) {
    bool hit = MatchesSearch(search, kFields, [&](std::string_view field) {
      if (field == "id") return std::optional<std::string_view>(scope.id.value());
      if (field == "name") return std::optional<std::string_view>(scope.name);
      return scope.description ? std::optional<std::string_view>(*scope.description)
                               : std::optional<std::string_view>();
    });
    if (!hit) continue;
    ++out.total;
    if (out.total > page.offset && static_cast<int64_t>(out.items.size()) < page.limit) {
      out.items.push_back(std::move(scope));
    } else if (out.total > page.offset) {
      out.has_more = true;
    }
  }
  return out;
}

}  // namespace orgd::domain
