#include "domain/import_service.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <future>
#include <limits>
#include <thread>
#include <tuple>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "store/tx_mode.h"

namespace orgd::domain {
namespace {

constexpr size_t kIdMax = 128;
constexpr size_t kIdentifierMax = 128;
constexpr size_t kNameMax = 128;
constexpr size_t kDescriptionMax = 256;
constexpr size_t kAvatarMax = 2048;
constexpr size_t kMaxNames = 100;

size_t CodePoints(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

Error Bad(std::string_view field, std::string_view problem) {
  return Error::InvalidArgument(std::string(field) + ": " + std::string(problem),
                                std::string(field));
}

Result<void> CheckId(std::string_view field, const std::string& id) {
  if (id.empty() || id.size() > kIdMax) return Bad(field, "must have 1 to 128 characters");
  for (char c : id) {
    if (!IsWordChar(c) && c != '-') return Bad(field, "may hold only A-Z, a-z, 0-9, _ and -");
  }
  return {};
}

Result<void> CheckLength(std::string_view field, std::string_view value, size_t min, size_t max) {
  const size_t n = CodePoints(value);
  if (n < min || n > max) {
    return Bad(field,
               "must have " + std::to_string(min) + " to " + std::to_string(max) + " characters");
  }
  return {};
}

Result<void> CheckOptLength(std::string_view field, const std::optional<std::string>& value,
                            size_t max) {
  if (!value) return {};
  return CheckLength(field, *value, 0, max);
}

// The Logto dialect's patterns (contracts/logto.md §3.9.1).
bool IsEmail(std::string_view s) {
  if (std::any_of(s.begin(), s.end(), IsSpace)) return false;
  size_t at = s.find('@', 1);
  if (at == std::string_view::npos) return false;
  size_t dot = s.find('.', at + 2);
  return dot != std::string_view::npos && dot + 1 < s.size();
}
bool IsUsername(std::string_view s) {
  return !s.empty() && !IsDigit(s[0]) && std::all_of(s.begin(), s.end(), IsWordChar);
}
bool IsPhone(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit); }

Result<void> CheckIdentifier(std::string_view field, const std::optional<std::string>& value,
                             bool (*valid)(std::string_view)) {
  if (!value) return {};
  if (!valid(*value)) return Bad(field, "is not valid");
  return CheckLength(field, *value, 1, kIdentifierMax);
}

Result<void> CheckName(std::string_view field, const std::string& name) {
  ORGD_TRY(CheckLength(field, name, 1, kNameMax));
  if (IsSpace(name.front()) || IsSpace(name.back())) {
    return Bad(field, "must not start or end with whitespace");
  }
  return {};
}

Result<void> CheckNames(std::string_view field, const std::vector<std::string>& names) {
  if (names.size() > kMaxNames) return Bad(field, "holds more than 100 names");
  for (const std::string& name : names) ORGD_TRY(CheckName(field, name));
  return {};
}

struct Validator {
  Result<void> operator()(const ImportOrganizationRecord& r) const {
    ORGD_TRY(CheckId("id", r.org.id.value()));
    ORGD_TRY(CheckLength("name", r.org.name, 1, kNameMax));
    return CheckOptLength("description", r.org.description, kDescriptionMax);
  }
  Result<void> operator()(const ImportUserRecord& r) const {
    const User& u = r.user;
    ORGD_TRY(CheckId("id", u.id.value()));
    ORGD_TRY(CheckIdentifier("username", u.username, IsUsername));
    ORGD_TRY(CheckIdentifier("primaryEmail", u.primary_email, IsEmail));
    ORGD_TRY(CheckIdentifier("primaryPhone", u.primary_phone, IsPhone));
    ORGD_TRY(CheckOptLength("name", u.name, kNameMax));
    return CheckOptLength("avatar", u.avatar, kAvatarMax);
  }
  Result<void> operator()(const ImportScopeRecord& r) const {
    if (r.id) ORGD_TRY(CheckId("id", r.id->value()));
    ORGD_TRY(CheckName("name", r.name));
    return CheckOptLength("description", r.description, kDescriptionMax);
  }
  Result<void> operator()(const ImportRoleRecord& r) const {
    if (r.id) ORGD_TRY(CheckId("id", r.id->value()));
    ORGD_TRY(CheckName("name", r.name));
    ORGD_TRY(CheckOptLength("description", r.description, kDescriptionMax));
    return CheckNames("organizationScopeNames", r.scope_names);
  }
  Result<void> operator()(const ImportMembershipRecord& r) const {
    ORGD_TRY(CheckId("organizationId", r.org.value()));
    return CheckId("userId", r.user.value());
  }
  Result<void> operator()(const ImportMemberRolesRecord& r) const {
    ORGD_TRY(CheckId("organizationId", r.org.value()));
    ORGD_TRY(CheckId("userId", r.user.value()));
    return CheckNames("organizationRoleNames", r.role_names);
  }
};

// "line N: <message>", with the line in `fields` for the renderers.
Error AtLine(Error e, int64_t line) {
  e.message = "line " + std::to_string(line) + ": " + e.message;
  e.fields["line"] = std::to_string(line);
  return e;
}

bool IsBlank(std::string_view line) { return std::all_of(line.begin(), line.end(), IsSpace); }

struct ParsedLine {
  int64_t line = 0;
  ImportRecord record;
};

// A batch of lines, parsed and checked: the lines [first line, end_line] that end at byte
// end_offset, or the error of the first bad one.
struct Batch {
  std::vector<ParsedLine> lines;
  int64_t end_offset = 0;
  int64_t end_line = 0;
  std::optional<Error> error;
};

Batch ParseBatch(const ImportLineParser& parse, std::string_view content, int64_t offset,
                 int64_t line, int64_t max_lines) {
  Batch batch;
  batch.lines.reserve(static_cast<size_t>(std::min<int64_t>(max_lines, 1 << 16)));
  size_t pos = static_cast<size_t>(offset);
  for (int64_t n = 0; n < max_lines && pos < content.size(); ++n) {
    size_t end = content.find('\n', pos);
    size_t next = end == std::string_view::npos ? content.size() : end + 1;
    std::string_view text =
        content.substr(pos, (end == std::string_view::npos ? content.size() : end) - pos);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    ++line;
    pos = next;
    if (IsBlank(text)) continue;
    auto record = parse(text);
    if (!record) {
      batch.error = AtLine(std::move(record).error(), line);
      return batch;
    }
    if (auto valid = std::visit(Validator{}, *record); !valid) {
      batch.error = AtLine(std::move(valid).error(), line);
      return batch;
    }
    batch.lines.push_back(ParsedLine{line, std::move(*record)});
  }
  batch.end_offset = static_cast<int64_t>(pos);
  batch.end_line = line;
  return batch;
}

void Count(ImportTally& tally, store::ImportWrite write) {
  switch (write) {
    case store::ImportWrite::kInserted:
      ++tally.inserted;
      break;
    case store::ImportWrite::kUpdated:
      ++tally.updated;
      break;
    case store::ImportWrite::kUnchanged:
      ++tally.unchanged;
      break;
  }
}

void CountAdded(ImportTally& tally, bool added) { ++(added ? tally.inserted : tally.unchanged); }

void Add(ImportTally& to, const ImportTally& from) {
  to.inserted += from.inserted;
  to.updated += from.updated;
  to.unchanged += from.unchanged;
}

void Add(ImportCounts& to, const ImportCounts& from) {
  Add(to.organizations, from.organizations);
  Add(to.users, from.users);
  Add(to.organization_scopes, from.organization_scopes);
  Add(to.organization_roles, from.organization_roles);
  Add(to.memberships, from.memberships);
  Add(to.member_roles, from.member_roles);
}

struct RoleEntry {
  RoleId id;
  RoleType type = RoleType::kUser;
};

// Name → id of the scopes and roles seen, so that a million role grants do not read the role
// each time. Entries of the running transaction stay in `pending_*` until it commits (a rolled
// back or retried batch must not leave ids of rows that do not exist); dropping a committed entry
// is always safe, since a miss only costs a read.
class NameCache {
 public:
  void Begin() {
    pending_scopes_.clear();
    pending_roles_.clear();
  }
  void Commit() {
    for (auto& [name, id] : pending_scopes_) scopes_.insert_or_assign(name, std::move(id));
    for (auto& [name, role] : pending_roles_) roles_.insert_or_assign(name, std::move(role));
    Begin();
  }

  Result<std::optional<PermissionId>> Scope(store::Store& tx, const std::string& name) {
    if (auto it = pending_scopes_.find(name); it != pending_scopes_.end()) {
      return std::optional<PermissionId>(it->second);
    }
    if (auto it = scopes_.find(name); it != scopes_.end()) {
      return std::optional<PermissionId>(it->second);
    }
    auto found = tx.GetPermissionsByKey({name});
    if (!found) return std::move(found).error();
    if (found->empty()) return std::optional<PermissionId>();
    pending_scopes_.emplace(name, found->front().id);
    return std::optional<PermissionId>(found->front().id);
  }
  Result<std::optional<RoleEntry>> Role(store::Store& tx, const std::string& name) {
    if (auto it = pending_roles_.find(name); it != pending_roles_.end()) {
      return std::optional<RoleEntry>(it->second);
    }
    if (auto it = roles_.find(name); it != roles_.end())
      return std::optional<RoleEntry>(it->second);
    auto found = tx.GetRolesByKey({name});
    if (!found) return std::move(found).error();
    if (found->empty()) return std::optional<RoleEntry>();
    RoleEntry entry{found->front().id, found->front().type};
    pending_roles_.emplace(name, entry);
    return std::optional<RoleEntry>(entry);
  }

  // Records `name` → `id` after a write; a renamed id loses its old names.
  void PutScope(const std::string& name, const PermissionId& id) {
    std::erase_if(scopes_, [&](const auto& e) { return e.second == id; });
    std::erase_if(pending_scopes_, [&](const auto& e) { return e.second == id; });
    pending_scopes_.insert_or_assign(name, id);
  }
  void PutRole(const std::string& name, const RoleEntry& entry) {
    std::erase_if(roles_, [&](const auto& e) { return e.second.id == entry.id; });
    std::erase_if(pending_roles_, [&](const auto& e) { return e.second.id == entry.id; });
    pending_roles_.insert_or_assign(name, entry);
  }

 private:
  std::unordered_map<std::string, PermissionId> scopes_, pending_scopes_;
  std::unordered_map<std::string, RoleEntry> roles_, pending_roles_;
};

// The id of the role a member role line grants by `name`: kNotFound when no role has the name,
// kFailedPrecondition (reason "constraint") for a machine-to-machine role.
Result<RoleId> GrantableRole(store::Store& tx, NameCache& names, const std::string& name) {
  auto role = names.Role(tx, name);
  if (!role) return std::move(role).error();
  if (!*role) {
    return Error::NotFound("organization_role", "organization role '" + name + "' does not exist");
  }
  if ((*role)->type != RoleType::kUser) {
    return Error::FailedPrecondition(
        "constraint", "organization role '" + name + "' is for machine-to-machine apps");
  }
  return (*role)->id;
}

// Writes one record inside the batch's transaction.
class RecordWriter {
 public:
  RecordWriter(store::Store& tx, NameCache& names, IdGenerator& ids, int64_t now,
               ImportCounts& counts)
      : tx_(tx), names_(names), ids_(ids), now_(now), counts_(counts) {}

  Result<void> operator()(const ImportOrganizationRecord& r) {
    auto write = tx_.ImportOrganization(r.org, r.created_at, now_);
    if (!write) return std::move(write).error();
    Count(counts_.organizations, *write);
    return {};
  }

  Result<void> operator()(const ImportUserRecord& r) {
    auto write = tx_.ImportUser(r.user, r.created_at, now_);
    if (!write) return std::move(write).error();
    Count(counts_.users, *write);
    return {};
  }

  Result<void> operator()(const ImportScopeRecord& r) {
    auto existing = names_.Scope(tx_, r.name);
    if (!existing) return std::move(existing).error();
    if (*existing && r.id && **existing != *r.id) {
      return Error::AlreadyExists(
          "organization_scope", "id",
          "organization scope '" + r.name + "' exists with id " + (*existing)->value());
    }
    Permission p;
    p.id = *existing ? **existing
                     : r.id.value_or(PermissionId(ids_.Next(IdKind::kPermission, IdStyle::kLogto)));
    p.key = r.name;
    p.name = r.name;
    p.description = r.description;
    p.created_at = now_;
    auto write = tx_.ImportPermission(p);
    if (!write) return Subject(std::move(write).error(), "organization_scope");
    Count(counts_.organization_scopes, *write);
    if (*write != store::ImportWrite::kUnchanged || !*existing) names_.PutScope(r.name, p.id);
    return {};
  }

  Result<void> operator()(const ImportRoleRecord& r) {
    auto existing = names_.Role(tx_, r.name);
    if (!existing) return std::move(existing).error();
    if (*existing && r.id && (*existing)->id != *r.id) {
      return Error::AlreadyExists(
          "organization_role", "id",
          "organization role '" + r.name + "' exists with id " + (*existing)->id.value());
    }
    domain::Role role;
    role.id = *existing ? (*existing)->id
                        : r.id.value_or(RoleId(ids_.Next(IdKind::kRole, IdStyle::kLogto)));
    role.key = r.name;
    role.name = r.name;
    role.description = r.description;
    role.type = r.type;
    role.created_at = now_;
    auto write = tx_.ImportRole(role);
    if (!write) return Subject(std::move(write).error(), "organization_role");
    Count(counts_.organization_roles, *write);
    if (*write != store::ImportWrite::kUnchanged || !*existing) {
      names_.PutRole(r.name, RoleEntry{role.id, role.type});
    }
    for (const std::string& scope_name : r.scope_names) {
      auto scope = names_.Scope(tx_, scope_name);
      if (!scope) return std::move(scope).error();
      if (!*scope) {
        return Error::NotFound("organization_scope",
                               "organization scope '" + scope_name + "' does not exist");
      }
      ORGD_TRY(tx_.ImportRolePermission(role.id, **scope, now_));
    }
    return {};
  }

  Result<void> operator()(const ImportMembershipRecord& r) {
    auto added = tx_.ImportMembership(r.org, r.user, now_);
    if (!added) return MembershipError(std::move(added).error(), r.org, r.user);
    CountAdded(counts_.memberships, *added);
    return {};
  }

  Result<void> operator()(const ImportMemberRolesRecord& r) {
    auto added = tx_.ImportMembership(r.org, r.user, now_);
    if (!added) return MembershipError(std::move(added).error(), r.org, r.user);
    CountAdded(counts_.memberships, *added);
    for (const std::string& name : r.role_names) {
      auto role = GrantableRole(tx_, names_, name);
      if (!role) return std::move(role).error();
      auto granted = tx_.ImportMemberRole(r.org, r.user, *role, now_);
      if (!granted) return std::move(granted).error();
      CountAdded(counts_.member_roles, *granted);
    }
    return {};
  }

 private:
  static Error Subject(Error e, std::string subject) {
    if (e.code == ErrorCode::kAlreadyExists) {
      e.subject = std::move(subject);
      if (e.reason == "key") e.message = "the name is taken by another row with a different id";
    }
    return e;
  }

  static Error MembershipError(Error e, const OrgId& org, const UserId& user) {
    if (e.code == ErrorCode::kFailedPrecondition && e.reason == "foreign_key") {
      e.subject = "membership";
      e.message =
          "organization '" + org.value() + "' or user '" + user.value() + "' does not exist";
    }
    return e;
  }

  store::Store& tx_;
  NameCache& names_;
  IdGenerator& ids_;
  int64_t now_;
  ImportCounts& counts_;
};

// Writes the records of a batch with the store's multi-row calls: consecutive records of one
// group (organizations; users; memberships and member role grants) are gathered into a run and
// written in a few statements when the group changes or the batch ends. Scopes and roles, rare
// and read back by name by later lines, go through RecordWriter as they come. So the database
// sees the lines in file order, run by run, and the counts are those RecordWriter would count.
// A failure names no line: the caller then writes the batch again with RecordWriter alone, which
// names it.
class RunWriter {
 public:
  RunWriter(store::Store& tx, NameCache& names, RecordWriter& single, int64_t now,
            ImportCounts& counts)
      : tx_(tx), names_(names), single_(single), now_(now), counts_(counts) {}

  Result<void> operator()(const ImportOrganizationRecord& r) {
    ORGD_TRY(Join(Group::kOrganizations, r.org.id.value()));
    organizations_.push_back({&r.org, r.created_at});
    return {};
  }

  Result<void> operator()(const ImportUserRecord& r) {
    ORGD_TRY(Join(Group::kUsers, r.user.id.value()));
    users_.push_back({&r.user, r.created_at});
    return {};
  }

  Result<void> operator()(const ImportScopeRecord& r) {
    ORGD_TRY(Flush());
    return single_(r);
  }

  Result<void> operator()(const ImportRoleRecord& r) {
    ORGD_TRY(Flush());
    return single_(r);
  }

  Result<void> operator()(const ImportMembershipRecord& r) {
    ORGD_TRY(Join(Group::kMembers, {}));
    memberships_.push_back({r.org, r.user});
    return {};
  }

  // The role names are resolved as the line comes: the scopes and roles of earlier lines are
  // written by then (they flush the run before them).
  Result<void> operator()(const ImportMemberRolesRecord& r) {
    ORGD_TRY(Join(Group::kMembers, {}));
    memberships_.push_back({r.org, r.user});
    for (const std::string& name : r.role_names) {
      auto role = GrantableRole(tx_, names_, name);
      if (!role) return std::move(role).error();
      member_roles_.push_back({r.org, r.user, std::move(*role)});
    }
    return {};
  }

  // Writes the run gathered so far.
  Result<void> Flush() {
    switch (group_) {
      case Group::kNone:
        break;
      case Group::kOrganizations: {
        auto written = tx_.ImportOrganizations(organizations_, now_);
        if (!written) return std::move(written).error();
        Count(counts_.organizations, *written, organizations_.size());
        break;
      }
      case Group::kUsers: {
        auto written = tx_.ImportUsers(users_, now_);
        if (!written) return std::move(written).error();
        Count(counts_.users, *written, users_.size());
        break;
      }
      case Group::kMembers: {
        // Every membership of the run before the grants that need it.
        auto added = tx_.ImportMemberships(memberships_, now_);
        if (!added) return std::move(added).error();
        Count(counts_.memberships, {.inserted = *added}, memberships_.size());
        if (!member_roles_.empty()) {
          auto granted = tx_.ImportMemberRoles(member_roles_, now_);
          if (!granted) return std::move(granted).error();
          Count(counts_.member_roles, {.inserted = *granted}, member_roles_.size());
        }
        break;
      }
    }
    group_ = Group::kNone;
    organizations_.clear();
    users_.clear();
    memberships_.clear();
    member_roles_.clear();
    ids_.clear();
    return {};
  }

 private:
  enum class Group { kNone, kOrganizations, kUsers, kMembers };

  // Makes the run one of `group`, flushing another group's run, or this group's when `id` is in
  // it already (an upsert of one row twice in a statement has no order).
  Result<void> Join(Group group, std::string_view id) {
    if (group_ != group || (!id.empty() && ids_.contains(id))) ORGD_TRY(Flush());
    group_ = group;
    if (!id.empty()) ids_.insert(id);
    return {};
  }

  static void Count(ImportTally& tally, const store::ImportRunCounts& run, size_t rows) {
    tally.inserted += run.inserted;
    tally.updated += run.updated;
    tally.unchanged += static_cast<int64_t>(rows) - run.inserted - run.updated;
  }

  store::Store& tx_;
  NameCache& names_;
  RecordWriter& single_;
  int64_t now_;
  ImportCounts& counts_;
  Group group_ = Group::kNone;
  std::vector<store::ImportOrganizationRow> organizations_;
  std::vector<store::ImportUserRow> users_;
  std::vector<store::ImportMembershipRow> memberships_;
  std::vector<store::ImportMemberRoleRow> member_roles_;
  std::unordered_set<std::string_view> ids_;  // of the organization or user run
};

// Sorts `rows` by `less` and drops repeats; a large vector is sorted in two halves on two
// threads and merged.
template <typename T, typename Less>
void SortUnique(std::vector<T>& rows, Less less) {
  constexpr size_t kParallelFrom = size_t{1} << 16;
  if (rows.size() >= kParallelFrom && std::thread::hardware_concurrency() > 1) {
    const auto middle = rows.begin() + static_cast<std::ptrdiff_t>(rows.size() / 2);
    std::thread first([&] { std::sort(rows.begin(), middle, less); });
    std::sort(middle, rows.end(), less);
    first.join();
    std::inplace_merge(rows.begin(), middle, rows.end(), less);
  } else {
    std::sort(rows.begin(), rows.end(), less);
  }
  rows.erase(std::unique(rows.begin(), rows.end(),
                         [&](const T& a, const T& b) { return !less(a, b) && !less(b, a); }),
             rows.end());
}

// The ids a bulk load has seen: open addressing over a power-of-two table whose slots hold the
// id's hash and the id itself when it fits (longer ones sit in an arena). An
// std::unordered_set<std::string> allocates a node per id, and at a million ids each lookup cost
// several cache misses: three quarters of the writer's time on membership lines (now about
// half: one miss per lookup is left).
class IdSet {
 public:
  void Insert(std::string_view id) {
    if ((count_ + 1) * 2 > slots_.size()) Grow();
    const uint64_t hash = Hash(id);
    size_t i = hash & (slots_.size() - 1);
    for (; slots_[i].hash != 0; i = (i + 1) & (slots_.size() - 1)) {
      if (Equal(slots_[i], hash, id)) return;
    }
    Slot& slot = slots_[i];
    slot.hash = hash;
    slot.size = id.size();
    if (id.size() <= sizeof slot.inline_id) {
      std::memcpy(slot.inline_id, id.data(), id.size());
    } else {
      slot.offset = arena_.size();
      arena_.append(id);
    }
    ++count_;
  }

  bool Contains(std::string_view id) const {
    if (slots_.empty()) return false;
    const uint64_t hash = Hash(id);
    for (size_t i = hash & (slots_.size() - 1); slots_[i].hash != 0;
         i = (i + 1) & (slots_.size() - 1)) {
      if (Equal(slots_[i], hash, id)) return true;
    }
    return false;
  }

 private:
  struct Slot {
    uint64_t hash = 0;  // 0: empty
    size_t size = 0;
    size_t offset = 0;  // into arena_, for an id longer than inline_id
    char inline_id[16] = {};
  };

  static uint64_t Hash(std::string_view id) {
    return std::hash<std::string_view>{}(id) | 1;  // never 0, the empty mark
  }

  bool Equal(const Slot& slot, uint64_t hash, std::string_view id) const {
    if (slot.hash != hash || slot.size != id.size()) return false;
    const char* stored =
        id.size() <= sizeof slot.inline_id ? slot.inline_id : arena_.data() + slot.offset;
    return std::memcmp(stored, id.data(), id.size()) == 0;
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<size_t>(64, old.size() * 2), Slot{});
    for (const Slot& slot : old) {
      if (slot.hash == 0) continue;
      size_t i = slot.hash & (slots_.size() - 1);
      while (slots_[i].hash != 0) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;
  std::string arena_;
  size_t count_ = 0;
};

// The lines of a bulk load, in file order: organizations, users, scopes and roles are written as
// they come (RunWriter); memberships and member role grants are gathered, to be written sorted at
// the end. A membership must name an organization and a user of earlier lines, as in batches
// (the tables were empty when the load began); one that does not fails the load, and the batches
// that Import runs instead report its line.
class BulkGatherer {
 public:
  BulkGatherer(store::Store& tx, NameCache& names, RunWriter& runs)
      : tx_(tx), names_(names), runs_(runs) {}

  Result<void> operator()(const ImportOrganizationRecord& r) {
    ORGD_TRY(runs_(r));
    org_ids_.Insert(r.org.id.value());
    return {};
  }
  Result<void> operator()(const ImportUserRecord& r) {
    ORGD_TRY(runs_(r));
    user_ids_.Insert(r.user.id.value());
    return {};
  }
  Result<void> operator()(const ImportScopeRecord& r) { return runs_(r); }
  Result<void> operator()(const ImportRoleRecord& r) { return runs_(r); }
  Result<void> operator()(const ImportMembershipRecord& r) { return Member(r.org, r.user); }
  Result<void> operator()(const ImportMemberRolesRecord& r) {
    ORGD_TRY(Member(r.org, r.user));
    for (const std::string& name : r.role_names) {
      auto role = GrantableRole(tx_, names_, name);
      if (!role) return std::move(role).error();
      grants.push_back({r.org, r.user, std::move(*role)});
    }
    return {};
  }

  std::vector<store::ImportMembershipRow> members;  // one per line that names a membership
  std::vector<store::ImportMemberRoleRow> grants;   // one per role name of those lines

 private:
  Result<void> Member(const OrgId& org, const UserId& user) {
    if (!org_ids_.Contains(org.value()) || !user_ids_.Contains(user.value())) {
      return Error::FailedPrecondition("foreign_key", "a membership names an unknown row");
    }
    members.push_back({org, user});
    return {};
  }

  store::Store& tx_;
  NameCache& names_;
  RunWriter& runs_;
  IdSet org_ids_;
  IdSet user_ids_;
};

// The progress row of a file whose lines 1..lines_done, ending at byte bytes_done, are written.
store::ImportProgress ProgressRow(const std::string& file_id, int64_t file_size,
                                  int64_t lines_done, int64_t bytes_done, int64_t started_at,
                                  int64_t now, bool complete) {
  return store::ImportProgress{
      .file_id = file_id,
      .file_size = file_size,
      .lines_done = lines_done,
      .bytes_done = bytes_done,
      .started_at = started_at,
      .updated_at = now,
      .completed_at = complete ? std::optional<int64_t>(now) : std::nullopt,
  };
}

// The errors of a file that batches would report with its line.
bool IsFileProblem(const Error& e) {
  return e.code == ErrorCode::kInvalidArgument || e.code == ErrorCode::kNotFound ||
         e.code == ErrorCode::kAlreadyExists || e.code == ErrorCode::kFailedPrecondition;
}

}  // namespace

Result<void> ValidateImportRecord(const ImportRecord& record) {
  return std::visit(Validator{}, record);
}

ImportService::ImportService(store::Store& store, const Clock& clock, IdGenerator& ids,
                             ImportLineParser parse)
    : store_(store), clock_(clock), ids_(ids), parse_(std::move(parse)) {}

Result<ImportSummary> ImportService::Import(std::string_view content, const std::string& file_id,
                                            const ImportOptions& options,
                                            const ImportProgressFn& progress) {
  if (options.batch_lines < 1) {
    return Error::InvalidArgument("the batch size must be at least 1", "batch_lines");
  }
  ImportSummary summary;
  summary.bytes_total = static_cast<int64_t>(content.size());
  int64_t started_at = clock_.NowMillis();

  if (options.bulk_cache_bytes) ORGD_TRY(store_.PrepareBulkImport(*options.bulk_cache_bytes));
  auto recorded = store_.GetImportProgress(file_id);
  if (!recorded) return std::move(recorded).error();
  // The id is a hash of the bytes, so a recorded size or offset that does not fit means another
  // file under the same id: nothing to resume from.
  if (*recorded && !options.from_start && (*recorded)->file_size == summary.bytes_total &&
      (*recorded)->bytes_done <= summary.bytes_total) {
    const store::ImportProgress& p = **recorded;
    summary.bytes_done = p.bytes_done;
    summary.lines_done = p.lines_done;
    started_at = p.started_at;
    if (p.completed_at) {
      summary.already_complete = true;
      summary.first_line = p.lines_done + 1;
      return summary;
    }
  }
  summary.first_line = summary.lines_done + 1;

  if (options.bulk_load && summary.lines_done == 0) {
    ImportSummary bulk = summary;
    auto loaded = LoadInBulk(content, file_id, started_at, bulk, progress);
    if (loaded && *loaded) return Finish(std::move(bulk), options, progress);
    // Declined (batches), or the file has a problem that batches will name the line of.
    if (!loaded && !IsFileProblem(loaded.error())) return std::move(loaded).error();
  }

  NameCache names;
  auto parse_at = [this, content, &options](int64_t offset, int64_t line) {
    return ParseBatch(parse_, content, offset, line, options.batch_lines);
  };
  Batch batch = parse_at(summary.bytes_done, summary.lines_done);
  // Every pass commits one batch; an empty file still gets one, so that its progress row says it
  // is complete.
  for (;;) {
    if (batch.error) return std::move(*batch.error);
    std::future<Batch> next;
    const bool last = batch.end_offset >= summary.bytes_total;
    if (!last && options.parse_ahead) {
      next = std::async(std::launch::async, parse_at, batch.end_offset, batch.end_line);
    }

    ImportCounts batch_counts;
    int64_t failed_line = 0;
    const int64_t now = clock_.NowMillis();
    // One attempt of the batch's transaction: in runs (RunWriter), or line by line.
    auto write_batch = [&](bool in_runs) {
      return store_.InTransaction(store::TxMode::kWrite, [&](store::Store& tx) -> Result<void> {
        // A retried attempt starts over.
        batch_counts = ImportCounts{};
        names.Begin();
        RecordWriter writer(tx, names, ids_, now, batch_counts);
        RunWriter runs(tx, names, writer, now, batch_counts);
        for (const ParsedLine& parsed : batch.lines) {
          auto r = in_runs ? std::visit(runs, parsed.record) : std::visit(writer, parsed.record);
          if (!r) {
            failed_line = parsed.line;
            return std::move(r).error();
          }
        }
        if (in_runs) ORGD_TRY(runs.Flush());
        return tx.PutImportProgress(ProgressRow(file_id, summary.bytes_total, batch.end_line,
                                                batch.end_offset, started_at, now, last));
      });
    };
    auto written = write_batch(/*in_runs=*/true);
    if (!written) {
      // A run does not say which of its lines failed: line by line does, with the error the
      // line itself gets (or commits the batch, if whatever failed is gone).
      failed_line = 0;
      written = write_batch(/*in_runs=*/false);
    }
    if (!written) {
      if (next.valid()) next.wait();
      Error e = std::move(written).error();
      return failed_line > 0 ? AtLine(std::move(e), failed_line) : e;
    }
    names.Commit();
    Add(summary.counts, batch_counts);
    summary.lines_this_run += batch.end_line - summary.lines_done;
    summary.lines_done = batch.end_line;
    summary.bytes_done = batch.end_offset;
    ++summary.batches;
    if (progress) progress(summary);
    if (last) break;
    batch = next.valid() ? next.get() : parse_at(summary.bytes_done, summary.lines_done);
  }
  return Finish(std::move(summary), options, progress);
}

ImportSummary ImportService::Finish(ImportSummary summary, const ImportOptions& options,
                                    const ImportProgressFn& progress) {
  if (!options.finish_for_traffic || summary.lines_this_run == 0) return summary;
  auto finished = store_.FinishBulkImport([&] {
    summary.stage = ImportStage::kFinishing;
    if (progress) progress(summary);
  });
  if (!finished) summary.finish_failed = std::move(finished).error();
  return summary;
}

Result<bool> ImportService::LoadInBulk(std::string_view content, const std::string& file_id,
                                       int64_t started_at, ImportSummary& summary,
                                       const ImportProgressFn& progress) {
  const int64_t now = clock_.NowMillis();
  auto report = [&](ImportStage stage) {
    summary.stage = stage;
    if (progress) progress(summary);
  };
  // Where the chunks end: at the first line end after every kBulkChunkBytes. Small enough that a
  // chunk's parsed records (about 860 bytes a line) stay below malloc's mmap threshold and reuse
  // the heap, instead of faulting in fresh pages for every chunk.
  constexpr size_t kBulkChunkBytes = size_t{2} << 20;
  std::vector<int64_t> chunk_ends;
  for (size_t pos = 0; pos < content.size();) {
    size_t end = content.find('\n', std::min(pos + kBulkChunkBytes, content.size() - 1));
    pos = end == std::string_view::npos ? content.size() : end + 1;
    chunk_ends.push_back(static_cast<int64_t>(pos));
  }
  const size_t parsers = std::max(2u, std::thread::hardware_concurrency());
  auto loaded = store_.BulkLoad([&](store::Store& tx) -> Result<void> {
    NameCache names;
    RecordWriter writer(tx, names, ids_, now, summary.counts);
    RunWriter runs(tx, names, writer, now, summary.counts);
    BulkGatherer gather(tx, names, runs);
    // Chunks parsed on every core ahead of this thread, which applies them in file order. Line
    // numbers inside a chunk start at 1: a bad line fails the load, and the batches that Import
    // runs then name it.
    std::deque<std::future<Batch>> parsing;
    size_t launched = 0;
    auto launch = [&] {
      const int64_t begin = launched == 0 ? 0 : chunk_ends[launched - 1];
      const std::string_view chunk = content.substr(0, static_cast<size_t>(chunk_ends[launched]));
      parsing.push_back(std::async(std::launch::async, [this, chunk, begin] {
        return ParseBatch(parse_, chunk, begin, 0, std::numeric_limits<int64_t>::max());
      }));
      ++launched;
    };
    while (launched < chunk_ends.size() && parsing.size() < parsers) launch();
    while (!parsing.empty()) {
      Batch batch = parsing.front().get();
      parsing.pop_front();
      if (launched < chunk_ends.size()) launch();
      if (batch.error) return std::move(*batch.error);
      for (const ParsedLine& parsed : batch.lines) ORGD_TRY(std::visit(gather, parsed.record));
      ORGD_TRY(runs.Flush());  // its rows point into this batch
      summary.lines_done += batch.end_line;
      summary.lines_this_run = summary.lines_done;
      summary.bytes_done = batch.end_offset;
      report(ImportStage::kReading);
    }

    report(ImportStage::kMemberships);
    const auto member_lines = static_cast<int64_t>(gather.members.size());
    const auto grant_names = static_cast<int64_t>(gather.grants.size());
    SortUnique(gather.members, [](const auto& a, const auto& b) {
      return std::tie(a.org, a.user) < std::tie(b.org, b.user);
    });
    SortUnique(gather.grants, [](const auto& a, const auto& b) {
      return std::tie(a.org, a.user, a.role) < std::tie(b.org, b.user, b.role);
    });
    auto added = tx.ImportMemberships(gather.members, now);
    if (!added) return std::move(added).error();
    summary.counts.memberships = {.inserted = *added, .unchanged = member_lines - *added};
    auto granted = tx.ImportMemberRoles(gather.grants, now);
    if (!granted) return std::move(granted).error();
    summary.counts.member_roles = {.inserted = *granted, .unchanged = grant_names - *granted};
    ORGD_TRY(tx.PutImportProgress(ProgressRow(file_id, summary.bytes_total, summary.lines_done,
                                              summary.bytes_done, started_at, now,
                                              /*complete=*/true)));
    report(ImportStage::kIndexing);
    return {};
  });
  if (!loaded) return std::move(loaded).error();
  if (!*loaded) return false;
  summary.batches = 1;
  summary.bulk = true;
  return true;
}

}  // namespace orgd::domain
