#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
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

// Whether any of the eight bytes at `p` is a control character (below 0x20), '"' or '\\': the
// bytes JSON escapes. Exact (no false positives or negatives) for the answer as a whole; bytes of
// 0x80 and above (UTF-8) never count.
bool WordNeedsEscape(const char* p) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  uint64_t w = 0;
  std::memcpy(&w, p, sizeof w);
  auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHighs; };
  const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
  return (below_space | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\'))) != 0;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  // Runs of characters that need no escape (nearly all of them) are appended at once: this
  // writes every string of every JSON response. Eight bytes at a time are passed over while
  // none of them needs an escape.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    while (i + 8 <= s.size() && !WordNeedsEscape(s.data() + i)) i += 8;
    if (i == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(escape, sizeof escape);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void WriteLine(std::string_view json_object) {
  // One write(2) per line and no lock: Linux serializes writes to one open file, and a pipe write
  // of at most PIPE_BUF bytes is atomic, so lines from different threads never interleave. Longer
  // lines on a pipe fall back to the mutex.
  thread_local std::string buffer;
  buffer.assign(json_object);
  buffer.push_back('\n');
  auto write_all = [&] {
    const char* p = buffer.data();
    size_t left = buffer.size();
    while (left > 0) {
      ssize_t n = ::write(STDERR_FILENO, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;  // nowhere left to report a failing log
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
  };
  if (buffer.size() <= PIPE_BUF) {
    write_all();
  } else {
    std::lock_guard lock(WriteMutex());
    write_all();
  }
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
