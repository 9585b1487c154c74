// `onshi admin billing close|pay`: 月次締め and 入金の記録 from the shell, with the same use cases
// (checks, audit records) as the back-office page.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/billing/billing.hpp"
#include "cli/admin_support.hpp"
#include "cli/commands.hpp"
#include "cli/global_options.hpp"
#include "cli/runtime.hpp"
#include "util/text.hpp"

namespace onshi::cli {
namespace {

struct BillingFlags {
  std::string operator_login;
  std::string month;
  std::string out;
  std::string invoice;
  std::string amount;
  std::string received_on;
};

// Each file through a temporary name, so that a reader never sees half of one; the bytes are the
// close's, so writing them again changes nothing.
void write_file(const std::filesystem::path& path, const std::string& bytes) {
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.flush();
    if (!f) throw std::runtime_error("could not write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

[[noreturn]] void fail_with_fields(Runtime& rt, const app::Failure& f) {
  const auto& m = rt.services().messages;
  std::cerr << m.get(f.key) << '\n';
  for (const auto& e : f.fields)
    std::cerr << "  " << e.field << ": " << m.format(e.key, e.args) << '\n';
  throw CLI::RuntimeError(2);
}

void close_month(const GlobalOptions& g, const BillingFlags& f) {
  Runtime rt(g, Runtime::ExistingDatabase{});
  const auto who = operator_actor(rt, f.operator_login);
  auto r = app::close_billing_month(rt.services(), who, f.month);
  if (!r) fail_with_fields(rt, r.error());
  const std::filesystem::path dir = f.out.empty()
                                        ? rt.config().data_dir / "billing" / r->close.month
                                        : std::filesystem::path(f.out);
  std::filesystem::create_directories(dir);
  const auto files = app::billing_files(rt.services(), *r);
  for (const auto& file : files) write_file(dir / file.name, file.bytes);
  std::cout << fmt::format("{} {}: {} charge(s), {} invoice(s), due {}; {} file(s) in {}\n",
                           r->close.month, r->repeated ? "was closed before" : "closed",
                           r->close.charges, r->invoices.size(), r->close.due_on, files.size(),
                           dir.string());
  for (const auto& i : r->invoices) {
    std::cout << fmt::format("  {}  {:>3} item(s)  {:>10} yen\n", i.number, i.items,
                             util::group_thousands(i.total_yen));
  }
}

void pay(const GlobalOptions& g, const BillingFlags& f) {
  Runtime rt(g, Runtime::ExistingDatabase{});
  const auto who = operator_actor(rt, f.operator_login);
  auto r = app::record_payment(rt.services(), who, f.invoice, f.amount, f.received_on);
  if (!r) fail_with_fields(rt, r.error());
  std::cout << fmt::format("{}: {} yen received on {} recorded\n", f.invoice,
                           util::group_thousands(r->amount_yen), r->received_on);
}

}  // namespace

void register_admin_billing_commands(CLI::App& admin, GlobalOptions& globals) {
  auto f = std::make_shared<BillingFlags>();
  auto* billing = admin.add_subcommand("billing", "発行料: monthly close and transfers received");
  billing->require_subcommand(1);

  auto* close_cmd = billing->add_subcommand(
      "close", "月次締め: invoices (PDF) and the deduction CSV of a month, once; again: its files");
  close_cmd->add_option("--operator", f->operator_login, "Login of the operator (admin)")
      ->required();
  close_cmd->add_option("month", f->month, "The month, YYYY-MM (ended in Japan)")->required();
  close_cmd->add_option("--out", f->out, "Folder for the files (default DATA/billing/YYYY-MM)");
  close_cmd->callback([&globals, f] { close_month(globals, *f); });

  auto* pay_cmd = billing->add_subcommand("pay", "入金の記録: a transfer received for an invoice");
  pay_cmd->add_option("--operator", f->operator_login, "Login of the operator (admin)")->required();
  pay_cmd->add_option("invoice", f->invoice, "請求書番号, e.g. 202611-1310123455")->required();
  pay_cmd->add_option("--amount", f->amount, "Yen received")->required();
  pay_cmd->add_option("--date", f->received_on, "Date received, YYYY-MM-DD")->required();
  pay_cmd->callback([&globals, f] { pay(globals, *f); });
}

}  // namespace onshi::cli
