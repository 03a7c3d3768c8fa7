#include "api/kinde/organizations.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "api/json_input.h"
#include "api/json_writer.h"
#include "api/kinde/errors.h"
#include "api/kinde/responses.h"
#include "api/kinde/pagination.h"
#include "common/time_format.h"
#include "http/request.h"

namespace orgd::api::kinde {
namespace {

using domain::Organization;
using domain::OrganizationPatch;

constexpr size_t kNameMax = 256;
constexpr size_t kHandleMax = 64;


bool IsEmail(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view domain = s.substr(at + 1);
  size_t dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= domain.size() + 0 ||
      domain.back() == '.') {
    return false;
  }
  return std::none_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

bool IsHandle(std::string_view s) {
  if (s.empty() || s.size() > kHandleMax) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

struct ColorField {
  const char* key;
  std::optional<std::string> domain::BrandColors::*member;
  std::optional<std::optional<std::string>> OrganizationPatch::*patch;
};

constexpr ColorField kColorFields[] = {
    {"background_color", &domain::BrandColors::background_color, &OrganizationPatch::background_color},
    {"button_color", &domain::BrandColors::button_color, &OrganizationPatch::button_color},
    {"button_text_color", &domain::BrandColors::button_text_color, &OrganizationPatch::button_text_color},
    {"link_color", &domain::BrandColors::link_color, &OrganizationPatch::link_color},
    {"background_color_dark", &domain::BrandColors::background_color_dark,
     &OrganizationPatch::background_color_dark},
    {"button_color_dark", &domain::BrandColors::button_color_dark, &OrganizationPatch::button_color_dark},
    {"button_text_color_dark", &domain::BrandColors::button_text_color_dark,
     &OrganizationPatch::button_text_color_dark},
    {"link_color_dark", &domain::BrandColors::link_color_dark, &OrganizationPatch::link_color_dark},
};

// A colour input: a `#rgb`/`#rrggbb` string sets it; `""` or null clears it.
Result<void> ReadColor(const Json& body, const char* key,
                       std::optional<std::optional<std::string>>& out) {
  auto it = body.find(key);
  if (it == body.end()) return {};
  if (it->is_null() || (it->is_string() && it->get_ref<const std::string&>().empty())) {
    out.emplace(std::nullopt);
    return {};
  }
  if (!it->is_string() || !IsHexColor(it->get_ref<const std::string&>())) {
    return FieldError(key, "invalid_color", "Invalid color");
  }
  out.emplace(it->get<std::string>());
  return {};
}

// The fields shared by create and patch, written into `patch`. `n` counts the recognised fields.
Result<void> ReadFields(const Json& body, OrganizationPatch& patch, int& n) {
  std::optional<std::string> name;
  ORGD_TRY(ReadString(body, "name", name));
  if (name) {
    if (name->empty()) return FieldError("name", "required", "Name is required");
    if (Utf8Length(*name) > kNameMax) {
      return FieldError("name", "too_long", "Name must be at most 256 characters");
    }
    patch.name = std::move(name);
    ++n;
  }
  if (body.contains("external_id")) {
    std::optional<std::optional<std::string>> external_id;
    ORGD_TRY(ReadNullableString(body, "external_id", external_id));
    if (*external_id && (*external_id)->empty()) external_id->reset();
    patch.external_id = std::move(external_id);
    ++n;
  }
  for (const ColorField& field : kColorFields) {
    ORGD_TRY(ReadColor(body, field.key, patch.*field.patch));
    if (patch.*field.patch) ++n;
  }
  std::optional<std::string> theme;
  ORGD_TRY(ReadString(body, "theme_code", theme));
  if (theme) {
    if (!domain::IsValidThemeCode(*theme)) return FieldError("theme_code", "invalid", "Invalid theme_code");
    patch.theme_code = std::move(theme);
    ++n;
  }
  if (body.contains("handle")) {
    std::optional<std::optional<std::string>> handle;
    ORGD_TRY(ReadNullableString(body, "handle", handle));
    if (*handle && !IsHandle(**handle)) return FieldError("handle", "invalid", "Invalid handle");
    patch.handle = std::move(handle);
    ++n;
  }
  // is_allow_registrations is the deprecated alias; is_auto_membership_enabled wins when both
  // are sent.
  std::optional<bool> alias;
  ORGD_TRY(ReadBool(body, "is_allow_registrations", alias));
  ORGD_TRY(ReadBool(body, "is_auto_membership_enabled", patch.is_auto_membership_enabled));
  if (!patch.is_auto_membership_enabled && alias) patch.is_auto_membership_enabled = alias;
  if (patch.is_auto_membership_enabled) ++n;
  if (body.contains("sender_name")) {
    ORGD_TRY(ReadNullableString(body, "sender_name", patch.sender_name));
    ++n;
  }
  if (body.contains("sender_email")) {
    ORGD_TRY(ReadNullableString(body, "sender_email", patch.sender_email));
    if (*patch.sender_email && !IsEmail(**patch.sender_email)) {
      return FieldError("sender_email", "invalid", "Invalid sender_email");
    }
    ++n;
  }
  return {};
}

// The fields only PATCH accepts.
Result<void> ReadPatchOnlyFields(const Json& body, OrganizationPatch& patch, int& n) {
  for (auto [key, member] : {std::pair{"is_auto_join_domain_list", &OrganizationPatch::is_auto_join_domain_list},
                             std::pair{"is_enable_advanced_orgs", &OrganizationPatch::is_enable_advanced_orgs},
                             std::pair{"is_enforce_mfa", &OrganizationPatch::is_mfa_required},
                             std::pair{"is_suspended", &OrganizationPatch::is_suspended}}) {
    ORGD_TRY(ReadBool(body, key, patch.*member));
    if (patch.*member) ++n;
  }
  std::optional<std::vector<std::string>> domains;
  ORGD_TRY(ReadStringArray(body, "allowed_domains", domains));
  if (domains) {
    std::vector<std::string> normalized;
    for (std::string& d : *domains) {
      bool bad = d.empty() || std::any_of(d.begin(), d.end(), [](char c) {
                   return c == '@' || std::isspace(static_cast<unsigned char>(c));
                 });
      if (bad) return FieldError("allowed_domains", "invalid", "Invalid allowed_domains");
      for (char& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (std::find(normalized.begin(), normalized.end(), d) == normalized.end()) {
        normalized.push_back(std::move(d));
      }
    }
    patch.allowed_domains = std::move(normalized);
    ++n;
  }
  return {};
}

void WriteColor(JsonWriter& w, const std::optional<std::string>& raw) {
  if (!raw) {
    w.Null();
    return;
  }
  w.Raw(ColorObjectJson(*raw));
}

// The fields of `organization_item` (the list form), which the full object starts with too.
void WriteItemFields(JsonWriter& w, const Organization& org) {
  w.Field("code", org.id.value());
  w.Field("name", org.name);
  w.Key("handle").OptString(org.handle);
  w.Field("is_default", false);
  w.Key("external_id").OptString(org.external_id);
  w.Field("is_auto_membership_enabled", org.is_auto_membership_enabled);
}

// `{public_url}/logo?org_code=<code>&cache=<hash>` (or /logo_dark) for the uploaded logo of
// `type`, null when there is none. The hash changes with the bytes, so clients refetch.
void WriteLogoUrl(JsonWriter& w, const domain::OrganizationWithLogos& org, domain::LogoType type,
                  std::string_view public_url) {
  for (const domain::OrganizationLogoInfo& logo : *org.logos) {
    if (logo.type != type) continue;
    std::string url(public_url);
    url += type == domain::LogoType::kDark ? "/logo_dark" : "/logo";
    url += "?org_code=" + http::PercentEncode(org.organization->id.value());
    url += "&cache=" + logo.content_hash;
    w.String(url);
    return;
  }
  w.Null();
}

void WriteOrganization(JsonWriter& w, const domain::OrganizationWithLogos& with_logos,
                       std::string_view public_url) {
  const Organization& org = *with_logos.organization;
  w.BeginObject();
  WriteItemFields(w, org);
  w.Key("logo");
  WriteLogoUrl(w, with_logos, domain::LogoType::kLight, public_url);
  w.Key("logo_dark");
  WriteLogoUrl(w, with_logos, domain::LogoType::kDark, public_url);
  w.Key("favicon_svg").Null();
  w.Key("favicon_fallback").Null();
  w.Key("allowed_domains").BeginArray();
  for (const std::string& d : org.allowed_domains) w.String(d);
  w.EndArray();
  for (const ColorField& field : kColorFields) {
    w.EscapedKey(field.key);
    WriteColor(w, org.colors.*field.member);
  }
  w.Key("button_border_radius").Null();
  w.Key("card_border_radius").Null();
  w.Key("input_border_radius").Null();
  w.Field("theme_code", org.theme_code);
  w.Field("color_scheme", org.theme_code == "dark"              ? "dark"
                          : org.theme_code == "user_preference" ? "light dark"
                                                                : "light");
  w.Field("created_on", FormatKindeTimestamp(org.created_at));
  w.Field("is_allow_registrations", org.is_auto_membership_enabled);
  w.Key("sender_name").OptString(org.sender_name);
  w.Key("sender_email").OptString(org.sender_email);
  w.Field("is_suspended", org.is_suspended);
  if (org.suspended_at) {
    w.Field("suspended_on", FormatKindeTimestamp(*org.suspended_at));
  } else {
    w.Key("suspended_on").Null();
  }
  w.EndObject();
}

std::string_view SortKeyword(domain::OrgSort sort) {
  switch (sort) {
    case domain::OrgSort::kNameAsc: return "name_asc";
    case domain::OrgSort::kNameDesc: return "name_desc";
    case domain::OrgSort::kCreatedAsc: break;
  }
  return "created_asc";
}

}  // namespace

std::string ColorObjectJson(std::string_view raw) {
  // Expand #rgb to #rrggbb keeping each digit's case.
  std::string hex = "#";
  if (raw.size() == 4) {
    for (size_t i = 1; i < 4; ++i) hex.append(2, raw[i]);
  } else {
    hex.append(raw.substr(1));
  }
  auto channel = [&](size_t i) {
    return std::stoi(hex.substr(1 + 2 * i, 2), nullptr, 16) / 255.0;
  };
  double r = channel(0), g = channel(1), b = channel(2);
  double max = std::max({r, g, b}), min = std::min({r, g, b});
  double l = (max + min) / 2, h = 0, s = 0;
  if (max != min) {
    double d = max - min;
    s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
    if (max == r) {
      h = (g - b) / d + (g < b ? 6 : 0);
    } else if (max == g) {
      h = (b - r) / d + 2;
    } else {
      h = (r - g) / d + 4;
    }
    h /= 6;
  }
  char hsl[48];
  std::snprintf(hsl, sizeof(hsl), "hsl(%d, %d%%, %d%%)", static_cast<int>(std::lround(h * 360)),
                static_cast<int>(std::lround(s * 100)), static_cast<int>(std::lround(l * 100)));
  JsonWriter w(96);
  w.BeginObject().Field("raw", raw).Field("hex", hex).Field("hsl", std::string_view(hsl)).EndObject();
  return w.Take();
}

OrganizationsHandler::OrganizationsHandler(domain::OrganizationService& organizations,
                                           domain::OrganizationSettingsService& settings,
                                           std::string public_url)
    : organizations_(organizations), settings_(settings), public_url_(std::move(public_url)) {}

Result<http::Response> OrganizationsHandler::Create(const http::Request& request,
                                                    const auth::Principal&) {
  auto body = ParseJson(request.body.empty() ? std::string_view("{}") : std::string_view(request.body));
  if (!body) return std::move(body).error();
  if (!body->is_object()) return Error::InvalidArgument("body").WithReason("json");
  if (!body->contains("name")) return FieldError("name", "required", "Name is required");
  OrganizationPatch fields;
  int n = 0;
  ORGD_TRY(ReadFields(*body, fields, n));

  std::optional<bool> billing;
  ORGD_TRY(ReadBool(*body, "is_create_billing_customer", billing));
  if (billing && *billing) {
    return ErrorBody(400, "BILLING_NOT_SUPPORTED", "Billing is not supported",
                     "is_create_billing_customer");
  }
  domain::CreateOrganizationInput input;
  if (auto flags = body->find("feature_flags"); flags != body->end() && !flags->is_null()) {
    if (!flags->is_object()) return FieldError("feature_flags", "invalid", "Invalid feature_flags");
    // [quirk] The spec types the values as the type enum; they are override values, sent as
    // strings (booleans and numbers are taken in their JSON text). The domain checks each flag.
    for (const auto& [key, value] : flags->items()) {
      if (!value.is_string() && !value.is_boolean() && !value.is_number()) {
        return FieldError("feature_flags", "invalid", "Invalid feature_flags");
      }
      input.feature_flags.push_back(domain::FeatureFlagOverride{
          .key = domain::FeatureFlagKey(key),
          .value = value.is_string() ? value.get<std::string>() : value.dump(),
      });
    }
  }

  Organization& org = input.fields;
  org.name = *fields.name;
  if (fields.external_id) org.external_id = *fields.external_id;
  for (const ColorField& field : kColorFields) {
    if (fields.*field.patch) org.colors.*field.member = *(fields.*field.patch);
  }
  if (fields.theme_code) org.theme_code = *fields.theme_code;
  if (fields.handle) org.handle = *fields.handle;
  if (fields.is_auto_membership_enabled) org.is_auto_membership_enabled = *fields.is_auto_membership_enabled;
  if (fields.sender_name) org.sender_name = *fields.sender_name;
  if (fields.sender_email) org.sender_email = *fields.sender_email;

  auto created = organizations_.Create(input, IdStyle::kKinde);
  if (!created) return std::move(created).error();
  JsonWriter w(128);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("organization").BeginObject().Field("code", created->id.value()).EndObject();
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> OrganizationsHandler::Get(const http::Request& request,
                                                 const auth::Principal&) {
  auto code = SingleQuery(request.query, "code");
  if (!code) return std::move(code).error();
  if (!*code) return ErrorBody(400, "ORGANIZATION_REQUIRED", "Organization code is required", "code");
  auto org = settings_.GetOrganizationWithLogos(OrgId(**code));
  if (!org) return std::move(org).error();
  JsonWriter w(1024);
  WriteOrganization(w, *org, public_url_);
  return http::Response::Json(200, w.Take());
}

Result<http::Response> OrganizationsHandler::List(const http::Request& request,
                                                  const auth::Principal&) {
  auto page_size = ParsePageSize(request.query);
  if (!page_size) return std::move(page_size).error();
  auto sort = SingleQuery(request.query, "sort");
  if (!sort) return std::move(sort).error();
  domain::OrganizationListQuery query;
  if (*sort) {
    // Organizations have no email; email_* sorts by name in that direction (contract choice).
    std::string_view s = **sort;
    if (s == "name_asc" || s == "email_asc") {
      query.sort = domain::OrgSort::kNameAsc;
    } else if (s == "name_desc" || s == "email_desc") {
      query.sort = domain::OrgSort::kNameDesc;
    } else {
      return FieldError("sort", "invalid", "Invalid sort");
    }
  }
  std::string_view sort_word = SortKeyword(query.sort);
  auto token = SingleQuery(request.query, "next_token");
  if (!token) return std::move(token).error();
  if (*token) {
    auto position = DecodeNextToken(**token, "organizations", sort_word, "");
    if (!position) return std::move(position).error();
    query.after = domain::OrgCursor{std::move(position->key), std::move(position->id)};
  }
  query.limit = *page_size;
  auto listed = organizations_.List(query);
  if (!listed) return std::move(listed).error();
  const domain::OrganizationPage* page = listed->get();

  // The page is kept per query, sort included, so its rendering depends on the page alone.
  return http::Response::Json(200, list_json_.Get(*listed, [&] {
    JsonWriter w(128 + page->items.size() * 160);
    w.BeginObject().Field("code", "OK").Field("message", "Success");
    w.Key("organizations").BeginArray();
    for (const Organization& org : page->items) {
      w.BeginObject();
      WriteItemFields(w, org);
      w.EndObject();
    }
    w.EndArray();
    if (page->has_more && page->last) {
      w.Field("next_token", EncodeNextToken("organizations", sort_word, "",
                                            TokenPosition{page->last->sort_key, page->last->id}));
    } else {
      w.Key("next_token").Null();
    }
    w.EndObject();
    return w.Take();
  }));
}

Result<http::Response> OrganizationsHandler::Update(const http::Request& request,
                                                    const auth::Principal&) {
  auto body = ParseJson(request.body.empty() ? std::string_view("{}") : std::string_view(request.body));
  if (!body) return std::move(body).error();
  if (!body->is_object()) return Error::InvalidArgument("body").WithReason("json");
  OrganizationPatch patch;
  int n = 0;
  ORGD_TRY(ReadFields(*body, patch, n));
  ORGD_TRY(ReadPatchOnlyFields(*body, patch, n));
  if (n == 0) {
    return ErrorBody(400, "NO_FIELDS_TO_UPDATE", "At least one field must be provided for update");
  }
  auto org = organizations_.Update(OrgId(request.PathParam("org_code")), std::move(patch));
  if (!org) return std::move(org).error();
  return Success();
}

Result<http::Response> OrganizationsHandler::Delete(const http::Request& request,
                                                    const auth::Principal&) {
  auto deleted = organizations_.Delete(OrgId(request.PathParam("org_code")));
  if (!deleted) return RenderWith404(deleted.error());
  return Success();
}

Result<http::Response> OrganizationsHandler::DeleteHandle(const http::Request& request,
                                                          const auth::Principal&) {
  OrganizationPatch patch;
  patch.handle.emplace(std::nullopt);
  auto org = organizations_.Update(OrgId(request.PathParam("org_code")), std::move(patch));
  if (!org) return std::move(org).error();
  return Success();
}

void AddOrganizationRoutes(RouteTable& routes, domain::OrganizationService& organizations,
                           domain::OrganizationSettingsService& settings, std::string public_url) {
  using H = OrganizationsHandler;
  using http::Method;
  auto h = std::make_shared<H>(organizations, settings, std::move(public_url));
  constexpr Dialect k = Dialect::kKinde;
  routes.Add(Method::kPost, "/api/v1/organization", k, "create:organizations", Bind(h, &H::Create));
  routes.Add(Method::kGet, "/api/v1/organization", k, "read:organizations", Bind(h, &H::Get));
  routes.Add(Method::kGet, "/api/v1/organizations", k, "read:organizations", Bind(h, &H::List));
  routes.Add(Method::kPatch, "/api/v1/organization/{org_code}", k, "update:organizations",
             Bind(h, &H::Update));
  routes.Add(Method::kDelete, "/api/v1/organization/{org_code}", k, "delete:organizations",
             Bind(h, &H::Delete));
  routes.Add(Method::kDelete, "/api/v1/organization/{org_code}/handle", k,
             "delete:organization_handles", Bind(h, &H::DeleteHandle));
}

}  // namespace orgd::api::kinde
