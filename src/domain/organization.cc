#include "domain/model/organization.h"

namespace orgd::domain {

bool OrganizationPatch::empty() const {
  return !name && !description && !custom_data && !is_mfa_required && !color && !branding &&
         !custom_css && !handle && !external_id && !is_auto_membership_enabled &&
         !is_auto_join_domain_list && !is_enable_advanced_orgs && !background_color &&
         !button_color && !button_text_color && !link_color && !background_color_dark &&
         !button_color_dark && !button_text_color_dark && !link_color_dark && !theme_code &&
         !sender_name && !sender_email && !is_suspended && !suspended_at && !allowed_domains;
}

}  // namespace orgd::domain
