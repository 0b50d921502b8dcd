import { defineConfig } from "@playwright/test";
import * as os from "os";
import * as path from "path";
import * as fs from "fs";

// One throw-away data directory per run: SQLite file and outbox live here.
// The config is evaluated again in each worker: reuse the parent's directory.
const dataDir = (process.env.LATCHKEY_E2E_DATA ??= fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-e2e-")));
const port = Number(process.env.LATCHKEY_E2E_PORT ?? 3917);
const baseURL = `http://127.0.0.1:${port}`;
const oidcPort = Number(process.env.LATCHKEY_E2E_OIDC_PORT ?? 3918);
const oidcIssuer = `http://127.0.0.1:${oidcPort}`;
// Passkeys need a host name as relying-party id (browsers refuse an IP
// address): a second server, public at http://localhost:PORT (Chromium maps
// localhost to 127.0.0.1 for the passkey spec).
const passkeyPort = Number(process.env.LATCHKEY_E2E_PASSKEY_PORT ?? 3919);
process.env.LATCHKEY_E2E_PASSKEY_URL ??= `http://localhost:${passkeyPort}`;
const passkeyData = path.join(dataDir, "passkeys");
fs.mkdirSync(passkeyData, { recursive: true });
// A deployment made its own by configuration: a school's profile fields,
// its name, colour and logo, a public directory; and one with email-only
// accounts.
const customPort = Number(process.env.LATCHKEY_E2E_CUSTOM_PORT ?? 3920);
const customData = path.join(dataDir, "custom");
fs.mkdirSync(customData, { recursive: true });
const emailOnlyPort = Number(process.env.LATCHKEY_E2E_EMAIL_ONLY_PORT ?? 3921);
const emailOnlyData = path.join(dataDir, "email-only");
fs.mkdirSync(emailOnlyData, { recursive: true });
process.env.LATCHKEY_E2E_CUSTOM_URL ??= `http://127.0.0.1:${customPort}`;
process.env.LATCHKEY_E2E_EMAIL_ONLY_URL ??= `http://127.0.0.1:${emailOnlyPort}`;
const schoolFields = JSON.stringify([
  { name: "role", type: "choice", choices: ["teacher", "student"], required: true, signup: true, public: true, label: "Role" },
  { name: "birthday", type: "date", signup: true, help: "We send a card." },
  { name: "newsletter", type: "boolean", signup: true, label: "Send me the newsletter" },
  { name: "school", type: "text", required: true, signup: true, public: true, max_length: 50 },
  { name: "age", type: "integer", min: 0, max: 150 },
  { name: "is_creator", type: "boolean", editable: false, label: "Creator" },
]);
const logoFile = path.join(customData, "logo.svg");
fs.writeFileSync(logoFile, '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="5" fill="#0a7d3b"/></svg>');

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  // Under CI a failed spec runs once more and is reported "flaky" in the log
  // (two of roughly thirty clean-clone runs so far lost hydration once, for a
  // cause not yet found; support.ts's hydrated() now records what loaded).
  retries: process.env.CI ? 1 : 0,
  // never open a report server
  reporter: [["list"]],
  use: {
    baseURL,
    headless: true,
    trace: "off",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"],
    },
  },
  webServer: [
    {
      command: "node oidc-provider.mjs",
      url: `${oidcIssuer}/.well-known/openid-configuration`,
      timeout: 30_000,
      reuseExistingServer: false,
      env: { OIDC_PORT: String(oidcPort) },
    },
    {
      command: "../target/debug/latchkey",
      url: `${baseURL}/`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        LATCHKEY_ADDR: `127.0.0.1:${port}`,
        LATCHKEY_PUBLIC_URL: baseURL,
        LATCHKEY_DATA_DIR: dataDir,
        LEPTOS_SITE_ROOT: "../target/site",
        LATCHKEY_SECRET_KEY: "end2end-secret-key-0123456789-abcdefghijklmnop",
        RUST_LOG: "warn",
        LATCHKEY_OIDC_ISSUER: oidcIssuer,
        LATCHKEY_OIDC_CLIENT_ID: "latchkey-e2e",
        LATCHKEY_OIDC_CLIENT_SECRET: "latchkey-e2e-secret",
        LATCHKEY_OIDC_NAME: "Test OIDC",
        // every spec signs up and logs in from 127.0.0.1
        LATCHKEY_RATE_SIGNUP_IP: "200/3600",
        LATCHKEY_RATE_LOGIN_IP: "300/60",
      },
    },
    {
      command: "../target/debug/latchkey",
      url: `http://127.0.0.1:${passkeyPort}/`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        LATCHKEY_ADDR: `127.0.0.1:${passkeyPort}`,
        LATCHKEY_PUBLIC_URL: process.env.LATCHKEY_E2E_PASSKEY_URL,
        LATCHKEY_DATA_DIR: passkeyData,
        LEPTOS_SITE_ROOT: "../target/site",
        LATCHKEY_SECRET_KEY: "end2end-passkeys-secret-0123456789-abcdefghijk",
        RUST_LOG: "warn",
        LATCHKEY_RATE_SIGNUP_IP: "200/3600",
        LATCHKEY_RATE_LOGIN_IP: "300/60",
      },
    },
    {
      command: "../target/debug/latchkey",
      url: `http://127.0.0.1:${customPort}/`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        LATCHKEY_ADDR: `127.0.0.1:${customPort}`,
        LATCHKEY_PUBLIC_URL: process.env.LATCHKEY_E2E_CUSTOM_URL,
        LATCHKEY_DATA_DIR: customData,
        LEPTOS_SITE_ROOT: "../target/site",
        LATCHKEY_SECRET_KEY: "end2end-custom-secret-0123456789-abcdefghijklmn",
        RUST_LOG: "warn",
        LATCHKEY_EMAIL_VERIFICATION: "none",
        LATCHKEY_PROFILE_FIELDS: schoolFields,
        LATCHKEY_PROFILE_DIRECTORY: "public",
        LATCHKEY_SITE_NAME: "Hilltop School",
        LATCHKEY_PRIMARY_COLOR: "#0a7d3b",
        LATCHKEY_LOGO: logoFile,
        LATCHKEY_RATE_SIGNUP_IP: "200/3600",
        LATCHKEY_RATE_LOGIN_IP: "300/60",
      },
    },
    {
      command: "../target/debug/latchkey",
      url: `http://127.0.0.1:${emailOnlyPort}/`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        LATCHKEY_ADDR: `127.0.0.1:${emailOnlyPort}`,
        LATCHKEY_PUBLIC_URL: process.env.LATCHKEY_E2E_EMAIL_ONLY_URL,
        LATCHKEY_DATA_DIR: emailOnlyData,
        LEPTOS_SITE_ROOT: "../target/site",
        LATCHKEY_SECRET_KEY: "end2end-emailonly-secret-0123456789-abcdefghij",
        RUST_LOG: "warn",
        LATCHKEY_EMAIL_VERIFICATION: "none",
        LATCHKEY_USERNAME: "none",
        LATCHKEY_RATE_SIGNUP_IP: "200/3600",
        LATCHKEY_RATE_LOGIN_IP: "300/60",
      },
    },
  ],
});
