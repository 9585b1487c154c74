// `onshi account create|list|disable|enable`: operators' account work from the shell.
#include <fmt/format.h>

#include <iostream>

#include "app/accounts/accounts.hpp"
#include "app/accounts/api_tokens.hpp"
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
    for (const auto& e : result.error().fields) {
      std::cerr << e.field << ": " << rt.services().messages.get(e.key) << '\n';
    }
    throw CLI::RuntimeError(2);
  }
  std::cout << "created account " << *result << " for " << f.email << '\n';
  if (generated) std::cout << "password: " << password << '\n';
}

void list(const GlobalOptions& globals) {
  Runtime rt(globals, Runtime::ExistingDatabase{});
  const auto accounts = app::list_accounts(rt.services());
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
  Runtime rt(globals, Runtime::ExistingDatabase{});
  if (!app::set_account_disabled(rt.services(), email, disabled)) {
    std::cerr << "no account with e-mail " << email << '\n';
    throw CLI::RuntimeError(2);
  }
  std::cout << (disabled ? "disabled " : "enabled ") << email << '\n';
}

[[noreturn]] void token_failure(const app::Failure& f) {
  // The operator at the console reads English; the keys are app/api_tokens.hpp's.
  if (f.key == "api_token.no_such_account") {
    std::cerr << "no account with that e-mail\n";
  } else if (f.key == "api_token.no_such_token") {
    std::cerr << "no live token with that id for the account\n";
  } else if (f.key == "api_token.empty_label") {
    std::cerr << "--label must not be empty\n";
  } else {
    std::cerr << f.key << '\n';
  }
  throw CLI::RuntimeError(2);
}

void register_token_commands(CLI::App& account, GlobalOptions& globals) {
  auto* token = account.add_subcommand(
      "token", "API tokens a vendor's system uses for /api/v1/ (docs/api.md)");
  token->require_subcommand(1);
  struct Flags {
    std::string email;
    std::string label;
    store::Id id = 0;
  };
  auto f = std::make_shared<Flags>();
  auto* create =
      token->add_subcommand("create", "Create a token for an account; it is printed once");
  create->add_option("--email", f->email, "E-mail address of the account the token acts for")
      ->required();
  create->add_option("--label", f->label, "Who holds it, e.g. the vendor's name")->required();
  create->callback([&globals, f] {
    Runtime rt(globals, Runtime::ExistingDatabase{});
    auto t = app::create_api_token(rt.services(), f->email, f->label);
    if (!t) token_failure(t.error());
    std::cout << "id: " << t->id << "\ntoken: " << t->token << '\n';
  });
  auto* list = token->add_subcommand("list", "List an account's tokens (never their values)");
  list->add_option("--email", f->email, "E-mail address of the account")->required();
  list->callback([&globals, f] {
    Runtime rt(globals, Runtime::ExistingDatabase{});
    auto tokens = app::list_api_tokens(rt.services(), f->email);
    if (!tokens) token_failure(tokens.error());
    std::cout << fmt::format("{:>5}  {:<8}  {:<16}  {:<16}  {}\n", "id", "state", "created",
                             "last used", "label");
    for (const auto& t : *tokens) {
      const auto when = [](std::optional<store::Millis> ms) {
        return ms ? util::format_jst(util::TimePoint{std::chrono::milliseconds{*ms}})
                  : std::string("-");
      };
      std::cout << fmt::format("{:>5}  {:<8}  {:<16}  {:<16}  {}\n", t.id,
                               t.revoked_at ? "revoked" : "live", when(t.created_at),
                               when(t.last_used_at), t.label);
    }
  });
  auto* revoke = token->add_subcommand("revoke", "Revoke a token at once");
  revoke->add_option("--email", f->email, "E-mail address of the account")->required();
  revoke->add_option("--id", f->id, "The token's id (from `list`)")->required();
  revoke->callback([&globals, f] {
    Runtime rt(globals, Runtime::ExistingDatabase{});
    if (auto r = app::revoke_api_token(rt.services(), f->email, f->id); !r)
      token_failure(r.error());
    std::cout << "revoked token " << f->id << '\n';
  });
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

  register_token_commands(*account, globals);
}

}  // namespace onshi::cli
