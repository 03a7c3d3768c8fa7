// SqlStore: connections, their domains, their enablement per organization and the JIT lookups
// (connection_store.h), tables of migrations/*/0005_connections_invitations.sql.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/result.h"
#include "domain/model/connection.h"
#include "store/db.h"
#include "store/sql/sql_common.h"
#include "store/sql/sql_store.h"

namespace orgd::store::sql {
namespace {

using internal::kJoin;

// Clashes as each engine names them: SQLite the columns ("UNIQUE constraint failed:
// connections.name"), PostgreSQL the constraint ("connections_name_key").
Error MapConnectionUnique(Error error) {
  return internal::MapUnique(std::move(error), "connection",
                             {
                                 {"connections.name", "connection_name"},
                                 {"\"connections_name_key\"", "connection_name"},
                                 {"connection_domains", "domain"},
                                 {"connections.id", "id"},
                                 {"\"connections_pkey\"", "id"},
                             });
}

// Connection reads select, order and page the connections in a subquery `c` left-joined to their
// domains, so a page (or one connection) and its domains come in one statement. Rows of one
// connection are adjacent, its domains in their given order.
constexpr std::string_view kConnectionColumns =
    "c.id, c.name, c.display_name, c.provider, c.options, c.branding, c.sync_profile, "
    "c.enable_token_storage, c.enabled_applications, c.created_at";
constexpr int kDomainColumn = 10;

constexpr std::string_view kSelectFromInner = "SELECT ";
constexpr std::string_view kInnerFrom = " FROM connections c ";
constexpr std::string_view kOuterHead = "SELECT ";
constexpr std::string_view kOuterDomain = ", d.domain FROM (";
constexpr std::string_view kOuterJoin =
    ") c LEFT JOIN connection_domains d ON d.connection_id = c.id ";
constexpr std::string_view kOrderAsc = "ORDER BY c.created_at, c.id, d.position";

// $1 the connection id.
constexpr std::string_view kByIdWhere = "WHERE c.id = $1";
constexpr std::string_view kGetConnection =
    kJoin<kOuterHead, kConnectionColumns, kOuterDomain, kSelectFromInner, kConnectionColumns,
          kInnerFrom, kByIdWhere, kOuterJoin, kOrderAsc>;

// List: $1 the domain filter ('' for none), $2 the row limit, $3 the offset; after a cursor $4
// its created_at and $5 its id. Keyset predicates are written as in properties.cc, so that both
// planners seek into (created_at, id).
constexpr std::string_view kDomainFilter =
    "WHERE ($1 = '' OR EXISTS (SELECT 1 FROM connection_domains f "
    "WHERE f.connection_id = c.id AND f.domain = $1)) ";
constexpr std::string_view kFirstPage = "ORDER BY c.created_at, c.id LIMIT $2 OFFSET $3";
constexpr std::string_view kAfterPage =
    "AND c.created_at >= $4 AND (c.created_at > $4 OR c.id > $5) "
    "ORDER BY c.created_at, c.id LIMIT $2 OFFSET $3";
// Backwards: the rows just before the cursor, nearest first; the outer query puts them back in
// list order.
constexpr std::string_view kBeforePage =
    "AND c.created_at <= $4 AND (c.created_at < $4 OR c.id < $5) "
    "ORDER BY c.created_at DESC, c.id DESC LIMIT $2 OFFSET $3";
constexpr std::string_view kListFirst =
    kJoin<kOuterHead, kConnectionColumns, kOuterDomain, kSelectFromInner, kConnectionColumns,
          kInnerFrom, kDomainFilter, kFirstPage, kOuterJoin, kOrderAsc>;
constexpr std::string_view kListAfter =
    kJoin<kOuterHead, kConnectionColumns, kOuterDomain, kSelectFromInner, kConnectionColumns,
          kInnerFrom, kDomainFilter, kAfterPage, kOuterJoin, kOrderAsc>;
constexpr std::string_view kListBefore =
    kJoin<kOuterHead, kConnectionColumns, kOuterDomain, kSelectFromInner, kConnectionColumns,
          kInnerFrom, kDomainFilter, kBeforePage, kOuterJoin, kOrderAsc>;
constexpr std::string_view kCountHead = "SELECT COUNT(*) FROM connections c ";
constexpr std::string_view kCount = kJoin<kCountHead, kDomainFilter>;
constexpr std::string_view kCursorPosition = "SELECT created_at FROM connections WHERE id = $1";

// $1 the organization: its connections in link order.
constexpr std::string_view kOrgInnerFrom =
    ", oc.created_at AS linked_at FROM organization_connections oc "
    "JOIN connections c ON c.id = oc.connection_id WHERE oc.org_id = $1";
constexpr std::string_view kOrderLinked = "ORDER BY c.linked_at, c.id, d.position";
constexpr std::string_view kListOrgConnections =
    kJoin<kOuterHead, kConnectionColumns, kOuterDomain, kSelectFromInner, kConnectionColumns,
          kOrgInnerFrom, kOuterJoin, kOrderLinked>;

constexpr std::string_view kInsertConnection =
    "INSERT INTO connections (id, name, display_name, provider, options, branding, sync_profile, "
    "enable_token_storage, enabled_applications, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
constexpr std::string_view kUpdateConnection =
    "UPDATE connections SET name = $2, display_name = $3, options = $4, branding = $5, "
    "sync_profile = $6, enable_token_storage = $7, enabled_applications = $8 WHERE id = $1";
// Domains and organization links go with the connection through ON DELETE CASCADE.
constexpr std::string_view kDeleteConnection = "DELETE FROM connections WHERE id = $1";
constexpr std::string_view kInsertDomain =
    "INSERT INTO connection_domains (connection_id, domain, position) VALUES ($1, $2, $3)";
constexpr std::string_view kClearDomains =
    "DELETE FROM connection_domains WHERE connection_id = $1";

constexpr std::string_view kAddOrgConnection =
    "INSERT INTO organization_connections (org_id, connection_id, created_at) "
    "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
constexpr std::string_view kRemoveOrgConnection =
    "DELETE FROM organization_connections WHERE org_id = $1 AND connection_id = $2";
constexpr std::string_view kClearOrgConnections =
    "DELETE FROM organization_connections WHERE org_id = $1";

constexpr std::string_view kConnectionOrgs =
    "SELECT oc.org_id FROM organization_connections oc JOIN organizations o ON o.id = oc.org_id "
    "WHERE oc.connection_id = $1 ORDER BY o.created_at, o.id";
// The IN subquery lets both planners start from organization_jit_email_domains_lower_idx; an
// organization holding the domain in two spellings ("Example.com", "example.com") still comes
// once.
constexpr std::string_view kOrgsByEmailDomain =
    "SELECT o.id FROM organizations o WHERE o.id IN (SELECT j.org_id FROM "
    "organization_jit_email_domains j WHERE LOWER(j.email_domain) = $1) "
    "ORDER BY o.created_at, o.id";

// Appends the connection of `row` to `out`, or only its domain when the row continues the last
// connection (see the joined statements above).
void ReadJoinedRow(const Row& row, std::vector<domain::Connection>& out) {
  std::string_view id = row.GetText(0);
  if (out.empty() || out.back().id.value() != id) {
    domain::Connection c;
    c.id = ConnectionId(id);
    c.name = row.GetString(1);
    c.display_name = row.GetOptString(2);
    c.provider = row.GetString(3);
    c.options = row.GetString(4);
    c.branding = row.GetString(5);
    c.sync_profile = row.GetBool(6);
    c.enable_token_storage = row.GetBool(7);
    c.enabled_applications = row.GetString(8);
    c.created_at = row.GetInt(9);
    out.push_back(std::move(c));
  }
  if (!row.IsNull(kDomainColumn)) out.back().domains.push_back(row.GetString(kDomainColumn));
}

// Runs a joined connection statement.
Result<std::vector<domain::Connection>> QueryConnections(Connection& conn, std::string_view sql,
                                                         std::span<const Param> params) {
  std::vector<domain::Connection> out;
  ORGD_TRY(conn.Query(sql, params, [&](const Row& row) { ReadJoinedRow(row, out); }));
  return out;
}

Result<void> InsertDomains(Connection& conn, const domain::Connection& c) {
  int64_t position = 0;
  for (const std::string& d : c.domains) {
    auto r = conn.Exec(kInsertDomain, {Text(c.id.value()), Text(d), Int(position++)});
    if (!r) return MapConnectionUnique(std::move(r).error());
  }
  return {};
}

}  // namespace

Result<void> SqlStore::InsertConnection(const domain::Connection& c) {
  const std::array<Param, 10> params = {
      Text(c.id.value()),
      Text(c.name),
      OptText(c.display_name),
      Text(c.provider),
      Text(c.options),
      Text(c.branding),
      Bool(c.sync_profile),
      Bool(c.enable_token_storage),
      Text(c.enabled_applications),
      Int(c.created_at),
  };
  return RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    if (auto r = conn.Exec(kInsertConnection, params); !r) {
      return MapConnectionUnique(std::move(r).error());
    }
    return InsertDomains(conn, c);
  });
}

Result<domain::Connection> SqlStore::GetConnection(const ConnectionId& id) {
  std::vector<domain::Connection> found;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    const std::array<Param, 1> params = {Text(id.value())};
    auto r = QueryConnections(conn, kGetConnection, params);
    if (!r) return std::move(r).error();
    found = std::move(*r);
    return {};
  }));
  if (found.empty()) return Error::NotFound("connection");
  return std::move(found.front());
}

Result<std::vector<domain::Connection>> SqlStore::GetConnections(
    const std::vector<ConnectionId>& ids) {
  std::vector<domain::Connection> found;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    found.clear();
    for (const ConnectionId& id : ids) {
      const std::array<Param, 1> params = {Text(id.value())};
      auto r = QueryConnections(conn, kGetConnection, params);
      if (!r) return std::move(r).error();
      for (domain::Connection& c : *r) found.push_back(std::move(c));
    }
    return {};
  }));
  return found;
}

Result<void> SqlStore::UpdateConnection(const domain::Connection& c) {
  const std::array<Param, 8> params = {
      Text(c.id.value()),
      Text(c.name),
      OptText(c.display_name),
      Text(c.options),
      Text(c.branding),
      Bool(c.sync_profile),
      Bool(c.enable_token_storage),
      Text(c.enabled_applications),
  };
  return RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto changed = conn.Exec(kUpdateConnection, params);
    if (!changed) return MapConnectionUnique(std::move(changed).error());
    if (*changed == 0) return Error::NotFound("connection");
    ORGD_TRY(conn.Exec(kClearDomains, {Text(c.id.value())}));
    return InsertDomains(conn, c);
  });
}

Result<void> SqlStore::DeleteConnection(const ConnectionId& id) {
  return Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeleteConnection, {Text(id.value())});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) return Error::NotFound("connection");
    return {};
  });
}

Result<domain::ConnectionPage> SqlStore::ListConnections(const domain::ConnectionListQuery& query) {
  if (query.limit < 0) return Error::InvalidArgument("limit must not be negative", "limit");
  if (query.offset < 0) return Error::InvalidArgument("offset must not be negative", "offset");
  if (query.starting_after && query.ending_before) {
    return Error::InvalidArgument("Only one of starting_after or ending_before may be specified",
                                  "starting_after")
        .WithReason("too_many_parameters");
  }
  const std::optional<ConnectionId>& cursor =
      query.starting_after ? query.starting_after : query.ending_before;
  const bool backwards = query.ending_before.has_value();
  const std::string domain = query.domain ? internal::AsciiLower(*query.domain) : std::string();
  domain::ConnectionPage page;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    page = domain::ConnectionPage{};
    std::optional<int64_t> position;
    if (cursor) {
      ORGD_TRY(conn.Query(kCursorPosition, {Text(cursor->value())},
                          [&](const Row& row) { position = row.GetInt(0); }));
      if (!position) {
        return Error::InvalidArgument("Invalid cursor",
                                      backwards ? "ending_before" : "starting_after")
            .WithReason("invalid_cursor");
      }
    }
    const std::array<Param, 5> params = {
        Text(domain),
        Int(internal::FetchCount(query.limit)),
        Int(query.offset),
        position ? Int(*position) : Param{nullptr},
        cursor ? Text(cursor->value()) : Param{nullptr},
    };
    // PostgreSQL must infer the type of every parameter it gets, so a statement receives
    // exactly the parameters it names.
    const std::span<const Param> bound = std::span(params).first(cursor ? size_t{5} : size_t{3});
    const std::string_view sql = !cursor ? kListFirst : backwards ? kListBefore : kListAfter;
    auto rows = QueryConnections(conn, sql, bound);
    if (!rows) return std::move(rows).error();
    if (static_cast<int64_t>(rows->size()) > query.limit) {
      page.has_more = true;
      // The extra row is the one beyond the page in the direction of travel: the first of the
      // list order when going backwards.
      if (backwards) {
        rows->erase(rows->begin());
      } else {
        rows->pop_back();
      }
    }
    page.items = std::move(*rows);
    if (query.want_total) {
      ORGD_TRY(
          conn.Query(kCount, {Text(domain)}, [&](const Row& row) { page.total = row.GetInt(0); }));
    }
    return {};
  }));
  if (!page.items.empty()) {
    page.last =
        domain::Cursor{std::to_string(page.items.back().created_at), page.items.back().id.value()};
  }
  return page;
}

Result<std::vector<ConnectionId>> SqlStore::AddOrganizationConnections(
    const OrgId& org, const std::vector<ConnectionId>& connections, int64_t now_ms) {
  std::vector<ConnectionId> added;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    added.clear();
    for (const ConnectionId& id : connections) {
      auto changed =
          conn.Exec(kAddOrgConnection, {Text(org.value()), Text(id.value()), Int(now_ms)});
      if (!changed) return std::move(changed).error();
      if (*changed > 0) added.push_back(id);
    }
    return {};
  }));
  return added;
}

Result<void> SqlStore::RemoveOrganizationConnection(const OrgId& org,
                                                    const ConnectionId& connection) {
  return Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kRemoveOrgConnection, {Text(org.value()), Text(connection.value())});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) {
      return Error::NotFound("organization_connection").WithReason("not_assigned");
    }
    return {};
  });
}

Result<void> SqlStore::ClearOrganizationConnections(const OrgId& org) {
  return Run([&](Connection& conn) -> Result<void> {
    ORGD_TRY(conn.Exec(kClearOrgConnections, {Text(org.value())}));
    return {};
  });
}

Result<std::vector<domain::Connection>> SqlStore::ListOrganizationConnections(const OrgId& org) {
  std::vector<domain::Connection> found;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    const std::array<Param, 1> params = {Text(org.value())};
    auto r = QueryConnections(conn, kListOrgConnections, params);
    if (!r) return std::move(r).error();
    found = std::move(*r);
    return {};
  }));
  return found;
}

Result<std::vector<OrgId>> SqlStore::ListConnectionOrganizations(const ConnectionId& connection) {
  std::vector<OrgId> orgs;
  ORGD_TRY(Run([&](Connection& conn) {
    orgs.clear();
    return conn.Query(kConnectionOrgs, {Text(connection.value())},
                      [&](const Row& row) { orgs.emplace_back(row.GetText(0)); });
  }));
  return orgs;
}

Result<std::vector<OrgId>> SqlStore::ListOrganizationsByEmailDomain(
    const std::string& domain_lower) {
  std::vector<OrgId> orgs;
  ORGD_TRY(Run([&](Connection& conn) {
    orgs.clear();
    return conn.Query(kOrgsByEmailDomain, {Text(domain_lower)},
                      [&](const Row& row) { orgs.emplace_back(row.GetText(0)); });
  }));
  return orgs;
}

}  // namespace orgd::store::sql
