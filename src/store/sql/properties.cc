// SqlStore: property categories, property definitions and organization property values
// (property_store.h), tables of migrations/*/0003_feature_flags_properties.sql.

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/result.h"
#include "domain/model/property.h"
#include "store/db.h"
#include "store/sql/sql_store.h"

namespace orgd::store::sql {
namespace {

using domain::Property;
using domain::PropertyCategory;
using domain::PropertyCategoryId;
using domain::PropertyId;

// Clashes as each engine names them: SQLite the columns ("UNIQUE constraint failed:
// properties.key"), PostgreSQL the constraint ("properties_key_key"). Other errors pass unchanged.
Error MapPropertyUnique(Error error) {
  if (error.code != ErrorCode::kAlreadyExists) return error;
  const bool is_key = error.detail.find("properties.key") != std::string::npos ||
                      error.detail.find("\"properties_key_key\"") != std::string::npos;
  return Error::AlreadyExists("property", is_key ? "property_key" : "id")
      .WithDetail(std::move(error.detail));
}

Error MapCategoryUnique(Error error) {
  if (error.code != ErrorCode::kAlreadyExists) return error;
  return Error::AlreadyExists("property_category", "id").WithDetail(std::move(error.detail));
}

// A foreign key failure, which only a concurrent delete can cause once the caller checked the
// referenced rows in its transaction. PostgreSQL names the constraint; SQLite names none, but it
// serializes writers, so it cannot get here.
Error MapValueForeignKey(Error error) {
  if (error.code != ErrorCode::kFailedPrecondition || error.reason != "foreign_key") return error;
  if (error.detail.find("organization_property_values_property_id_fkey") != std::string::npos) {
    return Error::NotFound("property").WithDetail(std::move(error.detail));
  }
  return Error::NotFound("organization").WithDetail(std::move(error.detail));
}

Error MapCategoryForeignKey(Error error) {
  if (error.code != ErrorCode::kFailedPrecondition || error.reason != "foreign_key") return error;
  return Error::NotFound("category").WithDetail(std::move(error.detail));
}

PropertyCategory ReadCategory(const Row& row) {
  return PropertyCategory{
      .id = PropertyCategoryId(row.GetText(0)),
      .name = row.GetString(1),
      .context =
          domain::ParsePropertyContext(row.GetText(2)).value_or(domain::PropertyContext::kOrg),
      .created_at = row.GetInt(3),
  };
}

Property ReadProperty(const Row& row) {
  return Property{
      .id = PropertyId(row.GetText(0)),
      .key = row.GetString(1),
      .name = row.GetString(2),
      .description = row.GetOptString(3),
      .type =
          domain::ParsePropertyType(row.GetText(4)).value_or(domain::PropertyType::kSingleLineText),
      .context =
          domain::ParsePropertyContext(row.GetText(5)).value_or(domain::PropertyContext::kOrg),
      .is_private = row.GetBool(6),
      .category_id = PropertyCategoryId(row.GetText(7)),
      .created_at = row.GetInt(8),
  };
}

// The statements of one cursor list (see ListByCursor). Parameters: $1 the context filter ('' for
// none), $2 the row limit, and after a cursor $3 its created_at and $4 its id. Keyset predicates
// are written `created_at >= $3 AND (created_at > $3 OR id > $4)` rather than as row values: the
// same rows, and the leading range lets both planners seek into the (created_at, id) index.
struct CursorListSql {
  std::string_view position;  // $1 an id → its created_at
  std::string_view first;
  std::string_view after;
  std::string_view before;  // descending; the caller reverses the rows
};

constexpr CursorListSql kCategoryList = {
    .position = "SELECT created_at FROM property_categories WHERE id = $1",
    .first =
        "SELECT id, name, context, created_at FROM property_categories "
        "WHERE ($1 = '' OR context = $1) ORDER BY created_at, id LIMIT $2",
    .after =
        "SELECT id, name, context, created_at FROM property_categories "
        "WHERE ($1 = '' OR context = $1) AND created_at >= $3 "
        "AND (created_at > $3 OR id > $4) ORDER BY created_at, id LIMIT $2",
    .before =
        "SELECT id, name, context, created_at FROM property_categories "
        "WHERE ($1 = '' OR context = $1) AND created_at <= $3 "
        "AND (created_at < $3 OR id < $4) ORDER BY created_at DESC, id DESC LIMIT $2",
};

constexpr CursorListSql kPropertyList = {
    .position = "SELECT created_at FROM properties WHERE id = $1",
    .first =
        "SELECT id, key, name, description, type, context, is_private, category_id, "
        "created_at FROM properties WHERE ($1 = '' OR context = $1) "
        "ORDER BY created_at, id LIMIT $2",
    .after =
        "SELECT id, key, name, description, type, context, is_private, category_id, "
        "created_at FROM properties WHERE ($1 = '' OR context = $1) AND created_at >= $3 "
        "AND (created_at > $3 OR id > $4) ORDER BY created_at, id LIMIT $2",
    .before =
        "SELECT id, key, name, description, type, context, is_private, category_id, "
        "created_at FROM properties WHERE ($1 = '' OR context = $1) AND created_at <= $3 "
        "AND (created_at < $3 OR id < $4) ORDER BY created_at DESC, id DESC LIMIT $2",
};

Result<void> CheckCursorRequest(const domain::PropertyCursorRequest& page) {
  if (page.limit < 1) return Error::InvalidArgument("limit must be at least 1", "limit");
  if (page.starting_after && page.ending_before) {
    return Error::InvalidArgument("Only one of starting_after or ending_before may be specified",
                                  "starting_after")
        .WithReason("too_many_parameters");
  }
  return {};
}

// One page of a cursor list, read on `conn` (inside one read transaction, so that the cursor's
// position and the page come from one snapshot).
template <typename T>
Result<domain::PropertyCursorPage<T>> ListByCursor(Connection& conn, const CursorListSql& sql,
                                                   std::optional<domain::PropertyContext> context,
                                                   const domain::PropertyCursorRequest& page,
                                                   T (*read)(const Row&)) {
  const std::optional<std::string>& cursor =
      page.starting_after ? page.starting_after : page.ending_before;
  const bool backwards = page.ending_before.has_value();
  std::optional<int64_t> position;
  if (cursor) {
    ORGD_TRY(conn.Query(sql.position, {Text(*cursor)},
                        [&](const Row& row) { position = row.GetInt(0); }));
    if (!position) {
      return Error::InvalidArgument("Invalid cursor",
                                    backwards ? "ending_before" : "starting_after")
          .WithReason("invalid_cursor");
    }
  }
  const std::string filter(context ? domain::PropertyContextName(*context) : "");
  // One row beyond the page tells whether there is more.
  const std::array<Param, 4> params = {
      Text(filter),
      Int(page.limit == std::numeric_limits<int64_t>::max() ? page.limit : page.limit + 1),
      position ? Int(*position) : Param{nullptr},
      cursor ? Text(*cursor) : Param{nullptr},
  };
  // PostgreSQL must be able to infer the type of every parameter it is given, so a statement
  // receives exactly the parameters it names.
  const std::span<const Param> bound = std::span(params).first(cursor ? size_t{4} : size_t{2});
  const std::string_view statement = !cursor ? sql.first : backwards ? sql.before : sql.after;

  domain::PropertyCursorPage<T> result;
  ORGD_TRY(conn.Query(statement, bound, [&](const Row& row) {
    if (static_cast<int64_t>(result.items.size()) == page.limit) {
      result.has_more = true;
      return;
    }
    result.items.push_back(read(row));
  }));
  if (backwards) std::reverse(result.items.begin(), result.items.end());
  return result;
}

constexpr std::string_view kInsertCategory =
    "INSERT INTO property_categories (id, name, context, created_at) VALUES ($1, $2, $3, $4)";
constexpr std::string_view kGetCategory =
    "SELECT id, name, context, created_at FROM property_categories WHERE id = $1";
constexpr std::string_view kRenameCategory =
    "UPDATE property_categories SET name = $2 WHERE id = $1";
constexpr std::string_view kCategoryExists = "SELECT 1 FROM property_categories WHERE id = $1";

constexpr std::string_view kInsertProperty =
    "INSERT INTO properties (id, key, name, description, type, context, is_private, category_id, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
constexpr std::string_view kGetProperty =
    "SELECT id, key, name, description, type, context, is_private, category_id, created_at "
    "FROM properties WHERE id = $1";
constexpr std::string_view kGetPropertyByKey =
    "SELECT id, key, name, description, type, context, is_private, category_id, created_at "
    "FROM properties WHERE key = $1";
constexpr std::string_view kPropertyExists = "SELECT 1 FROM properties WHERE id = $1";
// The description takes a flag and a value, so that "set to NULL" and "unchanged" differ.
constexpr std::string_view kUpdateProperty =
    "UPDATE properties SET name = $2, is_private = $3, category_id = $4, "
    "description = CASE WHEN $5 = 1 THEN $6 ELSE description END WHERE id = $1";
// The property's organization values go with it through ON DELETE CASCADE.
constexpr std::string_view kDeleteProperty = "DELETE FROM properties WHERE id = $1";

constexpr std::string_view kListOrgValues =
    "SELECT p.id, p.key, p.name, p.description, p.type, p.context, p.is_private, p.category_id, "
    "p.created_at, v.value FROM properties p "
    "LEFT JOIN organization_property_values v ON v.property_id = p.id AND v.org_id = $1 "
    "WHERE p.context = 'org' ORDER BY p.created_at, p.id";
constexpr int kJoinedValueColumn = 9;
constexpr std::string_view kOrganizationExists = "SELECT 1 FROM organizations WHERE id = $1";
constexpr std::string_view kUpsertValue =
    "INSERT INTO organization_property_values (org_id, property_id, value) VALUES ($1, $2, $3) "
    "ON CONFLICT (org_id, property_id) DO UPDATE SET value = excluded.value";
constexpr std::string_view kDeleteValue =
    "DELETE FROM organization_property_values WHERE org_id = $1 AND property_id = $2";

Result<bool> ExistsOn(Connection& conn, std::string_view sql, const std::string& id) {
  bool found = false;
  ORGD_TRY(conn.Query(sql, {Text(id)}, [&](const Row&) { found = true; }));
  return found;
}

// kNotFound for `subject` unless `sql` finds the row `id`.
Result<void> RequireOn(Connection& conn, std::string_view sql, const std::string& id,
                       std::string_view subject) {
  auto found = ExistsOn(conn, sql, id);
  if (!found) return std::move(found).error();
  if (!*found) return Error::NotFound(std::string(subject));
  return {};
}

}  // namespace

Result<void> SqlStore::InsertPropertyCategory(const PropertyCategory& category) {
  const std::string context(domain::PropertyContextName(category.context));
  return Run([&](Connection& conn) -> Result<void> {
    auto r = conn.Exec(kInsertCategory, {Text(category.id.value()), Text(category.name),
                                         Text(context), Int(category.created_at)});
    if (!r) return MapCategoryUnique(std::move(r).error());
    return {};
  });
}

Result<PropertyCategory> SqlStore::GetPropertyCategory(const PropertyCategoryId& id) {
  std::optional<PropertyCategory> category;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kGetCategory, {Text(id.value())},
                      [&](const Row& row) { category = ReadCategory(row); });
  }));
  if (!category) return Error::NotFound("category");
  return std::move(*category);
}

Result<void> SqlStore::RenamePropertyCategory(const PropertyCategoryId& id,
                                              const std::string& name) {
  return Run([&](Connection& conn) -> Result<void> {
    auto changed = conn.Exec(kRenameCategory, {Text(id.value()), Text(name)});
    if (!changed) return std::move(changed).error();
    if (*changed == 0) return Error::NotFound("category");
    return {};
  });
}

Result<domain::PropertyCategoryPage> SqlStore::ListPropertyCategories(
    const domain::PropertyCategoryListQuery& query) {
  ORGD_TRY(CheckCursorRequest(query.page));
  domain::PropertyCategoryPage page;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    auto r = ListByCursor(conn, kCategoryList, query.context, query.page, &ReadCategory);
    if (!r) return std::move(r).error();
    page = std::move(*r);
    return {};
  }));
  return page;
}

Result<void> SqlStore::InsertProperty(const Property& property) {
  const std::string type(domain::PropertyTypeName(property.type));
  const std::string context(domain::PropertyContextName(property.context));
  const std::array<Param, 9> params = {
      Text(property.id.value()),
      Text(property.key),
      Text(property.name),
      OptText(property.description),
      Text(type),
      Text(context),
      Bool(property.is_private),
      Text(property.category_id.value()),
      Int(property.created_at),
  };
  return RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    ORGD_TRY(RequireOn(conn, kCategoryExists, property.category_id.value(), "category"));
    auto r = conn.Exec(kInsertProperty, params);
    if (!r) return MapCategoryForeignKey(MapPropertyUnique(std::move(r).error()));
    return {};
  });
}

Result<Property> SqlStore::GetProperty(const PropertyId& id) {
  std::optional<Property> property;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kGetProperty, {Text(id.value())},
                      [&](const Row& row) { property = ReadProperty(row); });
  }));
  if (!property) return Error::NotFound("property");
  return std::move(*property);
}

Result<Property> SqlStore::GetPropertyByKey(const std::string& key) {
  std::optional<Property> property;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kGetPropertyByKey, {Text(key)},
                      [&](const Row& row) { property = ReadProperty(row); });
  }));
  if (!property) return Error::NotFound("property");
  return std::move(*property);
}

Result<void> SqlStore::UpdateProperty(const PropertyId& id, const domain::PropertyUpdate& update) {
  const std::optional<std::string> description =
      update.description ? *update.description : std::nullopt;
  const std::array<Param, 6> params = {
      Text(id.value()),
      Text(update.name),
      Bool(update.is_private),
      Text(update.category_id.value()),
      Int(update.description ? 1 : 0),
      OptText(description),
  };
  return RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    // Checked in this order so that a missing property is reported before a missing category.
    ORGD_TRY(RequireOn(conn, kPropertyExists, id.value(), "property"));
    ORGD_TRY(RequireOn(conn, kCategoryExists, update.category_id.value(), "category"));
    auto changed = conn.Exec(kUpdateProperty, params);
    if (!changed) return MapCategoryForeignKey(std::move(changed).error());
    if (*changed == 0) return Error::NotFound("property");
    return {};
  });
}

Result<void> SqlStore::DeleteProperty(const PropertyId& id) {
  return Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeleteProperty, {Text(id.value())});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) return Error::NotFound("property");
    return {};
  });
}

Result<domain::PropertyPage> SqlStore::ListProperties(const domain::PropertyListQuery& query) {
  ORGD_TRY(CheckCursorRequest(query.page));
  domain::PropertyPage page;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    auto r = ListByCursor(conn, kPropertyList, query.context, query.page, &ReadProperty);
    if (!r) return std::move(r).error();
    page = std::move(*r);
    return {};
  }));
  return page;
}

Result<std::vector<domain::OrgPropertyValue>> SqlStore::ListOrgPropertyValues(const OrgId& org) {
  std::vector<domain::OrgPropertyValue> values;
  ORGD_TRY(Run([&](Connection& conn) {
    values.clear();
    return conn.Query(kListOrgValues, {Text(org.value())}, [&](const Row& row) {
      values.push_back(domain::OrgPropertyValue{
          .property = ReadProperty(row),
          .value = row.GetOptString(kJoinedValueColumn),
      });
    });
  }));
  return values;
}

Result<void> SqlStore::SetOrgPropertyValue(const OrgId& org, const PropertyId& property,
                                           const std::string& value) {
  return RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    // Checked first so that both engines tell which row is missing (SQLite's foreign key error
    // names no constraint).
    ORGD_TRY(RequireOn(conn, kOrganizationExists, org.value(), "organization"));
    ORGD_TRY(RequireOn(conn, kPropertyExists, property.value(), "property"));
    auto r = conn.Exec(kUpsertValue, {Text(org.value()), Text(property.value()), Text(value)});
    if (!r) return MapValueForeignKey(std::move(r).error());
    return {};
  });
}

Result<void> SqlStore::ClearOrgPropertyValue(const OrgId& org, const PropertyId& property) {
  return Run([&](Connection& conn) -> Result<void> {
    ORGD_TRY(conn.Exec(kDeleteValue, {Text(org.value()), Text(property.value())}));
    return {};
  });
}

}  // namespace orgd::store::sql
