import { createHash } from "node:crypto";
import { defineConfig } from "@playwright/test";
import os from "node:os";
import path from "node:path";
import {
  ADMIN_PASSWORD_HASH,
  APP_URL,
  DEMO_URL,
  FAKE_API_KEY,
  OPERATOR_TOKEN,
  PLATFORM_URL,
  SIMULATOR_URL,
  WEBHOOK_SECRET,
} from "./tests/support/env";

// Debian's Chromium: Playwright cannot download its own browser on this network.
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

const root = path.resolve(__dirname, "..");
const release = path.join(root, "target", "release");

// Each app server starts on a new SQLite file of its own, named by its port so that runs sharing
// a machine (E2E_PORT_BASE) never share one.
function appOn(url: string) {
  const file = path.join(os.tmpdir(), `stamps-connect-e2e-${new URL(url).port}.db`);
  return {
    command: `rm -f ${file} ${file}-wal ${file}-shm && exec ${release}/stamps-connect`,
    databaseUrl: `sqlite://${file}?mode=rwc`,
  };
}
const app = appOn(APP_URL);
const demo = appOn(DEMO_URL);

// Every spec registers and sends codes from 127.0.0.1, often to the same number: limits the
// suite would reach. The limits themselves are tested in Rust (tests/limits.rs).
const roomyLimits = {
  LIMIT_REGISTRATIONS_PER_IP: "10000",
  LIMIT_REGISTRATIONS_PER_EMAIL: "10000",
  LIMIT_REGISTRATIONS_TOTAL: "10000",
  LIMIT_SENDS_PER_REGISTRATION: "10000",
  LIMIT_CODE_CHECKS_PER_IP: "10000",
  LIMIT_CODE_CHECKS_TOTAL: "10000",
  LIMIT_SENDS_PER_PHONE: "10000",
  LIMIT_SENDS_PER_IP: "10000",
  LIMIT_SENDS_TOTAL: "10000",
  LIMIT_ADDRESS_CHECKS_PER_IP: "10000",
};

export default defineConfig({
  testDir: "./tests",
  // One simulator is shared and fault injection is global to it: run specs one at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: APP_URL,
    trace: "retain-on-failure",
    launchOptions: chromium,
  },
  projects: [
    { name: "js", use: { javaScriptEnabled: true } },
    // The same specs without JavaScript; those that need it are named *.hydrate.spec.ts.
    { name: "no-js", use: { javaScriptEnabled: false }, testIgnore: /\.hydrate\.spec\.ts$/ },
  ],
  webServer: [
    {
      command: `${release}/shipengine-simulator --port ${new URL(SIMULATOR_URL).port} --code 123456 --api-key ${FAKE_API_KEY}`,
      url: `${SIMULATOR_URL}/__simulator/health`,
      reuseExistingServer: false,
      stdout: "pipe",
    },
    {
      command: `node ${path.join(__dirname, "operator", "platform.mjs")} ${new URL(PLATFORM_URL).port}`,
      url: `${PLATFORM_URL}/health`,
      reuseExistingServer: false,
    },
    {
      command: app.command,
      cwd: root,
      url: APP_URL,
      reuseExistingServer: false,
      env: {
        DATABASE_URL: app.databaseUrl,
        SHIPENGINE_API_KEY: FAKE_API_KEY,
        SHIPENGINE_BASE_URL: SIMULATOR_URL,
        LISTEN_ADDR: new URL(APP_URL).host,
        UPSTREAM_TIMEOUT_SECS: "3",
        RUST_LOG: "info",
        ...roomyLimits,
        // Specs send a new code straight away; the demo server keeps the default wait.
        LIMIT_RESEND_COOLDOWN_SECS: "0",
        // The admin console (admin.spec.ts).
        ADMIN_PASSWORD_HASH,
        // The operator's side, with the platform stand-in on loopback.
        OPERATOR_API_TOKEN_HASHES: createHash("sha256").update(OPERATOR_TOKEN).digest("hex"),
        OPERATOR_WEBHOOK_URL: `${PLATFORM_URL}/webhooks`,
        OPERATOR_WEBHOOK_SECRET: WEBHOOK_SECRET,
        // Specs leave unknown outcomes for the admin console to settle (the job is tested in
        // tests/reconciliation.rs).
        RECONCILE: "off",
      },
    },
    {
      command: demo.command,
      cwd: root,
      url: DEMO_URL,
      reuseExistingServer: false,
      env: {
        DATABASE_URL: demo.databaseUrl,
        LISTEN_ADDR: new URL(DEMO_URL).host,
        RUST_LOG: "warn",
        ...roomyLimits,
      },
    },
  ],
});
