#pragma once
// The receipt and the notice letter the letters tests and benchmarks (bench/letters_bench.cpp)
// render: the length and mix of Japanese text the application puts on them.
#include <cstdio>
#include <string>
#include <string_view>

#include "letters/notice_letter.hpp"
#include "letters/receipt.hpp"

namespace onshi::letters::test {

inline Receipt sample_receipt() {
  return Receipt{
      .title = "申請受付票",
      .subtitle = "電子証明書発行申請（オンライン請求ネットワーク関連システム共通認証局）",
      .issued_by = "医療機関等向けポータルサイト",
      .lines =
          {
              {"申請番号", "C-00000012"},
              {"申請日", "2026年11月24日（火）"},
              {"医療機関等名称", "医療法人社団青葉会 みなと内科クリニック"},
              {"医療機関等コード", "13-1-0123455"},
              {"所在地", "〒105-0011 東京都港区芝公園四丁目2番8号 みなとビル3階"},
              {"担当者", "山田 花子"},
              {"電話番号", "03-1234-5678"},
              {"メールアドレス", "hanako.yamada@minato-clinic.example.jp"},
              {"申請枚数", "2枚（1枚あたり 1,500円）"},
              {"発行料（税抜）", "3,000円"},
              {"消費税（10%）", "300円"},
              {"合計（税込）", "3,300円"},
              {"通知書発送予定日", "2026年12月1日（火）頃"},
          },
      .notes =
          {
              "※ 電子証明書発行通知書は、受付から約5営業日で上記所在地あてに簡易書留郵便で"
              "お送りします。通知書に記載された受取用コードは電子証明書の取得に必要ですので、"
              "大切に保管してください。",
              "※ 迷惑メール対策をご利用の場合は、ドメイン「portal.example.jp」からのメールを"
              "受信できるよう設定してください。",
              "※ 本票は申請を受け付けたことを示すものであり、電子証明書の発行を保証するもの"
              "ではありません。内容に誤りがある場合は、申請番号を添えてお問い合わせください。",
          },
      .footer = "受付日時 2026-11-24 20:15",
  };
}

// 16 characters from the code alphabet (no 0/O, 1/I/L), distinct for every n below 32.
inline std::string pickup_code(int n) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
  std::string code;
  for (int i = 0; i < 16; ++i) {
    if (i > 0 && i % 4 == 0) code += '-';
    code += kAlphabet[static_cast<std::size_t>((n * 7 + i * 5 + i * i) % 31)];
  }
  return code;
}

inline std::string serial(int n) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "7F3A9C%02d1B2E4D5F60718293A4B5C6D7", n);
  return buffer;
}

inline NoticeLetter sample_letter(const std::string& application, int certificates) {
  NoticeLetter letter{
      .address_lines = {"〒104-0061", "東京都中央区銀座一丁目2番3号 銀座メディカルビル5階",
                        "医療法人社団青葉会 オンライン医院", "事務部 山田 太郎 様"},
      .sender_block =
          "オンライン請求ネットワーク関連システム共通認証局\n"
          "〒100-0013 東京都千代田区霞が関1-2-2\n電話 0120-000-000（平日9時〜17時）",
      .date_line = "2026年11月25日",
      .title = "電子証明書発行通知書",
      .greeting =
          "　拝啓　時下ますますご清栄のこととお慶び申し上げます。\n"
          "　お申込みいただいた電子証明書を下記のとおり発行しましたので、お知らせします。"
          "取得コードは電子証明書の取得に必要です。取得が済むまで大切に保管してください。",
      .facts = {{"申請番号", application},
                {"医療機関コード", "13-1-0123455"},
                {"医療機関名称", "医療法人社団青葉会 オンライン医院"},
                {"証明書の枚数", std::to_string(certificates) + "枚"},
                {"料金（税込）", "3,300円（請求書を別途お送りします）"}},
      .certificates_heading = "発行した電子証明書",
      .certificate_labels = {.issuance_number = "発行番号",
                             .terminal = "端末",
                             .pickup_code = "取得コード",
                             .pickup_deadline = "取得期限",
                             .serial = "シリアル番号",
                             .validity = "有効期間",
                             .validity_format = "{from} ～ {until}",
                             .delivery = "受取方法"},
      .certificates = {},
      .qr_caption = "取得用ページ",
      .pickup_page_label = "取得用ページ",
      .pickup_page_url = "https://portal.example.jp/pickup",
      .instructions_heading = "システムベンダの方へ",
      .vendor_instructions =
          {"取得用ページを開き（QR コードからも開けます）、発行番号と取得コードを入力します。",
           "パスワード（8文字以上）を決め、PKCS#12 ファイルを1回だけダウンロードします。",
           "オンライン資格確認端末に証明書をインストールし、接続を確認します。"},
      .notes_heading = "ご注意",
      .notes = {"※ 取得コードは1回限り有効です。5回誤って入力すると取得がロックされます。",
                "※ 取得期限を過ぎた証明書は失効します。期限内に取得できない場合はご連絡ください。"},
      .contact_heading = "お問い合わせ先",
      .contact_lines = {"医療機関等向けポータルサイト 問合せ窓口",
                        "電話 0120-000-000（受付時間 平日 9:00〜17:00）",
                        "メール toiawase@example.jp"},
      .footer = "申請番号 " + application,
      .page_label_format = "{page} / {pages}",
  };
  for (int i = 1; i <= certificates; ++i) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "-%02d", i);
    letter.certificates.push_back({
        .terminal = "T" + std::string(suffix + 1),
        .terminal_name = "受付端末" + std::to_string(i),
        .issuance_number = application + suffix,
        .serial_hex = serial(i),
        .pickup_code = pickup_code(i + certificates),
        .pickup_url = "https://portal.example.jp/pickup?n=" + application + suffix,
        .valid_from = "2026年11月24日",
        .valid_until = "2031年11月23日",
        .pickup_deadline = "2027年2月22日",
        .delivery =
            i % 2 == 1 ? "PKCS#12 ファイル（秘密鍵と証明書）" : "証明書のみ（CSR の鍵に対応）",
    });
  }
  return letter;
}

}  // namespace onshi::letters::test
