// Takes the README's screenshots of every screen, in demo mode, from the release build:
//   node end2end/screenshots.mjs   (after `cargo leptos build --release`)
import { chromium } from "@playwright/test";
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "docs", "screenshots");
const address = "127.0.0.1:3199";

const server = spawn(path.join(root, "target", "release", "stamps-connect"), {
  cwd: root,
  env: { ...process.env, LISTEN_ADDR: address, RUST_LOG: "warn" },
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise((ready) => server.stdout.once("data", ready));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 420, height: 900 }, deviceScaleFactor: 1 });
  const shot = (name) => page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
  await page.goto(`http://${address}/`);
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await shot("1-form");
  await page.getByLabel("Email address").fill("john.doe@");
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await page.getByRole("alert").waitFor();
  await shot("2-form-errors");
  const fields = {
    "Account nickname": "Main store", "Email address": "john.doe@example.com", "Full name": "John Doe",
    "Phone number": "(512) 111-2222", "Address line 1": "4009 Marathon Blvd", City: "Austin",
    "ZIP code": "78756", "Name on card": "John Doe", "Card number": "4111 1111 1111 1111", Month: "07", Year: "2031",
  };
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByLabel("State").selectOption("TX");
  await page.getByLabel("No, it is a business").check();
  await page.getByLabel("I agree to the").check();
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await page.getByRole("button", { name: "Send code" }).waitFor();
  await shot("3-phone");
  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByLabel("Code from the text message").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByRole("alert").getByText("That code is not right").waitFor();
  await shot("4-code-wrong");
  await page.getByLabel("Code from the text message").fill("123456");
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByText("Your Stamps.com account is ready").waitFor();
  await shot("5-done");
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  server.kill();
}
