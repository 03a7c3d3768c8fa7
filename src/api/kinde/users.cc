#include "api/kinde/users.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/json_input.h"
#include "api/json_writer.h"
#include "api/kinde/errors.h"
#include "api/kinde/responses.h"
#include "api/kinde/pagination.h"
#include "api/utf8.h"
#include "common/time_format.h"

namespace orgd::api::kinde {
namespace {

using domain::User;

constexpr std::array<std::string_view, 3> kIdentityTypes = {"email", "phone", "username"};

// What `expand` asks for; unknown values (and `billing`, which orgd has not) are ignored.
struct Expand {
  bool organizations = false;
  bool identities = false;
};

// `local@domain` with a dot inside the domain, no whitespace (contracts/kinde.md §1.8).
bool IsEmail(std::string_view s) {
  for (char c : s) {
    if (c == ' ' || (c >= '\t' && c <= '\r')) return false;
  }
  size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view domain = s.substr(at + 1);
  size_t dot = domain.find('.');
  return dot != std::string_view::npos && dot != 0 && domain.back() != '.';
}

std::vector<std::string> SplitCommas(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Result<Expand> ReadExpand(const http::QueryParams& query) {
  auto raw = SingleQuery(query, "expand");
  if (!raw) return std::move(raw).error();
  Expand expand;
  if (!*raw) return expand;
  for (const std::string& item : SplitCommas(**raw)) {
    if (item == "organizations") expand.organizations = true;
    if (item == "identities") expand.identities = true;
  }
  return expand;
}

// The `id` query parameter of /api/v1/user.
Result<UserId> ReadUserId(const http::Request& request) {
  auto id = SingleQuery(request.query, "id");
  if (!id) return std::move(id).error();
  if (!*id) return FieldError("id", "user_id_required", "User id is required");
  // No stored id holds bytes that are not UTF-8 (and PostgreSQL refuses them as text).
  if (!IsValidUtf8(**id)) return Error::NotFound("user");
  return UserId(**id);
}

// One identity of POST /user: its type and value, checked. Wrong types of the item, of `type` or
// of `details` are INVALID_*; a missing or empty value is <TYPE>_REQUIRED.
Result<std::pair<std::string, std::string>> ReadIdentity(const Json& item) {
  if (!item.is_object()) return FieldError("identities", "invalid", "Invalid identities");
  auto type = item.find("type");
  if (type == item.end() || !type->is_string())
    return FieldError("type", "invalid", "Invalid type");
  const std::string& kind = type->get_ref<const std::string&>();
  bool known = false;
  for (std::string_view t : kIdentityTypes) known = known || t == kind;
  if (!known) return FieldError("type", "invalid", "Invalid type");
  std::optional<bool> is_verified;
  ORGD_TRY(ReadBool(item, "is_verified", is_verified));
  Json details = Json::object();
  if (auto d = item.find("details"); d != item.end() && !d->is_null()) {
    if (!d->is_object()) return FieldError("details", "invalid", "Invalid details");
    details = *d;
  }
  std::optional<std::string> value;
  ORGD_TRY(ReadString(details, kind, value));
  if (!value || value->empty()) return FieldError(kind, "required");
  if (kind == "email" && !IsEmail(*value)) return FieldError("email", "invalid", "Invalid email");
  if (kind == "phone") {
    // Checked for its type only: orgd keeps one phone per user and never returns the country.
    std::optional<std::string> country;
    ORGD_TRY(ReadString(details, "phone_country_id", country));
  }
  return std::pair{kind, std::move(*value)};
}

// The profile JSON of a new user whose Kinde names are `first` / `last`: the Logto dialect's
// `profile.givenName` / `profile.familyName`.
std::string ProfileWithNames(const std::string& stored, const std::optional<std::string>& first,
                             const std::optional<std::string>& last) {
  Json profile = Json::parse(stored, nullptr, /*allow_exceptions=*/false);
  if (!profile.is_object()) profile = Json::object();
  auto set = [&](const char* key, const std::optional<std::string>& v) {
    if (v) {
      profile[key] = *v;
    } else {
      profile.erase(key);
    }
  };
  set("givenName", first);
  set("familyName", last);
  return profile.dump();
}

// The identities a user has, derived from the one record: email, phone, username.
template <typename Fn>
void ForEachIdentity(const User& u, Fn fn) {
  if (u.primary_email) fn("email", *u.primary_email);
  if (u.primary_phone) fn("phone", *u.primary_phone);
  if (u.username) fn("username", *u.username);
}

// The user object of GET /user (`preferred_email`) or a users-list item (`email`, plus
// `last_organization_sign_ins` and `connection_id` on identities).
void WriteUser(JsonWriter& w, const domain::UserWithOrganizations& item, const Expand& expand,
               bool list_item) {
  const User& u = item.user;
  w.BeginObject();
  w.Field("id", u.id.value());
  w.Key("provided_id").OptString(u.provided_id);
  if (list_item) {
    w.Key("email");
  } else {
    w.Key("preferred_email");
  }
  w.OptString(u.primary_email);
  w.Key("phone").OptString(u.primary_phone);
  w.Key("username").OptString(u.username);
  w.Key("first_name").OptString(u.first_name);
  w.Key("last_name").OptString(u.last_name);
  w.Field("is_suspended", u.is_suspended);
  w.Key("picture").OptString(u.avatar);
  w.Field("total_sign_ins", int64_t{0});
  w.Field("failed_sign_ins", int64_t{0});
  if (u.last_sign_in_at) {
    w.Field("last_signed_in", FormatKindeTimestamp(*u.last_sign_in_at));
  } else {
    w.Key("last_signed_in").Null();
  }
  w.Field("created_on", FormatKindeTimestamp(u.created_at));
  if (list_item) w.Key("last_organization_sign_ins").Null();
  if (expand.organizations) {
    w.Key("organizations").BeginArray();
    for (const OrgId& org : item.organizations) w.String(org.value());
    w.EndArray();
  }
  if (expand.identities) {
    w.Key("identities").BeginArray();
    ForEachIdentity(u, [&](std::string_view type, const std::string& identity) {
      w.BeginObject().Field("type", type).Field("identity", identity);
      if (list_item) w.Key("connection_id").Null();
      w.EndObject();
    });
    w.EndArray();
  }
  w.EndObject();
}

// One comma-separated exact filter of GET /users; values must be UTF-8.
Result<std::vector<std::string>> ReadListFilter(const http::QueryParams& query,
                                                std::string_view key) {
  auto raw = SingleQuery(query, key);
  if (!raw) return std::move(raw).error();
  if (!*raw) return std::vector<std::string>();
  if (!IsValidUtf8(**raw)) return FieldError(key, "invalid", "Invalid " + std::string(key));
  return SplitCommas(**raw);
}

Result<std::optional<bool>> ReadBoolQuery(const http::QueryParams& query, std::string_view key) {
  auto raw = SingleQuery(query, key);
  if (!raw) return std::move(raw).error();
  if (!*raw) return std::optional<bool>();
  if (**raw == "true") return std::optional<bool>(true);
  if (**raw == "false") return std::optional<bool>(false);
  return FieldError(key, "invalid", "Invalid " + std::string(key));
}

}  // namespace

UsersHandler::UsersHandler(domain::UserService& users) : users_(users) {}

Result<http::Response> UsersHandler::Create(const http::Request& request, const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  domain::CreateUserInput input;
  input.username_ignores_case = true;
  User& u = input.fields;
  if (auto profile = body->find("profile"); profile != body->end() && !profile->is_null()) {
    if (!profile->is_object()) return FieldError("profile", "invalid", "Invalid profile");
    ORGD_TRY(ReadString(*profile, "given_name", u.first_name));
    ORGD_TRY(ReadString(*profile, "family_name", u.last_name));
    ORGD_TRY(ReadString(*profile, "picture", u.avatar));
    if (u.first_name || u.last_name) u.profile = ProfileWithNames("{}", u.first_name, u.last_name);
  }
  std::optional<std::string> org_code;
  ORGD_TRY(ReadString(*body, "organization_code", org_code));
  if (org_code && !org_code->empty()) input.organization = OrgId(*org_code);
  ORGD_TRY(ReadString(*body, "provided_id", u.provided_id));
  if (u.provided_id && u.provided_id->empty()) u.provided_id.reset();

  std::vector<std::string> created_types;
  if (auto identities = body->find("identities");
      identities != body->end() && !identities->is_null()) {
    if (!identities->is_array()) return FieldError("identities", "invalid", "Invalid identities");
    for (const Json& item : *identities) {
      auto identity = ReadIdentity(item);
      if (!identity) return std::move(identity).error();
      auto& [type, value] = *identity;
      std::optional<std::string>& slot = type == "email"   ? u.primary_email
                                         : type == "phone" ? u.primary_phone
                                                           : u.username;
      // A user is one record with one email, phone and username (the Logto dialect's primary
      // identifiers), so a second identity of a type has nowhere to go.
      if (slot) {
        return FieldError("identities", "invalid", "Only one identity of each type is supported");
      }
      slot = std::move(value);
      created_types.push_back(type);
    }
  }

  auto created = users_.Create(input, IdStyle::kKinde);
  if (!created) return std::move(created).error();
  JsonWriter w(256);
  w.BeginObject().Field("id", created->id.value()).Field("created", true);
  w.Key("identities").BeginArray();
  for (const std::string& type : created_types) {
    w.BeginObject().Field("type", type);
    w.Key("result").BeginObject().Field("created", true).EndObject();
    w.EndObject();
  }
  w.EndArray().EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> UsersHandler::Get(const http::Request& request, const auth::Principal&) {
  auto id = ReadUserId(request);
  if (!id) return std::move(id).error();
  auto expand = ReadExpand(request.query);
  if (!expand) return std::move(expand).error();
  auto user = users_.GetWithOrganizations(*id, expand->organizations);
  if (!user) return std::move(user).error();
  JsonWriter w(512);
  WriteUser(w, *user, *expand, /*list_item=*/false);
  return http::Response::Json(200, w.Take());
}

Result<http::Response> UsersHandler::Update(const http::Request& request, const auth::Principal&) {
  auto id = ReadUserId(request);
  if (!id) return std::move(id).error();
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  domain::UserPatch patch;
  ORGD_TRY(ReadNullableString(*body, "given_name", patch.first_name));
  ORGD_TRY(ReadNullableString(*body, "family_name", patch.last_name));
  ORGD_TRY(ReadNullableString(*body, "picture", patch.avatar));
  ORGD_TRY(ReadBool(*body, "is_suspended", patch.is_suspended));
  ORGD_TRY(ReadBool(*body, "is_password_reset_requested", patch.is_password_reset_requested));
  ORGD_TRY(ReadNullableString(*body, "provided_id", patch.provided_id));
  if (patch.provided_id && *patch.provided_id && (*patch.provided_id)->empty()) {
    patch.provided_id->reset();
  }
  if (patch.empty()) {
    return ErrorBody(400, "NO_FIELDS_TO_UPDATE", "At least one field must be provided for update");
  }
  auto user = users_.UpdateWith(*id, [&](const User& current) -> Result<domain::UserPatch> {
    domain::UserPatch out = patch;
    if (patch.first_name || patch.last_name) {
      // Keep the Logto dialect's profile names in step with the Kinde names.
      out.profile = ProfileWithNames(current.profile,
                                     patch.first_name ? *patch.first_name : current.first_name,
                                     patch.last_name ? *patch.last_name : current.last_name);
    }
    return out;
  });
  if (!user) return std::move(user).error();
  JsonWriter w(256);
  w.BeginObject();
  w.Field("id", user->id.value());
  w.Key("given_name").OptString(user->first_name);
  w.Key("family_name").OptString(user->last_name);
  w.Key("email").OptString(user->primary_email);
  w.Field("is_suspended", user->is_suspended);
  w.Field("is_password_reset_requested", user->is_password_reset_requested);
  w.Key("picture").OptString(user->avatar);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> UsersHandler::Delete(const http::Request& request, const auth::Principal&) {
  auto id = ReadUserId(request);
  if (!id) return std::move(id).error();
  // Accepted for compatibility; deleting the user already removes everything orgd keeps of it.
  auto delete_profile = ReadBoolQuery(request.query, "is_delete_profile");
  if (!delete_profile) return std::move(delete_profile).error();
  auto deleted = users_.Delete(*id);
  if (!deleted) return std::move(deleted).error();
  return Success();
}

Result<http::Response> UsersHandler::List(const http::Request& request, const auth::Principal&) {
  auto page_size = ParsePageSize(request.query);
  if (!page_size) return std::move(page_size).error();
  domain::UserListQuery query;
  query.sort = domain::UserSort::kCreatedAsc;
  query.page.limit = *page_size;
  Json filter_key = Json::array();
  for (std::string_view key : {"user_id", "email", "username", "phone"}) {
    auto values = ReadListFilter(request.query, key);
    if (!values) return std::move(values).error();
    filter_key.push_back(*values);
    if (key == "user_id") {
      for (std::string& v : *values) query.ids.emplace_back(std::move(v));
    } else {
      (key == "email"      ? query.emails
       : key == "username" ? query.usernames
                           : query.phones) = std::move(*values);
    }
  }
  auto has_org = ReadBoolQuery(request.query, "has_organization");
  if (!has_org) return std::move(has_org).error();
  query.has_organization = *has_org;
  filter_key.push_back(*has_org ? Json(**has_org) : Json());
  auto active_since = SingleQuery(request.query, "active_since");
  if (!active_since) return std::move(active_since).error();
  if (*active_since) {
    auto micros = ParseRfc3339Micros(**active_since);
    if (!micros) return FieldError("active_since", "invalid", "Invalid active_since");
    // Sign-ins are kept in milliseconds: the first millisecond at or after the instant.
    query.active_since = *micros / 1000 + (*micros % 1000 > 0 ? 1 : 0);
    filter_key.push_back(*query.active_since);
  } else {
    filter_key.push_back(nullptr);
  }
  auto expand = ReadExpand(request.query);
  if (!expand) return std::move(expand).error();

  const std::string filter = filter_key.dump();
  auto token = SingleQuery(request.query, "next_token");
  if (!token) return std::move(token).error();
  if (*token) {
    auto position = DecodeNextToken(**token, "users", "created_asc", filter);
    if (!position) return std::move(position).error();
    query.page.after = domain::Cursor{std::move(position->key), std::move(position->id)};
  }
  auto page = users_.ListWithOrganizations(query, expand->organizations);
  if (!page) return std::move(page).error();

  JsonWriter w(128 + page->items.size() * 512);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("users").BeginArray();
  for (const domain::UserWithOrganizations& item : page->items) {
    WriteUser(w, item, *expand, /*list_item=*/true);
  }
  w.EndArray();
  if (page->has_more && page->last) {
    w.Field("next_token", EncodeNextToken("users", "created_asc", filter,
                                          TokenPosition{page->last->sort_key, page->last->id}));
  } else {
    w.Key("next_token").Null();
  }
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

void AddUserRoutes(RouteTable& routes, domain::UserService& users) {
  using H = UsersHandler;
  using http::Method;
  auto h = std::make_shared<H>(users);
  constexpr Dialect k = Dialect::kKinde;
  routes.Add(Method::kPost, "/api/v1/user", k, "create:users", Bind(h, &H::Create));
  routes.Add(Method::kGet, "/api/v1/user", k, "read:users", Bind(h, &H::Get));
  routes.Add(Method::kPatch, "/api/v1/user", k, "update:users", Bind(h, &H::Update));
  routes.Add(Method::kDelete, "/api/v1/user", k, "delete:users", Bind(h, &H::Delete));
  routes.Add(Method::kGet, "/api/v1/users", k, "read:users", Bind(h, &H::List));
}

}  // namespace orgd::api::kinde
