import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import { fillRegistration, merchant, open, resetSimulator, usesJavaScript } from "./support/flow";

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

async function expectNoViolations(page: Page, screen: string) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`);
  expect(found, `axe violations on ${screen}`).toEqual([]);
}

/**
 * axe runs as a script, which a page with JavaScript disabled cannot run. For the no-JS project
 * the audit therefore uses a page that may run scripts but never loads the app's own JS/WASM:
 * it is the same server-rendered, unhydrated page a merchant without JavaScript gets.
 */
async function auditedPage(page: Page, browser: Browser, testInfo: TestInfo): Promise<Page> {
  if (usesJavaScript(testInfo)) return page;
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, javaScriptEnabled: true });
  await context.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
  return context.newPage();
}

test.beforeEach(async () => {
  await resetSimulator();
});

test("every screen, clean and with errors, has no WCAG 2.2 AA violation", async ({ page: fixture, browser }, testInfo) => {
  const page = await auditedPage(fixture, browser, testInfo);
  await open(page, testInfo);
  await expectNoViolations(page, "the form");

  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(page.getByRole("alert")).toContainText("There is a problem");
  await expectNoViolations(page, "the form with errors");

  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your phone number");
  await expectNoViolations(page, "the SMS step");

  await page.getByLabel("Mobile phone number").fill("12");
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByRole("alert")).toContainText("There is a problem");
  await expectNoViolations(page, "the SMS step with a bad number");

  await page.getByLabel("Mobile phone number").fill(merchant["Phone number"]);
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByText("We sent a code to")).toBeVisible();
  await expectNoViolations(page, "the code field");

  await page.getByLabel("Code from the text message").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("alert")).toContainText("That code is not right");
  await expectNoViolations(page, "the code field with a wrong code");

  await page.getByLabel("Code from the text message").fill("123456");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your Stamps.com account is ready");
  await expectNoViolations(page, "the done screen");
});

test("the error summary links to each field, whose message is tied to it", async ({ page }, testInfo) => {
  await open(page, testInfo);
  await page.getByLabel("Email address").fill("john.doe@");
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  const summary = page.getByRole("alert");
  const link = summary.getByRole("link", { name: "Enter an email address like name@example.com" });
  await expect(link).toHaveAttribute("href", "#email");
  const email = page.getByLabel("Email address");
  await expect(email).toHaveAttribute("aria-invalid", "true");
  await expect(email).toHaveAttribute("aria-describedby", /email-error/);
  await expect(page.locator("#email-error")).toContainText("like name@example.com");
  // Fields not yet judged are not marked invalid... and the typed value is kept.
  await expect(email).toHaveValue("john.doe@");
  await expect(page.getByLabel("Business name (optional)")).not.toHaveAttribute("aria-invalid", "true");
});

test("every screen fits a 320 px wide phone without sideways scrolling", async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 320, height: 640 });
  const expectNoSidewaysScroll = async (screen: string) => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, screen).toBeLessThanOrEqual(0);
  };
  await open(page, testInfo);
  await expectNoSidewaysScroll("the form");
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expectNoSidewaysScroll("the form with errors");
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByLabel("Code from the text message").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("alert")).toContainText("That code is not right");
  await expectNoSidewaysScroll("the code field with an error");
  await page.getByLabel("Code from the text message").fill("123456");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your Stamps.com account is ready");
  await expectNoSidewaysScroll("the done screen");
});

test("every field carries its autocomplete token", async ({ page }, testInfo) => {
  await open(page, testInfo);
  const tokens: Record<string, string> = {
    email: "email",
    name: "name",
    company_name: "organization",
    phone: "tel",
    address_line1: "address-line1",
    address_line2: "address-line2",
    city_locality: "address-level2",
    state_province: "address-level1",
    postal_code: "postal-code",
    country: "country",
    card_name: "cc-name",
    card_number: "cc-number",
    card_exp_month: "cc-exp-month",
    card_exp_year: "cc-exp-year",
  };
  for (const [id, token] of Object.entries(tokens)) {
    await expect(page.locator(`#${id}`), id).toHaveAttribute("autocomplete", token);
  }
  await expect(page.locator("#card_number")).toHaveAttribute("inputmode", "numeric");
});
