#include "app/app.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <ostream>
#include <stdexcept>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <thread>

#include "api/routes.h"
#include "auth/argon2_password_hasher.h"
#include "auth/client_versions.h"
#include "auth/kek.h"
#include "auth/token_service.h"
#include "common/clock.h"
#include "common/id_generator.h"
#include "common/log.h"
#include "domain/feature_flag_service.h"
#include "domain/membership_service.h"
#include "domain/organization_service.h"
#include "domain/property_service.h"
#include "domain/role_service.h"
#include "domain/user_service.h"
#include "domain/application_service.h"
#include "domain/resource_service.h"
// area:resources-include
#include "domain/connection_service.h"
#include "domain/invitation_service.h"
#include "domain/jit_service.h"
// area:connections-include
#include "domain/organization_settings_service.h"
#include "api/import_ndjson.h"
#include "domain/import_service.h"
// area:settings-include
#include "http/server.h"
#include "store/postgres/pg_change_fence.h"
#include "store/postgres/pg_db.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store/sql/change_feed.h"
#include "domain/org_search_index.h"
#include "domain/read_model.h"
#include "store/sqlite/sqlite_db.h"

namespace orgd::app {
namespace {

Result<std::unique_ptr<store::Database>> OpenDatabase(const StoreConfig& config) {
  if (config.engine == StoreConfig::Engine::kPostgres) {
    store::postgres::PgOptions options;
    if (config.pool_size > 0) options.pool_size = config.pool_size;
    auto db = store::postgres::PgDatabase::Open(config.postgres_url, options);
    if (!db) return std::move(db).error();
    return std::unique_ptr<store::Database>(std::move(*db));
  }
  store::sqlite::SqliteOptions options;
  if (config.pool_size > 0) options.max_connections = config.pool_size;
  options.synchronous_full = config.sqlite_synchronous_full;
  auto db = store::sqlite::SqliteDatabase::Open(config.sqlite_path, options);
  if (!db) return std::move(db).error();
  return std::unique_ptr<store::Database>(std::move(*db));
}

Result<std::unique_ptr<store::Database>> OpenMigrated(const StoreConfig& config) {
  auto db = OpenDatabase(config);
  if (!db) return std::move(db).error();
  auto applied = store::sql::Migrate(**db);
  if (!applied) return std::move(applied).error();
  for (int version : *applied) {
    log::Info("migration applied", {{"version", std::to_string(version)}});
  }
  return db;
}

std::string FormatError(const Error& e) {
  std::string s = e.message;
  if (!e.detail.empty()) s += " (" + e.detail + ")";
  return s;
}

// Prints "orgd: <error>" for a command that stops on `e`; returns `exit_code`, for the command to
// return.
int CommandFailed(std::ostream& err, const Error& e, int exit_code = 1) {
  err << "orgd: " << FormatError(e) << "\n";
  return exit_code;
}

// What a one-shot command (client create, import, the client and key commands) works on: the
// migrated database and a store, clock and id generator over it.
struct CommandStore {
  explicit CommandStore(std::unique_ptr<store::Database> database)
      : db(std::move(database)), store(*db) {}
  std::unique_ptr<store::Database> db;
  // PostgreSQL: the command's writes wait until every serving process has applied them.
  std::unique_ptr<store::postgres::PgChangeFence> fence;
  store::sql::SqlStore store;
  SystemClock clock;
  RandomIdGenerator ids;
};

// Opens and migrates the configured database; nullptr, after printing why on `err`, when that
// fails (the command then exits 1).
std::unique_ptr<CommandStore> OpenCommandStore(const StoreConfig& config, std::ostream& err) {
  auto db = OpenMigrated(config);
  if (!db) {
    CommandFailed(err, db.error());
    return nullptr;
  }
  auto command = std::make_unique<CommandStore>(std::move(*db));
  if (auto* pg = dynamic_cast<store::postgres::PgDatabase*>(command->db.get())) {
    auto fence = store::postgres::PgChangeFence::Open(*pg, {.follow = false});
    if (!fence) {
      CommandFailed(err, fence.error());
      return nullptr;
    }
    command->fence = std::move(*fence);
  }
  return command;
}

constexpr const char* kMakeKek =
    "make one and keep it apart from the database, e.g.\n"
    "  (umask 077; mkdir -p /etc/orgd && orgd kek generate > /etc/orgd/kek)\n"
    "  (or: head -c32 /dev/urandom | base64 > /etc/orgd/kek && chmod 600 /etc/orgd/kek)\n"
    "then start orgd with ORGD_KEK_FILE=/etc/orgd/kek (or --kek-file /etc/orgd/kek, or "
    "ORGD_KEK=<its text>); every process on this database needs the same KEK";

// The KEK of Config (auth/kek.h): ORGD_KEK's text, or the file of --kek-file / ORGD_KEK_FILE.
// Without either, PostgreSQL refuses to start, and SQLite uses "<database file>.kek" (created
// with mode 0600 on first start) or, for ":memory:", a key that lives as long as the process.
Result<auth::Kek> ResolveKek(const Config& config) {
  if (config.kek) {
    auto kek = auth::Kek::Parse(*config.kek);
    if (!kek) return Error::InvalidArgument("ORGD_KEK: " + kek.error().message);
    return kek;
  }
  if (config.kek_file) return auth::ReadKekFile(*config.kek_file);
  if (config.store.engine == StoreConfig::Engine::kPostgres) {
    return Error::FailedPrecondition(
        "kek_missing",
        std::string("PostgreSQL needs a key-encryption key (KEK) to seal the token-signing keys; ") +
            kMakeKek);
  }
  if (config.store.sqlite_path == ":memory:") return auth::Kek::Generate();
  const std::string path = config.store.sqlite_path + ".kek";
  bool created = false;
  auto kek = auth::LoadOrCreateKekFile(path, created);
  if (!kek) return std::move(kek).error();
  log::Info(created ? "created a KEK file beside the database; keep it safe and apart from backups "
                      "of the database"
                    : "using the KEK file beside the database",
            {{"path", path}});
  return kek;
}

}  // namespace

struct App::Impl {
  Config config;
  SystemClock system_clock;
  const Clock* clock = &system_clock;  // a test may substitute its own
  RandomIdGenerator ids;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<store::sql::SqlStore> store;
  std::unique_ptr<store::sql::SqlChangeFeed> change_feed;
  // PostgreSQL: the fence of every write and, with --follow-changes, the read model's lease.
  // Destroyed after the read model (whose follower thread uses it), before the database.
  std::unique_ptr<store::postgres::PgChangeFence> change_fence;
  std::unique_ptr<domain::ReadModel> read_model;
  // Destroyed before the read model it observes (its builder thread calls into the model).
  std::unique_ptr<domain::OrgSearchIndex> search_index;
  std::unique_ptr<domain::OrganizationService> organizations;
  std::unique_ptr<domain::FeatureFlagService> feature_flags;
  std::unique_ptr<domain::PropertyService> properties;
  auth::Argon2PasswordHasher password_hasher;
  std::unique_ptr<domain::UserService> users;
  std::unique_ptr<domain::RoleService> roles;
  std::unique_ptr<domain::MembershipService> memberships;
  std::unique_ptr<domain::ResourceService> resources;
  std::unique_ptr<domain::ApplicationService> applications;
  // area:resources-members
  std::unique_ptr<domain::ConnectionService> connections;
  std::unique_ptr<domain::InvitationService> invitations;
  std::unique_ptr<domain::JitService> jit;
  // area:connections-members
  std::unique_ptr<domain::OrganizationSettingsService> organization_settings;
  // area:settings-members
  std::unique_ptr<domain::ImportService> imports;
  std::unique_ptr<auth::KeyRing> keys;
  std::unique_ptr<auth::ClientVersions> client_versions;
  std::unique_ptr<auth::ClientService> clients;
  // Built in Start(), once the bound port (and so the public URL) is known.
  std::string public_url;
  std::unique_ptr<auth::TokenIssuer> issuer;
  std::unique_ptr<auth::TokenVerifier> verifier;
  std::unique_ptr<api::Api> api;
  std::unique_ptr<api::RateLimiter> rate_limiter;  // --rate-limit; null when off
  std::atomic<api::Api*> live_api{nullptr};
  std::unique_ptr<http::Server> server;
};

App::App() : impl_(std::make_unique<Impl>()) {}
App::~App() {
  if (impl_ && impl_->server) impl_->server->Stop();
  // Admission callbacks post to the server's I/O threads: none may run once it is gone.
  if (impl_ && impl_->read_model) impl_->read_model->StopAdmission();
}

Result<std::unique_ptr<App>> App::Build(const Config& config, std::ostream& out,
                                        const Clock* clock) {
  std::unique_ptr<App> app(new App());
  Impl& s = *app->impl_;
  s.config = config;
  if (clock) s.clock = clock;
  // Before the database is touched: a missing or unreadable KEK must leave it as it was.
  auto kek = ResolveKek(config);
  if (!kek) return std::move(kek).error();
  auto db = OpenMigrated(config.store);
  if (!db) return std::move(db).error();
  s.db = std::move(*db);
  s.store = std::make_unique<store::sql::SqlStore>(*s.db);
  s.organizations = std::make_unique<domain::OrganizationService>(*s.store, *s.clock, s.ids);
  s.feature_flags = std::make_unique<domain::FeatureFlagService>(*s.store, *s.clock);
  s.properties = std::make_unique<domain::PropertyService>(*s.store, *s.clock, s.ids);
  s.users = std::make_unique<domain::UserService>(*s.store, *s.clock, s.ids, s.password_hasher);
  s.roles = std::make_unique<domain::RoleService>(*s.store, *s.clock, s.ids);
  {
    // The read model's polls run on a connection of their own on an SQLite file, where PRAGMA
    // data_version spares the query when no other connection committed since the last poll.
    store::sql::SqlChangeFeedOptions feed_options;
    if (auto* sqlite = dynamic_cast<store::sqlite::SqliteDatabase*>(s.db.get());
        sqlite != nullptr && sqlite->path() != ":memory:" && !sqlite->path().empty()) {
      auto conn = sqlite->OpenDedicated();
      if (!conn) return std::move(conn).error();
      store::sqlite::SqliteConnection* raw = conn->get();
      feed_options.commit_counter = [raw] { return raw->DataVersion(); };
      feed_options.poll_connection = std::move(*conn);
      // Each I/O thread has a commit counter of its own (the wal-index header, read without a
      // lock), so that requests after which nothing committed skip the poll without waiting on
      // one another.
      feed_options.open_thread_counter =
          [sqlite]() -> Result<std::function<Result<int64_t>()>> {
        auto own = sqlite->OpenCommitCounter();
        if (!own) return std::move(own).error();
        std::shared_ptr<store::sqlite::SqliteCommitCounter> shared = std::move(*own);
        return std::function<Result<int64_t>()>([shared] { return shared->Read(); });
      };
    }
    if (auto* pg = dynamic_cast<store::postgres::PgDatabase*>(s.db.get())) {
      // Every process's writes wait for the processes that follow the feed, whether or not this
      // one follows it itself.
      auto fence = store::postgres::PgChangeFence::Open(*pg, {.follow = config.follow_changes});
      if (!fence) return std::move(fence).error();
      s.change_fence = std::move(*fence);
      if (config.follow_changes) {
        log::Info("following the change feed",
                  {{"reader", std::to_string(s.change_fence->reader_id())}});
        // The follower's polls must not wait for the pool, which writers waiting for this very
        // process's acknowledgement may be holding.
        auto conn = pg->OpenDedicated();
        if (!conn) return std::move(conn).error();
        feed_options.poll_connection = std::move(*conn);
      }
    }
    s.change_feed = std::make_unique<store::sql::SqlChangeFeed>(*s.db, std::move(feed_options));
    s.read_model = std::make_unique<domain::ReadModel>(*s.change_feed, *s.change_feed);
    s.organizations->UseReadModel(s.read_model.get());
    // Counts the matches of organization searches in memory; built in Start(), in the
    // background (searches count in SQL until it is ready).
    if (config.org_search_index) {
      s.search_index = std::make_unique<domain::OrgSearchIndex>(*s.store, *s.read_model);
      s.search_index->OnBuilt([](const domain::OrgSearchIndex::Stats& built, double seconds) {
        char formatted[32];
        std::snprintf(formatted, sizeof formatted, "%.2f", seconds);
        log::Info("organization search index built",
                  {{"organizations", std::to_string(built.organizations)},
                   {"megabytes", std::to_string(built.bytes >> 20)},
                   {"seconds", formatted}});
      });
      s.organizations->UseSearchIndex(s.search_index.get());
    }
    // Last: the follower thread polls at once, and the model's poll observers (the search index)
    // must all be registered before any poll.
    if (config.follow_changes && s.change_fence) s.read_model->Follow(*s.change_fence);
  }
  s.memberships =
      std::make_unique<domain::MembershipService>(*s.store, *s.clock, s.read_model.get());
  // The Management API itself is never a resource (contracts/logto.md §3.9.4).
  s.resources = std::make_unique<domain::ResourceService>(
      *s.store, *s.clock, s.ids, std::vector<std::string>{config.logto_indicator});
  s.applications = std::make_unique<domain::ApplicationService>(*s.store, *s.clock, s.ids);
  // area:resources-build
  s.connections = std::make_unique<domain::ConnectionService>(*s.store, *s.clock, s.ids);
  s.invitations = std::make_unique<domain::InvitationService>(*s.store, *s.clock, s.ids);
  s.jit = std::make_unique<domain::JitService>(*s.store, *s.clock);
  if (config.jit_on_user_create) {
    // contracts/logto.md §3.5: user creation provisions the new user, in the same transaction.
    s.users->SetAfterCreate([jit = s.jit.get()](store::Store& tx, const domain::User& user) -> Result<void> {
      auto provisioned = jit->ProvisionIn(tx, domain::ProvisionInput{.user_id = user.id});
      if (!provisioned) return std::move(provisioned).error();
      return {};
    });
  }
  // area:connections-build
  s.organization_settings = std::make_unique<domain::OrganizationSettingsService>(*s.store, *s.clock);
  s.organization_settings->UseReadModel(s.read_model.get());
  // area:settings-build
  s.imports = std::make_unique<domain::ImportService>(*s.store, *s.clock, s.ids,
                                                      api::ParseImportLine);
  auto keys = auth::KeyRing::LoadOrCreate(*s.store, *kek, *s.clock);
  if (!keys) return std::move(keys).error();
  s.keys = std::move(*keys);
  s.client_versions = std::make_unique<auth::ClientVersions>(*s.store, *s.clock);
  ORGD_TRY(s.client_versions->Refresh());
  s.clients =
      std::make_unique<auth::ClientService>(*s.store, *s.clock, s.ids, s.client_versions.get());

  if (config.bootstrap_client_id) {
    ORGD_TRY(s.clients->EnsureClient(*config.bootstrap_client_id, *config.bootstrap_client_secret,
                                     "bootstrap admin"));
  } else {
    auto count = s.store->CountClients();
    if (!count) return std::move(count).error();
    if (*count == 0) {
      auto created = s.clients->Create("admin", auth::AllScopes());
      if (!created) return std::move(created).error();
      out << "Created the admin client (its secret is shown only this once):\n"
          << "  client_id:     " << created->record.id.value() << "\n"
          << "  client_secret: " << created->secret << "\n";
      out.flush();
    }
  }

  http::ServerConfig http_config;
  http_config.host = config.listen_host;
  http_config.port = config.listen_port;
  http_config.threads = config.threads;
  http_config.cpu_affinity = config.cpu_affinity;
  if (config.threads == 0 && config.store.engine == StoreConfig::Engine::kPostgres &&
      !config.follow_changes) {
    // Without --follow-changes, every request that reads PostgreSQL waits for a round trip on its
    // thread; two threads per core keep the cores busy meanwhile (measured on 2 cores, two runs
    // each against --threads 2: +8-23% req/s on member scopes, Kinde ?code= and the organization
    // list). The default pool (4 sessions per core) covers them. Following the feed, hot reads
    // wait for nothing, and a thread per core keeps the p99 low (4 threads on 2 cores: p99 7-34 ms
    // on the hot paths; 2 threads: 0.2-1 ms).
    http_config.threads = 2 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  http_config.log_requests = config.log_requests;
  if (config.max_connections > 0) {
    http_config.max_connections = static_cast<size_t>(config.max_connections);
  }
  if (config.header_timeout_ms > 0) {
    http_config.header_timeout = std::chrono::milliseconds(config.header_timeout_ms);
  }
  if (config.body_timeout_ms > 0) {
    http_config.body_timeout = std::chrono::milliseconds(config.body_timeout_ms);
  }
  if (config.idle_timeout_ms > 0) {
    http_config.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  }
  Impl* impl = app->impl_.get();
  http::ServerHooks hooks;
  hooks.handler = [impl](http::Request& request) {
    api::Api* api = impl->live_api.load(std::memory_order_acquire);
    if (!api) return http::Response::Text(503, "Service Unavailable");
    domain::ReadModel::AdmittedScope admitted(*impl->read_model, request.admitted);
    return api->Handle(request);
  };
  if (config.store.engine == StoreConfig::Engine::kPostgres) {
    // On PostgreSQL the read model's freshness check is a round trip. A reading request waits for
    // it here, sharing one poll with every request that arrives meanwhile, instead of holding its
    // I/O thread: the threads go on reading requests while the poll runs. Only GET and HEAD, whose
    // handlers write nothing (a write inside an admitted request would not be seen by its later
    // reads); the others check freshness themselves, as on SQLite, where the check is a memory
    // read of the WAL index (SqliteCommitCounter) and needs no admission.
    hooks.admit = [impl](http::Request& request, std::function<void()> resume) {
      if (request.method != http::Method::kGet && request.method != http::Method::kHead) {
        return resume();
      }
      // Following the feed under a lease: the handler's reads answer from memory at once.
      if (impl->read_model->FreshWithoutPoll()) return resume();
      impl->read_model->WhenFresh([&request, resume = std::move(resume)](bool fresh) {
        request.admitted = fresh;
        resume();
      });
    };
  }
  hooks.body_limit = [impl](http::Method method, std::string_view path) -> size_t {
    api::Api* api = impl->live_api.load(std::memory_order_acquire);
    return api ? api->BodyLimit(method, path) : 0;
  };
  hooks.render_error = [impl](int status, const http::Request& request) {
    api::Api* api = impl->live_api.load(std::memory_order_acquire);
    return api ? api->RenderServerError(status, request)
               : http::Response::Text(status, std::string(http::ReasonPhrase(status)));
  };
  s.server = std::make_unique<http::Server>(http_config, std::move(hooks));
  return app;
}

void App::Start() {
  Impl& s = *impl_;
  s.server->Start();
  if (s.search_index) s.search_index->Start();
  s.public_url = s.config.public_url;
  if (s.public_url.empty()) {
    std::string host = s.config.listen_host;
    if (host == "0.0.0.0" || host == "::") host = "127.0.0.1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    s.public_url = "http://" + host + ":" + std::to_string(s.server->port());
  }
  auth::AuthConfig auth_config;
  auth_config.public_url = s.public_url;
  auth_config.logto_indicator = s.config.logto_indicator;
  s.issuer = std::make_unique<auth::TokenIssuer>(auth_config, *s.clients, *s.keys, *s.clock);
  s.verifier = std::make_unique<auth::TokenVerifier>(auth_config, *s.keys, *s.clock,
                                                     s.client_versions.get());
  store::Store* store = s.store.get();
  if (s.config.rate_limit_requests > 0) {
    s.rate_limiter = std::make_unique<api::RateLimiter>(
        api::RateLimit{s.config.rate_limit_requests, s.config.rate_limit_window_ms}, *s.clock);
  }
  s.api = std::make_unique<api::Api>(api::ApiDeps{
      .organizations = *s.organizations,
      .feature_flags = *s.feature_flags,
      .properties = *s.properties,
      .users = *s.users,
      .roles = *s.roles,
      .memberships = *s.memberships,
      .resources = *s.resources,
      .applications = *s.applications,
      // area:resources-deps
      .connections = *s.connections,
      .invitations = *s.invitations,
      .jit = *s.jit,
      .jit_on_user_create = s.config.jit_on_user_create,
      // area:connections-deps
      .organization_settings = *s.organization_settings,
      .logo_public_url = s.public_url,
      // area:settings-deps
      .issuer = *s.issuer,
      .verifier = *s.verifier,
      .keys = *s.keys,
      .ready = [store] { return store->Ping(); },
      .logto_test_mode = s.config.logto_test_mode,
      .rate_limiter = s.rate_limiter.get(),
      .imports = s.imports.get(),
  });
  s.live_api.store(s.api.get(), std::memory_order_release);
}

uint16_t App::port() const { return impl_->server->port(); }
const std::string& App::public_url() const { return impl_->public_url; }
void App::Stop() { impl_->server->Stop(); }
http::Response App::HandleInProcess(http::Request& request) {
  api::Api* api = impl_->live_api.load(std::memory_order_acquire);
  if (!api) return http::Response::Text(503, "Service Unavailable");
  if (request.request_id.empty()) request.request_id = "in-process";
  return api->Handle(request);
}
std::vector<api::RouteInfo> App::routes() const {
  return impl_->api ? impl_->api->routes() : std::vector<api::RouteInfo>{};
}
void App::Wait() { impl_->server->Wait(); }

Result<std::pair<std::string, std::string>> App::CreateClient(std::string name,
                                                              std::vector<std::string> scopes) {
  auto created = impl_->clients->Create(std::move(name), std::move(scopes));
  if (!created) return std::move(created).error();
  return std::make_pair(created->record.id.value(), created->secret);
}

Result<std::string> App::RotateClientSecret(const std::string& id) {
  auto rotated = impl_->clients->RotateSecret(id);
  if (!rotated) return std::move(rotated).error();
  return std::move(rotated->secret);
}

Result<void> App::DeleteClient(const std::string& id) { return impl_->clients->Delete(id); }

Result<std::string> App::SignWithActiveKey(std::string_view payload_json) const {
  return impl_->keys->active()->Sign(payload_json);
}

int RunMigrate(const Config& config, std::ostream& out, std::ostream& err) {
  auto db = OpenDatabase(config.store);
  if (!db) return CommandFailed(err, db.error());
  auto applied = store::sql::Migrate(**db);
  if (!applied) {
    err << "orgd: migration failed: " << FormatError(applied.error()) << "\n";
    return 1;
  }
  auto version = store::sql::CurrentSchemaVersion(**db);
  out << "applied " << applied->size() << " migration(s); schema version "
      << (version ? *version : -1) << "\n";
  return 0;
}

int RunClientCreate(const Config& config, std::ostream& out, std::ostream& err) {
  auto command = OpenCommandStore(config.store, err);
  if (!command) return 1;
  auth::ClientService clients(command->store, command->clock, command->ids);
  auto created = clients.Create(config.client_name, config.client_scopes);
  if (!created) return CommandFailed(err, created.error());
  out << "client_id:     " << created->record.id.value() << "\n"
      << "client_secret: " << created->secret << "\n"
      << "scopes:        ";
  for (size_t i = 0; i < created->record.scopes.size(); ++i) {
    out << (i ? " " : "") << created->record.scopes[i];
  }
  out << "\n";
  return 0;
}

namespace {

// A read-only mapping of a whole file: the import walks it as one string_view, without copying.
class MappedFile {
 public:
  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error::InvalidArgument("cannot open " + path + ": " + std::strerror(errno));
    std::unique_ptr<MappedFile> file(new MappedFile());
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return Error::InvalidArgument(path + " is not a regular file");
    }
    file->size_ = static_cast<size_t>(st.st_size);
    if (file->size_ > 0) {
      void* data = ::mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (data == MAP_FAILED) {
        const int error = errno;
        ::close(fd);
        return Error::InvalidArgument("cannot map " + path + ": " + std::strerror(error));
      }
      ::madvise(data, file->size_, MADV_SEQUENTIAL);
      file->data_ = static_cast<const char*>(data);
    }
    ::close(fd);
    return file;
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  std::string_view view() const { return {data_ ? data_ : "", size_}; }

 private:
  MappedFile() = default;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

int64_t Rows(const domain::ImportTally& t) { return t.inserted + t.updated + t.unchanged; }
int64_t Rows(const domain::ImportCounts& c) {
  return Rows(c.organizations) + Rows(c.users) + Rows(c.organization_scopes) +
         Rows(c.organization_roles) + Rows(c.memberships) + Rows(c.member_roles);
}

}  // namespace

int RunImport(const Config& config, std::ostream& out, std::ostream& err) {
  using SteadyClock = std::chrono::steady_clock;
  auto file = MappedFile::Open(config.import_file);
  if (!file) return CommandFailed(err, file.error());
  auto command = OpenCommandStore(config.store, err);
  if (!command) return 1;
  domain::ImportService imports(command->store, command->clock, command->ids,
                                api::ParseImportLine);
  const std::string_view content = (*file)->view();
  const std::string file_id = api::ImportFileId(content);

  const bool tty = ::isatty(STDERR_FILENO) == 1;
  const auto start = SteadyClock::now();
  auto last_report = start;
  auto seconds_since = [](SteadyClock::time_point t) {
    return std::chrono::duration<double>(SteadyClock::now() - t).count();
  };
  auto line_of = [&](const domain::ImportSummary& s) {
    const double elapsed = std::max(seconds_since(start), 1e-3);
    const double percent = s.bytes_total ? 100.0 * static_cast<double>(s.bytes_done) /
                                               static_cast<double>(s.bytes_total)
                                         : 100.0;
    char buf[160];
    switch (s.stage) {
      case domain::ImportStage::kBatches:
        std::snprintf(buf, sizeof buf, "import: %lld lines (%.1f%%), %.0f rows/s",
                      static_cast<long long>(s.lines_done), percent,
                      static_cast<double>(Rows(s.counts)) / elapsed);
        break;
      case domain::ImportStage::kReading:
        std::snprintf(buf, sizeof buf, "import (one transaction): read %lld lines (%.1f%%), %.0f s",
                      static_cast<long long>(s.lines_done), percent, elapsed);
        break;
      case domain::ImportStage::kMemberships:
        std::snprintf(buf, sizeof buf, "import (one transaction): writing memberships, %.0f s",
                      elapsed);
        break;
      case domain::ImportStage::kIndexing:
        std::snprintf(buf, sizeof buf,
                      "import (one transaction): building indexes and search tables, %.0f s",
                      elapsed);
        break;
      case domain::ImportStage::kFinishing:
        std::snprintf(buf, sizeof buf,
                      "import: committed; updating statistics and vacuuming for traffic, %.0f s",
                      elapsed);
        break;
    }
    return std::string(buf);
  };
  // On a terminal the line is rewritten in place a few times a second; into a file or a pipe a
  // new line every ten seconds keeps logs short.
  // A bulk load's change of stage is always worth a line.
  domain::ImportStage last_stage = domain::ImportStage::kBatches;
  auto on_progress = [&](const domain::ImportSummary& s) {
    const bool new_stage = s.stage != last_stage;
    if (new_stage && s.stage == domain::ImportStage::kReading) {
      err << (tty ? "\r\x1b[K" : "")
          << "import: the database is empty: the file loads in one transaction; other processes "
             "on this database wait until it ends (--in-batches imports beside a running "
             "server)\n";
    }
    last_stage = s.stage;
    if (!new_stage && seconds_since(last_report) < (tty ? 0.25 : 10.0)) return;
    last_report = SteadyClock::now();
    err << (tty ? "\r" : "") << line_of(s) << (tty ? "\x1b[K" : "\n");
    err.flush();
  };

  domain::ImportOptions options;
  options.batch_lines = config.import_batch_lines;
  options.from_start = config.import_from_start;
  // This process serves nothing else: a page cache of a quarter of the machine's memory, between
  // 512 MiB and 4 GiB, keeps a big import's tables and indexes in memory (10 million memberships
  // over a million organizations make a 3 GiB SQLite file, whose inserts land on random pages:
  // with 512 MiB most of them missed the cache).
  const int64_t physical = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE);
  options.bulk_cache_bytes =
      std::clamp(physical / 4, int64_t{512} << 20, int64_t{4} << 30);
  // A bulk load holds the file's membership and grant lines in memory (about as many bytes as
  // the file): only for a file of at most a quarter of the machine's memory.
  options.bulk_load =
      config.import_bulk_load && static_cast<int64_t>(content.size()) <= physical / 4;
  options.finish_for_traffic = true;
  auto summary = imports.Import(content, file_id, options, on_progress);
  if (tty) err << "\r\x1b[K";
  if (!summary) {
    const Error& e = summary.error();
    err << "orgd: import stopped: " << FormatError(e) << "\n";
    if (e.fields.contains("line")) {
      err << "Lines before the failed batch are committed; fix the line and run the same command"
             " again: it resumes after them (a changed file starts from line 1, which is safe).\n";
    }
    return 1;
  }
  const double elapsed = std::max(seconds_since(start), 1e-3);
  const domain::ImportCounts& c = summary->counts;
  auto tally = [&](const char* name, const domain::ImportTally& t) {
    out << "  " << name << ": " << t.inserted << " inserted, " << t.updated << " updated, "
        << t.unchanged << " unchanged\n";
  };
  out << "file " << config.import_file << " (sha256 " << file_id << ", " << content.size()
      << " bytes)\n";
  if (summary->already_complete) {
    out << "already imported completely (" << summary->lines_done
        << " lines); nothing to do. Use --from-start to apply it again.\n";
    return 0;
  }
  if (summary->finish_failed) {
    err << "orgd: import: every line is committed, but updating statistics and vacuuming failed: "
        << FormatError(*summary->finish_failed)
        << "\nAutovacuum will do it later; run VACUUM (ANALYZE) now for the best plans at once.\n";
  }
  if (summary->first_line > 1) out << "resumed at line " << summary->first_line << "\n";
  out << "imported " << summary->lines_this_run << " lines in "
      << (summary->bulk ? std::string("one transaction (into an empty database)")
                        : std::to_string(summary->batches) + " batches")
      << ", " << elapsed << " s, " << static_cast<int64_t>(Rows(c) / elapsed)
      << " rows/s (memberships " << static_cast<int64_t>(Rows(c.memberships) / elapsed)
      << "/s)\n";
  tally("organizations", c.organizations);
  tally("users", c.users);
  tally("organization scopes", c.organization_scopes);
  tally("organization roles", c.organization_roles);
  tally("memberships", c.memberships);
  tally("member roles", c.member_roles);
  return 0;
}

int RunSecretsCommand(const Config& config, std::ostream& out, std::ostream& err) {
  if (config.command == Command::kKekGenerate) {
    out << auth::Kek::Generate().ToText() << "\n";
    return 0;
  }
  auto command = OpenCommandStore(config.store, err);
  if (!command) return 1;
  auth::ClientService clients(command->store, command->clock, command->ids);
  auto fail = [&](const Error& e) {
    return CommandFailed(err, e, e.code == ErrorCode::kNotFound ? 3 : 1);
  };
  // A client command's failure; "no client <id>" when there is none.
  auto client_failed = [&](const Error& e) {
    return fail(e.code == ErrorCode::kNotFound
                    ? Error::NotFound("client", "no client " + config.client_id)
                    : e);
  };
  switch (config.command) {
    case Command::kClientList: {
      auto listed = clients.List();
      if (!listed) return fail(listed.error());
      for (const auto& c : *listed) {
        out << c.id.value() << "\t" << c.name << "\t";
        for (size_t i = 0; i < c.scopes.size(); ++i) out << (i ? " " : "") << c.scopes[i];
        out << "\n";
      }
      return 0;
    }
    case Command::kClientRotateSecret: {
      auto rotated = clients.RotateSecret(config.client_id);
      if (!rotated) return client_failed(rotated.error());
      out << "client_id:     " << rotated->record.id.value() << "\n"
          << "client_secret: " << rotated->secret << "\n"
          << "The old secret and every token issued with it no longer work.\n";
      return 0;
    }
    case Command::kClientDelete: {
      auto deleted = clients.Delete(config.client_id);
      if (!deleted) return client_failed(deleted.error());
      out << "deleted client " << config.client_id << "; its tokens no longer work\n";
      return 0;
    }
    case Command::kKeysRotate: {
      auto kek = ResolveKek(config);
      if (!kek) return fail(kek.error());
      auto kid = auth::KeyRing::Rotate(command->store, *kek, command->clock);
      if (!kid) return fail(kid.error());
      out << "new signing key: " << *kid << "\n"
          << "Running servers sign with it within 5 s; older keys stay published and accepted "
             "until every token they signed has expired (24 h).\n";
      return 0;
    }
    default:
      err << "orgd: not a secrets command\n";
      return 2;
  }
}

int RunServe(const Config& config, std::ostream& out, std::ostream& err) {
  // Block the stop signals before any thread starts, so that every thread inherits the mask and
  // only the sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto app = App::Build(config, out);
  if (!app) return CommandFailed(err, app.error());
  try {
    (*app)->Start();
  } catch (const std::exception& e) {
    err << "orgd: " << e.what() << "\n";
    return 1;
  }
  out << "orgd listening on " << (*app)->public_url() << " (database: "
      << (config.store.engine == StoreConfig::Engine::kSqlite ? "sqlite://" + config.store.sqlite_path
                                                               : std::string("postgresql"))
      << ")\n";
  out.flush();
  log::Info("listening", {{"url", (*app)->public_url()}});
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  log::Info("stopping", {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"}});
  (*app)->Stop();
  log::Info("stopped");
  return 0;
}

}  // namespace orgd::app
