#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "domain/model/organization.h"
#include "store/db.h"
#include "store/store.h"
#include "store/tx_mode.h"

namespace orgd::store::sql {

// The one Store implementation: all SQL of the service, written once for both engines and run
// through a Database driver. The schema must be migrated (Migrate) before use.
//
// A store built from a Database draws a connection from the pool for each call and is
// thread-safe. Calls that run several statements (insert and update of an organization, lists)
// run them in one transaction of their own, retried on kAborted like InTransaction; the other
// calls are single statements. The store handed to an InTransaction callback is bound
// to that transaction's connection and belongs to the callback's thread.
//
// Failures: kUnavailable (database unreachable, or no pooled connection came free in time),
// kAborted (a concurrent writer won; retryable), kInternal (anything else), plus the codes listed
// per method in store.h.
class SqlStore final : public Store {
 public:
  // `db` must outlive the store and every store it hands to InTransaction callbacks.
  explicit SqlStore(Database& db);
  SqlStore(const SqlStore&) = delete;
  SqlStore& operator=(const SqlStore&) = delete;

  // Organizations. Name sorting, search and the handle's case-insensitive uniqueness fold ASCII
  // letters only, identically on both engines. allowed_domains (on insert, and in a patch) must
  // hold no duplicates: one fails with kAlreadyExists, subject "organization", reason
  // "email_domain". ListOrganizations: kInvalidArgument (subject "limit", "offset" or "after") for
  // a negative limit or offset, or for an `after` cursor whose sort_key is not a decimal number in
  // creation order; `offset` also applies after an `after` cursor.
  Result<void> InsertOrganization(const domain::Organization& org) override;
  Result<domain::Organization> GetOrganization(const OrgId& id) override;
  Result<domain::Organization> UpdateOrganization(const OrgId& id,
                                                  const domain::OrganizationPatch& patch,
                                                  int64_t now_ms) override;
  Result<void> DeleteOrganization(const OrgId& id) override;
  Result<domain::OrganizationPage> ListOrganizations(
      const domain::OrganizationListQuery& query) override;

  // Clients. Scopes are stored space-separated, so a scope must not contain a space.
  Result<void> InsertClient(const ClientRecord& client) override;
  Result<void> UpsertClient(const ClientRecord& client) override;
  Result<ClientRecord> GetClient(const ClientId& id) override;
  Result<int64_t> CountClients() override;
  Result<void> DeleteClient(const ClientId& id) override;

  // Signing keys, newest (created_at, then kid) first. InsertSigningKey: kAlreadyExists (subject
  // "signing_key", reason "kid") when the kid is taken.
  Result<std::vector<SigningKeyRecord>> ListSigningKeys() override;
  Result<void> InsertSigningKey(const SigningKeyRecord& key) override;

  // Runs `fn` on one connection inside Begin(mode) … Commit, with a store bound to it, and rolls
  // back when `fn` fails. The whole transaction, `fn` included, is retried up to 3 attempts in
  // all while the failure is kAborted, so `fn` must be safe to run again. Called on a bound store
  // (nested), it runs `fn` in the enclosing transaction, whatever `mode`; an error of the nested
  // `fn` is simply returned, and rolls everything back only when the outer callback returns it.
  //
  // Inside `fn`, use only the store it receives: this store would borrow a second connection,
  // outside the transaction (on ":memory:", with its single connection, that waits for the
  // pool's acquire timeout and fails with kUnavailable).
  //
  // A callback must return an error once a statement inside it failed: PostgreSQL aborts the
  // transaction at the first failed statement, so carrying on (say, after a kAlreadyExists) works
  // on neither engine. To keep SQLite from hiding that, a transaction whose callback succeeded
  // after a failed statement is rolled back and reported as kInternal.
  Result<void> InTransaction(TxMode mode, const std::function<Result<void>(Store&)>& fn) override;
  bool Ping() override;

  static constexpr int kMaxTransactionAttempts = 3;

 private:
  using ConnFn = std::function<Result<void>(Connection&)>;

  SqlStore(Database& db, Connection& bound);

  // Runs `fn` on the bound connection, or else on a pooled one outside any explicit transaction
  // (for single statements, which are atomic on their own).
  Result<void> Run(const ConnFn& fn);
  // Runs `fn` on the bound connection, or else in a transaction of its own (with retries).
  Result<void> RunInTransaction(TxMode mode, const ConnFn& fn);

  Database& db_;
  Connection* bound_ = nullptr;  // set on stores handed to InTransaction callbacks
};

}  // namespace orgd::store::sql
