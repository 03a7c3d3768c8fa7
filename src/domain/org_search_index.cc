#include "domain/org_search_index.h"

#include <malloc.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/text.h"

namespace orgd::domain {
namespace {

// A `q` search as a LIKE pattern: '%' + ASCII-lower-cased q + '%', compiled once per count.
struct Pattern {
  enum class Kind : uint8_t { kByte, kOne, kAny };
  struct Token {
    Kind kind;
    char byte;
  };
  std::vector<Token> tokens;
  // The literal byte runs between wildcards, and the run itself when the pattern is `%run%`
  // (the common case, matched with a substring search).
  std::vector<std::string> runs;
  std::optional<std::string> only_run;
};

// nullopt for the patterns whose meaning the engines do not share (see Count).
std::optional<Pattern> Compile(std::string_view q) {
  if (q.find('\0') != std::string_view::npos || !IsStrictUtf8(q)) return std::nullopt;
  const std::string text = "%" + AsciiLower(q) + "%";

  Pattern p;
  std::string run;
  auto end_run = [&] {
    if (!run.empty()) p.runs.push_back(std::move(run));
    run.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      end_run();
      if (p.tokens.empty() || p.tokens.back().kind != Pattern::Kind::kAny) {
        p.tokens.push_back({Pattern::Kind::kAny, 0});
      }
      continue;
    }
    if (c == '_') {
      end_run();
      p.tokens.push_back({Pattern::Kind::kOne, 0});
      continue;
    }
    // `\` takes the next character literally; there always is one, as the text ends with '%'.
    if (c == '\\') c = text[++i];
    p.tokens.push_back({Pattern::Kind::kByte, c});
    run.push_back(c);
  }
  end_run();
  const bool bytes_between_anys =
      p.tokens.size() >= 3 && p.tokens.front().kind == Pattern::Kind::kAny &&
      p.tokens.back().kind == Pattern::Kind::kAny &&
      std::all_of(p.tokens.begin() + 1, p.tokens.end() - 1,
                  [](const Pattern::Token& t) { return t.kind == Pattern::Kind::kByte; });
  if (bytes_between_anys) p.only_run = p.runs.front();
  return p;
}

// LIKE without case folding over the compiled tokens: greedy, backtracking to the last `%` only
// (enough for `%` and `_`); `_` takes one UTF-8 sequence, as both engines' LIKE does.
bool Matches(std::string_view text, const Pattern& p) {
  const std::vector<Pattern::Token>& tokens = p.tokens;
  size_t t = 0, k = 0;
  size_t star_k = std::numeric_limits<size_t>::max(), star_t = 0;
  while (t < text.size()) {
    if (k < tokens.size() && tokens[k].kind == Pattern::Kind::kAny) {
      star_k = k++;
      star_t = t;
    } else if (k < tokens.size() && tokens[k].kind == Pattern::Kind::kOne) {
      t += Utf8SequenceLength(static_cast<unsigned char>(text[t]));
      ++k;
    } else if (k < tokens.size() && tokens[k].byte == text[t]) {
      ++t;
      ++k;
    } else if (star_k != std::numeric_limits<size_t>::max()) {
      k = star_k + 1;
      star_t += Utf8SequenceLength(static_cast<unsigned char>(text[star_t]));
      t = star_t;
    } else {
      return false;
    }
  }
  while (k < tokens.size() && tokens[k].kind == Pattern::Kind::kAny) ++k;
  return k == tokens.size() && t == text.size();
}

// Whether `text` contains `run` (non-empty). Inline: the texts are short (a name, an id), where a
// call into the library's memchr/memmem costs more than the scan.
bool Contains(std::string_view text, std::string_view run) {
  if (run.size() > text.size()) return false;
  const char first = run.front();
  const size_t last = text.size() - run.size();
  for (size_t i = 0; i <= last; ++i) {
    if (text[i] != first) continue;
    size_t k = 1;
    while (k < run.size() && text[i + k] == run[k]) ++k;
    if (k == run.size()) return true;
  }
  return false;
}

uint32_t TrigramAt(std::string_view s, size_t i) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[i])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[i + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[i + 2]));
}

void AddTrigrams(std::string_view s, std::vector<uint32_t>& out) {
  for (size_t i = 0; i + 3 <= s.size(); ++i) out.push_back(TrigramAt(s, i));
}

}  // namespace

// Records are numbered in the order they were added and never move: an organization that
// changes gets a new record and its old one is marked dead. Each posting list holds, in record
// order, the records whose texts contain its trigram and where: the position in the name text,
// or kIdBase + the position in the id text, or kAmbiguous when the trigram occurs more than once
// in the record. So a search for one literal run (`%harbor%`, the common case) is decided from
// the lists alone for every record where the run's trigrams occur once each: the record holds
// the run iff they lie one after the other. Only the others read the record's texts: the lists
// are read in order, while the texts of tens of thousands of scattered records would each cost
// a wait on memory.
//
// A record's texts, in one buffer at offsets_[record]: the sizes of the name text, the id text
// and the id (2 bytes each, native order), then those three.
class OrgSearchIndex::State {
 public:
  State() : by_id_(16, IdHash{this}, IdEqual{this}) {}
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  // False when a text is longer than 65535 bytes or the buffer would outgrow 32-bit offsets.
  bool Add(const OrganizationSearchText& t) {
    const std::string& id = t.id.value();
    constexpr size_t kMaxText = std::numeric_limits<uint16_t>::max();
    if (id.size() > kMaxText || t.id_text.size() > kMaxText || t.name_text.size() > kMaxText) {
      return false;
    }
    const size_t size = kHeader + t.name_text.size() + t.id_text.size() + id.size();
    if (arena_.size() + size > std::numeric_limits<uint32_t>::max()) return false;
    const auto record = static_cast<uint32_t>(offsets_.size());
    offsets_.push_back(static_cast<uint32_t>(arena_.size()));
    const uint16_t sizes[3] = {static_cast<uint16_t>(t.name_text.size()),
                               static_cast<uint16_t>(t.id_text.size()),
                               static_cast<uint16_t>(id.size())};
    arena_.append(reinterpret_cast<const char*>(sizes), kHeader);
    arena_.append(t.name_text).append(t.id_text).append(id);
    dead_.push_back(false);
    ++live_;
    by_id_.insert(record);

    scratch_.clear();
    // Positions past a text's range (a name of 32 KiB) count as ambiguous: they are checked.
    auto collect = [&](std::string_view text, uint32_t base, uint32_t limit) {
      for (size_t i = 0; i + 3 <= text.size(); ++i) {
        const uint32_t position = base + i < limit ? static_cast<uint32_t>(base + i) : kAmbiguous;
        scratch_.emplace_back(TrigramAt(text, i), position);
      }
    };
    collect(t.name_text, 0, kIdBase);
    collect(t.id_text, kIdBase, kAmbiguous);
    std::sort(scratch_.begin(), scratch_.end());
    for (size_t i = 0; i < scratch_.size();) {
      size_t same = i + 1;
      while (same < scratch_.size() && scratch_[same].first == scratch_[i].first) ++same;
      Postings& list = postings_[scratch_[i].first];
      list.records.push_back(record);
      list.positions.push_back(
          static_cast<uint16_t>(same - i == 1 ? scratch_[i].second : kAmbiguous));
      i = same;
    }
    return true;
  }

  // The live record of `id`.
  std::optional<uint32_t> Find(std::string_view id) const {
    lookup_ = id;
    auto it = by_id_.find(kLookup);
    if (it == by_id_.end()) return std::nullopt;
    return *it;
  }

  void Kill(uint32_t record) {
    by_id_.erase(record);
    dead_[record] = true;
    --live_;
    ++dead_count_;
  }

  bool SameTexts(uint32_t record, const OrganizationSearchText& t) const {
    const View v = At(record);
    return v.id_text == t.id_text && v.name_text == t.name_text;
  }

  // Releases the spare capacity left by building.
  void Trim() {
    for (auto& [trigram, list] : postings_) {
      list.records.shrink_to_fit();
      list.positions.shrink_to_fit();
    }
    arena_.shrink_to_fit();
    offsets_.shrink_to_fit();
  }

  int64_t live() const { return live_; }
  int64_t dead() const { return dead_count_; }

  int64_t Bytes() const {
    // A hash node and a bucket per record and per trigram, plus the lists.
    auto bytes = static_cast<int64_t>(arena_.capacity() + offsets_.capacity() * 4 +
                                      dead_.capacity() / 8 +
                                      by_id_.size() * (sizeof(void*) * 2 + sizeof(uint32_t)));
    for (const auto& [trigram, list] : postings_) {
      bytes += static_cast<int64_t>(sizeof(void*) * 2 + sizeof(uint32_t) + sizeof(list) +
                                    list.records.capacity() * sizeof(uint32_t) +
                                    list.positions.capacity() * sizeof(uint16_t));
    }
    return bytes;
  }

  int64_t Count(const Pattern& p) const {
    if (p.only_run && p.only_run->size() >= 3) return CountRun(*p.only_run);
    // Any other pattern: the records holding every trigram of its literal runs (the rarest few
    // suffice to make them few), else every record, each checked against its texts.
    std::vector<uint32_t> trigrams;
    for (const std::string& run : p.runs) AddTrigrams(run, trigrams);
    std::sort(trigrams.begin(), trigrams.end());
    trigrams.erase(std::unique(trigrams.begin(), trigrams.end()), trigrams.end());
    std::vector<const Postings*> lists;
    for (uint32_t trigram : trigrams) {
      auto it = postings_.find(trigram);
      if (it == postings_.end()) return 0;
      lists.push_back(&it->second);
    }
    std::vector<uint32_t> candidates;
    if (lists.empty()) {
      candidates.resize(offsets_.size());
      for (uint32_t r = 0; r < candidates.size(); ++r) candidates[r] = r;
    } else {
      std::sort(lists.begin(), lists.end(), [](const Postings* a, const Postings* b) {
        return a->records.size() < b->records.size();
      });
      candidates = lists.front()->records;
      constexpr size_t kIntersected = 4;
      for (size_t l = 1; l < std::min(lists.size(), kIntersected) && !candidates.empty(); ++l) {
        Intersect(candidates, lists[l]->records, [](size_t, size_t) { return true; });
      }
    }
    return CheckTexts(candidates, [&](const View& v) {
      return Matches(v.name_text, p) || Matches(v.id_text, p);
    });
  }

 private:
  static constexpr size_t kHeader = 6;
  static constexpr size_t kGallopRatio = 16;
  static constexpr uint32_t kIdBase = 0x8000;
  static constexpr uint32_t kAmbiguous = 0xFFFF;
  struct Postings {
    std::vector<uint32_t> records;
    std::vector<uint16_t> positions;
  };
  struct View {
    std::string_view name_text;
    std::string_view id_text;
    std::string_view id;
  };
  View At(uint32_t record) const {
    const char* p = arena_.data() + offsets_[record];
    uint16_t sizes[3];
    std::memcpy(sizes, p, sizeof sizes);
    const char* name = p + kHeader;
    const char* id_text = name + sizes[0];
    return View{{name, sizes[0]}, {id_text, sizes[1]}, {id_text + sizes[1], sizes[2]}};
  }

  // Keeps the entries of `candidates` (sorted) that are also in `other` (sorted) and for which
  // keep(index in candidates, index in other) holds, galloping through `other` so that a long
  // list costs little against a short one and a merge against a similar one. Also compacts
  // `extra`, a list parallel to `candidates`, when given.
  template <typename Keep>
  static void Intersect(std::vector<uint32_t>& candidates, const std::vector<uint32_t>& other,
                        Keep keep, std::vector<uint32_t>* extra = nullptr) {
    size_t kept = 0;
    size_t at = 0;
    // Lists of similar length (a frequent word's trigrams) merge; a long one against a short
    // one gallops.
    const bool merge = other.size() < kGallopRatio * candidates.size();
    for (size_t c = 0; c < candidates.size(); ++c) {
      const uint32_t record = candidates[c];
      if (merge) {
        while (at < other.size() && other[at] < record) ++at;
      } else {
        size_t step = 1;
        size_t hi = at;
        while (hi < other.size() && other[hi] < record) {
          at = hi + 1;
          hi += step;
          step *= 2;
        }
        at = static_cast<size_t>(
            std::lower_bound(
                other.begin() + static_cast<std::ptrdiff_t>(at),
                other.begin() + static_cast<std::ptrdiff_t>(std::min(hi, other.size())), record) -
            other.begin());
      }
      if (at == other.size()) break;
      if (other[at] != record || !keep(c, at)) continue;
      if (extra != nullptr) (*extra)[kept] = (*extra)[c];
      candidates[kept++] = record;
    }
    candidates.resize(kept);
    if (extra != nullptr) extra->resize(kept);
  }

  // The live records holding `run` (3 bytes or more): the records on every list of its
  // trigrams, decided from the positions where they are unambiguous.
  int64_t CountRun(std::string_view run) const {
    struct Part {
      const Postings* list;
      uint32_t offset;  // of the trigram in the run
    };
    // The trigrams at offsets 0, 3, 6, ... and the last one cover every byte of the run, so a
    // record where each of them lies at its offset from one start holds the run: the others add
    // nothing, and each list merged costs time in proportion to the word's frequency.
    std::vector<Part> parts;
    for (size_t i = 0;; i = std::min(i + 3, run.size() - 3)) {
      auto it = postings_.find(TrigramAt(run, i));
      if (it == postings_.end()) return 0;
      parts.push_back({&it->second, static_cast<uint32_t>(i)});
      if (i + 3 == run.size()) break;
    }
    std::sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) {
      return a.list->records.size() < b.list->records.size();
    });
    // Each candidate with where the run would start (or kAmbiguous).
    std::vector<uint32_t> candidates = parts.front().list->records;
    std::vector<uint32_t> starts(candidates.size());
    auto start_of = [](uint32_t position, uint32_t offset) -> std::optional<uint32_t> {
      if (position == kAmbiguous) return kAmbiguous;
      // Not a start inside the same text: the run cannot be there.
      if (position < offset || (position >= kIdBase) != (position - offset >= kIdBase)) {
        return std::nullopt;
      }
      return position - offset;
    };
    {
      size_t kept = 0;
      for (size_t c = 0; c < candidates.size(); ++c) {
        const auto start = start_of(parts.front().list->positions[c], parts.front().offset);
        if (!start) continue;
        candidates[kept] = candidates[c];
        starts[kept++] = *start;
      }
      candidates.resize(kept);
      starts.resize(kept);
    }
    for (size_t l = 1; l < parts.size() && !candidates.empty(); ++l) {
      const Part& part = parts[l];
      Intersect(
          candidates, part.list->records,
          [&](size_t c, size_t at) {
            const auto start = start_of(part.list->positions[at], part.offset);
            if (!start) return false;
            if (*start == kAmbiguous || starts[c] == kAmbiguous) {
              starts[c] = kAmbiguous;
              return true;
            }
            return *start == starts[c];
          },
          &starts);
    }
    std::vector<uint32_t> unsure;
    int64_t n = 0;
    for (size_t c = 0; c < candidates.size(); ++c) {
      if (dead_[candidates[c]]) continue;
      if (starts[c] == kAmbiguous) {
        unsure.push_back(candidates[c]);
      } else {
        ++n;
      }
    }
    return n + CheckTexts(unsure, [&](const View& v) {
             return Contains(v.name_text, run) || Contains(v.id_text, run);
           });
  }

  // How many live records of `records` satisfy `matches`, reading their texts (ahead of the
  // checks, which would otherwise wait on memory for each one).
  template <typename Matches>
  int64_t CheckTexts(const std::vector<uint32_t>& records, Matches matches) const {
    constexpr size_t kAhead = 16;
    int64_t n = 0;
    for (size_t j = 0; j < records.size(); ++j) {
      if (j + kAhead < records.size()) __builtin_prefetch(arena_.data() + offsets_[records[j + kAhead]]);
      if (!dead_[records[j]] && matches(At(records[j]))) ++n;
    }
    return n;
  }

  // by_id_ holds the live records hashed by their id; kLookup stands for the id in lookup_.
  static constexpr uint32_t kLookup = std::numeric_limits<uint32_t>::max();
  struct IdHash {
    const State* state;
    size_t operator()(uint32_t r) const { return std::hash<std::string_view>{}(state->IdOf(r)); }
  };
  struct IdEqual {
    const State* state;
    bool operator()(uint32_t a, uint32_t b) const { return state->IdOf(a) == state->IdOf(b); }
  };
  std::string_view IdOf(uint32_t r) const { return r == kLookup ? lookup_ : At(r).id; }

  std::string arena_;
  std::vector<uint32_t> offsets_;  // record → its texts in arena_
  std::vector<bool> dead_;
  int64_t live_ = 0;
  int64_t dead_count_ = 0;
  mutable std::string_view lookup_;  // Find's key (callers hold count_mu_: one Find at a time)
  std::unordered_set<uint32_t, IdHash, IdEqual> by_id_;
  std::unordered_map<uint32_t, Postings> postings_;
  std::vector<std::pair<uint32_t, uint32_t>> scratch_;  // (trigram, position) of one record
};

OrgSearchIndex::OrgSearchIndex(store::OrganizationStore& store, ReadModel& model)
    : store_(store), model_(model) {
  model_.AddPollObserver([this](const store::ChangePoll& poll) { Observe(poll); });
}

OrgSearchIndex::~OrgSearchIndex() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (builder_.joinable()) builder_.join();
}

void OrgSearchIndex::Start() {
  std::lock_guard lock(mu_);
  if (builder_.joinable()) return;
  build_requested_ = true;
  builder_ = std::thread([this] { BuildLoop(); });
}

void OrgSearchIndex::Observe(const store::ChangePoll& poll) {
  std::lock_guard lock(mu_);
  if (poll.everything) {
    valid_ = false;
    ++invalidations_;
    build_requested_ = true;
    pending_.clear();
    changed_during_build_.clear();
    cv_.notify_all();
    return;
  }
  if (poll.organizations.empty()) return;
  for (const OrgId& org : poll.organizations) {
    if (valid_) pending_.insert(org.value());
    if (building_) changed_during_build_.insert(org.value());
  }
  // Counts apply what is pending; when they are rare the builder does, so it stays small.
  if (pending_.size() >= kBackgroundApply) cv_.notify_all();
}

bool OrgSearchIndex::ApplyPending() {
  std::vector<OrgId> ids;
  {
    std::lock_guard lock(mu_);
    if (pending_.empty()) return true;
    ids.reserve(pending_.size());
    for (const std::string& id : pending_) ids.emplace_back(id);
    pending_.clear();
  }
  auto rows = store_.GetOrganizationSearchTexts(ids);
  if (!rows) {
    std::lock_guard lock(mu_);
    for (const OrgId& id : ids) pending_.insert(id.value());
    return false;
  }
  std::unordered_map<std::string_view, const OrganizationSearchText*> found;
  for (const OrganizationSearchText& row : *rows) found.emplace(row.id.value(), &row);
  for (const OrgId& id : ids) {
    auto it = found.find(id.value());
    const OrganizationSearchText* row = it == found.end() ? nullptr : it->second;
    const std::optional<uint32_t> entry = state_->Find(id.value());
    if (entry && row && state_->SameTexts(*entry, *row)) continue;
    if (entry) state_->Kill(*entry);
    if (row && !state_->Add(*row)) {
      // Out of room (4 GiB of text): drop the index; counts go to SQL from now on (until the
      // feed loses track, when a rebuild is tried again).
      std::lock_guard lock(mu_);
      valid_ = false;
      return false;
    }
  }
  if (state_->dead() > kMinDeadForRebuild && state_->dead() * 4 > state_->live()) {
    std::lock_guard lock(mu_);
    build_requested_ = true;
    cv_.notify_all();
  }
  return true;
}

std::optional<int64_t> OrgSearchIndex::Count(std::string_view q) {
  std::optional<Pattern> pattern = Compile(q);
  if (!pattern) return std::nullopt;
  {
    std::lock_guard lock(mu_);
    if (!valid_) return std::nullopt;
  }
  // Every change committed before this call is reported to Observe before this returns.
  if (!model_.Generation()) return std::nullopt;
  std::lock_guard count_lock(count_mu_);
  {
    std::lock_guard lock(mu_);
    if (!valid_ || !state_) return std::nullopt;
  }
  if (!ApplyPending()) return std::nullopt;
  return state_->Count(*pattern);
}

void OrgSearchIndex::BuildLoop() {
  // The feed's first poll reports "everything": have it happen before the build starts, not
  // during it (which would void the build).
  (void)model_.Generation();
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] {
      return stopping_ || build_requested_ || (valid_ && pending_.size() >= kBackgroundApply);
    });
    if (stopping_) return;
    if (!build_requested_) {
      lock.unlock();
      {
        std::lock_guard count_lock(count_mu_);
        if (state_) (void)ApplyPending();
      }
      lock.lock();
      continue;
    }
    // Builds start at most once per kBuildSpacing of the last one's duration: while another
    // process imports, every poll may report "everything", and rebuilding after each would keep
    // a core busy (the counts go to SQL meanwhile, which is right, only slower).
    const auto now = std::chrono::steady_clock::now();
    if (now < next_build_) {
      cv_.wait_until(lock, next_build_, [&] { return stopping_; });
      continue;
    }
    build_requested_ = false;
    building_ = true;
    changed_during_build_.clear();
    const uint64_t invalidations = invalidations_;
    lock.unlock();

    auto built = std::make_unique<State>();
    bool ok = true;
    std::string after;
    while (ok) {
      auto page = store_.ListOrganizationSearchTexts(after, kBuildPage);
      if (!page) {
        ok = false;
        break;
      }
      for (const OrganizationSearchText& t : *page) ok = ok && built->Add(t);
      if (static_cast<int64_t>(page->size()) < kBuildPage) break;
      after = page->back().id.value();
      std::lock_guard check(mu_);
      if (stopping_ || invalidations_ != invalidations) break;
    }
    if (ok) built->Trim();
    // The lists grew by doubling while building: hand the memory they left back to the system.
    malloc_trim(0);

    std::unique_lock count_lock(count_mu_);
    lock.lock();
    building_ = false;
    next_build_ = std::chrono::steady_clock::now() +
                  (std::chrono::steady_clock::now() - now) * kBuildSpacing;
    if (stopping_) return;
    if (invalidations_ != invalidations) continue;  // an "everything" came: build again
    if (!ok) {
      // The store failed (or the texts outgrew the index): try again in a while.
      count_lock.unlock();
      cv_.notify_all();
      cv_.wait_for(lock, kRetryDelay, [&] { return stopping_; });
      build_requested_ = true;
      continue;
    }
    state_ = std::move(built);
    valid_ = true;
    pending_ = std::move(changed_during_build_);
    changed_during_build_.clear();
    ++builds_;
    cv_.notify_all();
    if (on_built_) {
      const Stats report = StatsLocked();
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - now).count();
      lock.unlock();
      count_lock.unlock();
      on_built_(report, seconds);
      lock.lock();
    }
  }
}

bool OrgSearchIndex::WaitUntilBuilt(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return stopping_ || (!building_ && !build_requested_); });
  return valid_ && !building_ && !build_requested_;
}

OrgSearchIndex::Stats OrgSearchIndex::stats() const {
  std::lock_guard count_lock(count_mu_);
  std::lock_guard lock(mu_);
  return StatsLocked();
}

OrgSearchIndex::Stats OrgSearchIndex::StatsLocked() const {
  Stats s;
  s.ready = valid_;
  s.builds = builds_;
  if (state_) {
    s.organizations = state_->live();
    s.dead = state_->dead();
    s.bytes = state_->Bytes();
  }
  return s;
}

}  // namespace orgd::domain
