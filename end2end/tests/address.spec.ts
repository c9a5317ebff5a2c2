import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import { fillRegistration, merchant, open, resetSimulator, upstreamRequests, usesJavaScript } from "./support/flow";

// The USPS check of the address before registering (issue 14). The simulator writes
// "Boulevard" as "BLVD" and "Suite" as "STE", and knows 4009 Marathon Blvd's ZIP+4.
const spelledOut = {
  ...merchant,
  "Address line 1": "4009 Marathon Boulevard",
  "Address line 2 (optional)": "Suite 300",
};

const SUGGESTION = "We found this address in USPS records";

test.beforeEach(async () => {
  await resetSimulator();
});

/** The page axe can audit: the project's own, or for no-JS one that runs scripts but never the app's JS/WASM. */
async function auditedPage(page: Page, browser: Browser, testInfo: TestInfo, locale?: string): Promise<Page> {
  if (usesJavaScript(testInfo) && !locale) return page;
  const context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    javaScriptEnabled: true,
    locale,
  });
  if (!usesJavaScript(testInfo)) {
    await context.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
  }
  return context.newPage();
}

async function expectNoViolations(page: Page, screen: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`);
  expect(found, `axe violations on ${screen}`).toEqual([]);
}

test("an address USPS corrects: the suggestion beside what was typed, chosen, registered, finished", async ({ page }, testInfo) => {
  await open(page, testInfo);
  await fillRegistration(page, spelledOut);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();

  const panel = page.getByRole("group", { name: SUGGESTION });
  await expect(panel).toBeVisible();
  if (usesJavaScript(testInfo)) {
    // Re-rendered in place: focus on the panel's heading, and the card number still typed.
    await expect(page.getByRole("heading", { name: SUGGESTION })).toBeFocused();
    await expect(page.getByLabel("Card number")).toHaveValue(merchant["Card number"]);
  } else {
    // The page after the redirect: the card number is never rendered back, and it says so.
    await expect(page.getByText("please enter it again")).toBeVisible();
    await page.getByLabel("Card number").fill(merchant["Card number"]);
  }
  // Each side shows its address, the differences marked (and described in words).
  const usps = page.getByLabel("Use the USPS address");
  const typed = page.getByLabel("Use the address as I typed it");
  await expect(usps).toBeChecked();
  await expect(usps).toHaveAttribute("aria-describedby", "address-check-marks");
  await expect(page.locator("#address-check-marks")).toHaveText("The marked parts differ from what you typed.");
  await expect(panel.locator("mark")).toHaveText(["4009 MARATHON BLVD", "STE 300", "4009 Marathon Boulevard", "Suite 300"]);
  await expect(panel.locator("label[for=address-usps]")).toContainText("AUSTIN, TX 78756-3915");
  await expect(typed).not.toBeChecked();
  // Nothing was sent to Stamps.com yet.
  expect((await upstreamRequests()).map((r) => r.path)).toEqual(["/v1/addresses/validate"]);

  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your phone number");
  const registration = (await upstreamRequests()).find((r) => r.path === "/v1/registration/stamps_com");
  expect(registration?.body.address).toMatchObject({
    address_line1: "4009 MARATHON BLVD",
    address_line2: "STE 300",
    city_locality: "AUSTIN",
    state_province: "TX",
    postal_code: "78756-3915",
  });

  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByLabel("Code from the text message").fill("123456");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your Stamps.com account is ready");
});

test("an address USPS cannot confirm: the message on the field, and \u201cI\u2019m sure\u201d goes on as typed", async ({ page }, testInfo) => {
  await open(page, testInfo);
  await fillRegistration(page, { ...merchant, "ZIP code": "73301" });
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(page.getByRole("alert")).toContainText("USPS does not recognise this ZIP code");
  await expect(page.getByLabel("ZIP code")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("group", { name: "USPS could not confirm this address" })).toBeVisible();
  if (!usesJavaScript(testInfo)) await page.getByLabel("Card number").fill(merchant["Card number"]);
  await page.getByLabel("I\u2019m sure this address is right").check();
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your phone number");
  const registration = (await upstreamRequests()).find((r) => r.path === "/v1/registration/stamps_com");
  expect(registration?.body.address.postal_code).toBe("73301");
});

test("the suggestion passes axe, in English and in Spanish", async ({ page: fixture, browser }, testInfo) => {
  for (const locale of [undefined, "es-US"]) {
    const page = await auditedPage(fixture, browser, testInfo, locale);
    await open(page, testInfo);
    // By the fields' names, whatever the language.
    const fields: Record<string, string> = {
      nickname: "Main store", email: "john.doe@example.com", name: "John Doe", phone: "(512) 111-2222",
      address_line1: "4009 Marathon Boulevard", address_line2: "Suite 300", city_locality: "Austin",
      postal_code: "78756", card_name: "John Doe", card_number: "4111 1111 1111 1111",
      card_exp_month: "07", card_exp_year: "2031",
    };
    for (const [name, value] of Object.entries(fields)) await page.locator(`[name="${name}"]`).fill(value);
    await page.locator('[name="state_province"]').selectOption("TX");
    await page.locator("#residential-no").check();
    await page.locator('[name="agree_to_carrier_terms"]').check();
    await page.locator("form#registration").locator('button[type="submit"]:not([name="language"])').first().click();
    const title = locale ? "Encontramos esta dirección en los registros de USPS" : SUGGESTION;
    await expect(page.getByRole("group", { name: title })).toBeVisible();
    if (locale) {
      await expect(page.locator("html")).toHaveAttribute("lang", "es");
      await expect(page.getByLabel("Usar la dirección de USPS")).toBeChecked();
      const text = await page.locator("body").innerText();
      for (const english of [SUGGESTION, "Use the USPS address", "as I typed it", "The marked parts"]) {
        expect(text, "no English on the Spanish suggestion").not.toContain(english);
      }
    }
    await expectNoViolations(page, `the suggestion (${locale ?? "en"})`);
    if (page !== fixture) await page.context().close();
  }
});
