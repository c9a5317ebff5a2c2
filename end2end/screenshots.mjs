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
  // Each screen in English, then in Spanish (a browser asking for es-US): filled by the fields'
  // names and sent by the forms' own buttons, whatever the language.
  for (const { locale, prefix } of [
    { locale: "en-US", prefix: "" },
    { locale: "es-US", prefix: "es-" },
  ]) {
    const page = await browser.newPage({ locale, viewport: { width: 420, height: 900 }, deviceScaleFactor: 1 });
    const shot = (name) => page.screenshot({ path: path.join(out, `${prefix}${name}.png`), fullPage: true });
    const submit = (form) => page.locator(form).locator('button[type="submit"]:not([name="language"])').first().click();
    await page.goto(`http://${address}/`);
    await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
    await shot("1-form");
    await page.locator('[name="email"]').fill("john.doe@");
    await submit("form#registration");
    await page.getByRole("alert").locator("h2").waitFor();
    await shot("2-form-errors");
    const fields = {
      nickname: "Main store", email: "john.doe@example.com", name: "John Doe", phone: "(512) 111-2222",
      // Spelled out: USPS writes it "BLVD", so the address check offers its suggestion first.
      address_line1: "4009 Marathon Boulevard", city_locality: "Austin", postal_code: "78756", card_name: "John Doe",
      card_number: "4111 1111 1111 1111", card_exp_month: "07", card_exp_year: "2031",
    };
    for (const [name, value] of Object.entries(fields)) await page.locator(`[name="${name}"]`).fill(value);
    await page.locator('[name="state_province"]').selectOption("TX");
    await page.locator("#residential-no").check();
    await page.locator('[name="agree_to_carrier_terms"]').check();
    await submit("form#registration");
    await page.locator("#address-check-title").waitFor();
    await shot("6-address-suggestion");
    await submit("form#registration");
    await page.locator("form.send-form").waitFor();
    await shot("3-phone");
    await submit("form.send-form");
    await page.locator("#code").fill("000000");
    await submit('form:has(#code)');
    await page.getByRole("alert").locator("h2").waitFor();
    await shot("4-code-wrong");
    await page.locator("#code").fill("123456");
    await submit('form:has(#code)');
    await page.locator(".panel--success").waitFor();
    await shot("5-done");
    // After the account is open: add postage (a preset, the confirmation, the new balance), and
    // the links into the Stamps.com account.
    await page.goto(`http://${address}/account/postage`);
    await page.locator("#amount-25").check();
    await submit('form[action="/account/postage"]');
    const confirm = page.locator('form[method="post"] button[type="submit"]:not([name="language"])').first();
    await confirm.waitFor();
    await shot("7-postage-confirm");
    await confirm.click();
    await page.locator(".panel--success").waitFor();
    await shot("8-postage-added");
    await page.goto(`http://${address}/account/manage`);
    await page.locator(".account-links").waitFor();
    await shot("9-manage");
    // Connecting an account the merchant already has, in a browser of its own: a wrong password.
    const other = await browser.newContext({ locale, viewport: { width: 420, height: 900 }, deviceScaleFactor: 1 });
    const connect = await other.newPage();
    await connect.goto(`http://${address}/connect`);
    await connect.locator('[name="nickname"]').fill("Main store");
    await connect.locator('[name="username"]').fill("demo-merchant");
    await connect.locator('[name="password"]').fill("not-the-password");
    await connect.locator('form[action="/connect"] button[type="submit"]:not([name="language"])').first().click();
    await connect.getByRole("alert").waitFor();
    await connect.screenshot({ path: path.join(out, `${prefix}10-connect-refused.png`), fullPage: true });
    await other.close();
    await page.close();
  }
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  server.kill();
}
