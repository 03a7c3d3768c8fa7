#include "api/logto/users.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/json_input.h"
#include "api/json_writer.h"
#include "api/logto/errors.h"
#include "api/logto/input.h"
#include "api/logto/pagination.h"
#include "api/logto/search_query.h"
#include "api/logto/user_json.h"
#include "api/utf8.h"

namespace orgd::api::logto {
namespace {

using domain::User;

// Column sizes the API checks (contracts/logto.md §3.9.1).
constexpr size_t kIdentifierMax = 128;
constexpr size_t kNameMax = 128;
constexpr size_t kPasswordDigestMax = 256;
constexpr size_t kAvatarMax = 2048;

constexpr std::array<std::string_view, 8> kPasswordAlgorithms = {
    "Argon2i", "Argon2id", "Argon2d", "SHA1", "SHA256", "MD5", "Bcrypt", "Legacy"};

// The profile keys of §2.5 that hold strings, and those of its `address`.
constexpr std::array<std::string_view, 11> kProfileKeys = {
    "familyName", "givenName", "middleName", "nickname", "preferredUsername", "profile", "website",
    "gender",     "birthdate", "zoneinfo",   "locale"};
constexpr std::array<std::string_view, 6> kAddressKeys = {"formatted", "streetAddress", "locality",
                                                          "region",    "postalCode",    "country"};

// The searchable fields of GET /api/users, by their wire names.
struct SearchField {
  std::string_view name;
  domain::UserField field;
};
constexpr std::array<SearchField, 5> kSearchFields = {{
    {"id", domain::UserField::kId},
    {"primaryEmail", domain::UserField::kPrimaryEmail},
    {"primaryPhone", domain::UserField::kPrimaryPhone},
    {"username", domain::UserField::kUsername},
    {"name", domain::UserField::kName},
}};

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// /^\S+@\S+\.\S+$/
bool IsEmail(std::string_view s) {
  for (char c : s) {
    if (IsSpace(c)) return false;
  }
  size_t at = s.find('@', 1);
  if (at == std::string_view::npos) return false;
  size_t dot = s.find('.', at + 2);
  return dot != std::string_view::npos && dot + 1 < s.size();
}

// /^\d+$/
bool IsPhone(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// /^[A-Z_a-z]\w*$/
bool IsUsername(std::string_view s) {
  if (s.empty() || IsDigit(s[0])) return false;
  for (char c : s) {
    if (!IsWordChar(c)) return false;
  }
  return true;
}

// Reads an optional identifier string that must match `valid` and fit the column.
Result<void> ReadIdentifier(const Json& body, std::string_view key, bool (*valid)(std::string_view),
                            std::optional<std::string>& out) {
  ORGD_TRY(ReadString(body, key, out));
  if (!out) return {};
  if (!valid(*out)) return FieldError(key, "invalid_string", "Invalid");
  return CheckLength(key, *out, 1, kIdentifierMax);
}

// `profile`: an object whose known keys must hold strings (`address` an object of strings);
// unknown keys are dropped (contracts/logto.md §1.4).
Result<std::optional<Json>> ReadProfile(const Json& body) {
  auto it = body.find("profile");
  if (it == body.end()) return std::optional<Json>();
  if (!it->is_object()) return FieldError("profile", "invalid_type", "Expected object");
  Json kept = Json::object();
  for (std::string_view key : kProfileKeys) {
    auto v = it->find(key);
    if (v == it->end()) continue;
    if (!v->is_string()) {
      return FieldError("profile." + std::string(key), "invalid_type", "Expected string");
    }
    kept[std::string(key)] = *v;
  }
  if (auto address = it->find("address"); address != it->end()) {
    if (!address->is_object()) {
      return FieldError("profile.address", "invalid_type", "Expected object");
    }
    Json kept_address = Json::object();
    for (std::string_view key : kAddressKeys) {
      auto v = address->find(key);
      if (v == address->end()) continue;
      if (!v->is_string()) {
        return FieldError("profile.address." + std::string(key), "invalid_type", "Expected string");
      }
      kept_address[std::string(key)] = *v;
    }
    kept["address"] = std::move(kept_address);
  }
  return std::optional<Json>(std::move(kept));
}

Result<domain::CreateUserInput> ParseCreate(const Json& body) {
  domain::CreateUserInput input;
  User& u = input.fields;
  ORGD_TRY(ReadIdentifier(body, "primaryPhone", IsPhone, u.primary_phone));
  ORGD_TRY(ReadIdentifier(body, "primaryEmail", IsEmail, u.primary_email));
  ORGD_TRY(ReadIdentifier(body, "username", IsUsername, u.username));
  ORGD_TRY(ReadString(body, "password", input.password));
  if (input.password) ORGD_TRY(CheckLength("password", *input.password, 1, SIZE_MAX));
  ORGD_TRY(ReadString(body, "passwordDigest", input.password_digest));
  if (input.password_digest) {
    ORGD_TRY(CheckLength("passwordDigest", *input.password_digest, 0, kPasswordDigestMax));
  }
  ORGD_TRY(ReadString(body, "passwordAlgorithm", input.password_algorithm));
  if (input.password_algorithm) {
    bool known = false;
    for (std::string_view a : kPasswordAlgorithms) known = known || a == *input.password_algorithm;
    if (!known) return FieldError("passwordAlgorithm", "invalid_enum_value", "Invalid enum value");
  }
  ORGD_TRY(ReadString(body, "name", u.name));
  std::optional<std::optional<std::string>> avatar;
  ORGD_TRY(ReadNullableString(body, "avatar", avatar));
  if (avatar && *avatar) {
    if (!(*avatar)->empty() && !IsUrl(**avatar)) {
      return FieldError("avatar", "invalid_string", "Invalid url");
    }
    ORGD_TRY(CheckLength("avatar", **avatar, 0, kAvatarMax));
    u.avatar = **avatar;
  }
  std::optional<std::string> custom_data;
  ORGD_TRY(ReadObjectText(body, "customData", custom_data));
  if (custom_data) u.custom_data = std::move(*custom_data);
  auto profile = ReadProfile(body);
  if (!profile) return std::move(profile).error();
  if (*profile) {
    // The given and family names are also the Kinde dialect's first_name / last_name.
    const Json& p = **profile;
    if (auto g = p.find("givenName"); g != p.end()) u.first_name = g->get<std::string>();
    if (auto f = p.find("familyName"); f != p.end()) u.last_name = f->get<std::string>();
    u.profile = p.dump();
  }
  // [quirk] Logto's API layer does not bound `name`; its database does (422, after the schema).
  if (u.name && Utf8Length(*u.name) > kNameMax) {
    return FieldError("name", "too_long_db", "The length of value is too long");
  }
  return input;
}

http::Response ProfileResponse(const User& user) {
  JsonWriter w(640);
  WriteUserInfoFields(w, user);
  w.Field("hasPassword", user.has_password());
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

// Errors of POST /api/users in Logto's codes (§1.5).
http::Response RenderCreateError(const Error& e) {
  if (e.code == ErrorCode::kInvalidArgument && e.subject == "password" && e.reason.empty()) {
    return ErrorBody(400, "user.password_and_digest",
                     "You cannot set both plain text password and password digest.");
  }
  if (e.code == ErrorCode::kInvalidArgument && e.subject == "password_algorithm") {
    return ErrorBody(400, "user.password_algorithm_required", "Password algorithm is required.");
  }
  if (e.code == ErrorCode::kAlreadyExists && e.subject == "user") {
    if (e.reason == "username") {
      return ErrorBody(422, "user.username_already_in_use", "This username is already in use.");
    }
    if (e.reason == "email") {
      return ErrorBody(422, "user.email_already_in_use",
                       "This email is associated with an existing account.");
    }
    if (e.reason == "phone") {
      return ErrorBody(422, "user.phone_already_in_use",
                       "This phone number is associated with an existing account.");
    }
  }
  return Render(e);
}

Error InvalidSearch(std::string message) {
  return Error::InvalidArgument(std::move(message)).WithReason("business");
}

// The search parameters of GET /api/users as a domain search.
Result<domain::UserSearch> ParseUserSearch(const http::QueryParams& query) {
  std::vector<std::string_view> names;
  for (const SearchField& f : kSearchFields) names.push_back(f.name);
  auto parsed = ParseSearchQuery(query, names);
  if (!parsed) return std::move(parsed).error();
  domain::UserSearch search{.match_all = parsed->match_all_terms,
                            .case_sensitive = parsed->case_sensitive};
  for (domain::SearchTerm& term : parsed->terms) {
    domain::UserSearchTerm out{.values = std::move(term.values),
                               .mode = term.mode == domain::SearchMode::kExact
                                           ? domain::UserMatchMode::kExact
                                           : domain::UserMatchMode::kLike};
    for (const SearchField& f : kSearchFields) {
      if (f.name == term.field) out.field = f.field;
    }
    for (const std::string& v : out.values) {
      if (!IsValidUtf8(v)) return InvalidSearch("The search value is not valid UTF-8.");
    }
    search.terms.push_back(std::move(out));
  }
  return search;
}

// The `userId` path parameter. No stored id holds bytes that are not UTF-8 (and PostgreSQL
// refuses them as text), so such an id is simply unknown.
Result<UserId> PathUser(const http::Request& request) {
  const std::string& id = request.PathParam("userId");
  if (!IsValidUtf8(id)) return Error::NotFound("user");
  return UserId(id);
}

}  // namespace

UsersHandler::UsersHandler(domain::UserService& users) : users_(users) {}

Result<http::Response> UsersHandler::Create(const http::Request& request, const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  auto input = ParseCreate(*body);
  if (!input) return std::move(input).error();
  auto user = users_.Create(*input, IdStyle::kLogto);
  if (!user) return RenderCreateError(user.error());
  return ProfileResponse(*user);
}

Result<http::Response> UsersHandler::List(const http::Request& request, const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  auto exclude_org = SingleQuery(request.query, "excludeOrganizationId");
  if (!exclude_org) return std::move(exclude_org).error();
  auto exclude_role = SingleQuery(request.query, "excludeRoleId");
  if (!exclude_role) return std::move(exclude_role).error();
  if (*exclude_org && *exclude_role) {
    return InvalidSearch("`excludeRoleId` and `excludeOrganizationId` cannot be used together.");
  }
  auto search = ParseUserSearch(request.query);
  if (!search) return std::move(search).error();

  domain::UserListQuery query;
  query.search = std::move(*search);
  if (*exclude_org) {
    if (!IsValidUtf8(**exclude_org)) {
      return InvalidSearch("excludeOrganizationId is not valid UTF-8.");
    }
    query.exclude_org = OrgId(**exclude_org);
  }
  // orgd has no user-level (non-organization) roles, so `excludeRoleId` alone excludes no one.
  query.sort = domain::UserSort::kCreatedDesc;
  query.page.limit = paging->page_size;
  query.page.offset = paging->offset();
  query.page.want_total = true;
  auto page = users_.List(query);
  if (!page) return std::move(page).error();

  JsonWriter w(64 + page->items.size() * 640);
  w.BeginArray();
  for (const User& user : page->items) {
    WriteUserInfoFields(w, user);
    w.Field("hasPassword", user.has_password());
    w.EndObject();
  }
  w.EndArray();
  http::Response response = http::Response::Json(200, w.Take());
  AddPagingHeaders(response, request, *paging, page->total);
  return response;
}

Result<http::Response> UsersHandler::Get(const http::Request& request, const auth::Principal&) {
  auto id = PathUser(request);
  if (!id) return std::move(id).error();
  auto user = users_.Get(*id);
  if (!user) return std::move(user).error();  // kNotFound renders as entity.not_found
  return ProfileResponse(*user);
}

Result<http::Response> UsersHandler::Delete(const http::Request& request, const auth::Principal&) {
  auto id = PathUser(request);
  if (!id) return std::move(id).error();
  auto deleted = users_.Delete(*id);
  if (!deleted) return std::move(deleted).error();
  return http::Response::Empty(204);
}

Result<http::Response> UsersHandler::ListOrganizations(const http::Request& request,
                                                       const auth::Principal&) {
  auto id = PathUser(request);
  if (!id) return std::move(id).error();
  auto orgs = users_.ListOrganizations(*id);
  if (!orgs) return std::move(orgs).error();
  JsonWriter w(64 + orgs->size() * 384);
  w.BeginArray();
  for (const domain::OrganizationWithRoles& item : *orgs) {
    WriteOrganizationObjectFields(w, item.organization);
    // A Logto role's name is the domain key; the store lists them in key order.
    w.Key("organizationRoles").BeginArray();
    for (const domain::RoleRef& role : item.roles) {
      w.BeginObject().Field("id", role.id.value()).Field("name", role.key).EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  return http::Response::Json(200, w.Take());
}

void AddUserRoutes(RouteTable& routes, domain::UserService& users) {
  using H = UsersHandler;
  using http::Method;
  auto h = std::make_shared<H>(users);
  routes.Add(Method::kPost, "/api/users", Dialect::kLogto, "all", Bind(h, &H::Create));
  routes.Add(Method::kGet, "/api/users", Dialect::kLogto, "all", Bind(h, &H::List));
  routes.Add(Method::kGet, "/api/users/{userId}", Dialect::kLogto, "all", Bind(h, &H::Get));
  routes.Add(Method::kDelete, "/api/users/{userId}", Dialect::kLogto, "all", Bind(h, &H::Delete));
  routes.Add(Method::kGet, "/api/users/{userId}/organizations", Dialect::kLogto, "all",
             Bind(h, &H::ListOrganizations));
}

}  // namespace orgd::api::logto
