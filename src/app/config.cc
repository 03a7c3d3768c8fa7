#include "app/config.h"

#include <cctype>
#include <charconv>
#include <string_view>

namespace orgd::app {
namespace {

Error Bad(std::string message) { return Error::InvalidArgument(std::move(message)); }

Result<void> ParseListen(const std::string& value, Config& config) {
  size_t colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) {
    return Bad("--listen wants HOST:PORT, got '" + value + "'");
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(value.data() + colon + 1, value.data() + value.size(), port);
  if (ec != std::errc() || end != value.data() + value.size() || port > 65535) {
    return Bad("--listen: bad port in '" + value + "'");
  }
  config.listen_host = value.substr(0, colon);
  if (config.listen_host.size() > 2 && config.listen_host.front() == '[' &&
      config.listen_host.back() == ']') {
    config.listen_host = config.listen_host.substr(1, config.listen_host.size() - 2);
  }
  config.listen_port = static_cast<uint16_t>(port);
  return {};
}

Result<int> ParseCount(const std::string& flag, const std::string& value, int max) {
  int n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > max) {
    return Bad(flag + " wants a number from 1 to " + std::to_string(max) + ", got '" + value + "'");
  }
  return n;
}

// "N", "N/s", "N/m" or "N/h": N requests per second, minute or hour, N from 1 to 10^9.
Result<void> ParseRateLimit(const std::string& flag, const std::string& value, Config& config) {
  std::string count = value;
  int64_t window_ms = 1000;
  if (auto slash = value.find('/'); slash != std::string::npos) {
    count = value.substr(0, slash);
    const std::string unit = value.substr(slash + 1);
    if (unit == "s") {
      window_ms = 1000;
    } else if (unit == "m") {
      window_ms = 60 * 1000;
    } else if (unit == "h") {
      window_ms = 3600 * 1000;
    } else {
      return Bad(flag + " wants N, N/s, N/m or N/h, got '" + value + "'");
    }
  }
  auto n = ParseCount(flag, count, 1000000000);
  if (!n) return std::move(n).error();
  config.rate_limit_requests = *n;
  config.rate_limit_window_ms = window_ms;
  return {};
}

// "Nms" or "Ns": a timeout from 1 ms to 1 hour.
Result<int64_t> ParseTimeout(const std::string& flag, const std::string& value) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  const std::string_view unit(end, static_cast<size_t>(value.data() + value.size() - end));
  const int64_t scale = unit == "ms" ? 1 : unit == "s" ? 1000 : 0;
  if (ec != std::errc() || scale == 0 || n < 1 || n * scale > 3600 * 1000) {
    return Bad(flag + " wants a duration such as 500ms or 10s (at most 1 hour), got '" + value +
               "'");
  }
  return n * scale;
}

// "1", "true", "yes", "on" / "0", "false", "no", "off" (any case); an empty value is false.
Result<bool> ParseBoolEnv(const std::string& name, const std::string& value) {
  std::string lower;
  for (char c : value) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower.empty() || lower == "0" || lower == "false" || lower == "no" || lower == "off") {
    return false;
  }
  if (lower == "1" || lower == "true" || lower == "yes" || lower == "on") return true;
  return Bad(name + " wants true or false, got '" + value + "'");
}

}  // namespace

const char* UsageText() {
  return R"(orgd: a self-hosted organizations server (Logto and Kinde Management API dialects)

Usage:
  orgd serve [--listen HOST:PORT] [--database URL] [--public-url URL] [--threads N]
             [--db-pool-size N] [--no-request-log] [--logto-test-mode]
             [--jit-on-user-create]
             [--rate-limit N[/s|/m|/h]]
             [--max-connections N] [--header-timeout T] [--body-timeout T] [--idle-timeout T]
             [--sqlite-synchronous normal|full] [--cpu-affinity on|off]
             [--org-search-index on|off] [--follow-changes on|off]
  orgd migrate [--database URL]
  orgd import FILE [--database URL] [--batch N] [--from-start] [--in-batches]
  orgd client create --name NAME [--scope SCOPE ...] [--database URL]
  orgd client list | rotate-secret CLIENT_ID | delete CLIENT_ID [--database URL]
  orgd keys rotate [--database URL] [--kek-file PATH]
  orgd kek generate
  orgd help | version

Database URLs: sqlite:///absolute/path.db, sqlite://relative/path.db, sqlite://:memory:,
               postgresql://user:pass@host:port/db
Environment:   ORGD_LISTEN, ORGD_DATABASE_URL, ORGD_PUBLIC_URL, ORGD_THREADS,
               ORGD_BOOTSTRAP_CLIENT_ID, ORGD_BOOTSTRAP_CLIENT_SECRET, ORGD_RATE_LIMIT
Defaults:      listen 127.0.0.1:3001, database sqlite://orgd.db
Secrets:       signing keys are sealed with a KEK: ORGD_KEK (base64 of 32 bytes, or 64 hex
               digits) or ORGD_KEK_FILE / --kek-file (a file holding it). Required on
               PostgreSQL; on SQLite the default is <database file>.kek, made on first start.
CPU affinity:  by default each I/O thread is pinned to a CPU and each connection is served on
               the CPU its packets arrive on (when --threads is a multiple of the CPUs the
               process may use); --cpu-affinity off leaves placement to the kernel.
Search index:  the number of organizations a `q` search matches is counted in memory (built
               in the background at start; about 350 bytes per organization);
               --org-search-index off counts in SQL instead.
Following:     on PostgreSQL each process follows the change feed under a lease, so that a
               read needs no round trip; a write then waits until the other processes have
               applied it. --follow-changes off makes each read poll the feed instead.
Import:        into a database without organizations, users or memberships, the file loads
               in one transaction that builds indexes (and SQLite's search tables) once at the
               end (a crash loses it all; the next run starts over). Otherwise, or with
               --in-batches, it commits batches of --batch lines, and a re-run resumes after
               the last one.
Slow clients:  at most --max-connections (10000) open connections, beyond which a new one is
               closed at once; a request's header must arrive within --header-timeout (10s), its
               body within --body-timeout (30s), the next request within --idle-timeout (60s).
               T is a duration such as 500ms or 10s.
)";
}

Result<StoreConfig> ParseDatabaseUrl(const std::string& url) {
  StoreConfig store;
  if (url.starts_with("sqlite://")) {
    store.engine = StoreConfig::Engine::kSqlite;
    store.sqlite_path = url.substr(9);  // "sqlite:///abs" keeps its leading '/'
    if (store.sqlite_path.empty()) return Bad("--database: sqlite URL without a path: '" + url + "'");
    return store;
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    store.engine = StoreConfig::Engine::kPostgres;
    store.postgres_url = url;
    return store;
  }
  return Bad("--database: unsupported URL '" + url +
             "' (use sqlite:///path, sqlite://relative or postgresql://...)");
}

Result<Config> LoadConfig(const std::vector<std::string>& args, const EnvLookup& env) {
  Config config;
  size_t i = 0;
  if (i < args.size() && !args[i].starts_with("-")) {
    const std::string& command = args[i++];
    if (command == "serve") {
      config.command = Command::kServe;
    } else if (command == "migrate") {
      config.command = Command::kMigrate;
    } else if (command == "client") {
      const std::string sub = i < args.size() ? args[i] : "";
      if (sub == "create") {
        config.command = Command::kClientCreate;
      } else if (sub == "list") {
        config.command = Command::kClientList;
      } else if (sub == "rotate-secret" || sub == "delete") {
        config.command = sub == "delete" ? Command::kClientDelete : Command::kClientRotateSecret;
        if (i + 1 >= args.size() || args[i + 1].starts_with("-")) {
          return Bad("usage: orgd client " + sub + " CLIENT_ID");
        }
        config.client_id = args[++i];
      } else {
        return Bad("usage: orgd client create|list|rotate-secret ID|delete ID");
      }
      ++i;
    } else if (command == "keys") {
      if (i >= args.size() || args[i] != "rotate") return Bad("usage: orgd keys rotate");
      ++i;
      config.command = Command::kKeysRotate;
    } else if (command == "kek") {
      if (i >= args.size() || args[i] != "generate") return Bad("usage: orgd kek generate");
      config.command = Command::kKekGenerate;
      return config;
    } else if (command == "import") {
      if (i >= args.size() || args[i].starts_with("-")) return Bad("usage: orgd import FILE");
      config.command = Command::kImport;
      config.import_file = args[i++];
    } else if (command == "help") {
      config.command = Command::kHelp;
      return config;
    } else if (command == "version") {
      config.command = Command::kVersion;
      return config;
    } else {
      return Bad("unknown command '" + command + "'; try `orgd help`");
    }
  }

  // Environment first; flags override it.
  if (auto v = env("ORGD_LISTEN")) ORGD_TRY(ParseListen(*v, config));
  std::string database_url = env("ORGD_DATABASE_URL").value_or("sqlite://orgd.db");
  if (auto v = env("ORGD_PUBLIC_URL")) config.public_url = *v;
  if (auto v = env("ORGD_THREADS")) {
    auto n = ParseCount("ORGD_THREADS", *v, 256);
    if (!n) return std::move(n).error();
    config.threads = *n;
  }
  config.bootstrap_client_id = env("ORGD_BOOTSTRAP_CLIENT_ID");
  config.bootstrap_client_secret = env("ORGD_BOOTSTRAP_CLIENT_SECRET");
  if (config.bootstrap_client_id.has_value() != config.bootstrap_client_secret.has_value()) {
    return Bad("set both ORGD_BOOTSTRAP_CLIENT_ID and ORGD_BOOTSTRAP_CLIENT_SECRET, or neither");
  }
  if (config.bootstrap_client_secret && config.bootstrap_client_secret->size() < 16) {
    return Bad("ORGD_BOOTSTRAP_CLIENT_SECRET must be at least 16 characters");
  }
  if (auto v = env("ORGD_RATE_LIMIT")) ORGD_TRY(ParseRateLimit("ORGD_RATE_LIMIT", *v, config));
  config.kek = env("ORGD_KEK");
  config.kek_file = env("ORGD_KEK_FILE");
  if (config.kek && config.kek_file) return Bad("set ORGD_KEK or ORGD_KEK_FILE, not both");
  for (auto [name, field] : {std::pair{"ORGD_CPU_AFFINITY", &Config::cpu_affinity},
                              std::pair{"ORGD_ORG_SEARCH_INDEX", &Config::org_search_index},
                              std::pair{"ORGD_FOLLOW_CHANGES", &Config::follow_changes}}) {
    if (auto v = env(name)) {
      auto flag = ParseBoolEnv(name, *v);
      if (!flag) return std::move(flag).error();
      config.*field = *flag;
    }
  }
  if (auto v = env("ORGD_JIT_ON_USER_CREATE")) {
    auto flag = ParseBoolEnv("ORGD_JIT_ON_USER_CREATE", *v);
    if (!flag) return std::move(flag).error();
    config.jit_on_user_create = *flag;
  }
  int pool_size = 0;
  bool sqlite_synchronous_full = false;
  auto parse_synchronous = [&](const std::string& name, const std::string& value) -> Result<void> {
    if (value != "full" && value != "normal") {
      return Bad(name + " wants full or normal, got '" + value + "'");
    }
    sqlite_synchronous_full = value == "full";
    return {};
  };
  if (auto v = env("ORGD_SQLITE_SYNCHRONOUS")) ORGD_TRY(parse_synchronous("ORGD_SQLITE_SYNCHRONOUS", *v));

  for (; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) return Bad(flag + " needs a value");
      return args[++i];
    };
    if (flag == "--listen") {
      auto v = value();
      if (!v) return std::move(v).error();
      ORGD_TRY(ParseListen(*v, config));
    } else if (flag == "--database") {
      auto v = value();
      if (!v) return std::move(v).error();
      database_url = *v;
    } else if (flag == "--public-url") {
      auto v = value();
      if (!v) return std::move(v).error();
      config.public_url = *v;
    } else if (flag == "--threads") {
      auto v = value();
      if (!v) return std::move(v).error();
      auto n = ParseCount(flag, *v, 256);
      if (!n) return std::move(n).error();
      config.threads = *n;
    } else if (flag == "--db-pool-size") {
      auto v = value();
      if (!v) return std::move(v).error();
      auto n = ParseCount(flag, *v, 1024);
      if (!n) return std::move(n).error();
      pool_size = *n;
    } else if (flag == "--no-request-log") {
      config.log_requests = false;
    } else if (flag == "--jit-on-user-create") {
      config.jit_on_user_create = true;
    } else if (flag == "--logto-test-mode") {
      config.logto_test_mode = true;
    } else if (flag == "--rate-limit") {
      auto v = value();
      if (!v) return std::move(v).error();
      ORGD_TRY(ParseRateLimit(flag, *v, config));
    } else if (flag == "--cpu-affinity" || flag == "--org-search-index" ||
               flag == "--follow-changes") {
      auto v = value();
      if (!v) return std::move(v).error();
      if (*v != "on" && *v != "off") return Bad(flag + " wants on or off, got '" + *v + "'");
      bool& field = flag == "--cpu-affinity"       ? config.cpu_affinity
                    : flag == "--org-search-index" ? config.org_search_index
                                                   : config.follow_changes;
      field = *v == "on";
    } else if (flag == "--sqlite-synchronous") {
      auto v = value();
      if (!v) return std::move(v).error();
      ORGD_TRY(parse_synchronous(flag, *v));
    } else if (flag == "--max-connections") {
      auto v = value();
      if (!v) return std::move(v).error();
      auto n = ParseCount(flag, *v, 1000000);
      if (!n) return std::move(n).error();
      config.max_connections = *n;
    } else if (flag == "--header-timeout" || flag == "--body-timeout" ||
               flag == "--idle-timeout") {
      auto v = value();
      if (!v) return std::move(v).error();
      auto ms = ParseTimeout(flag, *v);
      if (!ms) return std::move(ms).error();
      (flag == "--header-timeout" ? config.header_timeout_ms
       : flag == "--body-timeout" ? config.body_timeout_ms
                                  : config.idle_timeout_ms) = *ms;
    } else if (flag == "--kek-file") {
      auto v = value();
      if (!v) return std::move(v).error();
      config.kek_file = *v;
      config.kek.reset();  // the flag wins over ORGD_KEK
    } else if (flag == "--logto-indicator") {
      auto v = value();
      if (!v) return std::move(v).error();
      config.logto_indicator = *v;
    } else if (flag == "--name" && config.command == Command::kClientCreate) {
      auto v = value();
      if (!v) return std::move(v).error();
      config.client_name = *v;
    } else if (flag == "--batch" && config.command == Command::kImport) {
      auto v = value();
      if (!v) return std::move(v).error();
      auto n = ParseCount(flag, *v, 1000000);
      if (!n) return std::move(n).error();
      config.import_batch_lines = *n;
    } else if (flag == "--from-start" && config.command == Command::kImport) {
      config.import_from_start = true;
    } else if (flag == "--in-batches" && config.command == Command::kImport) {
      config.import_bulk_load = false;
    } else if (flag == "--scope" && config.command == Command::kClientCreate) {
      auto v = value();
      if (!v) return std::move(v).error();
      config.client_scopes.push_back(*v);
    } else {
      return Bad("unknown flag '" + flag + "'; try `orgd help`");
    }
  }

  auto store = ParseDatabaseUrl(database_url);
  if (!store) return std::move(store).error();
  config.store = std::move(*store);
  config.store.pool_size = pool_size;
  config.store.sqlite_synchronous_full = sqlite_synchronous_full;
  while (config.public_url.size() > 1 && config.public_url.back() == '/') config.public_url.pop_back();
  if (config.command == Command::kClientCreate && config.client_name.empty()) {
    return Bad("orgd client create needs --name NAME");
  }
  return config;
}

}  // namespace orgd::app
