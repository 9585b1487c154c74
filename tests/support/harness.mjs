// Test harness for the integration and browser tests: one import for everything the tests share,
// re-exported from the modules that hold it, lowest first. processes.mjs: paths (ONSHI_BIN,
// SOURCE_DIR, ARTIFACTS), sleep, ports and the children killed at exit; html.mjs: reading pages;
// http.mjs: the cookie-jar Client, JSON API and raw socket requests; mail.mjs: mail parsing and the
// SMTP sink; fixtures.mjs: institution codes, e-mails, passwords, messages; applications.mjs: the
// usage and certificate applications, fees and business days; database.mjs: the engine the tests
// run on (ONSHI_TEST_ENGINE) and SQL behind the server's back; server.mjs: `onshi serve` and the
// CLI. docs/pages.md is the contract. Tests may import from here or from a module directly.

// processes.mjs's process helpers (track, waitExit, waitForPort) stay internal to the support
// modules; only these are part of the harness.
export { ARTIFACTS, ONSHI_BIN, PYTHON, SOURCE_DIR, freePort, portAccepts, sleep } from './processes.mjs';
export * from './html.mjs';
export * from './http.mjs';
export * from './mail.mjs';
export * from './fixtures.mjs';
export * from './applications.mjs';
export * from './database.mjs';
export * from './server.mjs';
