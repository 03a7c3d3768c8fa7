#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/property_service.h"

// Kinde dialect: property definitions /api/v1/properties, categories /api/v1/property_categories
// and organization values /api/v1/organizations/{org_code}/properties (contracts/kinde.md §3.9,
// §3.13.5).
namespace orgd::api::kinde {

class PropertiesHandler {
 public:
  explicit PropertiesHandler(domain::PropertyService& properties);

  // GET /api/v1/properties?page_size&starting_after&ending_before&context
  // → 200 {properties: [property], has_more}.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // POST /api/v1/properties → 201 {code, message, property: {id}}.
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // PUT /api/v1/properties/{property_id} → 200 success_response.
  Result<http::Response> Update(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/v1/properties/{property_id} → 200 success_response.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);

  // GET /api/v1/property_categories?page_size&starting_after&ending_before&context
  // → 200 {categories: [{id, name}], has_more}.
  Result<http::Response> ListCategories(const http::Request& request,
                                        const auth::Principal& caller);
  // POST /api/v1/property_categories → 201 {code, message, category: {id}}.
  Result<http::Response> CreateCategory(const http::Request& request,
                                        const auth::Principal& caller);
  // PUT /api/v1/property_categories/{category_id} → 200 success_response.
  Result<http::Response> UpdateCategory(const http::Request& request,
                                        const auth::Principal& caller);

  // GET /api/v1/organizations/{org_code}/properties
  // → 200 {properties: [property_value], next_token: null}.
  Result<http::Response> ListOrgValues(const http::Request& request, const auth::Principal& caller);
  // PATCH /api/v1/organizations/{org_code}/properties {properties: {key: value}} → 200.
  Result<http::Response> SetOrgValues(const http::Request& request, const auth::Principal& caller);
  // PUT /api/v1/organizations/{org_code}/properties/{property_key}?value= → 200.
  Result<http::Response> SetOrgValue(const http::Request& request, const auth::Principal& caller);

 private:
  domain::PropertyService& properties_;
};

// Registers the routes above with their scopes (contracts/kinde.md §5).
void AddPropertyRoutes(RouteTable& routes, domain::PropertyService& properties);

}  // namespace orgd::api::kinde
