#include <stdexcept>

#include "store/sql/session.hpp"

namespace onshi::store::sql {

Statement& Statement::set(int index, Value v) {
  if (index < 1) throw std::logic_error("sql: placeholders count from 1");
  if (cursor_) throw std::logic_error("sql: a statement is bound before it runs");
  if (static_cast<std::size_t>(index) > params_.size()) params_.resize(index);
  params_[index - 1] = std::move(v);
  return *this;
}

bool Statement::step() {
  if (!cursor_) cursor_ = session_.execute(sql_, params_);
  return cursor_->next();
}

std::int64_t Statement::run() {
  while (step()) {
  }
  return cursor_->affected();
}

std::int64_t Statement::inserted_id() {
  if (!step()) throw std::logic_error("sql: an INSERT ... RETURNING id returned no row");
  const std::int64_t id = int64(0);
  run();
  return id;
}

std::optional<std::int64_t> Statement::optional_int64(int col) const {
  if (cursor_->is_null(col)) return std::nullopt;
  return cursor_->int64(col);
}

std::optional<std::string> Statement::optional_text(int col) const {
  if (cursor_->is_null(col)) return std::nullopt;
  return cursor_->text(col);
}

std::string numbered_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int highest = 0;
  for (std::size_t i = 0; i < sql.size();) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      // A literal or quoted name to its closing quote; a doubled quote stays inside.
      std::size_t end = i + 1;
      while (end < sql.size()) {
        if (sql[end] == c) {
          if (end + 1 < sql.size() && sql[end + 1] == c) {
            end += 2;
            continue;
          }
          break;
        }
        ++end;
      }
      end = std::min(end + 1, sql.size());
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const std::size_t end = std::min(sql.find('\n', i), sql.size());
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '?') {
      std::size_t digits = i + 1;
      int number = 0;
      while (digits < sql.size() && sql[digits] >= '0' && sql[digits] <= '9') {
        number = number * 10 + (sql[digits] - '0');
        ++digits;
      }
      if (digits == i + 1) number = highest + 1;
      highest = std::max(highest, number);
      out.push_back('$');
      out.append(std::to_string(number));
      i = digits;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

}  // namespace onshi::store::sql
