#include "store/sql/bulk_rows.h"

#include <cassert>
#include <string_view>
#include <variant>

#include "common/error.h"

namespace orgd::store::sql::internal {
namespace {

// An element of a PostgreSQL array literal: quoted, so that commas, braces, spaces and the word
// NULL stay text; inside the quotes only `"` and `\` need a backslash.
void AppendPgText(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

// A JSON string. Bytes from 0x80 pass through: SQLite's JSON functions carry them as they are.
void AppendJsonText(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      out += "\\u00";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

}  // namespace

BulkRows::BulkRows(Engine engine, size_t columns) : engine_(engine), columns_(columns) {
  assert(columns > 0);
  if (engine_ == Engine::kPostgres) {
    texts_.assign(columns_, "{");
  } else {
    texts_.assign(1, "[");
  }
}

Result<void> BulkRows::Add(std::initializer_list<Param> row) {
  assert(row.size() == columns_ && !closed_);
  if (engine_ == Engine::kPostgres) {
    for (const Param& value : row) {
      if (const auto* s = std::get_if<std::string_view>(&value);
          s != nullptr && s->find('\0') != std::string_view::npos) {
        return Error::InvalidArgument("text must not contain NUL characters");
      }
    }
  }
  const bool first = rows_ == 0;
  if (engine_ == Engine::kPostgres) {
    size_t column = 0;
    for (const Param& value : row) {
      std::string& out = texts_[column++];
      if (!first) out.push_back(',');
      if (const auto* s = std::get_if<std::string_view>(&value)) {
        AppendPgText(out, *s);
      } else if (const auto* i = std::get_if<int64_t>(&value)) {
        out += std::to_string(*i);
      } else {
        assert(std::holds_alternative<std::nullptr_t>(value));
        out += "NULL";
      }
    }
  } else {
    std::string& out = texts_[0];
    if (!first) out.push_back(',');
    if (columns_ > 1) out.push_back('[');
    bool first_value = true;
    for (const Param& value : row) {
      if (!first_value) out.push_back(',');
      first_value = false;
      if (const auto* s = std::get_if<std::string_view>(&value)) {
        AppendJsonText(out, *s);
      } else if (const auto* i = std::get_if<int64_t>(&value)) {
        out += std::to_string(*i);
      } else {
        assert(std::holds_alternative<std::nullptr_t>(value));
        out += "null";
      }
    }
    if (columns_ > 1) out.push_back(']');
  }
  ++rows_;
  return {};
}

std::vector<Param> BulkRows::Params() {
  if (!closed_) {
    for (std::string& text : texts_) text.push_back(engine_ == Engine::kPostgres ? '}' : ']');
    closed_ = true;
  }
  std::vector<Param> params;
  params.reserve(texts_.size());
  for (const std::string& text : texts_) params.emplace_back(std::string_view(text));
  return params;
}

std::string ValuesTuples(size_t rows, size_t columns, std::string_view tail) {
  std::string out;
  size_t n = 2;
  for (size_t r = 0; r < rows; ++r) {
    out += r == 0 ? "(" : ", (";
    for (size_t c = 0; c < columns; ++c) out += "$" + std::to_string(n++) + ", ";
    out += tail;
    out += ")";
  }
  return out;
}

}  // namespace orgd::store::sql::internal
