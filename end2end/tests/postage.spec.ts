import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import { SIMULATOR_URL } from "./support/env";
import { fillRegistration, open, resetSimulator, usesJavaScript } from "./support/flow";

// "Add postage" after the account is open: server-rendered pages, the same with and without
// JavaScript. The charges are checked on the simulator's record.

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

test.beforeEach(async () => {
  await resetSimulator();
});

/** Registers and verifies a new account; its carrier id. */
async function openAccount(page: Page, testInfo: TestInfo): Promise<string> {
  await open(page, testInfo);
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByLabel("Code from the text message").fill("123456");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your Stamps.com account is ready");
  return (await page.locator("dd code").textContent()) ?? "";
}

/** The simulator's charges to `carrierId`, in cents. */
async function chargesTo(carrierId: string): Promise<number[]> {
  const response = await fetch(`${SIMULATOR_URL}/__simulator/charges`);
  const charges: Array<{ carrier_id: string; amount_cents: number }> = await response.json();
  return charges.filter((c) => c.carrier_id === carrierId).map((c) => c.amount_cents);
}

function balanceOnDoneScreen(page: Page) {
  return page.locator("div", { has: page.getByText("Postage balance", { exact: true }) }).locator("dd");
}

/**
 * axe runs as a script. These pages ship none, so without JavaScript the audit runs on the same
 * HTML in a context that may run scripts, with the merchant's cookies.
 */
async function expectNoViolations(page: Page, browser: Browser, testInfo: TestInfo, screen: string) {
  let audited = page;
  if (!usesJavaScript(testInfo)) {
    const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, javaScriptEnabled: true });
    await context.addCookies(await page.context().cookies());
    audited = await context.newPage();
    await audited.goto(page.url());
  }
  const results = await new AxeBuilder({ page: audited }).withTags(WCAG_TAGS).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`);
  expect(found, `axe violations on ${screen}`).toEqual([]);
  if (audited !== page) await audited.context().close();
}

test("a merchant adds a preset and a typed amount and sees the balance grow", async ({ page, browser }, testInfo) => {
  const carrierId = await openAccount(page, testInfo);
  await expect(balanceOnDoneScreen(page)).toHaveText("$0.00");

  await page.getByRole("link", { name: "Add postage" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Add postage");
  await expect(page.locator("script[src*='/pkg/']")).toHaveCount(0);
  await expectNoViolations(page, browser, testInfo, "the amount form");

  // Nothing chosen: the summary and the message, then a wrong typed amount kept as typed.
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert")).toContainText("Choose an amount to add");
  await page.getByLabel("Other amount").check();
  await page.getByLabel("Amount in US dollars").fill("7.5");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert")).toContainText("Enter at least $10.00");
  await expect(page.getByLabel("Amount in US dollars")).toHaveValue("7.5");
  await expect(page.getByLabel("Amount in US dollars")).toHaveAttribute("aria-invalid", "true");
  await expectNoViolations(page, browser, testInfo, "the amount form with an error");

  await page.getByLabel("$25.00").check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm the charge");
  await expect(page.getByText("Your card on the Stamps.com account will be charged $25.00.")).toBeVisible();
  await expectNoViolations(page, browser, testInfo, "the confirmation");
  expect(await chargesTo(carrierId)).toEqual([]);
  await page.getByRole("button", { name: "Confirm and add postage" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Postage added");
  await expect(page.getByText("$25.00 was added to your Stamps.com balance.")).toBeVisible();
  await expect(page.locator("dd")).toHaveText("$25.00");
  await expectNoViolations(page, browser, testInfo, "postage added");

  await page.getByRole("link", { name: "Add more postage" }).click();
  await page.getByLabel("Other amount").check();
  await page.getByLabel("Amount in US dollars").fill("12.34");
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("button", { name: "Confirm and add postage" }).click();
  await expect(page.getByText("$12.34 was added to your Stamps.com balance.")).toBeVisible();
  await expect(page.locator("dd")).toHaveText("$37.34");
  expect(await chargesTo(carrierId)).toEqual([2500, 1234]);

  await page.getByRole("link", { name: "Back to your account" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your Stamps.com account is ready");
  await expect(balanceOnDoneScreen(page)).toHaveText("$37.34");
});

test("a double click on Confirm charges the card once", async ({ page }, testInfo) => {
  const carrierId = await openAccount(page, testInfo);
  await page.getByRole("link", { name: "Add postage" }).click();
  await page.getByLabel("$50.00").check();
  await page.getByRole("button", { name: "Continue" }).click();
  // The charge takes a moment, as a real one does: the second click arrives while it runs.
  await fetch(`${SIMULATOR_URL}/__simulator/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ endpoint: "add_funds", fault: { kind: "delay", millis: 500 }, times: 1 }),
  });
  await page.getByRole("button", { name: "Confirm and add postage" }).dblclick();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Postage added");
  await expect(page.locator("dd")).toHaveText("$50.00");
  // Back to the confirmation's address: never cached, it shows the outcome, not Confirm again.
  await page.goBack();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Postage added");
  expect(await chargesTo(carrierId)).toEqual([5000]);
});
