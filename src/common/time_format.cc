#include "common/time_format.h"

#include <charconv>
#include <chrono>

namespace orgd {
namespace {

struct Civil {
  int64_t year;
  unsigned month, day, hour, minute, second, millis;
};

// Howard Hinnant's days-from-civil algorithm, both directions.
Civil ToCivil(int64_t epoch_ms) {
  int64_t ms = epoch_ms % 1000;
  int64_t secs = epoch_ms / 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(days - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{y + (m <= 2), m, d, static_cast<unsigned>(rem / 3600),
               static_cast<unsigned>(rem % 3600 / 60), static_cast<unsigned>(rem % 60),
               static_cast<unsigned>(ms)};
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool Digits(std::string_view s, size_t pos, size_t n, int64_t& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// "YYYY-MM-DDTHH:MM:SS.mmm" into `out` (23 characters; years outside 0-9999 as std::to_chars
// writes them, with at least four digits). Hand-written: on hot read paths snprintf cost more
// than everything else about a timestamp.
void AppendCivil(std::string& out, const Civil& c) {
  auto two = [&](unsigned v) {
    out.push_back(static_cast<char>('0' + v / 10));
    out.push_back(static_cast<char>('0' + v % 10));
  };
  if (c.year >= 0 && c.year <= 9999) {
    const auto y = static_cast<unsigned>(c.year);
    two(y / 100);
    two(y % 100);
  } else {
    char digits[24];
    int64_t year = c.year;
    if (year < 0) {
      out.push_back('-');
      year = -year;
    }
    auto end = std::to_chars(digits, digits + sizeof(digits), year).ptr;
    for (auto n = end - digits; n < 4; ++n) out.push_back('0');
    out.append(digits, end);
  }
  out.push_back('-');
  two(c.month);
  out.push_back('-');
  two(c.day);
  out.push_back('T');
  two(c.hour);
  out.push_back(':');
  two(c.minute);
  out.push_back(':');
  two(c.second);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + c.millis / 100));
  two(c.millis % 100);
}

}  // namespace

std::string FormatRfc3339Millis(int64_t epoch_ms) {
  std::string out;
  out.reserve(24);
  AppendCivil(out, ToCivil(epoch_ms));
  out.push_back('Z');
  return out;
}

std::string FormatKindeTimestamp(int64_t epoch_ms) {
  std::string out;
  out.reserve(32);
  AppendCivil(out, ToCivil(epoch_ms));
  out.append("000+00:00");
  return out;
}

std::optional<int64_t> ParseRfc3339Micros(std::string_view s) {
  int64_t y, mo, d, h, mi, se;
  if (!Digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, mo) ||
      s[7] != '-' || !Digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, h) || s[13] != ':' || !Digits(s, 14, 2, mi) || s[16] != ':' ||
      !Digits(s, 17, 2, se)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      micros += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int64_t oh, om;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, om)) {
      return std::nullopt;
    }
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offset_s;
  return secs * 1'000'000 + micros;
}

int64_t WallClockMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace orgd
