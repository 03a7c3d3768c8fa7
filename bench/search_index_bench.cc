// Build time, memory and count latency of the in-memory organization search index
// (src/domain/org_search_index.h), in process, without a database: the organizations of a
// gen_dataset file (its "organization" lines) served by a store that holds them in memory.
// Prints the build time, the index's own estimate of its bytes, the heap it added (glibc
// mallinfo2), and the time of Count for the five words bench/run.sh searches and for every
// substring of four or more characters of the dataset's name words (each the first count of that
// pattern; the index keeps no answers).
//
//   search_index_bench DATASET.ndjson
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "quiet_feed.h"
#include "common/text.h"
#include "domain/org_search_index.h"
#include "domain/read_model.h"

namespace {

using namespace orgd;
using Clock = std::chrono::steady_clock;

using bench::QuietFeed;

class NoGrants final : public store::GrantSnapshots {
 public:
  Result<void> ReadOrganizationGrants(const OrgId&,
                                      const std::function<void(const store::GrantRow&)>&) override {
    return {};
  }
  Result<store::GrantCatalog> ReadGrantCatalog() override { return store::GrantCatalog{}; }
};

// The organizations' search texts, in id order; everything else is unused here.
class TextsStore final : public store::OrganizationStore {
 public:
  explicit TextsStore(std::vector<domain::OrganizationSearchText> texts) : texts_(std::move(texts)) {
    std::sort(texts_.begin(), texts_.end(),
              [](const auto& a, const auto& b) { return a.id.value() < b.id.value(); });
  }
  Result<std::vector<domain::OrganizationSearchText>> ListOrganizationSearchTexts(
      const std::string& after_id, int64_t limit) override {
    auto it = std::upper_bound(texts_.begin(), texts_.end(), after_id,
                               [](const std::string& id, const auto& t) { return id < t.id.value(); });
    std::vector<domain::OrganizationSearchText> out;
    for (; it != texts_.end() && static_cast<int64_t>(out.size()) < limit; ++it) out.push_back(*it);
    return out;
  }
  Result<std::vector<domain::OrganizationSearchText>> GetOrganizationSearchTexts(
      const std::vector<OrgId>&) override {
    return std::vector<domain::OrganizationSearchText>{};
  }
  Result<void> InsertOrganization(const domain::Organization&) override { return Unused(); }
  Result<domain::Organization> GetOrganization(const OrgId&) override { return Unused(); }
  Result<domain::Organization> UpdateOrganization(const OrgId&, const domain::OrganizationPatch&,
                                                  int64_t) override {
    return Unused();
  }
  Result<void> DeleteOrganization(const OrgId&) override { return Unused(); }
  Result<domain::OrganizationPage> ListOrganizations(const domain::OrganizationListQuery&) override {
    return Unused();
  }

 private:
  static Error Unused() { return Error::Internal("not used by the benchmark"); }
  std::vector<domain::OrganizationSearchText> texts_;
};

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: search_index_bench DATASET.ndjson\n");
    return 2;
  }
  std::vector<domain::OrganizationSearchText> texts;
  std::set<std::string> words;
  std::ifstream in(argv[1]);
  for (std::string line; std::getline(in, line);) {
    if (line.find(R"("type":"organization")") == std::string::npos) continue;
    const auto j = nlohmann::json::parse(line);
    const std::string name = j.at("name");
    texts.push_back({.id = OrgId(j.at("id").get<std::string>()),
                     .id_text = j.at("id").get<std::string>(),
                     .name_text = AsciiLower(name)});
    if (words.size() < 64) {
      for (size_t at = 0; at < name.size();) {
        const size_t end = std::min(name.find(' ', at), name.size());
        const std::string word = AsciiLower(name.substr(at, end - at));
        if (word.size() >= 4 && !std::isdigit(static_cast<unsigned char>(word[0]))) {
          words.insert(word);
        }
        at = end + 1;
      }
    }
  }
  const size_t organizations = texts.size();
  TextsStore store(std::move(texts));
  QuietFeed feed;
  NoGrants grants;
  domain::ReadModel model(feed, grants);
  domain::OrgSearchIndex index(store, model);

  malloc_trim(0);
  const size_t heap_before = mallinfo2().uordblks;
  const auto build_start = Clock::now();
  index.Start();
  if (!index.WaitUntilBuilt(std::chrono::minutes(10))) {
    std::fprintf(stderr, "search_index_bench: the index did not build\n");
    return 1;
  }
  const double build_ms = Millis(Clock::now() - build_start);
  malloc_trim(0);
  const size_t heap_after = mallinfo2().uordblks;
  const auto stats = index.stats();
  std::printf("organizations %zu: built in %.0f ms; index estimate %.1f MB, heap %.1f MB "
              "(%.0f bytes/organization)\n",
              organizations, build_ms, static_cast<double>(stats.bytes) / 1e6,
              static_cast<double>(heap_after - heap_before) / 1e6,
              static_cast<double>(heap_after - heap_before) / static_cast<double>(organizations));

  auto time_count = [&](const std::string& q, int64_t* matches) {
    const auto t0 = Clock::now();
    const auto n = index.Count(q);
    const double ms = Millis(Clock::now() - t0);
    *matches = n.value_or(-1);
    return ms;
  };
  for (const char* q : {"harbor", "summit", "forge", "orchard", "falcon"}) {
    int64_t n = 0;
    const double ms = time_count(q, &n);
    std::printf("  q=%-8s %8lld matches  %6.3f ms\n", q, static_cast<long long>(n), ms);
  }
  std::vector<double> times;
  for (const std::string& word : words) {
    for (size_t i = 0; i < word.size(); ++i) {
      for (size_t len = 4; i + len <= word.size(); ++len) {
        int64_t n = 0;
        times.push_back(time_count(word.substr(i, len), &n));
      }
    }
  }
  std::sort(times.begin(), times.end());
  if (!times.empty()) {
    std::printf("%zu substrings of the name words: median %.3f ms, p90 %.3f ms, max %.3f ms\n",
                times.size(), times[times.size() / 2], times[times.size() * 9 / 10], times.back());
  }
  return 0;
}
