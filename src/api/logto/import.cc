#include "api/logto/import.h"

#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "api/import_ndjson.h"
#include "api/logto/errors.h"
#include "api/logto/input.h"

namespace orgd::api::logto {
namespace {

constexpr int64_t kMaxBatchLines = 100'000;

nlohmann::json TallyJson(const domain::ImportTally& t) {
  return {{"inserted", t.inserted}, {"updated", t.updated}, {"unchanged", t.unchanged}};
}

http::Response RenderLineError(const Error& e) {
  nlohmann::json data = {{"line", std::stoll(e.fields.at("line"))}};
  for (const auto& [key, value] : e.fields) {
    if (key != "line") data["field"] = key;
  }
  if (e.code == ErrorCode::kInvalidArgument) {
    return ErrorBody(400, "import.invalid_line", e.message, &data);
  }
  if (e.code == ErrorCode::kNotFound || e.code == ErrorCode::kAlreadyExists ||
      e.code == ErrorCode::kFailedPrecondition) {
    return ErrorBody(422, "import.line_rejected", e.message, &data);
  }
  return Render(e);
}

}  // namespace

ImportHandler::ImportHandler(domain::ImportService& imports) : imports_(imports) {}

Result<http::Response> ImportHandler::Import(const http::Request& request, const auth::Principal&) {
  const std::string media = request.MediaType();
  if (media != "application/x-ndjson" && media != "application/ndjson") {
    return InvalidInput("headers", "content-type", "invalid_type",
                        "The body must be application/x-ndjson");
  }
  domain::ImportOptions options;
  auto batch = SingleQuery(request.query, "batchSize");
  if (!batch) return std::move(batch).error();
  if (*batch) {
    std::string_view v = **batch;
    int64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n < 1 || n > kMaxBatchLines) {
      return InvalidInput("query", "batchSize", "invalid_type",
                          "batchSize must be a number from 1 to 100000");
    }
    options.batch_lines = n;
  }
  auto from_start = SingleQuery(request.query, "fromStart");
  if (!from_start) return std::move(from_start).error();
  options.from_start = *from_start && IsYes(**from_start);

  const std::string file_id = ImportFileId(request.body);
  auto summary = imports_.Import(request.body, file_id, options);
  if (!summary) {
    if (summary.error().fields.contains("line")) return RenderLineError(summary.error());
    return std::move(summary).error();
  }
  const domain::ImportCounts& c = summary->counts;
  nlohmann::json body = {
      {"fileId", file_id},
      {"alreadyComplete", summary->already_complete},
      {"firstLine", summary->first_line},
      {"linesDone", summary->lines_done},
      {"linesThisRun", summary->lines_this_run},
      {"batches", summary->batches},
      {"organizations", TallyJson(c.organizations)},
      {"users", TallyJson(c.users)},
      {"organizationScopes", TallyJson(c.organization_scopes)},
      {"organizationRoles", TallyJson(c.organization_roles)},
      {"memberships", TallyJson(c.memberships)},
      {"memberRoles", TallyJson(c.member_roles)},
  };
  return http::Response::Json(200, body.dump());
}

void AddImportRoutes(RouteTable& routes, domain::ImportService& imports) {
  using H = ImportHandler;
  auto h = std::make_shared<H>(imports);
  routes.Add(http::Method::kPost, "/api/orgd/import", Dialect::kLogto, "all", Bind(h, &H::Import));
}

}  // namespace orgd::api::logto
