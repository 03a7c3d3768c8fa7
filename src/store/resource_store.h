#pragma once

#include <cstdint>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "domain/model/application.h"
#include "domain/model/resource.h"

namespace orgd::store {

// API resources and their scopes; applications. Environment-wide.
class ResourceStore {
 public:
  virtual ~ResourceStore() = default;

  // kAlreadyExists, subject "resource", reason "id" or "indicator".
  virtual Result<void> InsertResource(const domain::Resource& resource) = 0;
  // kNotFound (subject "resource").
  virtual Result<domain::Resource> GetResource(const ResourceId& id) = 0;
  virtual Result<domain::Resource> UpdateResource(const ResourceId& id,
                                                  const domain::ResourcePatch& patch) = 0;
  // Deletes the resource, its scopes and every role link and member grant of them. kNotFound.
  virtual Result<void> DeleteResource(const ResourceId& id) = 0;
  virtual Result<std::vector<domain::Resource>> ListResources(domain::ResourceSort sort) = 0;

  // kAlreadyExists, subject "resource_scope", reason "id" or "name" (per resource);
  // kFailedPrecondition (reason "foreign_key") for an unknown resource.
  virtual Result<void> InsertResourceScope(const domain::ResourceScope& scope) = 0;
  // kNotFound (subject "resource_scope").
  virtual Result<domain::ResourceScope> GetResourceScope(const ResourceScopeId& id) = 0;
  virtual Result<std::vector<domain::ResourceScope>> GetResourceScopes(
      const std::vector<ResourceScopeId>& ids) = 0;
  // kNotFound (subject "resource_scope") unless the scope belongs to `resource`; kAlreadyExists.
  virtual Result<domain::ResourceScope> UpdateResourceScope(
      const ResourceId& resource, const ResourceScopeId& id,
      const domain::ResourceScopePatch& patch) = 0;
  // Deletes the scope with its role links and member grants. kNotFound (subject
  // "resource_scope") unless it belongs to `resource`.
  virtual Result<void> DeleteResourceScope(const ResourceId& resource,
                                           const ResourceScopeId& id) = 0;
  // Creation order, ties by id.
  virtual Result<std::vector<domain::ResourceScope>> ListResourceScopes(
      const ResourceId& resource) = 0;

  // kAlreadyExists, subject "application", reason "id".
  virtual Result<void> InsertApplication(const domain::Application& app) = 0;
  // kNotFound (subject "application").
  virtual Result<domain::Application> GetApplication(const ApplicationId& id) = 0;
  virtual Result<std::vector<domain::Application>> GetApplications(
      const std::vector<ApplicationId>& ids) = 0;
  // Deletes the application with its memberships and role grants. kNotFound when absent.
  virtual Result<void> DeleteApplication(const ApplicationId& id) = 0;
  // Newest first, ties by id; every type in `query.types` (any type when empty); `total` when
  // `query.page.want_total`. kInvalidArgument for a negative limit or offset or a bad cursor.
  virtual Result<domain::ApplicationPage> ListApplications(
      const domain::ApplicationListQuery& query) = 0;
};

}  // namespace orgd::store
