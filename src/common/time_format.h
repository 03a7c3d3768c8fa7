#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orgd {

// "2026-01-28T14:26:02.448Z" (UTC, millisecond precision); for logs.
std::string FormatRfc3339Millis(int64_t epoch_ms);
// "2026-01-28T14:26:02.448000+00:00" (UTC, microsecond precision, +00:00 offset), the Kinde
// dialect's timestamp form. orgd keeps milliseconds, so the last three digits are zeros.
std::string FormatKindeTimestamp(int64_t epoch_ms);
// Parses an ISO 8601 / RFC 3339 date-time with a 'Z' or ±hh:mm offset and optional fraction into
// epoch microseconds. nullopt when malformed.
std::optional<int64_t> ParseRfc3339Micros(std::string_view text);
// The current wall-clock time, for logs only (domain code uses Clock).
int64_t WallClockMillis();

}  // namespace orgd
