# Script mode: cmake -DDIR=... -DOUT=... -DFUNC=... -DFILES="a.sql;b.sql" -P EmbedMigrations.cmake
set(_body "")
list(SORT FILES)
foreach(_f IN LISTS FILES)
  file(READ "${DIR}/${_f}" _sql)
  string(REGEX MATCH "^[0-9]+" _num "${_f}")
  math(EXPR _version "${_num}")
  string(APPEND _body "    {${_version}, \"${_f}\", R\"orgd_sql(${_sql})orgd_sql\"},\n")
endforeach()
file(WRITE "${OUT}.tmp"
"// Generated from ${DIR} by cmake/EmbedMigrations.cmake. Do not edit.
#include \"store/sql/migrations.h\"

namespace orgd::store::sql {

const std::vector<MigrationFile>& ${FUNC}() {
  static const std::vector<MigrationFile> kFiles = {
${_body}  };
  return kFiles;
}

}  // namespace orgd::store::sql
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
