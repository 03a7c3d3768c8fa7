#include "api/kinde/invites.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "api/json_input.h"
#include "api/json_writer.h"
#include "api/kinde/errors.h"
#include "api/kinde/pagination.h"
#include "common/time_format.h"

namespace orgd::api::kinde {
namespace {

using domain::Invitation;
using domain::InvitationSort;
using domain::InvitationStatus;

constexpr size_t kEmailMax = 254;
constexpr size_t kNameMax = 64;
constexpr std::string_view kList = "invites";

// `local@domain` with a dot inside the domain, no whitespace (contracts/kinde.md §1.8).
bool IsEmail(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view domain = s.substr(at + 1);
  size_t dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return false;
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

struct SortOption {
  std::string_view word;
  InvitationSort sort;
};
constexpr SortOption kSorts[] = {
    {"created_on_desc", InvitationSort::kCreatedDesc},
    {"created_on_asc", InvitationSort::kCreatedAsc},
    {"email_asc", InvitationSort::kEmailAsc},
    {"email_desc", InvitationSort::kEmailDesc},
    {"name_asc", InvitationSort::kNameAsc},
    {"name_desc", InvitationSort::kNameDesc},
};

// A query flag: absent → false; "true" / "false"; anything else INVALID_<KEY>.
Result<bool> ReadFlag(const http::QueryParams& query, std::string_view key) {
  auto value = SingleQuery(query, key);
  if (!value) return std::move(value).error();
  if (!*value) return false;
  if (**value == "true") return true;
  if (**value == "false") return false;
  return FieldError(key, "invalid", "Invalid " + std::string(key));
}

std::string FullName(const Invitation& inv) {
  std::string name = inv.first_name.value_or("");
  if (inv.last_name) {
    if (!name.empty()) name += ' ';
    name += *inv.last_name;
  }
  return name;
}

// The organization_invite fields, written into an open object.
void WriteInviteFields(JsonWriter& w, const Invitation& inv, const std::string& public_url) {
  w.Field("id", inv.id.value());
  w.Field("code", inv.id.value());
  w.Field("email", inv.invitee);
  w.Key("first_name").OptString(inv.first_name);
  w.Key("last_name").OptString(inv.last_name);
  w.Field("full_name", FullName(inv));
  w.Field("created_on", FormatKindeTimestamp(inv.created_at));
  w.Field("is_sent", inv.is_sent);
  w.Key("accepted_on");
  if (inv.status == InvitationStatus::kAccepted && inv.accepted_at) {
    w.String(FormatKindeTimestamp(*inv.accepted_at));
  } else {
    w.Null();
  }
  w.Key("roles").BeginArray();
  for (const domain::RoleRef& role : inv.roles) {
    w.BeginObject().Field("key", role.key).Field("name", role.name).EndObject();
  }
  w.EndArray();
  w.Field("is_revoked", inv.status == InvitationStatus::kRevoked);
  w.Field("invite_link", public_url + "/team_invitation?code=" + inv.id.value());
}

// An optional name: string or null, at most 64 characters.
Result<void> ReadName(const Json& body, std::string_view key, std::string_view label,
                      std::optional<std::string>& out) {
  std::optional<std::optional<std::string>> value;
  ORGD_TRY(ReadNullableString(body, key, value));
  if (!value || !*value) return {};
  if (Utf8Length(**value) > kNameMax) {
    return FieldError(key, "too_long", std::string(label) + " must be at most 64 characters");
  }
  out = std::move(**value);
  return {};
}

}  // namespace

InvitesHandler::InvitesHandler(domain::InvitationService& invitations, std::string public_url)
    : invitations_(invitations), public_url_(std::move(public_url)) {}

Result<http::Response> InvitesHandler::List(const http::Request& request, const auth::Principal&) {
  auto page_size = ParsePageSize(request.query);
  if (!page_size) return std::move(page_size).error();
  domain::InvitationPageQuery query;
  query.page.limit = *page_size;
  auto sort = SingleQuery(request.query, "sort");
  if (!sort) return std::move(sort).error();
  std::string_view sort_word = "created_on_desc";
  if (*sort) {
    auto it = std::find_if(std::begin(kSorts), std::end(kSorts),
                           [&](const SortOption& o) { return o.word == **sort; });
    if (it == std::end(kSorts)) return FieldError("sort", "invalid", "Invalid sort");
    sort_word = it->word;
    query.sort = it->sort;
  }
  auto revoked = ReadFlag(request.query, "include_revoked");
  if (!revoked) return std::move(revoked).error();
  auto accepted = ReadFlag(request.query, "include_accepted");
  if (!accepted) return std::move(accepted).error();
  query.include_revoked = *revoked;
  query.include_accepted = *accepted;
  // The token is bound to the organization and the filters, so it cannot page another list.
  const std::string filter =
      request.PathParam("org_code") + (*revoked ? "|r" : "|-") + (*accepted ? "a" : "-");
  auto token = SingleQuery(request.query, "next_token");
  if (!token) return std::move(token).error();
  if (*token) {
    auto position = DecodeNextToken(**token, kList, sort_word, filter);
    if (!position) return std::move(position).error();
    query.page.after = domain::Cursor{position->key, position->id};
  }
  auto page = invitations_.ListForOrganization(OrgId(request.PathParam("org_code")), query);
  if (!page) {
    // A cursor whose key does not suit the sort can only come from a forged token.
    if (page.error().code == ErrorCode::kInvalidArgument && page.error().subject == "after") {
      return FieldError("next_token", "invalid", "Invalid next_token");
    }
    return std::move(page).error();
  }
  JsonWriter w(96 + page->items.size() * 400);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("invites").BeginArray();
  for (const Invitation& inv : page->items) {
    w.BeginObject();
    WriteInviteFields(w, inv, public_url_);
    w.EndObject();
  }
  w.EndArray();
  if (page->has_more && page->last) {
    w.Field("next_token", EncodeNextToken(kList, sort_word, filter,
                                          TokenPosition{page->last->sort_key, page->last->id}));
  } else {
    w.Key("next_token").Null();
  }
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> InvitesHandler::Create(const http::Request& request,
                                              const auth::Principal&) {
  auto body =
      ParseJson(request.body.empty() ? std::string_view("{}") : std::string_view(request.body));
  if (!body) return std::move(body).error();
  if (!body->is_object()) return Error::InvalidArgument("body").WithReason("json");
  domain::CreateInvitationInput input;
  input.org_id = OrgId(request.PathParam("org_code"));
  std::optional<std::string> email;
  ORGD_TRY(ReadString(*body, "email", email));
  if (!email || email->empty()) return FieldError("email", "required");
  if (Utf8Length(*email) > kEmailMax) {
    return FieldError("email", "too_long", "Email must be at most 254 characters");
  }
  if (!IsEmail(*email)) return FieldError("email", "invalid", "Invalid email");
  input.invitee = std::move(*email);
  ORGD_TRY(ReadName(*body, "first_name", "First name", input.first_name));
  ORGD_TRY(ReadName(*body, "last_name", "Last name", input.last_name));
  std::optional<std::vector<std::string>> roles;
  ORGD_TRY(ReadStringArray(*body, "roles", roles));
  if (!roles) return FieldError("roles", "required");
  input.role_keys = std::move(*roles);
  std::optional<bool> send_email;
  ORGD_TRY(ReadBool(*body, "send_email", send_email));
  input.send_email = send_email.value_or(false);
  auto created = invitations_.Create(input, IdStyle::kKinde);
  if (!created) return std::move(created).error();
  JsonWriter w(512);
  w.BeginObject().Field("code", "INVITATION_CREATED").Field("message", "Invitation created");
  w.Key("invite").BeginObject();
  WriteInviteFields(w, *created, public_url_);
  w.EndObject().EndObject();
  return http::Response::Json(201, w.Take());
}

Result<http::Response> InvitesHandler::Get(const http::Request& request, const auth::Principal&) {
  auto inv = invitations_.GetInOrganization(OrgId(request.PathParam("org_code")),
                                            InvitationId(request.PathParam("invite_code")));
  if (!inv) return RenderWith404(inv.error());
  JsonWriter w(512);
  w.BeginObject();
  WriteInviteFields(w, *inv, public_url_);
  w.Field("message", "Success");
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> InvitesHandler::Revoke(const http::Request& request,
                                              const auth::Principal&) {
  auto revoked = invitations_.Revoke(OrgId(request.PathParam("org_code")),
                                     InvitationId(request.PathParam("invite_code")));
  if (!revoked) return RenderWith404(revoked.error());
  return http::Response::Json(200, R"({"code":"OK","message":"Success"})");
}

void AddInviteRoutes(RouteTable& routes, domain::InvitationService& invitations,
                     const std::string& public_url) {
  using H = InvitesHandler;
  using http::Method;
  auto h = std::make_shared<H>(invitations, public_url);
  constexpr Dialect k = Dialect::kKinde;
  routes.Add(Method::kGet, "/api/v1/organization/{org_code}/invites", k,
             "read:organization_invites", Bind(h, &H::List));
  routes.Add(Method::kPost, "/api/v1/organization/{org_code}/invites", k,
             "create:organization_invites", Bind(h, &H::Create));
  routes.Add(Method::kGet, "/api/v1/organization/{org_code}/invites/{invite_code}", k,
             "read:organization_invites", Bind(h, &H::Get));
  routes.Add(Method::kDelete, "/api/v1/organization/{org_code}/invites/{invite_code}", k,
             "delete:organization_invites", Bind(h, &H::Revoke));
}

}  // namespace orgd::api::kinde
