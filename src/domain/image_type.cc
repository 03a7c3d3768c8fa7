#include "domain/image_type.h"

#include <cstdint>

namespace orgd::domain {
namespace {

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void SkipXmlSpace(std::string_view& s) {
  while (!s.empty() && IsXmlSpace(s.front())) s.remove_prefix(1);
}

// Skips one construct that `open` starts and `close` ends; false when `s` does not start with
// `open` or the construct never ends.
bool SkipConstruct(std::string_view& s, std::string_view open, std::string_view close) {
  if (!s.starts_with(open)) return false;
  size_t end = s.find(close, open.size());
  if (end == std::string_view::npos) return false;
  s.remove_prefix(end + close.size());
  return true;
}

// A DOCTYPE may carry an internal subset in brackets, which may itself contain '>'.
bool SkipDoctype(std::string_view& s) {
  if (!s.starts_with("<!DOCTYPE")) return false;
  size_t i = 9;
  int depth = 0;
  for (; i < s.size(); ++i) {
    if (s[i] == '[') ++depth;
    if (s[i] == ']' && depth > 0) --depth;
    if (s[i] == '>' && depth == 0) break;
  }
  if (i == s.size()) return false;
  s.remove_prefix(i + 1);
  return true;
}

// True when `s` starts with the root element <svg (followed by whitespace, '>' or '/').
bool StartsWithSvgElement(std::string_view s) {
  if (!s.starts_with("<svg")) return false;
  if (s.size() == 4) return false;
  char next = s[4];
  return IsXmlSpace(next) || next == '>' || next == '/';
}

bool IsSvg(std::string_view s) {
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);
  SkipXmlSpace(s);
  // Whatever XML allows before the root element: the declaration, comments, processing
  // instructions and one DOCTYPE. Anything else before <svg is not an SVG document.
  while (!s.empty()) {
    if (StartsWithSvgElement(s)) return true;
    if (!SkipConstruct(s, "<!--", "-->") && !SkipConstruct(s, "<?", "?>") && !SkipDoctype(s)) {
      return false;
    }
    SkipXmlSpace(s);
  }
  return false;
}

}  // namespace

std::optional<std::string_view> DetectImageType(std::string_view b) {
  if (b.starts_with(std::string_view("\x89PNG\r\n\x1a\n", 8))) return "image/png";
  if (b.starts_with("\xFF\xD8\xFF")) return "image/jpeg";
  if (b.starts_with("GIF87a") || b.starts_with("GIF89a")) return "image/gif";
  if (b.size() >= 12 && b.starts_with("RIFF") && b.substr(8, 4) == "WEBP") return "image/webp";
  // ICONDIR: reserved 0, type 1 (icon), then a little-endian image count that must not be 0.
  if (b.size() >= 6 && b.starts_with(std::string_view("\0\0\1\0", 4)) && (b[4] != 0 || b[5] != 0)) {
    return "image/x-icon";
  }
  if (IsSvg(b)) return "image/svg+xml";
  return std::nullopt;
}

std::string ContentHash(std::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64-bit offset basis
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;  // FNV-1a 64-bit prime
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[hash & 0xf];
    hash >>= 4;
  }
  return out;
}

}  // namespace orgd::domain
