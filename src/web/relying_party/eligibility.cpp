#include "web/relying_party/eligibility.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "util/text.hpp"
#include "web/json_body.hpp"
#include "web/relying_party/relying_party.hpp"

namespace onshi::web::relying_party {
namespace {

// Members in the order written: the log and the answers read top-down (time, event first).
using json = nlohmann::ordered_json;

bool all_digits(std::string_view s) {
  return !s.empty() && std::ranges::all_of(s, [](char c) { return c >= '0' && c <= '9'; });
}

// A 記号 or 番号 as printed on the card: kana, kanji, digits; no control characters, short.
bool card_text_ok(std::string_view s, std::size_t max) {
  return util::is_valid_utf8(s) && !util::has_control_chars(s) && util::code_points(s) <= max;
}

struct Query {
  std::string insurer_number, symbol, number, branch;
};

app::FieldErrors check(Query& q) {
  app::FieldErrors errors;
  // Full-width digits and stray spaces are what people paste; the numbers are compared as typed.
  q.insurer_number = util::normalize_code_input(q.insurer_number);
  q.branch = util::normalize_code_input(q.branch);
  q.symbol = std::string(util::trim(util::nfkc(q.symbol).text));
  q.number = std::string(util::trim(util::nfkc(q.number).text));
  if (q.insurer_number.empty())
    errors.push_back({"insurerNumber", "relying_party.insurer_number_missing"});
  else if (!all_digits(q.insurer_number) ||
           (q.insurer_number.size() != 6 && q.insurer_number.size() != 8))
    errors.push_back({"insurerNumber", "relying_party.insurer_number_bad"});
  if (!card_text_ok(q.symbol, 20)) errors.push_back({"symbol", "relying_party.symbol_bad"});
  if (q.number.empty())
    errors.push_back({"number", "relying_party.number_missing"});
  else if (!card_text_ok(q.number, 20))
    errors.push_back({"number", "relying_party.number_bad"});
  if (!q.branch.empty() && !(q.branch.size() == 2 && all_digits(q.branch)))
    errors.push_back({"branch", "relying_party.branch_bad"});
  return errors;
}

Response bad_request(int status, const std::string& message, const json& errors = nullptr) {
  json body = {{"result", "bad_request"}, {"message", message}};
  if (!errors.is_null()) body["errors"] = errors;
  return json_answer(status, body.dump());
}

const char* json_key(JsonBodyError e) {
  switch (e) {
    case JsonBodyError::too_large:
      return "json.too_large";
    case JsonBodyError::too_deep:
      return "json.too_deep";
    case JsonBodyError::too_many_values:
      return "json.too_many_values";
    case JsonBodyError::not_an_object:
      return "json.body_not_an_object";
    case JsonBodyError::malformed:
      break;
  }
  return "json.malformed";
}

std::string iso_now() {
  return fmt::format("{:%FT%TZ}",
                     std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

}  // namespace

Response eligibility(const Request& r, const pki::TerminalIdentity& who,
                     const app::Messages& messages, RequestResult& result) {
  result = RequestResult::bad_request;
  if (!util::ascii_lower(r.header("content-type")).starts_with("application/json"))
    return bad_request(415, messages.get("relying_party.content_type"));
  const auto parsed = parse_json_object(r.body);
  if (!parsed) {
    const auto e = parsed.error();
    return bad_request(e == JsonBodyError::too_large ? 413 : 400, messages.get(json_key(e)));
  }
  app::FieldErrors errors;
  const JsonFields fields(*parsed, errors);
  Query q{fields.text("insurerNumber"), fields.text("symbol"), fields.text("number"),
          fields.text("branch")};
  if (errors.empty()) errors = check(q);
  if (!errors.empty()) {
    json by_field = json::object();
    for (const auto& e : errors)
      if (!by_field.contains(e.field)) by_field[e.field] = messages.format(e.key, e.args);
    return bad_request(400, messages.get("relying_party.bad_request"), by_field);
  }
  result = RequestResult::ok;
  // The same answer for every query: nothing here looks anybody up.
  const json body = {
      {"result", "ok"},
      {"testData", true},
      {"note", messages.get("relying_party.test_note")},
      {"institutionCode", who.institution_code},
      {"terminal", who.terminal},
      {"query",
       {{"insurerNumber", q.insurer_number},
        {"symbol", q.symbol},
        {"number", q.number},
        {"branch", q.branch}}},
      {"eligibility",
       {{"qualified", true},
        {"insuredName", messages.get("relying_party.test_insured_name")},
        {"insurerName", messages.get("relying_party.test_insurer_name")},
        {"copaymentRatio", 30},
        {"qualifiedSince", "2024-04-01"}}},
      {"answeredAt", iso_now()},
  };
  return json_answer(200, body.dump());
}

}  // namespace onshi::web::relying_party
