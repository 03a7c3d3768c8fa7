#include "store/sql/sql_store.h"

#include <array>
#include <charconv>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/sql/fts_search.h"
#include "store/sql/sql_common.h"

namespace orgd::store::sql {
namespace {

using internal::AsciiLower;
using internal::Flag;
using internal::kJoin;
using internal::MapUnique;
using internal::OptAsciiLower;
using internal::OptBool;
using internal::OptInt;

// The constraints of `organizations` and its domain table, as each engine names them in its
// message: SQLite lists the columns ("UNIQUE constraint failed: organizations.handle_lower"),
// PostgreSQL quotes the constraint ("... unique constraint \"organizations_handle_lower_key\"").
// The names come from migrations/*/0001_init.sql.
Error MapOrganizationUnique(Error error) {
  return MapUnique(std::move(error), "organization",
                   {
                       {"organizations.handle_lower", "handle"},
                       {"\"organizations_handle_lower_key\"", "handle"},
                       {"organizations.external_id", "external_id"},
                       {"\"organizations_external_id_key\"", "external_id"},
                       {"organization_jit_email_domains", "email_domain"},
                       {"organizations.id", "id"},
                       {"\"organizations_pkey\"", "id"},
                   });
}

// A connection wrapper for the callback of a transaction: it remembers the first statement that
// failed, so that a callback which carries on after it can be stopped at commit (see
// SqlStore::InTransaction).
class TrackingConnection final : public Connection {
 public:
  explicit TrackingConnection(Connection& inner) : inner_(inner) {}

  using Connection::Exec;
  using Connection::Query;

  Result<void> Query(std::string_view sql, std::span<const Param> params,
                     const RowCallback& on_row) override {
    return Track(inner_.Query(sql, params, on_row));
  }
  Result<int64_t> Exec(std::string_view sql, std::span<const Param> params) override {
    return Track(inner_.Exec(sql, params));
  }
  Result<void> ExecScript(std::string_view sql) override { return Track(inner_.ExecScript(sql)); }
  Result<void> Begin(TxMode mode) override { return inner_.Begin(mode); }
  Result<void> Commit() override { return inner_.Commit(); }
  void Rollback() override { inner_.Rollback(); }
  Engine engine() const override { return inner_.engine(); }

  const std::optional<Error>& first_failure() const { return first_failure_; }

 private:
  template <typename R>
  R Track(R result) {
    if (!result && !first_failure_) first_failure_ = result.error();
    return result;
  }

  Connection& inner_;
  std::optional<Error> first_failure_;
};

// Every read of an organization selects these columns, in this order (see ReadOrganization).
constexpr std::string_view kSelectOrganizationColumns =
    "SELECT o.id, o.name, o.description, o.custom_data, o.is_mfa_required, o.color, o.branding, "
    "o.custom_css, o.handle, o.external_id, o.is_auto_membership_enabled, "
    "o.is_auto_join_domain_list, o.is_enable_advanced_orgs, o.background_color, o.button_color, "
    "o.button_text_color, o.link_color, o.background_color_dark, o.button_color_dark, "
    "o.button_text_color_dark, o.link_color_dark, o.theme_code, o.sender_name, o.sender_email, "
    "o.is_suspended, o.suspended_at, o.created_at, o.updated_at, o.name_sort";
constexpr int kNameSortColumn = 28;

domain::Organization ReadOrganization(const Row& row) {
  domain::Organization org;
  org.id = OrgId(row.GetText(0));
  org.name = row.GetString(1);
  org.description = row.GetOptString(2);
  org.custom_data = row.GetString(3);
  org.is_mfa_required = row.GetBool(4);
  org.color = row.GetString(5);
  org.branding = row.GetString(6);
  org.custom_css = row.GetOptString(7);
  org.handle = row.GetOptString(8);
  org.external_id = row.GetOptString(9);
  org.is_auto_membership_enabled = row.GetBool(10);
  org.is_auto_join_domain_list = row.GetBool(11);
  org.is_enable_advanced_orgs = row.GetBool(12);
  org.colors.background_color = row.GetOptString(13);
  org.colors.button_color = row.GetOptString(14);
  org.colors.button_text_color = row.GetOptString(15);
  org.colors.link_color = row.GetOptString(16);
  org.colors.background_color_dark = row.GetOptString(17);
  org.colors.button_color_dark = row.GetOptString(18);
  org.colors.button_text_color_dark = row.GetOptString(19);
  org.colors.link_color_dark = row.GetOptString(20);
  org.theme_code = row.GetString(21);
  org.sender_name = row.GetOptString(22);
  org.sender_email = row.GetOptString(23);
  org.is_suspended = row.GetBool(24);
  org.suspended_at = row.GetOptInt(25);
  org.created_at = row.GetInt(26);
  org.updated_at = row.GetInt(27);
  return org;
}

// One statement, so the organization and its domains come from one snapshot without an explicit
// transaction. The LEFT JOIN repeats the organization's columns once per domain; organizations
// have few domains.
constexpr std::string_view kGetOrganizationTail =
    ", d.email_domain FROM organizations o "
    "LEFT JOIN organization_jit_email_domains d ON d.org_id = o.id "
    "WHERE o.id = $1 ORDER BY d.seq, d.email_domain";
constexpr std::string_view kGetOrganization =
    kJoin<kSelectOrganizationColumns, kGetOrganizationTail>;
constexpr int kJoinedDomainColumn = 29;

Result<domain::Organization> GetOrganizationOn(Connection& conn, const OrgId& id) {
  std::optional<domain::Organization> org;
  ORGD_TRY(conn.Query(kGetOrganization, {Text(id.value())}, [&](const Row& row) {
    if (!org) org = ReadOrganization(row);
    if (!row.IsNull(kJoinedDomainColumn)) {
      org->allowed_domains.push_back(row.GetString(kJoinedDomainColumn));
    }
  }));
  if (!org) return Error::NotFound("organization");
  return std::move(*org);
}

// `seq` keeps insertion order; the list is assumed free of duplicates (the primary key would
// refuse one).
constexpr std::string_view kInsertDomain =
    "INSERT INTO organization_jit_email_domains (org_id, email_domain, created_at, seq) "
    "VALUES ($1, $2, $3, $4)";

Result<void> InsertDomainsOn(Connection& conn, const OrgId& id,
                             const std::vector<std::string>& domains, int64_t now_ms) {
  for (size_t i = 0; i < domains.size(); ++i) {
    auto r = conn.Exec(kInsertDomain, {Text(id.value()), Text(domains[i]), Int(now_ms),
                                       Int(static_cast<int64_t>(i) + 1)});
    if (!r) return MapOrganizationUnique(std::move(r).error());
  }
  return {};
}

constexpr std::string_view kInsertOrganization =
    "INSERT INTO organizations (id, name, name_sort, description, custom_data, is_mfa_required, "
    "color, branding, custom_css, handle, handle_lower, external_id, is_auto_membership_enabled, "
    "is_auto_join_domain_list, is_enable_advanced_orgs, background_color, button_color, "
    "button_text_color, link_color, background_color_dark, button_color_dark, "
    "button_text_color_dark, link_color_dark, theme_code, sender_name, sender_email, "
    "is_suspended, suspended_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
    "$9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, "
    "$27, $28, $29, $30)";

// Only engaged fields change. Non-null columns take `COALESCE($n, col)` (NULL = unchanged);
// nullable columns take a flag and a value, `CASE WHEN $flag = 1 THEN $value ELSE col END`, so
// that "set to NULL" and "unchanged" differ. One statement: concurrent patches of different
// fields never overwrite each other, and the row lock it takes orders the domain replacement
// that follows in the same transaction.
constexpr std::string_view kUpdateOrganization =
    "UPDATE organizations SET "
    "name = COALESCE($2, name), "
    "name_sort = COALESCE($3, name_sort), "
    "description = CASE WHEN $4 = 1 THEN $5 ELSE description END, "
    "custom_data = COALESCE($6, custom_data), "
    "is_mfa_required = COALESCE($7, is_mfa_required), "
    "color = COALESCE($8, color), "
    "branding = COALESCE($9, branding), "
    "custom_css = CASE WHEN $10 = 1 THEN $11 ELSE custom_css END, "
    "handle = CASE WHEN $12 = 1 THEN $13 ELSE handle END, "
    "handle_lower = CASE WHEN $12 = 1 THEN $14 ELSE handle_lower END, "
    "external_id = CASE WHEN $15 = 1 THEN $16 ELSE external_id END, "
    "is_auto_membership_enabled = COALESCE($17, is_auto_membership_enabled), "
    "is_auto_join_domain_list = COALESCE($18, is_auto_join_domain_list), "
    "is_enable_advanced_orgs = COALESCE($19, is_enable_advanced_orgs), "
    "background_color = CASE WHEN $20 = 1 THEN $21 ELSE background_color END, "
    "button_color = CASE WHEN $22 = 1 THEN $23 ELSE button_color END, "
    "button_text_color = CASE WHEN $24 = 1 THEN $25 ELSE button_text_color END, "
    "link_color = CASE WHEN $26 = 1 THEN $27 ELSE link_color END, "
    "background_color_dark = CASE WHEN $28 = 1 THEN $29 ELSE background_color_dark END, "
    "button_color_dark = CASE WHEN $30 = 1 THEN $31 ELSE button_color_dark END, "
    "button_text_color_dark = CASE WHEN $32 = 1 THEN $33 ELSE button_text_color_dark END, "
    "link_color_dark = CASE WHEN $34 = 1 THEN $35 ELSE link_color_dark END, "
    "theme_code = COALESCE($36, theme_code), "
    "sender_name = CASE WHEN $37 = 1 THEN $38 ELSE sender_name END, "
    "sender_email = CASE WHEN $39 = 1 THEN $40 ELSE sender_email END, "
    "is_suspended = COALESCE($41, is_suspended), "
    "suspended_at = CASE WHEN $42 = 1 THEN $43 ELSE suspended_at END, "
    "updated_at = $44 "
    "WHERE id = $1";

constexpr std::string_view kDeleteDomains =
    "DELETE FROM organization_jit_email_domains WHERE org_id = $1";

// Rows of organization_jit_email_domains and of every other organization-scoped table go with
// the organization through ON DELETE CASCADE.
constexpr std::string_view kDeleteOrganization = "DELETE FROM organizations WHERE id = $1";

// List statements. Parameters: $1 search pattern, $2 row limit, $3 offset and, after a cursor,
// $4 its sort key and $5 its id.
//
// The search is `LIKE` against the id and the ASCII-lower-cased name with an ASCII-lower-cased
// pattern, so it is case-insensitive on both engines without ILIKE (SQLite's LIKE also folds
// ASCII; PostgreSQL's LIKE compares exactly, and ids are lower-case). The contract's quirk is
// that % and _ in q are wildcards, as in Logto's `ILIKE '%' || q || '%'`; ESCAPE '\' gives
// SQLite the backslash escape that PostgreSQL's LIKE has by default, so that one matches too.
// Keyset predicates are written `key >= $4 AND (key > $4 OR id > $5)` rather than as row values
// `(key, id) > ($4, $5)`: the same rows, the descending order reads the same way, and the leading
// range lets both planners seek into the (key, id) index instead of filtering from its start.
constexpr std::string_view kListFrom =
    " FROM organizations o WHERE (o.id LIKE $1 ESCAPE '\\' OR o.name_sort LIKE $1 ESCAPE '\\')";
// SQLite only: the narrowing of a search by organizations_fts (src/store/sql/fts_search.h), $6
// its MATCH expression. These statements are bound with all six parameters.
constexpr std::string_view kListFts =
    " AND o.rowid IN (SELECT rowid FROM organizations_fts WHERE organizations_fts MATCH $6)";
constexpr std::string_view kAfterCreated =
    " AND o.created_at >= $4 AND (o.created_at > $4 OR o.id > $5)";
constexpr std::string_view kAfterNameAsc =
    " AND o.name_sort >= $4 AND (o.name_sort > $4 OR o.id > $5)";
constexpr std::string_view kAfterNameDesc =
    " AND o.name_sort <= $4 AND (o.name_sort < $4 OR o.id < $5)";
constexpr std::string_view kOrderCreated = " ORDER BY o.created_at, o.id LIMIT $2 OFFSET $3";
constexpr std::string_view kOrderNameAsc = " ORDER BY o.name_sort, o.id LIMIT $2 OFFSET $3";
constexpr std::string_view kOrderNameDesc =
    " ORDER BY o.name_sort DESC, o.id DESC LIMIT $2 OFFSET $3";

// Every organization (no search): the search without its LIKE predicate. $1 is still bound (to
// "%%") so that these statements take the parameters of the search statements; a term that names
// no column is evaluated once, not per row, by both engines.
constexpr std::string_view kListFromAll = " FROM organizations o WHERE CAST($1 AS TEXT) = '%%'";
constexpr std::string_view kListFromFts = kJoin<kListFrom, kListFts>;

// The six list statements (three orders, each from the start or after a cursor) over one FROM
// clause.
template <const std::string_view& From>
struct OrgListStatements {
  static constexpr std::string_view kCreated =
      kJoin<kSelectOrganizationColumns, From, kOrderCreated>;
  static constexpr std::string_view kCreatedAfter =
      kJoin<kSelectOrganizationColumns, From, kAfterCreated, kOrderCreated>;
  static constexpr std::string_view kNameAsc =
      kJoin<kSelectOrganizationColumns, From, kOrderNameAsc>;
  static constexpr std::string_view kNameAscAfter =
      kJoin<kSelectOrganizationColumns, From, kAfterNameAsc, kOrderNameAsc>;
  static constexpr std::string_view kNameDesc =
      kJoin<kSelectOrganizationColumns, From, kOrderNameDesc>;
  static constexpr std::string_view kNameDescAfter =
      kJoin<kSelectOrganizationColumns, From, kAfterNameDesc, kOrderNameDesc>;

  static std::string_view Pick(domain::OrgSort sort, bool after) {
    switch (sort) {
      case domain::OrgSort::kCreatedAsc: return after ? kCreatedAfter : kCreated;
      case domain::OrgSort::kNameAsc: return after ? kNameAscAfter : kNameAsc;
      case domain::OrgSort::kNameDesc: return after ? kNameDescAfter : kNameDesc;
    }
    return kCreated;
  }
};

constexpr std::string_view kCountPrefix = "SELECT COUNT(*)";
constexpr std::string_view kCountOrganizations = kJoin<kCountPrefix, kListFrom>;
constexpr std::string_view kCountOrganizationsFts = kJoin<kCountPrefix, kListFrom, kListFts>;
// The number of organizations, kept by triggers (migrations/*/0011_row_counts.sql).
constexpr std::string_view kOrganizationsRowCount =
    "SELECT n FROM row_counts WHERE name = 'organizations'";

// Domains of a page's organizations, kDomainBatch organizations per query (unused slots are bound
// to NULL, which matches nothing), instead of one query per organization.
constexpr size_t kDomainBatch = 32;
constexpr std::string_view kListDomainsOfOrganizations =
    "SELECT org_id, email_domain FROM organization_jit_email_domains WHERE org_id IN ("
    "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
    "$17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32) "
    "ORDER BY org_id, seq, email_domain";

// How a list statement selects its rows: every organization, a LIKE search over all rows, or a
// LIKE search narrowed by the FTS table.
enum class ListFilter { kAll, kSearch, kSearchFts };

std::string_view ListStatement(domain::OrgSort sort, bool after, ListFilter filter) {
  switch (filter) {
    case ListFilter::kAll: return OrgListStatements<kListFromAll>::Pick(sort, after);
    case ListFilter::kSearchFts: return OrgListStatements<kListFromFts>::Pick(sort, after);
    case ListFilter::kSearch: break;
  }
  return OrgListStatements<kListFrom>::Pick(sort, after);
}

Result<void> LoadDomainsOn(Connection& conn, std::vector<domain::Organization>& orgs) {
  std::unordered_map<std::string_view, domain::Organization*> by_id;
  for (domain::Organization& org : orgs) by_id.emplace(org.id.value(), &org);
  for (size_t start = 0; start < orgs.size(); start += kDomainBatch) {
    std::array<Param, kDomainBatch> ids;
    ids.fill(nullptr);
    for (size_t i = 0; i < kDomainBatch && start + i < orgs.size(); ++i) {
      ids[i] = Text(orgs[start + i].id.value());
    }
    ORGD_TRY(conn.Query(kListDomainsOfOrganizations, ids, [&](const Row& row) {
      if (auto it = by_id.find(row.GetText(0)); it != by_id.end()) {
        it->second->allowed_domains.push_back(row.GetString(1));
      }
    }));
  }
  return {};
}

// A client's secret_version is drawn from the clients revision, raised first in the same
// transaction: versions grow, and are never reused, even by a client re-created under the id of
// a deleted one.
constexpr std::string_view kInsertClient =
    "INSERT INTO clients (id, name, secret_hash, scopes, created_at, secret_version) "
    "VALUES ($1, $2, $3, $4, $5, (SELECT value FROM revisions WHERE name = 'clients'))";
// An overwrite that changes the secret moves secret_version on, so that the old secret's tokens
// die; one that keeps the hash keeps the version.
constexpr std::string_view kUpsertClient =
    "INSERT INTO clients (id, name, secret_hash, scopes, created_at, secret_version) "
    "VALUES ($1, $2, $3, $4, $5, (SELECT value FROM revisions WHERE name = 'clients')) "
    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, secret_hash = excluded.secret_hash, "
    "scopes = excluded.scopes, created_at = excluded.created_at, "
    "secret_version = CASE WHEN clients.secret_hash = excluded.secret_hash "
    "THEN clients.secret_version ELSE excluded.secret_version END";
constexpr std::string_view kGetClient =
    "SELECT id, name, secret_hash, scopes, created_at, secret_version FROM clients WHERE id = $1";
constexpr std::string_view kListClients =
    "SELECT id, name, secret_hash, scopes, created_at, secret_version FROM clients ORDER BY id";
constexpr std::string_view kCountClients = "SELECT COUNT(*) FROM clients";
constexpr std::string_view kDeleteClient = "DELETE FROM clients WHERE id = $1";
constexpr std::string_view kRotateClientSecret =
    "UPDATE clients SET secret_hash = $2, "
    "secret_version = (SELECT value FROM revisions WHERE name = 'clients') WHERE id = $1";
constexpr std::string_view kBumpClientsRevision =
    "UPDATE revisions SET value = value + 1 WHERE name = 'clients'";
constexpr std::string_view kClientsRevision = "SELECT value FROM revisions WHERE name = 'clients'";

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const std::string& scope : scopes) {
    if (!out.empty()) out += ' ';
    out += scope;
  }
  return out;
}

std::vector<std::string> SplitScopes(std::string_view text) {
  std::vector<std::string> scopes;
  while (!text.empty()) {
    size_t space = text.find(' ');
    if (space != 0) scopes.emplace_back(text.substr(0, space));
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return scopes;
}

Result<int64_t> ExecClientWrite(Connection& conn, std::string_view sql, const ClientRecord& c) {
  const std::string scopes = JoinScopes(c.scopes);
  auto r = conn.Exec(sql, {Text(c.id.value()), Text(c.name), Text(c.secret_hash), Text(scopes),
                           Int(c.created_at)});
  if (!r) return MapUnique(std::move(r).error(), "client", {{"", "id"}});
  return r;
}

ClientRecord ClientFromRow(const Row& row) {
  return ClientRecord{
      .id = ClientId(row.GetText(0)),
      .name = row.GetString(1),
      .secret_hash = row.GetString(2),
      .scopes = SplitScopes(row.GetText(3)),
      .created_at = row.GetInt(4),
      .secret_version = row.GetInt(5),
  };
}

constexpr std::string_view kListSigningKeys =
    "SELECT kid, algorithm, private_pem, created_at, retired_at FROM signing_keys "
    "ORDER BY created_at DESC, kid DESC";
constexpr std::string_view kInsertSigningKey =
    "INSERT INTO signing_keys (kid, algorithm, private_pem, created_at, retired_at) "
    "VALUES ($1, $2, $3, $4, $5)";
constexpr std::string_view kRetireSigningKeys =
    "UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL";
constexpr std::string_view kReplaceSigningKeyMaterial =
    "UPDATE signing_keys SET private_pem = $3 WHERE kid = $1 AND private_pem = $2";

}  // namespace

SqlStore::SqlStore(Database& db) : db_(db) {}
SqlStore::SqlStore(Database& db, Connection& bound) : db_(db), bound_(&bound) {}

Result<void> SqlStore::Run(const ConnFn& fn) {
  if (bound_ != nullptr) return fn(*bound_);
  auto lease = db_.Acquire();
  if (!lease) return std::move(lease).error();
  return fn(**lease);
}

Result<void> SqlStore::TransactionOn(Connection& conn, TxMode mode, const ConnFn& fn) {
  ORGD_TRY(conn.Begin(mode));
  TrackingConnection tracked(conn);
  Result<void> r = fn(tracked);
  if (r && tracked.first_failure()) {
    r = Error::Internal("a transaction went on after a failed statement",
                        tracked.first_failure()->message + ": " + tracked.first_failure()->detail);
  }
  if (!r) {
    conn.Rollback();
    return r;
  }
  if (auto c = conn.Commit(); !c) {
    conn.Rollback();
    return c;
  }
  return {};
}

Result<void> SqlStore::RunInTransaction(TxMode mode, const ConnFn& fn) {
  if (bound_ != nullptr) return fn(*bound_);
  Result<void> result;
  for (int attempt = 1;; ++attempt) {
    result = [&]() -> Result<void> {
      auto lease = db_.Acquire();
      if (!lease) return std::move(lease).error();
      return TransactionOn(**lease, mode, fn);
    }();
    if (result || result.error().code != ErrorCode::kAborted ||
        attempt >= kMaxTransactionAttempts) {
      return result;
    }
  }
}

Result<void> SqlStore::InTransaction(TxMode mode, const std::function<Result<void>(Store&)>& fn) {
  if (bound_ != nullptr) return fn(*this);
  return RunInTransaction(mode, [&](Connection& conn) {
    SqlStore bound(db_, conn);
    return fn(bound);
  });
}

bool SqlStore::Ping() { return db_.Ping(); }

Result<void> SqlStore::InsertOrganization(const domain::Organization& org) {
  const std::string name_sort = AsciiLower(org.name);
  const std::optional<std::string> handle_lower = OptAsciiLower(org.handle);
  const domain::BrandColors& c = org.colors;
  const std::array<Param, 30> params = {
      Text(org.id.value()),
      Text(org.name),
      Text(name_sort),
      OptText(org.description),
      Text(org.custom_data),
      Bool(org.is_mfa_required),
      Text(org.color),
      Text(org.branding),
      OptText(org.custom_css),
      OptText(org.handle),
      OptText(handle_lower),
      OptText(org.external_id),
      Bool(org.is_auto_membership_enabled),
      Bool(org.is_auto_join_domain_list),
      Bool(org.is_enable_advanced_orgs),
      OptText(c.background_color),
      OptText(c.button_color),
      OptText(c.button_text_color),
      OptText(c.link_color),
      OptText(c.background_color_dark),
      OptText(c.button_color_dark),
      OptText(c.button_text_color_dark),
      OptText(c.link_color_dark),
      Text(org.theme_code),
      OptText(org.sender_name),
      OptText(org.sender_email),
      Bool(org.is_suspended),
      OptInt(org.suspended_at),
      Int(org.created_at),
      Int(org.updated_at),
  };
  return RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    if (auto r = conn.Exec(kInsertOrganization, params); !r) {
      return MapOrganizationUnique(std::move(r).error());
    }
    return InsertDomainsOn(conn, org.id, org.allowed_domains, org.created_at);
  });
}

Result<domain::Organization> SqlStore::GetOrganization(const OrgId& id) {
  std::optional<domain::Organization> org;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    auto r = GetOrganizationOn(conn, id);
    if (!r) return std::move(r).error();
    org = std::move(*r);
    return {};
  }));
  return std::move(*org);
}

Result<domain::Organization> SqlStore::UpdateOrganization(const OrgId& id,
                                                          const domain::OrganizationPatch& patch,
                                                          int64_t now_ms) {
  using Nullable = std::optional<std::optional<std::string>>;
  const auto flag = [](const Nullable& field) { return Flag(field.has_value()); };
  const auto value = [](const Nullable& field) { return field ? OptText(*field) : Param{nullptr}; };
  const auto text = [](const std::optional<std::string>& field) { return OptText(field); };

  const std::optional<std::string> name_sort =
      patch.name ? std::optional(AsciiLower(*patch.name)) : std::nullopt;
  const std::optional<std::string> handle_lower =
      patch.handle ? OptAsciiLower(*patch.handle) : std::nullopt;
  const std::array<Param, 44> params = {
      Text(id.value()),
      text(patch.name),
      text(name_sort),
      flag(patch.description),
      value(patch.description),
      text(patch.custom_data),
      OptBool(patch.is_mfa_required),
      text(patch.color),
      text(patch.branding),
      flag(patch.custom_css),
      value(patch.custom_css),
      flag(patch.handle),
      value(patch.handle),
      OptText(handle_lower),
      flag(patch.external_id),
      value(patch.external_id),
      OptBool(patch.is_auto_membership_enabled),
      OptBool(patch.is_auto_join_domain_list),
      OptBool(patch.is_enable_advanced_orgs),
      flag(patch.background_color),
      value(patch.background_color),
      flag(patch.button_color),
      value(patch.button_color),
      flag(patch.button_text_color),
      value(patch.button_text_color),
      flag(patch.link_color),
      value(patch.link_color),
      flag(patch.background_color_dark),
      value(patch.background_color_dark),
      flag(patch.button_color_dark),
      value(patch.button_color_dark),
      flag(patch.button_text_color_dark),
      value(patch.button_text_color_dark),
      flag(patch.link_color_dark),
      value(patch.link_color_dark),
      text(patch.theme_code),
      flag(patch.sender_name),
      value(patch.sender_name),
      flag(patch.sender_email),
      value(patch.sender_email),
      OptBool(patch.is_suspended),
      Flag(patch.suspended_at.has_value()),
      patch.suspended_at ? OptInt(*patch.suspended_at) : Param{nullptr},
      Int(now_ms),
  };

  std::optional<domain::Organization> updated;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto changed = conn.Exec(kUpdateOrganization, params);
    if (!changed) return MapOrganizationUnique(std::move(changed).error());
    if (*changed == 0) return Error::NotFound("organization");
    if (patch.allowed_domains) {
      ORGD_TRY(conn.Exec(kDeleteDomains, {Text(id.value())}));
      ORGD_TRY(InsertDomainsOn(conn, id, *patch.allowed_domains, now_ms));
    }
    auto org = GetOrganizationOn(conn, id);
    if (!org) return std::move(org).error();
    updated = std::move(*org);
    return {};
  }));
  return std::move(*updated);
}

Result<void> SqlStore::DeleteOrganization(const OrgId& id) {
  return Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeleteOrganization, {Text(id.value())});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) return Error::NotFound("organization");
    return {};
  });
}

Result<domain::OrganizationPage> SqlStore::ListOrganizations(
    const domain::OrganizationListQuery& query) {
  if (query.limit < 0) return Error::InvalidArgument("limit must not be negative", "limit");
  if (query.offset < 0) return Error::InvalidArgument("offset must not be negative", "offset");

  const bool by_created = query.sort == domain::OrgSort::kCreatedAsc;
  int64_t after_created = 0;
  if (query.after && by_created) {
    const std::string& key = query.after->sort_key;
    auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), after_created);
    if (ec != std::errc() || end != key.data() + key.size() || key.empty()) {
      return Error::InvalidArgument("invalid cursor", "after");
    }
  }

  // One row beyond the page tells whether there is more.
  const int64_t fetch =
      query.limit == std::numeric_limits<int64_t>::max() ? query.limit : query.limit + 1;
  const std::string pattern = "%" + AsciiLower(query.q) + "%";
  // SQLite narrows a search by its FTS table; never PostgreSQL (its pg_trgm indexes serve LIKE).
  std::optional<std::string> fts;
  std::array<Param, 6> params = {
      Text(pattern),
      Int(fetch),
      Int(query.offset),
      query.after ? (by_created ? Int(after_created) : Text(query.after->sort_key))
                  : Param{nullptr},
      query.after ? Text(query.after->id) : Param{nullptr},
      nullptr,
  };

  domain::OrganizationPage page;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    if (conn.engine() == Engine::kSqlite) {
      fts = internal::FtsLike(pattern, internal::LikeEscape::kBackslash);
    }
    params[5] = fts ? Text(*fts) : Param{nullptr};
    // PostgreSQL must be able to infer the type of every parameter it is given, so a statement
    // receives exactly the parameters it names.
    const std::span<const Param> bound =
        std::span(params).first(fts ? size_t{6} : query.after ? size_t{5} : size_t{3});
    page = domain::OrganizationPage{};
    // The page goes through the FTS table when the matches are few (see internal::kDenseHits):
    // counted exactly when the total is wanted anyway (through the FTS table, which costs less
    // than reading every row even when they are many), else estimated by the FTS hits.
    // A count the caller knows (its search index) replaces both.
    const bool use_known = !query.q.empty() && query.known_matches.has_value();
    const int64_t known = use_known ? *query.known_matches : 0;
    bool narrow = false;
    if (fts && use_known) {
      narrow = known < internal::kDenseHits;
    } else if (fts && query.want_total) {
      ORGD_TRY(conn.Query(kCountOrganizationsFts, bound,
                          [&](const Row& row) { page.total = row.GetInt(0); }));
      narrow = page.total < internal::kDenseHits;
    } else if (fts) {
      auto few = internal::FewFtsHits(conn, internal::kOrganizationsFtsProbe, *fts);
      if (!few) return std::move(few).error();
      narrow = *few;
    }
    const ListFilter filter = query.q.empty() ? ListFilter::kAll
                              : narrow        ? ListFilter::kSearchFts
                                              : ListFilter::kSearch;
    const std::string_view sql = ListStatement(query.sort, query.after.has_value(), filter);
    std::string last_name_sort;
    ORGD_TRY(conn.Query(sql, bound, [&](const Row& row) {
      if (static_cast<int64_t>(page.items.size()) == query.limit) {
        page.has_more = true;
        return;
      }
      page.items.push_back(ReadOrganization(row));
      last_name_sort = row.GetString(kNameSortColumn);
    }));
    if (!page.items.empty()) {
      const domain::Organization& last = page.items.back();
      page.last = domain::OrgCursor{
          .sort_key = by_created ? std::to_string(last.created_at) : last_name_sort,
          .id = last.id.value(),
      };
    }
    if (query.want_total && use_known) {
      page.total = known;
    } else if (query.want_total && query.q.empty()) {
      ORGD_TRY(conn.Query(kOrganizationsRowCount, {},
                          [&](const Row& row) { page.total = row.GetInt(0); }));
    } else if (query.want_total && !fts) {
      ORGD_TRY(conn.Query(kCountOrganizations, {Text(pattern)},
                          [&](const Row& row) { page.total = row.GetInt(0); }));
    }
    return LoadDomainsOn(conn, page.items);
  }));
  return page;
}

namespace {

// The search texts of organizations (store.h). name_sort is the ASCII-lower-cased name, which
// both engines' LIKE compares as it is; the id is folded here as the engine's LIKE folds it.
constexpr std::string_view kListOrganizationSearchTexts =
    "SELECT id, name_sort FROM organizations WHERE id > $1 ORDER BY id LIMIT $2";
constexpr std::string_view kGetOrganizationSearchTexts =
    "SELECT id, name_sort FROM organizations WHERE id IN ("
    "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
    "$17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)";
constexpr size_t kSearchTextBatch = 32;

domain::OrganizationSearchText ReadSearchText(const Row& row, Engine engine) {
  std::string id = row.GetString(0);
  std::string id_text = engine == Engine::kSqlite ? AsciiLower(id) : id;
  return domain::OrganizationSearchText{
      .id = OrgId(std::move(id)), .id_text = std::move(id_text), .name_text = row.GetString(1)};
}

}  // namespace

Result<std::vector<domain::OrganizationSearchText>> SqlStore::ListOrganizationSearchTexts(
    const std::string& after_id, int64_t limit) {
  if (limit < 0) return Error::InvalidArgument("limit must not be negative", "limit");
  std::vector<domain::OrganizationSearchText> out;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    out.clear();
    return conn.Query(kListOrganizationSearchTexts, {Text(after_id), Int(limit)},
                      [&](const Row& row) { out.push_back(ReadSearchText(row, conn.engine())); });
  }));
  return out;
}

Result<std::vector<domain::OrganizationSearchText>> SqlStore::GetOrganizationSearchTexts(
    const std::vector<OrgId>& ids) {
  std::vector<domain::OrganizationSearchText> out;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    out.clear();
    for (size_t begin = 0; begin < ids.size(); begin += kSearchTextBatch) {
      std::array<Param, kSearchTextBatch> params;
      params.fill(nullptr);
      for (size_t i = begin; i < std::min(ids.size(), begin + kSearchTextBatch); ++i) {
        params[i - begin] = Text(ids[i].value());
      }
      ORGD_TRY(conn.Query(kGetOrganizationSearchTexts, params, [&](const Row& row) {
        out.push_back(ReadSearchText(row, conn.engine()));
      }));
    }
    return {};
  }));
  return out;
}

// Every client write raises the clients revision in its own transaction, so that another
// process polling the revision learns of it (auth::ClientVersions).
Result<void> SqlStore::InsertClient(const ClientRecord& client) {
  return RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    ORGD_TRY(conn.Exec(kBumpClientsRevision, {}));
    ORGD_TRY(ExecClientWrite(conn, kInsertClient, client));
    return {};
  });
}

Result<void> SqlStore::UpsertClient(const ClientRecord& client) {
  return RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    ORGD_TRY(conn.Exec(kBumpClientsRevision, {}));
    ORGD_TRY(ExecClientWrite(conn, kUpsertClient, client));
    return {};
  });
}

Result<ClientRecord> SqlStore::GetClient(const ClientId& id) {
  std::optional<ClientRecord> client;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kGetClient, {Text(id.value())},
                      [&](const Row& row) { client = ClientFromRow(row); });
  }));
  if (!client) return Error::NotFound("client");
  return std::move(*client);
}

Result<std::vector<ClientRecord>> SqlStore::ListClients() {
  std::vector<ClientRecord> clients;
  ORGD_TRY(Run([&](Connection& conn) {
    clients.clear();
    return conn.Query(kListClients, {},
                      [&](const Row& row) { clients.push_back(ClientFromRow(row)); });
  }));
  return clients;
}

Result<ClientRecord> SqlStore::RotateClientSecret(const ClientId& id,
                                                  const std::string& secret_hash) {
  std::optional<ClientRecord> client;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    client.reset();
    ORGD_TRY(conn.Exec(kBumpClientsRevision, {}));
    auto changed = conn.Exec(kRotateClientSecret, {Text(id.value()), Text(secret_hash)});
    if (!changed) return std::move(changed).error();
    if (*changed == 0) return Error::NotFound("client");
    return conn.Query(kGetClient, {Text(id.value())},
                      [&](const Row& row) { client = ClientFromRow(row); });
  }));
  if (!client) return Error::NotFound("client");
  return std::move(*client);
}

Result<int64_t> SqlStore::ClientsRevision() {
  int64_t revision = 0;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kClientsRevision, {}, [&](const Row& row) { revision = row.GetInt(0); });
  }));
  return revision;
}

Result<int64_t> SqlStore::CountClients() {
  int64_t count = 0;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kCountClients, {}, [&](const Row& row) { count = row.GetInt(0); });
  }));
  return count;
}

Result<void> SqlStore::DeleteClient(const ClientId& id) {
  return RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeleteClient, {Text(id.value())});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) return Error::NotFound("client");
    ORGD_TRY(conn.Exec(kBumpClientsRevision, {}));
    return {};
  });
}

Result<std::vector<SigningKeyRecord>> SqlStore::ListSigningKeys() {
  std::vector<SigningKeyRecord> keys;
  ORGD_TRY(Run([&](Connection& conn) {
    keys.clear();
    return conn.Query(kListSigningKeys, {}, [&](const Row& row) {
      keys.push_back(SigningKeyRecord{
          .kid = row.GetString(0),
          .algorithm = row.GetString(1),
          .private_pem = row.GetString(2),
          .created_at = row.GetInt(3),
          .retired_at = row.GetOptInt(4),
      });
    });
  }));
  return keys;
}

Result<void> SqlStore::InsertSigningKey(const SigningKeyRecord& key) {
  return Run([&](Connection& conn) -> Result<void> {
    auto r =
        conn.Exec(kInsertSigningKey, {Text(key.kid), Text(key.algorithm), Text(key.private_pem),
                                      Int(key.created_at), OptInt(key.retired_at)});
    if (!r) return MapUnique(std::move(r).error(), "signing_key", {{"", "kid"}});
    return {};
  });
}

Result<void> SqlStore::InsertActiveSigningKey(const SigningKeyRecord& key) {
  return RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    ORGD_TRY(conn.Exec(kRetireSigningKeys, {Int(key.created_at)}));
    auto r = conn.Exec(kInsertSigningKey, {Text(key.kid), Text(key.algorithm),
                                           Text(key.private_pem), Int(key.created_at), nullptr});
    if (!r) return MapUnique(std::move(r).error(), "signing_key", {{"", "kid"}});
    return {};
  });
}

Result<bool> SqlStore::ReplaceSigningKeyMaterial(const std::string& kid,
                                                 const std::string& expected,
                                                 const std::string& replacement) {
  bool replaced = false;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    auto changed =
        conn.Exec(kReplaceSigningKeyMaterial, {Text(kid), Text(expected), Text(replacement)});
    if (!changed) return std::move(changed).error();
    replaced = *changed > 0;
    return {};
  }));
  return replaced;
}

}  // namespace orgd::store::sql
