#include "api/logto/jit_sso_connectors.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/json_input.h"
#include "api/json_writer.h"
#include "api/logto/errors.h"
#include "api/logto/input.h"
#include "api/logto/pagination.h"
#include "api/logto/sso_connectors.h"

namespace orgd::api::logto {
namespace {

// Reads `key` as an array of non-empty strings (ids); `non_empty` also rejects `[]`.
Result<std::vector<ConnectionId>> ReadIds(const Json& body, std::string_view key, bool non_empty) {
  auto it = body.find(key);
  if (it == body.end()) return FieldError(key, "required", "Required");
  if (!it->is_array()) return FieldError(key, "invalid_type", "Expected array");
  if (non_empty && it->empty()) {
    return FieldError(key, "too_small", "Array must contain at least 1 element(s)");
  }
  std::vector<ConnectionId> ids;
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& item = (*it)[i];
    const std::string path = std::string(key) + "." + std::to_string(i);
    if (!item.is_string()) return FieldError(path, "invalid_type", "Expected string");
    if (item.get_ref<const std::string&>().empty()) {
      return FieldError(path, "too_small", "String must contain at least 1 character(s)");
    }
    ids.emplace_back(item.get<std::string>());
  }
  return ids;
}

// Relation writes name ids that must exist: the domain's "foreign_key" misses are FK422 here.
Error AsForeignKey(Error e) {
  if (e.code == ErrorCode::kNotFound && e.reason == "foreign_key") {
    return Error::FailedPrecondition("foreign_key", e.message).WithSubject(e.subject);
  }
  return e;
}

}  // namespace

JitSsoConnectorsHandler::JitSsoConnectorsHandler(domain::ConnectionService& connections,
                                                 domain::JitService& jit)
    : connections_(connections), jit_(jit) {}

Result<http::Response> JitSsoConnectorsHandler::List(const http::Request& request,
                                                     const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  const std::string& org = request.PathParam("id");
  auto listed = connections_.ListForOrganization(OrgId(org));
  if (!listed) {
    if (listed.error().code == ErrorCode::kNotFound) return NotExistsWithId("organizations", org);
    return std::move(listed).error();
  }
  // An organization enables a handful of connectors, so the page is cut from the whole list.
  const int64_t total = static_cast<int64_t>(listed->size());
  int64_t begin = 0, end = total;
  if (paging->requested) {
    begin = std::min(total, paging->offset());
    end = std::min(total, begin + paging->page_size);
  }
  JsonWriter w(128 + static_cast<size_t>(end - begin) * 512);
  w.BeginArray();
  for (int64_t i = begin; i < end; ++i) {
    WriteSsoConnectorRow(w, (*listed)[static_cast<size_t>(i)]);
    w.EndObject();
  }
  w.EndArray();
  http::Response response = http::Response::Json(200, w.Take());
  if (paging->requested) AddPagingHeaders(response, request, *paging, total);
  return response;
}

Result<http::Response> JitSsoConnectorsHandler::Add(const http::Request& request,
                                                    const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  auto ids = ReadIds(*body, "ssoConnectorIds", /*non_empty=*/true);
  if (!ids) return std::move(ids).error();
  auto added = connections_.EnableForOrganization(OrgId(request.PathParam("id")), *ids);
  if (!added) return AsForeignKey(std::move(added).error());
  return http::Response::Empty(201);
}

Result<http::Response> JitSsoConnectorsHandler::Replace(const http::Request& request,
                                                        const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  auto ids = ReadIds(*body, "ssoConnectorIds", /*non_empty=*/false);
  if (!ids) return std::move(ids).error();
  auto replaced = connections_.ReplaceForOrganization(OrgId(request.PathParam("id")), *ids);
  if (!replaced) return AsForeignKey(std::move(replaced).error());  // duplicates: U422
  return http::Response::Empty(204);
}

Result<http::Response> JitSsoConnectorsHandler::Remove(const http::Request& request,
                                                       const auth::Principal&) {
  // Every miss (org, connector, link) is 404 entity.not_found here.
  ORGD_TRY(connections_.DisableForOrganization(OrgId(request.PathParam("id")),
                                               ConnectionId(request.PathParam("ssoConnectorId"))));
  return http::Response::Empty(204);
}

Result<http::Response> JitSsoConnectorsHandler::Provision(const http::Request& request,
                                                          const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  domain::ProvisionInput input;
  std::string user_id;
  ORGD_TRY(ReadRequiredString(*body, "userId", 1, 256, user_id));
  input.user_id = UserId(std::move(user_id));
  ORGD_TRY(ReadString(*body, "email", input.email));
  std::optional<std::string> connector;
  ORGD_TRY(ReadString(*body, "ssoConnectorId", connector));
  if (connector) input.connection_id = ConnectionId(std::move(*connector));
  auto result = jit_.Provision(input);
  if (!result) return std::move(result).error();  // unknown user: 404 entity.not_found
  JsonWriter w(64 + result->organizations.size() * 128);
  w.BeginObject().Key("organizations").BeginArray();
  for (const domain::ProvisionedOrganization& org : result->organizations) {
    w.BeginObject();
    w.Field("id", org.org_id.value());
    w.Field("joined", org.joined);
    w.Key("organizationRoleIds").BeginArray();
    for (const RoleId& role : org.granted_roles) w.String(role.value());
    w.EndArray();
    w.EndObject();
  }
  w.EndArray().EndObject();
  return http::Response::Json(200, w.Take());
}

void AddJitSsoConnectorRoutes(RouteTable& routes, domain::ConnectionService& connections,
                              domain::JitService& jit) {
  using H = JitSsoConnectorsHandler;
  using http::Method;
  auto h = std::make_shared<H>(connections, jit);
  constexpr std::string_view kPath = "/api/organizations/{id}/jit/sso-connectors";
  routes.Add(Method::kGet, kPath, Dialect::kLogto, "all", Bind(h, &H::List));
  routes.Add(Method::kPost, kPath, Dialect::kLogto, "all", Bind(h, &H::Add));
  routes.Add(Method::kPut, kPath, Dialect::kLogto, "all", Bind(h, &H::Replace));
  routes.Add(Method::kDelete, "/api/organizations/{id}/jit/sso-connectors/{ssoConnectorId}",
             Dialect::kLogto, "all", Bind(h, &H::Remove));
  routes.Add(Method::kPost, "/api/organization-jit/provision", Dialect::kLogto, "all",
             Bind(h, &H::Provision));
}

}  // namespace orgd::api::logto
