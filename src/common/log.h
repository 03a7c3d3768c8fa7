#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

// Structured logs: one JSON object per line on stderr. Thread-safe; lines are never interleaved.
namespace orgd::log {

enum class Level { kDebug, kInfo, kWarn, kError };

using Field = std::pair<std::string_view, std::string_view>;

// Writes {"ts":"<RFC 3339 UTC>","level":"info","msg":msg, <fields as strings>}.
void Write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});
// Writes an already-formed JSON object line (without the trailing newline).
void WriteLine(std::string_view json_object);
// Appends `s` to `out` as a JSON string literal, quotes included.
void AppendJsonString(std::string& out, std::string_view s);

inline void Info(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kInfo, msg, fields);
}
inline void Warn(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kWarn, msg, fields);
}
inline void Error(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kError, msg, fields);
}

}  // namespace orgd::log
