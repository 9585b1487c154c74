#pragma once
// Reading and verifying the append-only, hash-chained audit log.
#include <optional>
#include <string>
#include <vector>

#include "app/core/services.hpp"

namespace onshi::app {

std::vector<store::AuditRecord> audit_log(const Services& s, const store::AuditFilter& f);

// An entry's number and hash written down outside the database ("SEQ:HASH"). The chain alone
// cannot show that its newest entries were cut off; a checkpoint taken earlier can.
struct AuditCheckpoint {
  std::int64_t seq = 0;
  std::string hash;
  std::string text() const;  // SEQ:HASH
};
std::optional<AuditCheckpoint> parse_audit_checkpoint(std::string_view text);

struct AuditVerification {
  bool ok = true;
  std::int64_t entries = 0;
  std::string head_hash;                // the last entry's hash
  std::optional<AuditCheckpoint> head;  // the last entry as a checkpoint to write down
  std::int64_t first_bad_seq = 0;
  std::string problem;  // English, for the operator's terminal
  // The same in Japanese, for the page: an audit_check.* message of {0} = first_bad_seq and
  // {1} = other_seq (the missing entry, or the checkpoint's).
  std::string problem_key;
  std::int64_t other_seq = 0;
};
// Recomputes every entry's hash and its link to the previous one: a changed field, a deleted or
// inserted row, or a reordered chain is reported with the first sequence number where it breaks.
// With a checkpoint, the log must also still hold that entry with that hash.
AuditVerification verify_audit_log(const Services& s,
                                   const std::optional<AuditCheckpoint>& checkpoint = {});
// The same inside a transaction the caller holds (`onshi db copy` checks its copy before it
// commits).
AuditVerification verify_audit_log(store::ReadTx& tx,
                                   const std::optional<AuditCheckpoint>& checkpoint = {});

// The hash an entry must carry (shared with store/'s append).
std::string audit_hash(const std::string& prev_hash, const store::AuditRecord& e);

}  // namespace onshi::app
