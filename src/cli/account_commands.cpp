// `onshi account create|list|disable|enable`: operators' account work from the shell.
#include <fmt/format.h>

#include <iostream>

#include "app/accounts.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "util/clock.hpp"
#include "util/secrets.hpp"

namespace onshi::cli {
namespace {

struct CreateFlags {
  std::string email;
  std::string institution_code;
  std::string name;
  bool password_stdin = false;
};

void create(const GlobalOptions& globals, const CreateFlags& f) {
  Runtime rt(globals);
  rt.db().migrate();
  std::string password;
  const bool generated = !f.password_stdin;
  if (f.password_stdin) {
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else {
    password = util::random_token(12);  // 16 characters of base64url
  }
  auto result =
      app::create_verified_account(rt.services(), {f.email, f.institution_code, f.name, password});
  if (!result) {
    for (const auto& e : result.error()) {
      std::cerr << e.field << ": " << rt.services().messages.get(e.key) << '\n';
    }
    throw CLI::RuntimeError(2);
  }
  std::cout << "created account " << *result << " for " << f.email << '\n';
  if (generated) std::cout << "password: " << password << '\n';
}

void list(const GlobalOptions& globals) {
  Runtime rt(globals);
  std::vector<store::AccountSummary> accounts;
  rt.db().read([&](store::Tx& tx) { accounts = tx.list_accounts(); });
  std::cout << fmt::format("{:>5}  {:<10}  {:<8}  {:<32}  {}\n", "id", "code", "state", "email",
                           "institution");
  for (const auto& a : accounts) {
    const char* state = a.account.disabled_at   ? "disabled"
                        : a.account.verified_at ? "active"
                                                : "unverified";
    std::cout << fmt::format("{:>5}  {:<10}  {:<8}  {:<32}  {}\n", a.account.id, a.institution.code,
                             state, a.account.email, a.institution.name);
  }
}

void set_disabled(const GlobalOptions& globals, const std::string& email, bool disabled) {
  Runtime rt(globals);
  if (!app::set_account_disabled(rt.services(), email, disabled)) {
    std::cerr << "no account with e-mail " << email << '\n';
    throw CLI::RuntimeError(2);
  }
  std::cout << (disabled ? "disabled " : "enabled ") << email << '\n';
}

}  // namespace

void register_account_commands(CLI::App& root, GlobalOptions& globals) {
  auto* account = root.add_subcommand("account", "Portal accounts of institutions");
  account->require_subcommand(1);

  auto flags = std::make_shared<CreateFlags>();
  auto* c =
      account->add_subcommand("create",
                              "Create a verified account (the password is generated and printed, "
                              "or read from standard input with --password-stdin)");
  c->add_option("--email", flags->email, "E-mail address used to log in")->required();
  c->add_option("--institution-code", flags->institution_code, "10-digit institution code")
      ->required();
  c->add_option("--name", flags->name, "Institution name (医療機関名称)")->required();
  c->add_flag("--password-stdin", flags->password_stdin,
              "Read the password from the first line of standard input");
  c->callback([&globals, flags] { create(globals, *flags); });

  account->add_subcommand("list", "List accounts")->callback([&globals] { list(globals); });

  auto email = std::make_shared<std::string>();
  auto* d = account->add_subcommand("disable", "Disable an account and end its sessions");
  d->add_option("--email", *email, "E-mail address of the account")->required();
  d->callback([&globals, email] { set_disabled(globals, *email, true); });
  auto email2 = std::make_shared<std::string>();
  auto* e = account->add_subcommand("enable", "Enable a disabled account");
  e->add_option("--email", *email2, "E-mail address of the account")->required();
  e->callback([&globals, email2] { set_disabled(globals, *email2, false); });
}

}  // namespace onshi::cli
