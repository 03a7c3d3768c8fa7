// Writes a deterministic NDJSON dataset for `orgd import` (docs/import.md): organization scopes
// and roles, N organizations, U users and M memberships, a third of them with a role grant.
// Same arguments, same bytes. Names and emails are drawn from small word lists, so that `q`
// searches hit many rows ("falcon", "johnson", "example3.com").
//
// Usage: gen_dataset [--orgs N] [--users U] [--memberships M] [--seed S] [--grant-every K]
//                    [--user-base B] [--out FILE]     (stdout by default)
// --user-base numbers the users from B (usernames and emails), so that a second file of users
// made with another seed does not clash with the first.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

constexpr const char* kAdjectives[] = {"Blue",   "Swift",  "Quiet", "Bright", "Silver", "Northern",
                                       "Golden", "Hidden", "Rapid", "Solid",  "Urban",  "Coastal"};
constexpr const char* kNouns[] = {"Falcon", "Harbor", "Summit", "Forge",  "Orchard", "Beacon",
                                  "Canyon", "Meadow", "Vertex", "Anchor", "Pioneer", "Lantern"};
constexpr const char* kSuffixes[] = {"Labs", "Systems", "Group", "Works", "Partners", "Studio"};
constexpr const char* kFirst[] = {
    "alice",   "bob",  "carol",  "dave",  "erin",   "frank", "grace", "heidi",  "ivan",   "judy",
    "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yvonne"};
constexpr const char* kLast[] = {"johnson", "smith",  "garcia", "miller", "davis",  "martinez",
                                 "lopez",   "wilson", "taylor", "thomas", "moore",  "jackson",
                                 "white",   "harris", "clark",  "lewis",  "walker", "young"};
constexpr const char* kScopes[] = {"read:docs",      "write:docs",     "delete:docs",
                                   "read:billing",   "write:billing",  "read:members",
                                   "invite:members", "manage:settings"};

template <typename T, size_t N>
constexpr size_t Count(const T (&)[N]) {
  return N;
}

uint64_t Mix(uint64_t x) {  // splitmix64's finalizer: a bijection with good avalanche
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// 12 characters of [0-9a-z] (the Logto id shape): 6 from a hash, so that ids are spread over the
// key space as random ids are, then the index in base 36, which makes them unique.
std::string Id(uint64_t seed, char kind, uint64_t index) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string id(12, '0');
  uint64_t h = Mix(seed ^ (static_cast<uint64_t>(kind) << 56) ^ index);
  for (int i = 0; i < 6; ++i, h /= 36) id[static_cast<size_t>(i)] = kDigits[h % 36];
  uint64_t n = index;
  for (int i = 11; i >= 6; --i, n /= 36) id[static_cast<size_t>(i)] = kDigits[n % 36];
  return id;
}

class Out {
 public:
  explicit Out(FILE* f) : f_(f) { buf_.reserve(kFlushAt + 4096); }
  ~Out() { Flush(); }
  Out& operator<<(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= kFlushAt) Flush();
    return *this;
  }
  Out& operator<<(uint64_t v) {
    char tmp[24];
    int n = std::snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    return *this << std::string_view(tmp, static_cast<size_t>(n));
  }
  void Flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size()) {
      std::perror("gen_dataset: write");
      std::exit(1);
    }
    buf_.clear();
  }

 private:
  static constexpr size_t kFlushAt = 1 << 20;
  FILE* f_;
  std::string buf_;
};

uint64_t Arg(int argc, char** argv, int& i) {
  if (i + 1 >= argc) {
    std::fprintf(stderr, "gen_dataset: %s needs a value\n", argv[i]);
    std::exit(2);
  }
  char* end = nullptr;
  uint64_t v = std::strtoull(argv[++i], &end, 10);
  if (*end != '\0') {
    std::fprintf(stderr, "gen_dataset: bad number '%s'\n", argv[i]);
    std::exit(2);
  }
  return v;
}

uint64_t Gcd(uint64_t a, uint64_t b) { return b == 0 ? a : Gcd(b, a % b); }

}  // namespace

int main(int argc, char** argv) {
  uint64_t orgs = 1000, users = 1000, memberships = 10000, seed = 7, grant_every = 3, base = 0;
  const char* out_path = nullptr;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--orgs") {
      orgs = Arg(argc, argv, i);
    } else if (a == "--users") {
      users = Arg(argc, argv, i);
    } else if (a == "--memberships") {
      memberships = Arg(argc, argv, i);
    } else if (a == "--seed") {
      seed = Arg(argc, argv, i);
    } else if (a == "--grant-every") {
      grant_every = Arg(argc, argv, i);
    } else if (a == "--user-base") {
      base = Arg(argc, argv, i);
    } else if (a == "--out" && i + 1 < argc) {
      out_path = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: gen_dataset [--orgs N] [--users U] [--memberships M] [--seed S] "
                   "[--grant-every K] [--user-base B] [--out FILE]\n");
      return 2;
    }
  }
  if (orgs == 0 || users == 0 || grant_every == 0) {
    std::fprintf(stderr, "gen_dataset: --orgs, --users and --grant-every must be positive\n");
    return 2;
  }
  if (memberships > orgs * users) memberships = orgs * users;
  FILE* f = out_path ? std::fopen(out_path, "wb") : stdout;
  if (f == nullptr) {
    std::perror("gen_dataset: open");
    return 1;
  }
  {
    Out out(f);
    for (const char* scope : kScopes) {
      out << R"({"type":"organizationScope","name":")" << scope << R"(","description":"May )"
          << scope << "\"}\n";
    }
    out << R"({"type":"organizationRole","name":"admin","description":"Everything",)"
        << R"("organizationScopeNames":[)";
    for (size_t i = 0; i < Count(kScopes); ++i) {
      out << (i ? ",\"" : "\"") << kScopes[i] << "\"";
    }
    out << "]}\n";
    out << R"({"type":"organizationRole","name":"member","description":"Reads and writes docs",)"
        << R"("organizationScopeNames":["read:docs","write:docs","read:members"]})"
        << "\n";
    out << R"({"type":"organizationRole","name":"viewer","description":"Reads docs",)"
        << R"("organizationScopeNames":["read:docs"]})"
        << "\n";

    for (uint64_t i = 0; i < orgs; ++i) {
      const uint64_t h = Mix(seed * 31 + i);
      out << R"({"type":"organization","id":")" << Id(seed, 'o', i) << R"(","name":")"
          << kAdjectives[h % Count(kAdjectives)] << " " << kNouns[(h >> 8) % Count(kNouns)] << " "
          << kSuffixes[(h >> 16) % Count(kSuffixes)] << " " << i
          << R"(","description":"Organization number )" << i << R"(","customData":{"tier":")"
          << ((h >> 24) % 4 == 0 ? "enterprise" : "free") << "\"}}\n";
    }
    for (uint64_t i = 0; i < users; ++i) {
      const uint64_t h = Mix(seed * 17 + i);
      const char* first = kFirst[h % Count(kFirst)];
      const char* last = kLast[(h >> 8) % Count(kLast)];
      out << R"({"type":"user","id":")" << Id(seed, 'u', i) << R"(","username":")" << first << "_"
          << last << "_" << (base + i) << R"(","primaryEmail":")" << first << "." << last << "."
          << (base + i) << "@example" << ((h >> 16) % 10) << R"(.com","name":")"
          << static_cast<char>(first[0] - 32) << (first + 1) << " "
          << static_cast<char>(last[0] - 32) << (last + 1) << "\"}\n";
    }
    // Organization j gets memberships/orgs members (the first memberships%orgs one more):
    // users start_j, start_j + stride, ... modulo U, distinct because stride is coprime with U.
    uint64_t stride = 1000003 % users;
    if (stride == 0) stride = 1;
    while (Gcd(stride, users) != 1) ++stride;
    const uint64_t per_org = memberships / orgs, extra = memberships % orgs;
    uint64_t line = 0;
    for (uint64_t j = 0; j < orgs; ++j) {
      const uint64_t count = per_org + (j < extra ? 1 : 0);
      const std::string org = Id(seed, 'o', j);
      const uint64_t start = Mix(seed * 13 + j) % users;
      for (uint64_t k = 0; k < count; ++k, ++line) {
        const uint64_t u = (start + k * stride) % users;
        if (line % grant_every == 0) {
          out << R"({"type":"memberRoles","organizationId":")" << org << R"(","userId":")"
              << Id(seed, 'u', u) << R"(","organizationRoleNames":[")"
              << (k == 0                     ? "admin"
                  : (line / grant_every) % 2 ? "member"
                                             : "viewer")
              << "\"]}\n";
        } else {
          out << R"({"type":"membership","organizationId":")" << org << R"(","userId":")"
              << Id(seed, 'u', u) << "\"}\n";
        }
      }
    }
  }
  if (out_path && std::fclose(f) != 0) {
    std::perror("gen_dataset: close");
    return 1;
  }
  return 0;
}
