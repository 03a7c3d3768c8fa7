#include "common/log.h"

#include <cstdio>
#include <mutex>

#include "common/time_format.h"

namespace orgd::log {
namespace {

std::mutex& WriteMutex() {
  static std::mutex mu;
  return mu;
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void WriteLine(std::string_view json_object) {
  std::lock_guard lock(WriteMutex());
  std::fwrite(json_object.data(), 1, json_object.size(), stderr);
  std::fputc('\n', stderr);
}

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  std::string line;
  line.reserve(128);
  line += "{\"ts\":";
  AppendJsonString(line, FormatRfc3339Millis(WallClockMillis()));
  line += ",\"level\":\"";
  line += LevelName(level);
  line += "\",\"msg\":";
  AppendJsonString(line, msg);
  for (const auto& [key, value] : fields) {
    line.push_back(',');
    AppendJsonString(line, key);
    line.push_back(':');
    AppendJsonString(line, value);
  }
  line.push_back('}');
  WriteLine(line);
}

}  // namespace orgd::log
