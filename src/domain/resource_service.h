#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/id_generator.h"
#include "common/result.h"
#include "domain/model/page.h"
#include "domain/model/resource.h"
#include "domain/text_search.h"
#include "store/store.h"

namespace orgd::domain {

struct CreateResourceInput {
  std::string name;
  std::string indicator;                    // Logto `indicator`, Kinde `audience`
  std::optional<int64_t> access_token_ttl;  // seconds; 3600 when absent
};

struct CreateResourceScopeInput {
  std::string name;  // Logto `name`, Kinde `key`
  std::optional<std::string> description;
};

// A resource with its scopes (creation order), when they were asked for.
struct ResourceWithScopes {
  Resource resource;
  std::vector<ResourceScope> scopes;
};

// API resources and their scopes, shared by both dialects: a Logto resource is a Kinde API
// (indicator == audience), a Logto resource scope a Kinde API scope (name == key). Deleting a
// resource or a scope also removes the scope from every organization role and member grant.
// Thread-safe.
//
// Error vocabulary (the dialects map (code, subject, reason)):
// * kInvalidArgument, subject "name" / "indicator", reason "required": an empty name or
//   indicator; subject "name", reason "whitespace": a scope name containing whitespace.
// * kAlreadyExists, subject "resource", reason "indicator": the indicator is taken, or is one of
//   the reserved indicators (the Management APIs themselves).
// * kAlreadyExists, subject "resource_scope", reason "name": the resource already has a scope of
//   that name.
// * kNotFound, subject "resource": the path's resource does not exist.
// * kNotFound, subject "resource_scope": the scope does not exist or belongs to another resource
//   (checked after the resource).
class ResourceService {
 public:
  // `reserved_indicators` can never be created (the Management API indicators).
  ResourceService(store::Store& store, const Clock& clock, IdGenerator& ids,
                  std::vector<std::string> reserved_indicators);

  // Creates a resource with an id in `style`'s format and no scopes.
  Result<Resource> CreateResource(const CreateResourceInput& input, IdStyle style);
  Result<Resource> GetResource(const ResourceId& id);
  // The resource with its scopes.
  Result<ResourceWithScopes> GetResourceWithScopes(const ResourceId& id);
  // Every resource in `sort` order, each with its scopes when `with_scopes`.
  Result<std::vector<ResourceWithScopes>> ListResources(ResourceSort sort, bool with_scopes);
  // Deletes the resource, its scopes and their role links and member grants.
  Result<void> DeleteResource(const ResourceId& id);

  // Creates a scope of `resource` with an id in `style`'s format.
  Result<ResourceScope> CreateScope(const ResourceId& resource,
                                    const CreateResourceScopeInput& input, IdStyle style);
  Result<ResourceScope> GetScope(const ResourceId& resource, const ResourceScopeId& scope);
  // Applies the engaged fields; an empty patch returns the scope unchanged. A new name follows
  // the create rules.
  Result<ResourceScope> UpdateScope(const ResourceId& resource, const ResourceScopeId& scope,
                                    const ResourceScopePatch& patch);
  // Deletes the scope with its role links and member grants.
  Result<void> DeleteScope(const ResourceId& resource, const ResourceScopeId& scope);
  // Every scope of an existing resource, creation order.
  Result<std::vector<ResourceScope>> ListScopes(const ResourceId& resource);
  // The scopes of `resource` matching `search` over the fields "id", "name" and "description",
  // creation order, paged by `page.offset`/`page.limit`, with `total` always set. No resource
  // check: an unknown resource has no scopes (the Logto dialect's behaviour).
  Result<Page<ResourceScope>> SearchScopes(const ResourceId& resource, const TextSearch& search,
                                           const PageRequest& page);

 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  std::vector<std::string> reserved_indicators_;
};

}  // namespace orgd::domain
