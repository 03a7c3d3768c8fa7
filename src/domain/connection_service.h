#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "common/clock.h"
#include "common/id_generator.h"
#include "common/result.h"
#include "domain/model/connection.h"
#include "store/store.h"

namespace orgd::domain {

// Connections (Logto SSO connectors, Kinde connections: one concept, one table) and the
// organizations each is enabled for (Logto JIT SSO connectors and Kinde organization connections
// are the same links; users arriving through an enabled connection are JIT-provisioned into the
// organization, see JitService). Wire shapes, provider names / strategies and dialect-only
// choices are checked by the dialects; the rules below hold for both. Every write is one
// transaction. Thread-safe.
//
// Rules: the name is non-empty and unique across all connections; domains are ASCII-lower-cased
// and must hold no duplicate and no public email provider domain (gmail.com, outlook.com, ...:
// a connection cannot claim everyone's mailbox).
//
// Error vocabulary (the dialects map (code, subject, reason)):
// * kInvalidArgument, subject "name", reason "required": an empty name.
// * kInvalidArgument, subject "domains", reason "duplicated_domains" / "forbidden_domains".
// * kAlreadyExists, subject "connection", reason "connection_name": the name is taken.
// * kNotFound, subject "connection" / "organization": the path entity does not exist; with
//   reason "foreign_key" when the id was named in a relation write (Logto FK422).
// * kNotFound, subject "organization_connection", reason "not_assigned": removal of a link that
//   is not there (Logto entity.not_found; Kinde CONNECTION_NOT_ENABLED).
// * kAlreadyExists, subject "connection", reason "duplicate": a replace list names an id twice.
class ConnectionService {
 public:
  ConnectionService(store::Store& store, const Clock& clock, IdGenerator& ids);

  // Creates a connection with a new id in `style`'s format from `fields` (id and created_at are
  // set here). With `enable_for`, the connection is enabled for that organization in the same
  // transaction; an unknown organization (kNotFound, subject "organization") creates nothing.
  Result<Connection> Create(Connection fields, IdStyle style,
                            const std::optional<OrgId>& enable_for = std::nullopt);
  // kNotFound (subject "connection").
  Result<Connection> Get(const ConnectionId& id);
  // Creation order; errors of ConnectionStore::ListConnections.
  Result<ConnectionPage> List(const ConnectionListQuery& query);
  // Reads the connection, lets `edit` change it, checks the rules and stores it, in one write
  // transaction (a dialect's merge of JSON options cannot lose a concurrent update). `edit` must
  // not change id, provider or created_at (they are restored). kNotFound; an error of `edit` is
  // returned as it is and changes nothing.
  Result<Connection> Update(const ConnectionId& id,
                            const std::function<Result<void>(Connection&)>& edit);
  // Deletes the connection and its organization links. kNotFound (subject "connection").
  Result<void> Delete(const ConnectionId& id);

  // The connections enabled for `org`, in link order. kNotFound (subject "organization").
  Result<std::vector<Connection>> ListForOrganization(const OrgId& org);
  // Enables each connection for `org` (links already there are kept). Unknown org or connection
  // → kNotFound with reason "foreign_key"; nothing changes.
  Result<void> EnableForOrganization(const OrgId& org, const std::vector<ConnectionId>& ids);
  // Makes the set of connections enabled for `org` exactly `ids`. A duplicate id → kAlreadyExists
  // (reason "duplicate"); unknown org or connection → kNotFound (reason "foreign_key"). An empty
  // list clears the set without checking the organization.
  Result<void> ReplaceForOrganization(const OrgId& org, const std::vector<ConnectionId>& ids);
  // Disables one connection for `org`: the organization (kNotFound "organization") and the
  // connection (kNotFound "connection") are checked first, then the link (kNotFound
  // "organization_connection", reason "not_assigned").
  Result<void> DisableForOrganization(const OrgId& org, const ConnectionId& id);

 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
};

// ASCII-lower-cases `domains` and checks them (duplicates, public email domains) as Create does.
Result<std::vector<std::string>> NormalizeConnectionDomains(
    const std::vector<std::string>& domains);

}  // namespace orgd::domain
