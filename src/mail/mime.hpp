#pragma once
// Turning an outgoing mail into the bytes handed to SMTP. Japanese text goes into headers as
// RFC 2047 encoded-words and into the body as base64 so that no relay on the way has to be
// 8-bit clean or know about SMTPUTF8.
#include <chrono>
#include <string>
#include <string_view>

namespace onshi::mail {

// All fields UTF-8. `from` and `to` are either a bare address ("a@example.jp") or
// "Display Name <a@example.jp>"; a non-ASCII display name is encoded, a non-ASCII address is not
// supported (std::invalid_argument: addresses are validated before they get here).
struct MailMessage {
  std::string from;
  std::string to;
  std::string subject;
  std::string body_text;
};

// The complete RFC 5322 message, CRLF line endings, ready for SmtpClient::send:
//   Date (rendered in JST, "+0900"), From, To, Subject (encoded when not plain ASCII),
//   Message-ID (angle brackets added when missing), MIME-Version, Content-Type text/plain UTF-8,
//   Content-Transfer-Encoding base64; the body's line endings become CRLF before encoding.
// Throws std::invalid_argument when from, to, subject or message_id holds CR or LF: that would
// let text chosen by a user add headers, and callers are expected to have rejected it already.
std::string render_mime(const MailMessage& message, std::chrono::system_clock::time_point date,
                        std::string_view message_id);

// RFC 2047 "B" encoding of an unstructured header value. Printable ASCII is returned unchanged
// (unless it contains "=?", which a reader would take for an encoded-word); anything else becomes
// "=?UTF-8?B?...?=" words of at most 75 characters, each holding whole UTF-8 sequences so that
// every word decodes on its own, joined by CRLF + space (folding). Decoders drop the whitespace
// between adjacent encoded-words, so the folded value reads back as the original text.
std::string encode_header_word(std::string_view utf8);

}  // namespace onshi::mail
