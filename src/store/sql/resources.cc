// API resources, their scopes, and applications: the SqlStore members declared in sql_store.h
// (ResourceStore).

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/rows.h"
#include "store/sql/sql_common.h"
#include "store/sql/sql_store.h"

namespace orgd::store::sql {
namespace {

using internal::kJoin;

Error MapResourceUnique(Error error) {
  return internal::MapUnique(std::move(error), "resource",
                             {{"resources.indicator", "indicator"},
                              {"resources_indicator_key", "indicator"},
                              {"resources.id", "id"},
                              {"resources_pkey", "id"}});
}

Error MapScopeUnique(Error error) {
  return internal::MapUnique(std::move(error), "resource_scope",
                             {{"resource_scopes.resource_id, resource_scopes.name", "name"},
                              {"resource_scopes_resource_id_name_key", "name"},
                              {"resource_scopes.id", "id"},
                              {"resource_scopes_pkey", "id"}});
}

constexpr std::string_view kResourceColumns =
    "SELECT id, name, indicator, access_token_ttl, created_at FROM resources ";
constexpr std::string_view kWhereId = "WHERE id = $1";
constexpr std::string_view kOrderCreated = "ORDER BY created_at, id";
constexpr std::string_view kOrderName = "ORDER BY name_sort, id";
constexpr std::string_view kGetResource = kJoin<kResourceColumns, kWhereId>;
constexpr std::string_view kListResourcesByCreated = kJoin<kResourceColumns, kOrderCreated>;
constexpr std::string_view kListResourcesByName = kJoin<kResourceColumns, kOrderName>;
constexpr std::string_view kInsertResource =
    "INSERT INTO resources (id, name, name_sort, indicator, access_token_ttl, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
constexpr std::string_view kUpdateResource =
    "UPDATE resources SET name = COALESCE($2, name), name_sort = COALESCE($3, name_sort), "
    "access_token_ttl = COALESCE($4, access_token_ttl) WHERE id = $1";
constexpr std::string_view kDeleteResource = "DELETE FROM resources WHERE id = $1";

domain::Resource ReadResource(const Row& row) {
  return domain::Resource{.id = ResourceId(row.GetText(0)),
                          .name = row.GetString(1),
                          .indicator = row.GetString(2),
                          .access_token_ttl = row.GetInt(3),
                          .created_at = row.GetInt(4)};
}

constexpr std::string_view kSelect = "SELECT ";
constexpr std::string_view kFromScopes = " FROM resource_scopes s ";
constexpr std::string_view kWhereScopeId = "WHERE s.id = $1";
constexpr std::string_view kWhereScopesOf =
    "WHERE s.resource_id = $1 ORDER BY s.created_at, s.id";
constexpr std::string_view kGetScope =
    kJoin<kSelect, internal::kResourceScopeColumns, kFromScopes, kWhereScopeId>;
constexpr std::string_view kListScopes =
    kJoin<kSelect, internal::kResourceScopeColumns, kFromScopes, kWhereScopesOf>;
constexpr std::string_view kInsertScope =
    "INSERT INTO resource_scopes (id, resource_id, name, description, created_at) "
    "VALUES ($1, $2, $3, $4, $5)";
constexpr std::string_view kUpdateScope =
    "UPDATE resource_scopes SET name = COALESCE($3, name), "
    "description = CASE WHEN $4 = 1 THEN $5 ELSE description END "
    "WHERE id = $1 AND resource_id = $2";
constexpr std::string_view kDeleteScope =
    "DELETE FROM resource_scopes WHERE id = $1 AND resource_id = $2";

constexpr std::string_view kFromApplications = " FROM applications a ";
constexpr std::string_view kWhereAppId = "WHERE a.id = $1";
constexpr std::string_view kGetApplication =
    kJoin<kSelect, internal::kApplicationColumns, kFromApplications, kWhereAppId>;
constexpr std::string_view kInsertApplication =
    "INSERT INTO applications (id, name, type, description, oidc_client_metadata, "
    "custom_client_metadata, custom_data, is_third_party, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
constexpr std::string_view kDeleteApplication = "DELETE FROM applications WHERE id = $1";
// $1 pattern (id, name, description; LOWER() folds these ASCII-only on both engines for the
// names the contracts use), $2 organization to exclude, $3 is_third_party, $4 the wanted types as
// ",A,B," (type names hold no comma or wildcard) or NULL for every type.
// Newest first. $5/$6 cursor (created_at, id), $7 limit, $8 offset.
constexpr std::string_view kApplicationFilter =
    "WHERE (a.id LIKE $1 OR LOWER(a.name) LIKE $1 OR LOWER(COALESCE(a.description, '')) LIKE $1) "
    "AND (CAST($2 AS TEXT) IS NULL OR NOT EXISTS (SELECT 1 FROM organization_applications oa "
    "WHERE oa.org_id = CAST($2 AS TEXT) AND oa.application_id = a.id)) "
    "AND (CAST($3 AS BIGINT) IS NULL OR a.is_third_party = CAST($3 AS BIGINT)) "
    "AND (CAST($4 AS TEXT) IS NULL OR CAST($4 AS TEXT) LIKE ('%,' || a.type || ',%')) ";
constexpr std::string_view kApplicationPage =
    "AND (CAST($5 AS BIGINT) IS NULL OR a.created_at < CAST($5 AS BIGINT) OR "
    "(a.created_at = CAST($5 AS BIGINT) AND a.id < CAST($6 AS TEXT))) "
    "ORDER BY a.created_at DESC, a.id DESC LIMIT $7 OFFSET $8";
constexpr std::string_view kListApplications =
    kJoin<kSelect, internal::kApplicationColumns, kFromApplications, kApplicationFilter,
          kApplicationPage>;
constexpr std::string_view kCountApplicationsHead = "SELECT COUNT(*)";
constexpr std::string_view kCountApplications =
    kJoin<kCountApplicationsHead, kFromApplications, kApplicationFilter>;

}  // namespace

Result<void> SqlStore::InsertResource(const domain::Resource& r) {
  const std::string name_sort = internal::AsciiLower(r.name);
  return Run([&](Connection& conn) -> Result<void> {
    auto x = conn.Exec(kInsertResource, {Text(r.id.value()), Text(r.name), Text(name_sort),
                                         Text(r.indicator), Int(r.access_token_ttl),
                                         Int(r.created_at)});
    if (!x) return MapResourceUnique(std::move(x).error());
    return {};
  });
}

Result<domain::Resource> SqlStore::GetResource(const ResourceId& id) {
  std::optional<domain::Resource> resource;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kGetResource, {Text(id.value())},
                      [&](const Row& row) { resource = ReadResource(row); });
  }));
  if (!resource) return Error::NotFound("resource");
  return std::move(*resource);
}

Result<domain::Resource> SqlStore::UpdateResource(const ResourceId& id,
                                                  const domain::ResourcePatch& patch) {
  const std::optional<std::string> name_sort =
      patch.name ? std::optional(internal::AsciiLower(*patch.name)) : std::nullopt;
  std::optional<domain::Resource> updated;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto changed = conn.Exec(kUpdateResource, {Text(id.value()), OptText(patch.name),
                                               OptText(name_sort),
                                               internal::OptInt(patch.access_token_ttl)});
    if (!changed) return std::move(changed).error();
    if (*changed == 0) return Error::NotFound("resource");
    return conn.Query(kGetResource, {Text(id.value())},
                      [&](const Row& row) { updated = ReadResource(row); });
  }));
  if (!updated) return Error::NotFound("resource");
  return std::move(*updated);
}

Result<void> SqlStore::DeleteResource(const ResourceId& id) {
  return Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeleteResource, {Text(id.value())});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) return Error::NotFound("resource");
    return {};
  });
}

Result<std::vector<domain::Resource>> SqlStore::ListResources(domain::ResourceSort sort) {
  std::vector<domain::Resource> out;
  ORGD_TRY(Run([&](Connection& conn) {
    out.clear();
    return conn.Query(
        sort == domain::ResourceSort::kNameAsc ? kListResourcesByName : kListResourcesByCreated,
        {}, [&](const Row& row) { out.push_back(ReadResource(row)); });
  }));
  return out;
}

Result<void> SqlStore::InsertResourceScope(const domain::ResourceScope& s) {
  return Run([&](Connection& conn) -> Result<void> {
    auto x = conn.Exec(kInsertScope, {Text(s.id.value()), Text(s.resource_id.value()),
                                      Text(s.name), OptText(s.description), Int(s.created_at)});
    if (!x) return MapScopeUnique(std::move(x).error());
    return {};
  });
}

Result<domain::ResourceScope> SqlStore::GetResourceScope(const ResourceScopeId& id) {
  std::optional<domain::ResourceScope> scope;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kGetScope, {Text(id.value())},
                      [&](const Row& row) { scope = internal::ReadResourceScope(row); });
  }));
  if (!scope) return Error::NotFound("resource_scope");
  return std::move(*scope);
}

Result<std::vector<domain::ResourceScope>> SqlStore::GetResourceScopes(
    const std::vector<ResourceScopeId>& ids) {
  std::vector<domain::ResourceScope> out;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    out.clear();
    for (const ResourceScopeId& id : ids) {
      ORGD_TRY(conn.Query(kGetScope, {Text(id.value())},
                          [&](const Row& row) { out.push_back(internal::ReadResourceScope(row)); }));
    }
    return {};
  }));
  return out;
}

Result<domain::ResourceScope> SqlStore::UpdateResourceScope(
    const ResourceId& resource, const ResourceScopeId& id,
    const domain::ResourceScopePatch& patch) {
  std::optional<domain::ResourceScope> updated;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto changed = conn.Exec(
        kUpdateScope, {Text(id.value()), Text(resource.value()), OptText(patch.name),
                       internal::Flag(patch.description.has_value()),
                       patch.description ? OptText(*patch.description) : Param{nullptr}});
    if (!changed) return MapScopeUnique(std::move(changed).error());
    if (*changed == 0) return Error::NotFound("resource_scope");
    return conn.Query(kGetScope, {Text(id.value())},
                      [&](const Row& row) { updated = internal::ReadResourceScope(row); });
  }));
  if (!updated) return Error::NotFound("resource_scope");
  return std::move(*updated);
}

Result<void> SqlStore::DeleteResourceScope(const ResourceId& resource, const ResourceScopeId& id) {
  return Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeleteScope, {Text(id.value()), Text(resource.value())});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) return Error::NotFound("resource_scope");
    return {};
  });
}

Result<std::vector<domain::ResourceScope>> SqlStore::ListResourceScopes(
    const ResourceId& resource) {
  std::vector<domain::ResourceScope> out;
  ORGD_TRY(Run([&](Connection& conn) {
    out.clear();
    return conn.Query(kListScopes, {Text(resource.value())},
                      [&](const Row& row) { out.push_back(internal::ReadResourceScope(row)); });
  }));
  return out;
}

Result<void> SqlStore::InsertApplication(const domain::Application& a) {
  const std::string type(domain::ApplicationTypeName(a.type));
  return Run([&](Connection& conn) -> Result<void> {
    auto x = conn.Exec(kInsertApplication,
                       {Text(a.id.value()), Text(a.name), Text(type), OptText(a.description),
                        Text(a.oidc_client_metadata), Text(a.custom_client_metadata),
                        Text(a.custom_data), Bool(a.is_third_party), Int(a.created_at)});
    if (!x) return internal::MapUnique(std::move(x).error(), "application", {{"", "id"}});
    return {};
  });
}

Result<domain::Application> SqlStore::GetApplication(const ApplicationId& id) {
  std::optional<domain::Application> app;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kGetApplication, {Text(id.value())},
                      [&](const Row& row) { app = internal::ReadApplication(row); });
  }));
  if (!app) return Error::NotFound("application");
  return std::move(*app);
}

Result<std::vector<domain::Application>> SqlStore::GetApplications(
    const std::vector<ApplicationId>& ids) {
  std::vector<domain::Application> out;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    out.clear();
    for (const ApplicationId& id : ids) {
      ORGD_TRY(conn.Query(kGetApplication, {Text(id.value())},
                          [&](const Row& row) { out.push_back(internal::ReadApplication(row)); }));
    }
    return {};
  }));
  return out;
}

Result<void> SqlStore::DeleteApplication(const ApplicationId& id) {
  return Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeleteApplication, {Text(id.value())});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) return Error::NotFound("application");
    return {};
  });
}

Result<domain::ApplicationPage> SqlStore::ListApplications(
    const domain::ApplicationListQuery& query) {
  ORGD_TRY(internal::CheckPage(query.page));
  std::optional<int64_t> after_created;
  if (query.page.after) {
    auto parsed = internal::ParseIntCursor(query.page.after->sort_key);
    if (!parsed) return std::move(parsed).error();
    after_created = *parsed;
  }
  const std::string pattern = internal::SearchPattern(query.q);
  const std::optional<std::string> exclude =
      query.exclude_org ? std::optional(query.exclude_org->value()) : std::nullopt;
  const std::optional<int64_t> third =
      query.is_third_party ? std::optional<int64_t>(*query.is_third_party ? 1 : 0) : std::nullopt;
  std::optional<std::string> types;
  if (!query.types.empty()) {
    types = ",";
    for (domain::ApplicationType t : query.types) {
      *types += domain::ApplicationTypeName(t);
      *types += ',';
    }
  }
  const std::optional<std::string> after_id =
      query.page.after ? std::optional(query.page.after->id) : std::nullopt;
  const std::array<Param, 8> params = {
      Text(pattern),  OptText(exclude),  internal::OptInt(third),
      OptText(types), internal::OptInt(after_created), OptText(after_id),
      Int(internal::FetchCount(query.page.limit)), Int(query.page.offset)};
  domain::ApplicationPage page;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    ORGD_TRY(internal::FillPage(conn, kListApplications, params, query.page.limit, page,
                                [](const Row& row) { return internal::ReadApplication(row); }));
    if (query.page.want_total) {
      ORGD_TRY(conn.Query(kCountApplications, std::span(params).first(4),
                          [&](const Row& row) { page.total = row.GetInt(0); }));
    }
    if (!page.items.empty()) {
      page.last = domain::Cursor{.sort_key = std::to_string(page.items.back().created_at),
                                 .id = page.items.back().id.value()};
    }
    return {};
  }));
  return page;
}

}  // namespace orgd::store::sql
