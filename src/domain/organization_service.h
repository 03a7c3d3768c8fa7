#pragma once

#include <cstdint>

#include "common/clock.h"
#include "common/id_generator.h"
#include <string>
#include <vector>

#include "common/result.h"
#include "domain/model/membership.h"
#include "domain/model/organization.h"
#include "domain/list_cache.h"
#include "domain/org_search_index.h"
#include "domain/read_model.h"
#include "store/store.h"

namespace orgd::domain {

// Organizations: create, read, update, delete, list. Both dialects call this one service; field
// shapes and limits of each wire format are checked by the dialect before it gets here, and the
// rules that hold whatever the dialect (non-empty name, known theme, suspension time) are checked
// here. Thread-safe.
class OrganizationService {
 public:
  OrganizationService(store::Store& store, const Clock& clock, IdGenerator& ids);
  // Get answers from `model` (which must outlive this service) when it can, and List keeps its
  // pages for the model's generation (ListCache); both fall back to the store when the model
  // cannot answer (its change feed could not be read).
  void UseReadModel(ReadModel* model) { read_model_ = model; }
  // List and ListWithFeatured take the number of matches of a `q` search from `index` (which
  // must outlive this service) when it can answer, instead of counting in SQL.
  void UseSearchIndex(OrgSearchIndex* index) { search_index_ = index; }

  // Creates an organization with a new id in `style`'s format. created_at is the input's when
  // given, else now. kInvalidArgument for an empty name or unknown theme; kAlreadyExists
  // (subject "organization", reason "handle" or "external_id") on a clash. The input's feature
  // flag overrides are written in the same transaction, with the checks and errors of
  // FeatureFlagService::SetOverride; any failure creates nothing.
  Result<Organization> Create(const CreateOrganizationInput& input, IdStyle style);
  // kNotFound (subject "organization") when absent.
  Result<Organization> Get(const OrgId& id);
  // Applies `patch`; suspending records the time, resuming clears it. An empty patch returns the
  // organization unchanged. kNotFound, kInvalidArgument, kAlreadyExists as for Create.
  Result<Organization> Update(const OrgId& id, OrganizationPatch patch);
  // Deletes the organization and everything that belongs to it. kNotFound when absent.
  Result<void> Delete(const OrgId& id);
  // Shared, not copied: with a read model, pages are kept (immutable) for its generation.
  Result<std::shared_ptr<const OrganizationPage>> List(const OrganizationListQuery& query);
  // List, with each organization's member count and its first `featured_per_org` members by user
  // id, read in the same snapshot with one member query per page (Logto showFeatured).
  Result<OrganizationWithFeaturedPage> ListWithFeatured(const OrganizationListQuery& query,
                                                        int64_t featured_per_org);

  // JIT email domains: the organization's allowed_domains, in insertion order, compared exactly
  // (case-sensitive). Validation of the domain text is the dialect's.
  //
  // The domains of `org`; empty for an unknown org.
  Result<std::vector<std::string>> ListJitEmailDomains(const OrgId& org);
  // Appends `domain`. kAlreadyExists (subject "organization", reason "email_domain") when the
  // org already has it; kNotFound (subject "organization", reason "foreign_key") for an unknown
  // org.
  Result<void> AddJitEmailDomain(const OrgId& org, const std::string& domain);
  // Makes the set exactly `domains`, in that order. A domain listed twice → kAlreadyExists
  // (reason "email_domain"); unknown org → kNotFound (reason "foreign_key"), except that an
  // empty set on an unknown org succeeds (nothing to clear).
  Result<void> ReplaceJitEmailDomains(const OrgId& org, const std::vector<std::string>& domains);
  // kNotFound (subject "jit_email_domain", reason "not_assigned") when the org does not have it
  // (also for an unknown org).
  Result<void> RemoveJitEmailDomain(const OrgId& org, const std::string& domain);

 private:
  // `query` with known_matches from the search index, when it wants a total it can give.
  OrganizationListQuery WithKnownMatches(const OrganizationListQuery& query);

  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  ReadModel* read_model_ = nullptr;
  OrgSearchIndex* search_index_ = nullptr;
  ListCache<OrganizationPage> pages_;
};

// True for "light", "dark" and "user_preference".
bool IsValidThemeCode(std::string_view theme_code);

}  // namespace orgd::domain
