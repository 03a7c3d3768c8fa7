#include "api/logto/invitations.h"

#include <cctype>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/json_input.h"
#include "api/json_writer.h"
#include "api/logto/errors.h"
#include "api/logto/input.h"

namespace orgd::api::logto {
namespace {

using domain::Invitation;
using domain::InvitationStatus;

constexpr size_t kInviteeMax = 256;

// Logto's email rule ^\S+@\S+\.\S+$: no whitespace, and some '@' followed, after at least one
// character, by a '.' that is not the last character.
bool IsLogtoEmail(std::string_view s) {
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) return false;
  }
  size_t at = s.find('@');
  size_t dot = s.rfind('.');
  return at != std::string_view::npos && at > 0 && dot != std::string_view::npos && dot > at + 1 &&
         dot + 1 < s.size();
}

void WriteInvitation(JsonWriter& w, const Invitation& inv) {
  w.BeginObject();
  w.Field("tenantId", "default");
  w.Field("id", inv.id.value());
  w.Key("inviterId");
  if (inv.inviter_id)
    w.String(inv.inviter_id->value());
  else
    w.Null();
  w.Field("invitee", inv.invitee);
  w.Key("acceptedUserId");
  if (inv.accepted_user_id)
    w.String(inv.accepted_user_id->value());
  else
    w.Null();
  w.Field("organizationId", inv.org_id.value());
  w.Field("status", domain::InvitationStatusName(inv.status));
  w.Field("createdAt", inv.created_at);
  w.Field("updatedAt", inv.updated_at);
  w.Field("expiresAt", inv.expires_at);
  w.Key("organizationRoles").BeginArray();
  for (const domain::RoleRef& role : inv.roles) {
    w.BeginObject().Field("id", role.id.value()).Field("name", role.key).EndObject();
  }
  w.EndArray();
  w.EndObject();
}

http::Response InvitationJson(int status, const Invitation& inv) {
  JsonWriter w(512);
  WriteInvitation(w, inv);
  return http::Response::Json(status, w.Take());
}

http::Response NoEmailConnector() {
  return ErrorBody(501, "connector.not_found",
                   "Cannot find any available connector for type: Email.");
}

// The domain's errors in this resource's wire codes (contracts/logto.md §1.5, §3.8).
Result<http::Response> RenderError(Error e) {
  if (e.code == ErrorCode::kNotFound && e.reason == "foreign_key") {
    return Error::FailedPrecondition("foreign_key", e.message);  // FK422
  }
  if (e.code == ErrorCode::kInvalidArgument && e.reason == "in_past") {
    return ErrorBody(400, "request.invalid_input", "Input is invalid. " + e.message);
  }
  if (e.code == ErrorCode::kFailedPrecondition && e.reason == "email_transport") {
    return NoEmailConnector();
  }
  // Other precondition failures are 422 request.invalid_input; kNotFound 404 entity.not_found.
  return e;
}

Result<std::vector<RoleId>> ReadRoleIds(const Json& body) {
  std::vector<RoleId> ids;
  auto it = body.find("organizationRoleIds");
  if (it == body.end()) return ids;
  if (!it->is_array()) return FieldError("organizationRoleIds", "invalid_type", "Expected array");
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& item = (*it)[i];
    const std::string path = "organizationRoleIds." + std::to_string(i);
    if (!item.is_string()) return FieldError(path, "invalid_type", "Expected string");
    if (item.get_ref<const std::string&>().empty()) {
      return FieldError(path, "too_small", "String must contain at least 1 character(s)");
    }
    ids.emplace_back(item.get<std::string>());
  }
  return ids;
}

// messagePayload: `false` (the default) or an object of optional strings.
Result<bool> ReadMessagePayload(const Json& body) {
  auto it = body.find("messagePayload");
  if (it == body.end() || (it->is_boolean() && !it->get<bool>())) return false;
  if (!it->is_object()) return FieldError("messagePayload", "invalid_union", "Invalid input");
  for (const char* key : {"code", "link", "locale"}) {
    auto v = it->find(key);
    if (v != it->end() && !v->is_string()) {
      return FieldError(std::string("messagePayload.") + key, "invalid_type", "Expected string");
    }
  }
  return true;
}

}  // namespace

InvitationsHandler::InvitationsHandler(domain::InvitationService& invitations)
    : invitations_(invitations) {}

Result<http::Response> InvitationsHandler::List(const http::Request& request,
                                                const auth::Principal&) {
  domain::InvitationFilter filter;
  auto org = SingleQuery(request.query, "organizationId");
  if (!org) return std::move(org).error();
  if (*org) filter.org_id = OrgId(**org);
  auto inviter = SingleQuery(request.query, "inviterId");
  if (!inviter) return std::move(inviter).error();
  if (*inviter) filter.inviter_id = UserId(**inviter);
  auto invitee = SingleQuery(request.query, "invitee");
  if (!invitee) return std::move(invitee).error();
  if (*invitee) filter.invitee = std::string(**invitee);
  auto listed = invitations_.List(filter);
  if (!listed) return std::move(listed).error();
  JsonWriter w(64 + listed->size() * 400);
  w.BeginArray();
  for (const Invitation& inv : *listed) WriteInvitation(w, inv);
  w.EndArray();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> InvitationsHandler::Create(const http::Request& request,
                                                  const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  domain::CreateInvitationInput input;
  ORGD_TRY(ReadRequiredString(*body, "invitee", 1, kInviteeMax, input.invitee));
  if (!IsLogtoEmail(input.invitee)) return FieldError("invitee", "invalid_string", "Invalid email");
  std::string org;
  ORGD_TRY(ReadRequiredString(*body, "organizationId", 1, 256, org));
  input.org_id = OrgId(std::move(org));
  std::optional<int64_t> expires_at;
  ORGD_TRY(ReadInt(*body, "expiresAt", expires_at));
  if (!expires_at) return FieldError("expiresAt", "required", "Required");
  input.expires_at = *expires_at;
  std::optional<std::optional<std::string>> inviter;
  ORGD_TRY(ReadNullableString(*body, "inviterId", inviter));
  if (inviter && *inviter) input.inviter_id = UserId(**inviter);
  auto roles = ReadRoleIds(*body);
  if (!roles) return std::move(roles).error();
  input.role_ids = std::move(*roles);
  auto message = ReadMessagePayload(*body);
  if (!message) return std::move(message).error();
  input.require_delivery = *message;
  auto created = invitations_.Create(input, IdStyle::kLogto);
  if (!created) return RenderError(std::move(created).error());
  return InvitationJson(201, *created);
}

Result<http::Response> InvitationsHandler::Get(const http::Request& request,
                                               const auth::Principal&) {
  auto inv = invitations_.Get(InvitationId(request.PathParam("id")));
  if (!inv) return std::move(inv).error();
  return InvitationJson(200, *inv);
}

Result<http::Response> InvitationsHandler::Delete(const http::Request& request,
                                                  const auth::Principal&) {
  ORGD_TRY(invitations_.Delete(InvitationId(request.PathParam("id"))));
  return http::Response::Empty(204);
}

Result<http::Response> InvitationsHandler::SetStatus(const http::Request& request,
                                                     const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  std::optional<std::string> status_name;
  ORGD_TRY(ReadString(*body, "status", status_name));
  if (!status_name) return FieldError("status", "required", "Required");
  auto status = domain::ParseInvitationStatus(*status_name);
  if (!status ||
      (*status != InvitationStatus::kAccepted && *status != InvitationStatus::kRevoked)) {
    return FieldError(
        "status", "invalid_enum_value",
        "Invalid enum value. Expected 'Accepted' | 'Revoked', received '" + *status_name + "'");
  }
  std::optional<std::optional<std::string>> accepted;
  ORGD_TRY(ReadNullableString(*body, "acceptedUserId", accepted));
  std::optional<UserId> accepted_user;
  if (accepted && *accepted) accepted_user = UserId(**accepted);
  auto updated =
      invitations_.SetStatus(InvitationId(request.PathParam("id")), *status, accepted_user);
  if (!updated) return RenderError(std::move(updated).error());
  return InvitationJson(200, *updated);
}

Result<http::Response> InvitationsHandler::SendMessage(const http::Request& request,
                                                       const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  auto sent = invitations_.SendMessage(InvitationId(request.PathParam("id")));
  if (!sent) return RenderError(std::move(sent).error());
  return http::Response::Empty(204);
}

void AddInvitationRoutes(RouteTable& routes, domain::InvitationService& invitations) {
  using H = InvitationsHandler;
  using http::Method;
  auto h = std::make_shared<H>(invitations);
  constexpr Dialect k = Dialect::kLogto;
  routes.Add(Method::kGet, "/api/organization-invitations", k, "all", Bind(h, &H::List));
  routes.Add(Method::kPost, "/api/organization-invitations", k, "all", Bind(h, &H::Create));
  routes.Add(Method::kGet, "/api/organization-invitations/{id}", k, "all", Bind(h, &H::Get));
  routes.Add(Method::kDelete, "/api/organization-invitations/{id}", k, "all", Bind(h, &H::Delete));
  routes.Add(Method::kPut, "/api/organization-invitations/{id}/status", k, "all",
             Bind(h, &H::SetStatus));
  routes.Add(Method::kPost, "/api/organization-invitations/{id}/message", k, "all",
             Bind(h, &H::SendMessage));
}

}  // namespace orgd::api::logto
