// `onshi admin applications|letters|mail`: every back-office action from the shell for batch
// work, with the same use cases (so the same checks and audit records) as the pages. The
// operator is named with --operator; their role decides what they may do. `onshi admin
// certificates` is in certificate_commands.cpp.
#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include "app/ca/issuance.hpp"
#include "app/office/notice_letters.hpp"
#include "app/office/review.hpp"
#include "cli/admin_support.hpp"
#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"

namespace onshi::cli {
namespace {

struct ActionFlags {
  std::string operator_login;
  std::string number;
  std::string note;
  std::vector<std::string> csrs;  // INDEX=FILE
  std::string out;
  std::string tracking_number;
  std::string mailed_on;
  std::vector<std::string> numbers;  // letters render --number
  app::QueueFilter filter;
};

app::Actor actor(Runtime& rt, const ActionFlags& f) {
  return operator_actor(rt, f.operator_login);
}

void list(const GlobalOptions& g, const ActionFlags& f) {
  Runtime rt(g, Runtime::ExistingDatabase{});
  const auto rows = app::review_queue(rt.services(), f.filter);
  std::cout << fmt::format("{:<11}  {:<12}  {:<10}  {:<10}  {:<10}  {:>3}  {}\n", "number",
                           "status", "applied", "due", "code", "n", "institution");
  for (const auto& a : rows) {
    std::cout << fmt::format("{:<11}  {:<12}  {:<10}  {:<10}  {:<10}  {:>3}  {}\n", a.number,
                             domain::state_key(a.status), a.applied_on, a.expected_notice_on,
                             a.institution_code, a.certificates, a.institution_name);
  }
}

void decide(const GlobalOptions& g, const ActionFlags& f, app::Decision d) {
  Runtime rt(g, Runtime::ExistingDatabase{});
  if (auto r = app::decide(rt.services(), actor(rt, f), f.number, d, f.note); !r) {
    fail(rt, r.error());
  }
  std::cout << f.number << ": "
            << rt.services().messages.get(
                   d == app::Decision::approve     ? "certificate_status.approved"
                   : d == app::Decision::send_back ? "certificate_status.returned"
                                                   : "certificate_status.rejected")
            << '\n';
}

void issue(const GlobalOptions& g, const ActionFlags& f) {
  Runtime rt(g, Runtime::ExistingDatabase{});
  if (!rt.load_ca()) fail(rt, app::review_failure(app::ReviewError::ca_unavailable));
  std::map<int, std::string> csrs;
  for (const auto& spec : f.csrs) {
    const auto eq = spec.find('=');
    int index = 0;
    const auto [end, ec] =
        std::from_chars(spec.data(), spec.data() + std::min(eq, spec.size()), index);
    if (eq == std::string::npos || ec != std::errc{} || end != spec.data() + eq || index < 1) {
      std::cerr << "--csr wants INDEX=FILE with INDEX the certificate's number (1, 2, ...), got "
                << spec << '\n';
      throw CLI::RuntimeError(2);
    }
    if (!csrs.emplace(index, read_file("--csr", spec.substr(eq + 1))).second) {
      std::cerr << "--csr " << index << " is given twice\n";
      throw CLI::RuntimeError(2);
    }
  }
  auto issued = app::issue_application(rt.services(), actor(rt, f), f.number, csrs);
  if (!issued) fail(rt, issued.error());
  for (const auto& t : *issued) {
    std::cout << fmt::format("{}  {}  serial {}\n", t.issuance_number, t.terminal, t.serial_hex);
  }
}

void sync_folder_of(const std::string& file) {
  const auto folder = std::filesystem::absolute(file).parent_path();
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) throw std::runtime_error("could not open " + folder.string());
  const int synced = ::fsync(dir);
  ::close(dir);
  if (synced != 0) throw std::runtime_error("could not sync " + folder.string());
}

// The PDF holds the only copy of its pickup codes. So the file is created first, and never over
// an existing one (an earlier batch): a path that cannot be written stops before any letter is
// marked printed. The PDF is written and synced inside the transaction that marks the letters,
// and removed again when that transaction does not commit.
using Deliver = std::function<void(const app::LetterBatch&)>;
using LetterJob =
    std::function<app::Result<app::LetterBatch>(Runtime&, const app::Actor&, const Deliver&)>;

void write_letters(const GlobalOptions& g, const ActionFlags& f, const LetterJob& job) {
  Runtime rt(g, Runtime::ExistingDatabase{});
  if (!rt.load_ca()) fail(rt, app::review_failure(app::ReviewError::ca_unavailable));
  const app::Actor who = actor(rt, f);
  const int fd = ::open(f.out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int error = errno;
    std::cerr << fmt::format("cannot create {}: {}{}\n", f.out, std::strerror(error),
                             error == EEXIST ? " (an earlier batch? choose a new --out)" : "");
    throw CLI::RuntimeError(2);
  }
  app::Result<app::LetterBatch> batch;
  try {
    batch = job(rt, who, [&](const app::LetterBatch& b) {
      // From the start each time: a transaction that runs again delivers again.
      if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0)
        throw std::runtime_error("could not rewind " + f.out);
      std::string_view rest = b.pdf;
      while (!rest.empty()) {
        const ssize_t n = ::write(fd, rest.data(), rest.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
          throw std::runtime_error("could not write " + f.out + ": " + std::strerror(errno));
        rest.remove_prefix(static_cast<std::size_t>(n));
      }
      if (::fsync(fd) != 0) throw std::runtime_error("could not sync " + f.out);
      // The file's name too: without it a power cut could keep the commit and lose the file.
      sync_folder_of(f.out);
    });
  } catch (...) {
    ::close(fd);
    ::unlink(f.out.c_str());
    throw;
  }
  ::close(fd);  // after fsync, nothing is left for close to report
  if (!batch || batch->pdf.empty()) ::unlink(f.out.c_str());
  if (!batch) fail(rt, batch.error());
  if (batch->pdf.empty()) {
    std::cout << "no notice letters to print\n";
    return;
  }
  std::cout << fmt::format("wrote {} letter(s) to {}:", batch->application_numbers.size(), f.out);
  for (const auto& n : batch->application_numbers) std::cout << ' ' << n;
  std::cout << '\n';
}

void render_letters(const GlobalOptions& g, const ActionFlags& f) {
  write_letters(g, f, [&](Runtime& rt, const app::Actor& who, const Deliver& deliver) {
    return app::print_notice_letters(rt.services(), who, deliver, f.numbers);
  });
}

// 新しい取得コードで再印刷: the old codes are void once the new PDF is written.
void reprint_letter(const GlobalOptions& g, const ActionFlags& f) {
  write_letters(g, f, [&](Runtime& rt, const app::Actor& who, const Deliver& deliver) {
    return app::reprint_notice_letter(rt.services(), who, f.number, deliver);
  });
}

void record_mail(const GlobalOptions& g, const ActionFlags& f) {
  Runtime rt(g, Runtime::ExistingDatabase{});
  if (auto r = app::record_registered_mail(rt.services(), actor(rt, f), f.number, f.tracking_number,
                                           f.mailed_on);
      !r) {
    fail(rt, r.error());
  }
  std::cout << f.number << ": " << rt.services().messages.get("certificate_status.notice_sent")
            << '\n';
}

CLI::App* with_operator(CLI::App* cmd, ActionFlags& f) {
  cmd->add_option("--operator", f.operator_login, "Login of the operator doing this")->required();
  return cmd;
}

}  // namespace

void register_admin_commands(CLI::App& root, GlobalOptions& globals) {
  auto f = std::make_shared<ActionFlags>();
  auto* admin = root.add_subcommand("admin", "Back-office work from the shell (審査・発行・書留)");
  admin->require_subcommand(1);

  auto* apps = admin->add_subcommand("applications", "Certificate applications");
  apps->require_subcommand(1);
  auto* list_cmd = apps->add_subcommand("list", "The review queue (oldest first)");
  list_cmd->add_option("--status", f->filter.status, "applied, under_review, ... (default: open)");
  list_cmd->add_option("--prefecture", f->filter.prefecture, "Prefecture code 1-47");
  list_cmd->add_option("--from", f->filter.applied_from, "Applied on or after YYYY-MM-DD");
  list_cmd->add_option("--to", f->filter.applied_to, "Applied on or before YYYY-MM-DD");
  list_cmd->callback([&globals, f] { list(globals, *f); });

  const std::pair<const char*, app::Decision> decisions[] = {
      {"approve", app::Decision::approve},
      {"send-back", app::Decision::send_back},
      {"reject", app::Decision::reject}};
  for (const auto& [name, d] : decisions) {
    auto* c = with_operator(apps->add_subcommand(name, fmt::format("{} an application", name)), *f);
    c->add_option("number", f->number, "申請番号, e.g. C-00000012")->required();
    if (d != app::Decision::approve) {
      c->add_option("--note", f->note, "The reason the clinic reads (mail and マイページ)")
          ->required();
    }
    c->callback([&globals, f, d = d] { decide(globals, *f, d); });
  }
  auto* issue_cmd = with_operator(
      apps->add_subcommand("issue", "Issue the certificates of an approved application"), *f);
  issue_cmd->add_option("number", f->number, "申請番号")->required();
  issue_cmd->add_option("--csr", f->csrs, "INDEX=FILE: a terminal's own PKCS#10 (else generated)");
  issue_cmd->callback([&globals, f] { issue(globals, *f); });

  auto* letters = admin->add_subcommand("letters", "電子証明書発行通知書");
  letters->require_subcommand(1);
  auto* render = with_operator(
      letters->add_subcommand("render", "Unprinted letters into one PDF (codes print once)"), *f);
  render
      ->add_option("--out", f->out,
                   "New PDF file (never overwritten; mode 0600: it holds the pickup codes)")
      ->required();
  render->add_option("--number", f->numbers,
                     "Only this application's letter (repeatable; default: every unprinted one)");
  render->callback([&globals, f] { render_letters(globals, *f); });
  auto* reprint = with_operator(
      letters->add_subcommand(
          "reprint", "新しい取得コードで再印刷: new pickup codes (old ones void) and the PDF"),
      *f);
  reprint->add_option("number", f->number, "申請番号")->required();
  reprint
      ->add_option("--out", f->out,
                   "New PDF file (never overwritten; mode 0600: it holds the pickup codes)")
      ->required();
  reprint->callback([&globals, f] { reprint_letter(globals, *f); });

  auto* mail = admin->add_subcommand("mail", "Registered mail (書留)");
  mail->require_subcommand(1);
  auto* record = with_operator(
      mail->add_subcommand("record", "Record the 書留 tracking number and the date it was sent"),
      *f);
  record->add_option("number", f->number, "申請番号")->required();
  record->add_option("--tracking", f->tracking_number, "書留番号 (11-13 digits)")->required();
  record->add_option("--date", f->mailed_on, "Date sent, YYYY-MM-DD")->required();
  record->callback([&globals, f] { record_mail(globals, *f); });

  register_admin_certificate_commands(*admin, globals);
  register_admin_billing_commands(*admin, globals);
  register_admin_reminder_commands(*admin, globals);
}

}  // namespace onshi::cli
