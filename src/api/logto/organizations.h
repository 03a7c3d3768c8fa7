#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "api/page_render_memo.h"
#include "domain/organization_service.h"

// Logto dialect: /api/organizations (contracts/logto.md §3.1, shapes §2.1).
namespace orgd::api::logto {

class OrganizationsHandler {
 public:
  explicit OrganizationsHandler(domain::OrganizationService& organizations);

  // POST /api/organizations → 201 Organization.
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // GET /api/organizations?q&showFeatured&page&page_size → 200 Organization[] + paging headers;
  // with showFeatured (a yes-value) each item adds `usersCount` and `featuredUsers` (the first 3
  // members by user id, {id, avatar, name}), read with one member query per page.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // GET /api/organizations/{id} → 200; 404 entity.not_exists_with_id.
  Result<http::Response> Get(const http::Request& request, const auth::Principal& caller);
  // PATCH /api/organizations/{id} → 200; 404 entity.not_exists.
  Result<http::Response> Update(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/organizations/{id} → 204; 404 entity.not_found.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);

 private:
  domain::OrganizationService& organizations_;
  PageRenderMemo list_json_;  // the list pages' JSON
};

// Registers the routes above (scope "all").
void AddOrganizationRoutes(RouteTable& routes, domain::OrganizationService& organizations);

}  // namespace orgd::api::logto
