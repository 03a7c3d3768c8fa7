#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "domain/model/organization.h"
#include "store/feature_flag_store.h"
#include "store/membership_store.h"
#include "store/property_store.h"
#include "store/resource_store.h"
#include "store/role_store.h"
#include "store/tx_mode.h"
#include "store/user_store.h"
#include "store/connection_store.h"
#include "store/invitation_store.h"
// area:connections-include
#include "store/organization_settings_store.h"
// area:settings-include
#include "store/import_store.h"

// Storage interfaces, in domain terms only. One implementation exists: the SQL store
// (src/store/sql) over a Database driver (SQLite or PostgreSQL). Every method is thread-safe on a
// pool-backed store; a store handed to an InTransaction callback belongs to that callback's thread.
// Database failures come back as kUnavailable (database unreachable), kAborted (a concurrent writer
// won; retryable) or kInternal.
namespace orgd::store {

// A Management API client: machine credentials with granted scopes.
struct ClientRecord {
  ClientId id;
  std::string name;
  std::string secret_hash;  // PHC-formatted slow hash; never the secret itself
  std::vector<std::string> scopes;
  int64_t created_at = 0;
  // Assigned by the store on every write that sets a new secret (insert, rotation, an upsert that
  // changes the hash), from a counter that only grows: never reused, even under the id of a
  // deleted client. Tokens carry it (claim "cv") and die when it moves on. Ignored on write.
  int64_t secret_version = 0;
};

// A token-signing key pair. `private_pem` holds the private key sealed with the key-encryption
// key (auth/kek.h: "kek1:<nonce>:<ciphertext>"), or PKCS#8 PEM text in rows written before
// keys were encrypted (sealed in place on the next start).
struct SigningKeyRecord {
  std::string kid;
  std::string algorithm;  // "RS256"
  std::string private_pem;
  int64_t created_at = 0;
  std::optional<int64_t> retired_at;  // no longer signs; still published until its tokens expire
};

class OrganizationStore {
 public:
  virtual ~OrganizationStore() = default;

  // Inserts a new organization, including its allowed_domains. kAlreadyExists with subject
  // "organization" and reason "id", "handle" or "external_id" on a clash.
  virtual Result<void> InsertOrganization(const domain::Organization& org) = 0;
  // kNotFound (subject "organization") when absent.
  virtual Result<domain::Organization> GetOrganization(const OrgId& id) = 0;
  // Applies the engaged fields of `patch`, sets updated_at = now, and returns the row as stored.
  // kNotFound when absent; kAlreadyExists (reason "handle" / "external_id") on a clash.
  virtual Result<domain::Organization> UpdateOrganization(const OrgId& id,
                                                          const domain::OrganizationPatch& patch,
                                                          int64_t now_ms) = 0;
  // Deletes the organization and every row that belongs to it. kNotFound when absent.
  virtual Result<void> DeleteOrganization(const OrgId& id) = 0;
  virtual Result<domain::OrganizationPage> ListOrganizations(
      const domain::OrganizationListQuery& query) = 0;

  // The texts a `q` search compares (OrganizationListQuery::q), for an in-memory search index
  // (domain/org_search_index.h): `id_text` and `name_text` as this engine's LIKE compares them,
  // such that the ASCII-lower-cased pattern of ListOrganizations matches the organization iff it
  // matches one of the two texts byte for byte (`%` any run, `_` one code point, `\` escapes).
  // On SQLite, whose LIKE folds ASCII case, both are ASCII-lower-cased; on PostgreSQL the id is
  // as stored.
  //
  // At most `limit` organizations with id > `after_id`, in id order ("" starts at the first).
  virtual Result<std::vector<domain::OrganizationSearchText>> ListOrganizationSearchTexts(
      const std::string& after_id, int64_t limit) = 0;
  // Those of `ids` that exist, in no particular order.
  virtual Result<std::vector<domain::OrganizationSearchText>> GetOrganizationSearchTexts(
      const std::vector<OrgId>& ids) = 0;
};

class ClientStore {
 public:
  virtual ~ClientStore() = default;
  // kAlreadyExists (subject "client", reason "id") when the id is taken.
  virtual Result<void> InsertClient(const ClientRecord& client) = 0;
  // Inserts or overwrites the client with this id.
  virtual Result<void> UpsertClient(const ClientRecord& client) = 0;
  // kNotFound (subject "client") when absent.
  virtual Result<ClientRecord> GetClient(const ClientId& id) = 0;
  virtual Result<int64_t> CountClients() = 0;
  // kNotFound when absent.
  virtual Result<void> DeleteClient(const ClientId& id) = 0;
  // Every client, by id.
  virtual Result<std::vector<ClientRecord>> ListClients() = 0;
  // Stores a new secret hash and a new, higher secret_version; returns the client as stored.
  // kNotFound (subject "client") when absent.
  virtual Result<ClientRecord> RotateClientSecret(const ClientId& id,
                                                  const std::string& secret_hash) = 0;
  // A counter that every client write (insert, upsert, rotation, delete) raises in its own
  // transaction, in whichever process it runs: an unchanged value means no client changed.
  virtual Result<int64_t> ClientsRevision() = 0;
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  // Every stored key, newest first.
  virtual Result<std::vector<SigningKeyRecord>> ListSigningKeys() = 0;
  virtual Result<void> InsertSigningKey(const SigningKeyRecord& key) = 0;
  // Inserts `key` unretired and, in the same transaction, retires every other unretired key at
  // key.created_at (a rotation). kAlreadyExists (subject "signing_key", reason "kid") when the
  // kid is taken; nothing is retired then.
  virtual Result<void> InsertActiveSigningKey(const SigningKeyRecord& key) = 0;
  // Replaces the stored private key text of `kid` with `replacement` when it is still
  // `expected`; false (and no change) otherwise. Used to seal plaintext keys in place, safely
  // when several processes start at once.
  virtual Result<bool> ReplaceSigningKeyMaterial(const std::string& kid,
                                                 const std::string& expected,
                                                 const std::string& replacement) = 0;
};

// The whole store.
class Store : public OrganizationStore, public ClientStore, public KeyStore,
              public UserStore, public RoleStore, public ResourceStore, public MembershipStore,
              public FeatureFlagStore, public PropertyStore
              , public ConnectionStore, public InvitationStore
              // area:connections-bases
              , public OrganizationSettingsStore
              // area:settings-bases
              , public ImportStore
{
 public:
  // Runs `fn` in one transaction on one connection, with a Store bound to it. Commits when `fn`
  // succeeds, rolls back when it fails (its error is returned). kWrite transactions are
  // serialized against other writers as TxMode describes; a kAborted failure (serialization,
  // deadlock) is retried a bounded number of times before it is returned.
  virtual Result<void> InTransaction(TxMode mode, const std::function<Result<void>(Store&)>& fn) = 0;
  // True when the database answers now.
  virtual bool Ping() = 0;
};

}  // namespace orgd::store
