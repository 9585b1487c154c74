// `onshi operator create|list|disable|enable`: back-office operators, created from the shell.
#include <fmt/format.h>
#include <qrencode.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "app/office/operators.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "util/secrets.hpp"

namespace onshi::cli {
namespace {

struct CreateFlags {
  std::string login;
  std::string name;
  std::string role;
  bool password_stdin = false;
  bool json = false;
};

// The provisioning URI as a QR code of half-block characters, for an authenticator app to scan
// straight from the terminal.
void print_qr(const std::string& text) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
      QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!qr) return;
  const int n = qr->width;
  const int quiet = 2;
  const auto dark = [&](int x, int y) {
    if (x < 0 || y < 0 || x >= n || y >= n) return false;
    return (qr->data[y * n + x] & 1) != 0;
  };
  for (int y = -quiet; y < n + quiet; y += 2) {
    std::string line;
    for (int x = -quiet; x < n + quiet; ++x) {
      // Light modules are drawn as full blocks so the code reads on a dark terminal.
      const bool top = !dark(x, y);
      const bool bottom = !dark(x, y + 1);
      line += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
    }
    std::cout << line << '\n';
  }
}

void create(const GlobalOptions& globals, const CreateFlags& f) {
  Runtime rt(globals);
  rt.db().migrate();
  std::string password;
  if (f.password_stdin) {
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else {
    password = util::random_token(15);  // 20 characters of base64url
  }
  auto result = app::create_operator(rt.services(), {f.login, f.name, f.role, password});
  if (!result) {
    for (const auto& e : result.error().fields) {
      std::cerr << e.field << ": " << rt.services().messages.get(e.key) << '\n';
    }
    throw CLI::RuntimeError(2);
  }
  if (f.json) {
    nlohmann::json j{{"id", result->id},
                     {"login", f.login},
                     {"totp_secret", result->totp_secret},
                     {"totp_uri", result->totp_uri}};
    if (!f.password_stdin) j["password"] = password;
    std::cout << j.dump() << '\n';
    return;
  }
  std::cout << "created operator " << f.login << " (" << f.role << ")\n";
  if (!f.password_stdin) std::cout << "password: " << password << '\n';
  std::cout << "TOTP secret (shown once; add it to an authenticator app): " << result->totp_secret
            << '\n'
            << result->totp_uri << '\n';
  print_qr(result->totp_uri);
}

void list(const GlobalOptions& globals) {
  Runtime rt(globals, Runtime::ExistingDatabase{});
  const auto ops = app::list_operators(rt.services());
  std::cout << fmt::format("{:>4}  {:<20}  {:<8}  {:<8}  {}\n", "id", "login", "role", "state",
                           "name");
  for (const auto& o : ops) {
    std::cout << fmt::format("{:>4}  {:<20}  {:<8}  {:<8}  {}\n", o.id, o.login,
                             domain::role_key(o.role), o.disabled_at ? "disabled" : "active",
                             o.display_name);
  }
}

void set_disabled(const GlobalOptions& globals, const std::string& login, bool disabled) {
  Runtime rt(globals, Runtime::ExistingDatabase{});
  if (!app::set_operator_disabled(rt.services(), login, disabled)) {
    std::cerr << "no operator with login " << login << '\n';
    throw CLI::RuntimeError(2);
  }
  std::cout << (disabled ? "disabled " : "enabled ") << login << '\n';
}

}  // namespace

void register_operator_commands(CLI::App& root, GlobalOptions& globals) {
  auto* op = root.add_subcommand("operator", "Back-office operators (審査・発行・管理)");
  op->require_subcommand(1);
  auto f = std::make_shared<CreateFlags>();
  auto* create_cmd = op->add_subcommand(
      "create", "Create an operator; prints the TOTP secret once (and the password if generated)");
  create_cmd->add_option("--login", f->login, "Login ID (a-z 0-9 . _ -, 3-32)")->required();
  create_cmd->add_option("--name", f->name, "Display name")->required();
  create_cmd->add_option("--role", f->role, "reviewer (審査), issuer (発行) or admin (管理)")
      ->required();
  create_cmd->add_flag("--password-stdin", f->password_stdin,
                       "Read the password from stdin instead of generating one");
  create_cmd->add_flag("--json", f->json, "Print id, totp_secret and totp_uri as JSON");
  create_cmd->callback([&globals, f] { create(globals, *f); });
  op->add_subcommand("list", "List operators")->callback([&globals] { list(globals); });
  auto login = std::make_shared<std::string>();
  for (const bool disabled : {true, false}) {
    auto* c = op->add_subcommand(
        disabled ? "disable" : "enable",
        disabled ? "Disable an operator and end their sessions" : "Enable a disabled operator");
    c->add_option("login", *login)->required();
    c->callback([&globals, login, disabled] { set_disabled(globals, *login, disabled); });
  }
}

}  // namespace onshi::cli
