#pragma once

#include "api/json_writer.h"
#include "domain/model/organization.h"
#include "domain/model/user.h"

// JSON of the Logto dialect's user and organization objects (contracts/logto.md §2.1, §2.5),
// shared by every route that returns them, so that the same entity reads the same everywhere
// (Logto's suite compares a created user with the member object, minus `hasPassword`).
namespace orgd::api::logto {

// Opens an object and writes the UserInfo fields of §2.5; the caller appends `hasPassword` or
// `organizationRoles` and closes it. The password hash never leaves the server.
inline void WriteUserInfoFields(JsonWriter& w, const domain::User& u) {
  w.BeginObject();
  w.Field("id", u.id.value());
  w.Key("username").OptString(u.username);
  w.Key("primaryEmail").OptString(u.primary_email);
  w.Key("primaryPhone").OptString(u.primary_phone);
  w.Key("name").OptString(u.name);
  w.Key("avatar").OptString(u.avatar);
  w.Key("customData").Raw(u.custom_data);
  w.Key("identities").Raw(u.identities);
  w.Key("lastSignInAt").OptInt(u.last_sign_in_at);
  w.Field("createdAt", u.created_at);
  w.Field("updatedAt", u.updated_at);
  w.Key("profile").Raw(u.profile);
  w.Key("applicationId").OptString(u.application_id);
  w.Field("isSuspended", u.is_suspended);
}

// Opens an object and writes the Organization fields of §2.1; the caller appends
// `organizationRoles` (or the featured fields) and closes it.
inline void WriteOrganizationObjectFields(JsonWriter& w, const domain::Organization& org) {
  w.BeginObject();
  w.Field("tenantId", "default");
  w.Field("id", org.id.value());
  w.Field("name", org.name);
  w.Key("description").OptString(org.description);
  w.Key("customData").Raw(org.custom_data);
  w.Field("isMfaRequired", org.is_mfa_required);
  w.Key("color").Raw(org.color);
  w.Key("branding").Raw(org.branding);
  w.Key("customCss").OptString(org.custom_css);
  w.Field("createdAt", org.created_at);
}

}  // namespace orgd::api::logto
