#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "domain/model/connection.h"

namespace orgd::store {

// Connections (Logto SSO connectors, Kinde connections), the organizations they are enabled for
// (table organization_connections: "enabled for the organization; users arriving through it are
// JIT-provisioned into it"), and the lookups of JIT provisioning. Part of Store (store.h). The
// store checks no policy: the domain does, inside InTransaction.
class ConnectionStore {
 public:
  virtual ~ConnectionStore() = default;

  // Inserts the connection with its domains. kAlreadyExists, subject "connection", reason
  // "connection_name" (the name is taken) or "id".
  virtual Result<void> InsertConnection(const domain::Connection& connection) = 0;
  // kNotFound (subject "connection") when absent.
  virtual Result<domain::Connection> GetConnection(const ConnectionId& id) = 0;
  // The connections among `ids` that exist, in no particular order.
  virtual Result<std::vector<domain::Connection>> GetConnections(
      const std::vector<ConnectionId>& ids) = 0;
  // Rewrites every field but id, provider and created_at (domains replaced as a set, in order).
  // kNotFound when absent; kAlreadyExists (reason "connection_name") on a clash.
  virtual Result<void> UpdateConnection(const domain::Connection& connection) = 0;
  // Deletes the connection and its organization links. kNotFound when absent.
  virtual Result<void> DeleteConnection(const ConnectionId& id) = 0;
  // Creation order. kInvalidArgument: subject "starting_after" / "ending_before" with reason
  // "invalid_cursor" for a cursor that names no connection; reason "too_many_parameters" when
  // both are set; subject "limit" / "offset" for negative values.
  virtual Result<domain::ConnectionPage> ListConnections(
      const domain::ConnectionListQuery& query) = 0;

  // Links `org` to each connection not yet linked; returns those newly linked. An unknown org or
  // connection fails with kFailedPrecondition (reason "foreign_key").
  virtual Result<std::vector<ConnectionId>> AddOrganizationConnections(
      const OrgId& org, const std::vector<ConnectionId>& connections, int64_t now_ms) = 0;
  // kNotFound (subject "organization_connection", reason "not_assigned") when not linked.
  virtual Result<void> RemoveOrganizationConnection(const OrgId& org,
                                                    const ConnectionId& connection) = 0;
  virtual Result<void> ClearOrganizationConnections(const OrgId& org) = 0;
  // The connections enabled for `org`, in link order (ties by connection id).
  virtual Result<std::vector<domain::Connection>> ListOrganizationConnections(const OrgId& org) = 0;

  // JIT lookups. The organizations `connection` is enabled for, in organization creation order.
  virtual Result<std::vector<OrgId>> ListConnectionOrganizations(
      const ConnectionId& connection) = 0;
  // The organizations whose JIT email domains contain `domain_lower` when both are ASCII-lower-
  // cased (whole domain), in organization creation order.
  virtual Result<std::vector<OrgId>> ListOrganizationsByEmailDomain(
      const std::string& domain_lower) = 0;
};

}  // namespace orgd::store
