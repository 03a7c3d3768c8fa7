#include "domain/connection_service.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "common/text.h"

namespace orgd::domain {
namespace {

using store::Store;
using store::TxMode;

// Public mailbox providers: a domain anyone can get an address at must not route sign-ins to
// one company's connection.
constexpr std::string_view kPublicEmailDomains[] = {
    "gmail.com",  "googlemail.com", "yahoo.com",  "hotmail.com", "outlook.com",
    "live.com",   "msn.com",        "icloud.com", "me.com",      "aol.com",
    "proton.me",  "protonmail.com", "gmx.com",    "gmx.net",     "mail.com",
    "yandex.com", "qq.com",         "163.com",    "zoho.com",    "fastmail.com",
};

// Checks the rules of a connection about to be written (the name; domains are normalised).
Result<void> CheckConnection(Connection& c) {
  if (c.name.empty())
    return Error::InvalidArgument("name is required", "name").WithReason("required");
  auto domains = NormalizeConnectionDomains(c.domains);
  if (!domains) return std::move(domains).error();
  c.domains = std::move(*domains);
  return {};
}

Result<void> RequireOrganization(Store& tx, const OrgId& org, std::string_view reason) {
  auto locked = tx.LockOrganization(org);
  if (!locked) {
    Error e = std::move(locked).error();
    if (e.code == ErrorCode::kNotFound && !reason.empty()) {
      return std::move(e).WithReason(std::string(reason));
    }
    return e;
  }
  return {};
}

// Every connection in `ids` exists; otherwise kNotFound naming the first unknown one.
Result<void> RequireConnections(Store& tx, const std::vector<ConnectionId>& ids) {
  auto found = tx.GetConnections(ids);
  if (!found) return std::move(found).error();
  std::unordered_set<ConnectionId> known;
  for (const Connection& c : *found) known.insert(c.id);
  for (const ConnectionId& id : ids) {
    if (!known.contains(id)) {
      return Error::NotFound("connection", "unknown id " + id.value()).WithReason("foreign_key");
    }
  }
  return {};
}

}  // namespace

bool IsLogtoProvider(std::string_view provider) {
  return std::find(std::begin(kLogtoProviders), std::end(kLogtoProviders), provider) !=
         std::end(kLogtoProviders);
}

bool IsKindeStrategy(std::string_view strategy) {
  static constexpr std::string_view kStrategies[] = {
      "oauth2:apple",    "oauth2:azure_ad",  "oauth2:bitbucket", "oauth2:discord",
      "oauth2:facebook", "oauth2:github",    "oauth2:gitlab",    "oauth2:google",
      "oauth2:linkedin", "oauth2:microsoft", "oauth2:patreon",   "oauth2:slack",
      "oauth2:stripe",   "oauth2:twitch",    "oauth2:twitter",   "oauth2:xero",
      "saml:custom",     "saml:cloudflare",  "saml:okta",        "saml:microsoft",
      "saml:google",     "wsfed:azure_ad",
  };
  return std::find(std::begin(kStrategies), std::end(kStrategies), strategy) !=
         std::end(kStrategies);
}

std::string LogtoProviderName(std::string_view provider) {
  if (IsLogtoProvider(provider)) return std::string(provider);
  if (provider.starts_with("saml:")) return "SAML";
  if (provider == "wsfed:azure_ad") return "AzureAD";
  if (provider == "oauth2:google") return "GoogleWorkspace";
  if (provider == "oauth2:azure_ad" || provider == "oauth2:microsoft") return "AzureAdOidc";
  return "OIDC";
}

std::string KindeStrategy(std::string_view provider) {
  if (!IsLogtoProvider(provider)) return std::string(provider);
  if (provider == "SAML" || provider == "AzureAD") return "saml:custom";
  if (provider == "GoogleWorkspace") return "oauth2:google";
  if (provider == "AzureAdOidc") return "oauth2:azure_ad";
  if (provider == "Okta") return "saml:okta";
  return "oauth2:custom";
}

std::string_view LogtoProviderType(std::string_view logto_provider) {
  return logto_provider == "SAML" || logto_provider == "AzureAD" ? "saml" : "oidc";
}

Result<std::vector<std::string>> NormalizeConnectionDomains(
    const std::vector<std::string>& domains) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (const std::string& d : domains) {
    std::string lower = AsciiLower(d);
    if (!seen.insert(lower).second) {
      return Error::InvalidArgument("There are duplicate domains.", "domains")
          .WithReason("duplicated_domains");
    }
    if (std::find(std::begin(kPublicEmailDomains), std::end(kPublicEmailDomains), lower) !=
        std::end(kPublicEmailDomains)) {
      return Error::InvalidArgument("Public email domains are not allowed.", "domains")
          .WithReason("forbidden_domains");
    }
    out.push_back(std::move(lower));
  }
  return out;
}

ConnectionService::ConnectionService(store::Store& store, const Clock& clock, IdGenerator& ids)
    : store_(store), clock_(clock), ids_(ids) {}

Result<Connection> ConnectionService::Create(Connection fields, IdStyle style,
                                             const std::optional<OrgId>& enable_for) {
  ORGD_TRY(CheckConnection(fields));
  fields.id = ConnectionId(ids_.Next(IdKind::kConnection, style));
  fields.created_at = clock_.NowMillis();
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    if (enable_for) ORGD_TRY(RequireOrganization(tx, *enable_for, ""));
    ORGD_TRY(tx.InsertConnection(fields));
    if (enable_for) {
      ORGD_TRY(tx.AddOrganizationConnections(*enable_for, {fields.id}, fields.created_at));
    }
    return {};
  }));
  return fields;
}

Result<Connection> ConnectionService::Get(const ConnectionId& id) {
  return store_.GetConnection(id);
}

Result<ConnectionPage> ConnectionService::List(const ConnectionListQuery& query) {
  return store_.ListConnections(query);
}

Result<Connection> ConnectionService::Update(const ConnectionId& id,
                                             const std::function<Result<void>(Connection&)>& edit) {
  Connection updated;
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    auto current = tx.GetConnection(id);
    if (!current) return std::move(current).error();
    updated = *current;
    ORGD_TRY(edit(updated));
    updated.id = current->id;
    updated.provider = current->provider;
    updated.created_at = current->created_at;
    ORGD_TRY(CheckConnection(updated));
    return tx.UpdateConnection(updated);
  }));
  return updated;
}

Result<void> ConnectionService::Delete(const ConnectionId& id) {
  return store_.DeleteConnection(id);
}

Result<std::vector<Connection>> ConnectionService::ListForOrganization(const OrgId& org) {
  std::vector<Connection> out;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetOrganization(org));
    auto listed = tx.ListOrganizationConnections(org);
    if (!listed) return std::move(listed).error();
    out = std::move(*listed);
    return {};
  }));
  return out;
}

Result<void> ConnectionService::EnableForOrganization(const OrgId& org,
                                                      const std::vector<ConnectionId>& ids) {
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(RequireOrganization(tx, org, "foreign_key"));
    ORGD_TRY(RequireConnections(tx, ids));
    ORGD_TRY(tx.AddOrganizationConnections(org, ids, clock_.NowMillis()));
    return {};
  });
}

Result<void> ConnectionService::ReplaceForOrganization(const OrgId& org,
                                                       const std::vector<ConnectionId>& ids) {
  std::unordered_set<ConnectionId> seen;
  for (const ConnectionId& id : ids) {
    if (!seen.insert(id).second) {
      return Error::AlreadyExists("connection", "duplicate",
                                  "connection " + id.value() + " is listed twice");
    }
  }
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    if (!ids.empty()) {
      ORGD_TRY(RequireOrganization(tx, org, "foreign_key"));
      ORGD_TRY(RequireConnections(tx, ids));
    }
    ORGD_TRY(tx.ClearOrganizationConnections(org));
    ORGD_TRY(tx.AddOrganizationConnections(org, ids, clock_.NowMillis()));
    return {};
  });
}

Result<void> ConnectionService::DisableForOrganization(const OrgId& org, const ConnectionId& id) {
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(RequireOrganization(tx, org, ""));
    ORGD_TRY(tx.GetConnection(id));
    return tx.RemoveOrganizationConnection(org, id);
  });
}

}  // namespace orgd::domain
