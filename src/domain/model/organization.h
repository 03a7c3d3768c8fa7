#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "domain/model/feature_flag.h"

namespace orgd::domain {

// The eight brand colours of the Kinde dialect, each stored exactly as written ("#fff").
struct BrandColors {
  std::optional<std::string> background_color;
  std::optional<std::string> button_color;
  std::optional<std::string> button_text_color;
  std::optional<std::string> link_color;
  std::optional<std::string> background_color_dark;
  std::optional<std::string> button_color_dark;
  std::optional<std::string> button_text_color_dark;
  std::optional<std::string> link_color_dark;
};

// Theme of the hosted pages: "light", "dark" or "user_preference".
inline constexpr const char* kDefaultThemeCode = "light";

// An organization: one row, read and written by both dialects. JSON-valued fields
// (custom_data, color, branding) hold compact JSON object text that the dialect validated; the
// domain treats them as opaque.
struct Organization {
  OrgId id;
  std::string name;
  std::optional<std::string> description;
  std::string custom_data = "{}";
  bool is_mfa_required = false;  // Logto isMfaRequired == Kinde is_enforce_mfa
  std::string color = "{}";      // Logto color object
  std::string branding = "{}";   // Logto branding object
  std::optional<std::string> custom_css;
  std::optional<std::string> handle;
  std::optional<std::string> external_id;
  bool is_auto_membership_enabled = false;
  bool is_auto_join_domain_list = false;
  bool is_enable_advanced_orgs = false;
  BrandColors colors;
  std::string theme_code = kDefaultThemeCode;
  std::optional<std::string> sender_name;
  std::optional<std::string> sender_email;
  bool is_suspended = false;
  std::optional<int64_t> suspended_at;  // epoch ms
  std::vector<std::string> allowed_domains;  // JIT email domains, in insertion order
  int64_t created_at = 0;  // epoch ms
  int64_t updated_at = 0;  // epoch ms
};

// Creation input. `id` is minted by the service. `created_at` is honoured when given (Logto).
struct CreateOrganizationInput {
  Organization fields;  // id, allowed_domains and timestamps are ignored unless noted
  std::optional<int64_t> created_at;
  // Feature flag overrides written with the organization, in the same transaction (Kinde).
  std::vector<FeatureFlagOverride> feature_flags;
};

// A partial update: each engaged field is written. For nullable columns the inner optional
// carries the new value or null.
struct OrganizationPatch {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> description;
  std::optional<std::string> custom_data;
  std::optional<bool> is_mfa_required;
  std::optional<std::string> color;
  std::optional<std::string> branding;
  std::optional<std::optional<std::string>> custom_css;
  std::optional<std::optional<std::string>> handle;
  std::optional<std::optional<std::string>> external_id;
  std::optional<bool> is_auto_membership_enabled;
  std::optional<bool> is_auto_join_domain_list;
  std::optional<bool> is_enable_advanced_orgs;
  std::optional<std::optional<std::string>> background_color;
  std::optional<std::optional<std::string>> button_color;
  std::optional<std::optional<std::string>> button_text_color;
  std::optional<std::optional<std::string>> link_color;
  std::optional<std::optional<std::string>> background_color_dark;
  std::optional<std::optional<std::string>> button_color_dark;
  std::optional<std::optional<std::string>> button_text_color_dark;
  std::optional<std::optional<std::string>> link_color_dark;
  std::optional<std::string> theme_code;
  std::optional<std::optional<std::string>> sender_name;
  std::optional<std::optional<std::string>> sender_email;
  std::optional<bool> is_suspended;
  // Set by the service together with is_suspended: the time of suspension, or null.
  std::optional<std::optional<int64_t>> suspended_at;
  // Replaces the JIT email domain set (already normalised by the caller).
  std::optional<std::vector<std::string>> allowed_domains;

  // True when no field is engaged.
  bool empty() const;
};

// Sort orders offered by the lists. Creation order is (created_at, id); name orders compare
// case-insensitively with the id as the final tie-breaker.
enum class OrgSort { kCreatedAsc, kNameAsc, kNameDesc };

// Position after which a keyset page starts: the sort key of the last row seen and its id.
struct OrgCursor {
  std::string sort_key;  // decimal created_at for kCreatedAsc, lower-cased name otherwise
  std::string id;
};

// A list request. Exactly one of offset paging (`offset`) or keyset paging (`after`) is used;
// with neither the list starts at the beginning.
struct OrganizationListQuery {
  std::string q;  // case-insensitive substring of id or name; % and _ act as wildcards
  OrgSort sort = OrgSort::kCreatedAsc;
  int64_t limit = 20;
  int64_t offset = 0;
  std::optional<OrgCursor> after;
  bool want_total = false;
  // The number of organizations `q` matches, when the caller already knows it (from the search
  // index, domain/org_search_index.h): the store then neither counts nor estimates the matches,
  // and answers it as the total when want_total. Ignored without `q`.
  std::optional<int64_t> known_matches;
};

// What a `q` search compares of one organization (store::OrganizationStore::
// ListOrganizationSearchTexts).
struct OrganizationSearchText {
  OrgId id;
  std::string id_text;
  std::string name_text;
};

struct OrganizationPage {
  std::vector<Organization> items;
  int64_t total = 0;        // set when want_total
  bool has_more = false;    // another row exists after the last item
  std::optional<OrgCursor> last;  // cursor of the last item, when any
};

}  // namespace orgd::domain
