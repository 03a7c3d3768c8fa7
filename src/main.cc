#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/config.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto config = orgd::app::LoadConfig(args, [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (!v) return std::nullopt;
    return std::string(v);
  });
  if (!config) {
    std::cerr << "orgd: " << config.error().message << "\n";
    return 2;
  }
  switch (config->command) {
    case orgd::app::Command::kHelp:
      std::cout << orgd::app::UsageText();
      return 0;
    case orgd::app::Command::kVersion:
      std::cout << "orgd 0.1.0\n";
      return 0;
    case orgd::app::Command::kMigrate:
      return orgd::app::RunMigrate(*config, std::cout, std::cerr);
    case orgd::app::Command::kClientCreate:
      return orgd::app::RunClientCreate(*config, std::cout, std::cerr);
    case orgd::app::Command::kClientList:
    case orgd::app::Command::kClientRotateSecret:
    case orgd::app::Command::kClientDelete:
    case orgd::app::Command::kKeysRotate:
    case orgd::app::Command::kKekGenerate:
      return orgd::app::RunSecretsCommand(*config, std::cout, std::cerr);
    case orgd::app::Command::kImport:
      return orgd::app::RunImport(*config, std::cout, std::cerr);
    case orgd::app::Command::kServe:
      break;
  }
  return orgd::app::RunServe(*config, std::cout, std::cerr);
}
