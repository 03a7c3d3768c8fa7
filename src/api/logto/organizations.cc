#include "api/logto/organizations.h"

#include <utility>

#include "api/json_writer.h"
#include "api/logto/errors.h"
#include "api/logto/input.h"
#include "api/logto/pagination.h"
#include "api/logto/user_json.h"

namespace orgd::api::logto {
namespace {

using domain::Organization;
using domain::OrganizationPatch;

constexpr size_t kNameMax = 128;
constexpr size_t kDescriptionMax = 256;
// OrganizationWithFeatured shows at most this many members (contracts/logto.md §2.1).
constexpr int64_t kFeaturedUsers = 3;

// Reads `color`: an object whose known keys are checked and kept, unknown keys dropped.
Result<void> ReadColor(const Json& body, std::optional<std::string>& out) {
  auto it = body.find("color");
  if (it == body.end()) return {};
  if (!it->is_object()) return FieldError("color", "invalid_type", "Expected object");
  Json kept = Json::object();
  for (const char* key : {"primaryColor", "darkPrimaryColor"}) {
    auto c = it->find(key);
    if (c == it->end()) continue;
    if (!c->is_string() || !IsHexColor(c->get_ref<const std::string&>())) {
      return FieldError(std::string("color.") + key, "invalid_string", "Invalid");
    }
    kept[key] = *c;
  }
  if (auto d = it->find("isDarkModeEnabled"); d != it->end()) {
    if (!d->is_boolean()) {
      return FieldError("color.isDarkModeEnabled", "invalid_type", "Expected boolean");
    }
    kept["isDarkModeEnabled"] = *d;
  }
  out = kept.dump();
  return {};
}

// Reads `branding`: an object of URL strings, unknown keys dropped.
Result<void> ReadBranding(const Json& body, std::optional<std::string>& out) {
  auto it = body.find("branding");
  if (it == body.end()) return {};
  if (!it->is_object()) return FieldError("branding", "invalid_type", "Expected object");
  Json kept = Json::object();
  for (const char* key : {"logoUrl", "darkLogoUrl", "favicon", "darkFavicon"}) {
    auto u = it->find(key);
    if (u == it->end()) continue;
    if (!u->is_string() || !IsUrl(u->get_ref<const std::string&>())) {
      return FieldError(std::string("branding.") + key, "invalid_string", "Invalid url");
    }
    kept[key] = *u;
  }
  out = kept.dump();
  return {};
}

Result<void> ReadDescription(const Json& body, std::optional<std::optional<std::string>>& out) {
  ORGD_TRY(ReadNullableString(body, "description", out));
  if (out && *out) ORGD_TRY(CheckLength("description", **out, 0, kDescriptionMax));
  return {};
}

// The fields shared by create and patch, written into `patch`.
Result<void> ReadFields(const Json& body, OrganizationPatch& patch) {
  std::optional<std::string> name;
  ORGD_TRY(ReadString(body, "name", name));
  if (name) {
    ORGD_TRY(CheckLength("name", *name, 1, kNameMax));
    patch.name = std::move(name);
  }
  ORGD_TRY(ReadDescription(body, patch.description));
  ORGD_TRY(ReadObjectText(body, "customData", patch.custom_data));
  ORGD_TRY(ReadBool(body, "isMfaRequired", patch.is_mfa_required));
  ORGD_TRY(ReadColor(body, patch.color));
  ORGD_TRY(ReadBranding(body, patch.branding));
  ORGD_TRY(ReadNullableString(body, "customCss", patch.custom_css));
  return {};
}

http::Response OrganizationJson(int status, const Organization& org) {
  JsonWriter w(512);
  WriteOrganizationObjectFields(w, org);
  w.EndObject();
  return http::Response::Json(status, w.Take());
}

}  // namespace

OrganizationsHandler::OrganizationsHandler(domain::OrganizationService& organizations)
    : organizations_(organizations) {}

Result<http::Response> OrganizationsHandler::Create(const http::Request& request,
                                                    const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  domain::CreateOrganizationInput input;
  ORGD_TRY(ReadRequiredString(*body, "name", 1, kNameMax, input.fields.name));
  OrganizationPatch fields;
  ORGD_TRY(ReadFields(*body, fields));
  ORGD_TRY(ReadInt(*body, "createdAt", input.created_at));
  Organization& org = input.fields;
  if (fields.description) org.description = *fields.description;
  if (fields.custom_data) org.custom_data = *fields.custom_data;
  if (fields.is_mfa_required) org.is_mfa_required = *fields.is_mfa_required;
  if (fields.color) org.color = *fields.color;
  if (fields.branding) org.branding = *fields.branding;
  if (fields.custom_css) org.custom_css = *fields.custom_css;
  auto created = organizations_.Create(input, IdStyle::kLogto);
  if (!created) return std::move(created).error();
  return OrganizationJson(201, *created);
}

Result<http::Response> OrganizationsHandler::List(const http::Request& request,
                                                  const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  auto q = SingleQuery(request.query, "q");
  if (!q) return std::move(q).error();
  auto show_featured = SingleQuery(request.query, "showFeatured");
  if (!show_featured) return std::move(show_featured).error();
  bool featured = *show_featured && IsYes(**show_featured);

  domain::OrganizationListQuery query;
  if (*q) query.q = std::string(**q);
  query.limit = paging->page_size;
  query.offset = paging->offset();
  query.want_total = true;

  if (!featured) {
    auto page = organizations_.List(query);
    if (!page) return std::move(page).error();
    http::Response response = http::Response::Json(200, list_json_.Get(*page, [&] {
      JsonWriter w(16 + (*page)->items.size() * 320);
      w.BeginArray();
      for (const Organization& org : (*page)->items) {
        WriteOrganizationObjectFields(w, org);
        w.EndObject();
      }
      w.EndArray();
      return w.Take();
    }));
    AddPagingHeaders(response, request, *paging, (*page)->total);
    return response;
  }
  auto page = organizations_.ListWithFeatured(query, kFeaturedUsers);
  if (!page) return std::move(page).error();
  JsonWriter w(256 + page->items.size() * 320);
  w.BeginArray();
  for (const domain::OrganizationWithFeatured& item : page->items) {
    WriteOrganizationObjectFields(w, item.organization);
    w.Field("usersCount", item.members.users_count);
    w.Key("featuredUsers").BeginArray();
    for (const domain::FeaturedUser& user : item.members.featured) {
      w.BeginObject().Field("id", user.id.value());
      w.Key("avatar").OptString(user.avatar);
      w.Key("name").OptString(user.name);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  http::Response response = http::Response::Json(200, w.Take());
  AddPagingHeaders(response, request, *paging, page->total);
  return response;
}

Result<http::Response> OrganizationsHandler::Get(const http::Request& request,
                                                 const auth::Principal&) {
  const std::string& id = request.PathParam("id");
  auto org = organizations_.Get(OrgId(id));
  if (!org) {
    if (org.error().code == ErrorCode::kNotFound) return NotExistsWithId("organizations", id);
    return std::move(org).error();
  }
  return OrganizationJson(200, *org);
}

Result<http::Response> OrganizationsHandler::Update(const http::Request& request,
                                                    const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  OrganizationPatch patch;
  ORGD_TRY(ReadFields(*body, patch));
  auto org = organizations_.Update(OrgId(request.PathParam("id")), std::move(patch));
  if (!org) {
    if (org.error().code == ErrorCode::kNotFound) return NotExists("organization");
    return std::move(org).error();
  }
  return OrganizationJson(200, *org);
}

Result<http::Response> OrganizationsHandler::Delete(const http::Request& request,
                                                    const auth::Principal&) {
  auto deleted = organizations_.Delete(OrgId(request.PathParam("id")));
  if (!deleted) return std::move(deleted).error();  // kNotFound renders as entity.not_found
  return http::Response::Empty(204);
}

void AddOrganizationRoutes(RouteTable& routes, domain::OrganizationService& organizations) {
  using H = OrganizationsHandler;
  using http::Method;
  auto h = std::make_shared<H>(organizations);
  routes.Add(Method::kPost, "/api/organizations", Dialect::kLogto, "all", Bind(h, &H::Create));
  routes.Add(Method::kGet, "/api/organizations", Dialect::kLogto, "all", Bind(h, &H::List));
  routes.Add(Method::kGet, "/api/organizations/{id}", Dialect::kLogto, "all", Bind(h, &H::Get));
  routes.Add(Method::kPatch, "/api/organizations/{id}", Dialect::kLogto, "all", Bind(h, &H::Update));
  routes.Add(Method::kDelete, "/api/organizations/{id}", Dialect::kLogto, "all", Bind(h, &H::Delete));
}

}  // namespace orgd::api::logto
