#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/result.h"
#include "common/sharded_shared_mutex.h"
#include "common/thread_copy.h"
#include "domain/read_model.h"

namespace orgd::domain {

// List pages kept in memory for one generation of the read model (ReadModel::Generation): a page
// read from the store under generation G is answered again, without SQL, to any caller that
// finds the generation still G after its own freshness check. The generation moves whenever the
// change feed reports a write of any kind a list could show, so a kept page is exactly what the
// store would answer. Pages of an older generation are dropped as soon as a newer one is kept.
//
// Bounded: at most kMaxEntries pages (the cache is emptied when full) of at most kMaxItems items
// each (larger pages are not kept). Thread-safe.
template <typename Page>
class ListCache {
 public:
  static constexpr size_t kMaxEntries = 512;
  static constexpr size_t kMaxItems = 100;
  // Pages each thread keeps its own copy of (the hot ones are few; each may hold kMaxItems).
  static constexpr size_t kThreadCopies = 16;

  // The page of `key`: the kept one when the model's generation still is the one it was kept
  // for, else `load()`, kept for the generation read before it. Without a model, or when the
  // model cannot tell its generation, just `load()`. A kept page is immutable; each thread
  // answers it from its own copy (common/thread_copy.h).
  template <typename Load>
  Result<std::shared_ptr<const Page>> Through(ReadModel* model, std::string key, const Load& load) {
    std::optional<uint64_t> generation;
    if (model != nullptr) {
      if (auto read = model->Generation()) generation = *read;
    }
    if (generation) {
      if (auto kept = Find(key, *generation)) return kept;
    }
    Result<Page> loaded = load();
    if (!loaded) return std::move(loaded).error();
    auto page = std::make_shared<const Page>(std::move(*loaded));
    if (generation) Keep(std::move(key), *generation, page);
    return page;
  }

  // The page kept under `key` for `generation`, or null.
  std::shared_ptr<const Page> Find(std::string_view key, uint64_t generation) const {
    std::shared_lock lock(mu_);
    if (generation != generation_) return nullptr;
    auto it = pages_.find(key);
    return it == pages_.end() ? nullptr : ThreadCopyOf<Page, kThreadCopies>(it->second);
  }

  // Keeps `page` under `key` for `generation`, the one read before the page was: a page of an
  // older generation than the kept ones is not kept; a newer one replaces them all.
  void Keep(std::string key, uint64_t generation, std::shared_ptr<const Page> kept) {
    if (kept->items.size() > kMaxItems) return;
    std::unique_lock lock(mu_);
    if (generation < generation_) return;
    if (generation > generation_ || pages_.size() >= kMaxEntries) {
      pages_.clear();
      generation_ = generation;
    }
    pages_.insert_or_assign(std::move(key), std::move(kept));
  }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  mutable ShardedSharedMutex mu_;
  uint64_t generation_ = 0;  // guarded by mu_; every kept page's
  std::unordered_map<std::string, std::shared_ptr<const Page>, Hash, std::equal_to<>>
      pages_;  // guarded by mu_
};

// Builds a ListCache key from a query's fields: each is written with its length, so that no two
// different field lists give the same key.
class ListKey {
 public:
  ListKey& Add(std::string_view field) {
    key_ += std::to_string(field.size());
    key_ += ':';
    key_ += field;
    return *this;
  }
  ListKey& Add(int64_t field) { return Add(std::string_view(std::to_string(field))); }
  std::string Take() { return std::move(key_); }

 private:
  std::string key_;
};

}  // namespace orgd::domain
