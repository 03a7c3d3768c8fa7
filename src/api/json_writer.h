#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/log.h"

namespace orgd::api {

// An object key written in the code: a string literal, checked at compile time to need no JSON
// escape, so that writing it is one copy. Keys from data go through JsonWriter::EscapedKey.
class JsonKey {
 public:
  template <size_t N>
  consteval JsonKey(const char (&literal)[N])  // NOLINT(google-explicit-constructor): literals
      : text_(literal, N - 1) {
    for (char c : text_) {
      // Not a constant expression, so a key that needs an escape does not compile.
      if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\') throw "needs an escape";
    }
  }
  constexpr std::string_view text() const { return text_; }

 private:
  std::string_view text_;
};

// Appends JSON to a string without building a DOM: responses on hot paths are written straight
// into their body. The caller keeps the structure well-formed; commas are inserted automatically.
// Raw() splices text that is already valid JSON (stored custom data, for example).
class JsonWriter {
 public:
  explicit JsonWriter(size_t reserve = 256) { out_.reserve(reserve); }

  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }

  // An object key; the next value call writes its value.
  JsonWriter& Key(JsonKey key) {
    Comma();
    out_.push_back('"');
    out_.append(key.text());
    out_.append("\":", 2);
    after_key_ = true;
    return *this;
  }
  // A key taken from data (a property's name, for example), escaped as a string is.
  JsonWriter& EscapedKey(std::string_view key) {
    Comma();
    log::AppendJsonString(out_, key);
    out_.push_back(':');
    after_key_ = true;
    return *this;
  }
  JsonWriter& String(std::string_view s) {
    Comma();
    log::AppendJsonString(out_, s);
    return *this;
  }
  JsonWriter& Int(int64_t v) {
    Comma();
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    out_.append(buf, end);
    return *this;
  }
  JsonWriter& Bool(bool b) {
    Comma();
    out_ += b ? "true" : "false";
    return *this;
  }
  JsonWriter& Null() {
    Comma();
    out_ += "null";
    return *this;
  }
  // Splices `json`, which must be one complete JSON value.
  JsonWriter& Raw(std::string_view json) {
    Comma();
    out_ += json;
    return *this;
  }
  template <typename Opt>
  JsonWriter& OptString(const Opt& s) {
    return s ? String(*s) : Null();
  }
  template <typename Opt>
  JsonWriter& OptInt(const Opt& v) {
    return v ? Int(*v) : Null();
  }

  // Key + value shorthands.
  JsonWriter& Field(JsonKey key, std::string_view v) { return Key(key).String(v); }
  JsonWriter& Field(JsonKey key, const char* v) { return Key(key).String(v); }
  JsonWriter& Field(JsonKey key, const std::string& v) { return Key(key).String(v); }
  JsonWriter& Field(JsonKey key, int64_t v) { return Key(key).Int(v); }
  JsonWriter& Field(JsonKey key, bool v) { return Key(key).Bool(v); }

  std::string& str() { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  JsonWriter& Open(char c) {
    Comma();
    out_.push_back(c);
    first_ = true;
    return *this;
  }
  JsonWriter& Close(char c) {
    out_.push_back(c);
    first_ = false;
    return *this;
  }
  void Comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) out_.push_back(',');
    first_ = false;
  }

  std::string out_;
  bool first_ = true;
  bool after_key_ = false;
};

}  // namespace orgd::api
