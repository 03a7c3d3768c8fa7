#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "domain/model/page.h"

namespace orgd {

using ConnectionId = Id<struct ConnectionIdTag>;

}  // namespace orgd

namespace orgd::domain {

// A connection: one concept for both dialects (DESIGN.md "Connection"): the Logto SSO connector
// and the Kinde connection are the same row. Logto `connectorName` is `name`, Logto
// `branding.displayName` is `display_name` (Kinde `display_name`), Logto `config` and Kinde
// `options` are `options`; `provider` keeps the creating dialect's value (a Logto providerName
// such as "SAML", or a Kinde strategy such as "saml:okta"), and each dialect reads a provider the
// other one wrote through LogtoProviderName / KindeStrategy below. JSON-valued fields hold compact
// JSON text that the dialect validated; the domain treats them as opaque.
struct Connection {
  ConnectionId id;
  std::string name;  // unique across all connections
  std::optional<std::string> display_name;
  std::string provider;
  std::string options = "{}";  // JSON object
  // Email domains served by the connection (Logto `domains`, Kinde
  // `options.home_realm_domains`), ASCII-lower-cased, in the order given, without duplicates.
  std::vector<std::string> domains;
  std::string branding = "{}";  // Logto branding without displayName: {logo?, darkLogo?}
  bool sync_profile = false;
  bool enable_token_storage = false;
  std::string enabled_applications = "[]";  // Kinde; JSON array of strings, stored only
  int64_t created_at = 0;                   // epoch ms
};

// A connection list request: creation order (created_at, id). Exactly one paging style is used:
// `offset` (Logto) or one of the Kinde cursors `starting_after` / `ending_before` (connection
// ids). `domain` keeps only connections serving that domain (compared ASCII-case-insensitively).
struct ConnectionListQuery {
  std::optional<std::string> domain;
  int64_t limit = 20;
  int64_t offset = 0;
  std::optional<ConnectionId> starting_after;
  std::optional<ConnectionId> ending_before;
  bool want_total = false;
};

using ConnectionPage = Page<Connection>;

// The Logto provider names (contracts/logto.md §3.9.3).
inline constexpr std::string_view kLogtoProviders[] = {
    "OIDC", "SAML", "AzureAD", "GoogleWorkspace", "Okta", "AzureAdOidc"};
bool IsLogtoProvider(std::string_view provider);
// The Kinde strategies (contracts/kinde.md §3.13.7).
bool IsKindeStrategy(std::string_view strategy);

// `provider` as the Logto dialect shows it. A Logto provider name reads as itself. A Kinde
// strategy maps by protocol and vendor: `saml:*` → "SAML", `wsfed:azure_ad` → "AzureAD",
// `oauth2:google` → "GoogleWorkspace", `oauth2:azure_ad` / `oauth2:microsoft` → "AzureAdOidc",
// any other `oauth2:*` (social OAuth logins) → "OIDC".
std::string LogtoProviderName(std::string_view provider);
// `provider` as the Kinde dialect shows it. A Kinde strategy reads as itself. A Logto provider
// maps to the closest strategy: "SAML" / "AzureAD" → "saml:custom", "GoogleWorkspace" →
// "oauth2:google", "AzureAdOidc" → "oauth2:azure_ad", "Okta" → "saml:okta" (Kinde's only Okta
// strategy), "OIDC" → "oauth2:custom" (Kinde's enum has no generic OIDC strategy; this one is
// outside it, named so that clients can tell it apart).
std::string KindeStrategy(std::string_view provider);
// "saml" for the Logto providers SAML and AzureAD, "oidc" for the rest (Logto `providerType`).
std::string_view LogtoProviderType(std::string_view logto_provider);

}  // namespace orgd::domain
