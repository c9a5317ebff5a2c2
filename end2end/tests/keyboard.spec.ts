import { expect, test, type Page } from "@playwright/test";
import { merchant, open, resetSimulator, usesJavaScript } from "./support/flow";

/** Tabs to the next focusable element and checks it is the one expected. */
async function tabTo(page: Page, id: string) {
  await page.keyboard.press("Tab");
  await expect(page.locator(":focus")).toHaveAttribute("id", id);
}

/** Tabs forward (at most 10 times) until the element with `id` has focus. */
async function tabUntil(page: Page, id: string) {
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("Tab");
    if ((await page.evaluate(() => document.activeElement?.id)) === id) return;
  }
  throw new Error(`never reached #${id} with Tab`);
}

async function tabToButton(page: Page, name: string) {
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name })).toBeFocused();
}

test.beforeEach(async () => {
  await resetSimulator();
});

test("the whole flow can be completed with the keyboard alone", async ({ page }, testInfo) => {
  await open(page, testInfo);
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to main content" })).toBeFocused();
  // The choice above the form: connect an existing account instead (connect.spec.ts).
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Connect it instead" })).toBeFocused();

  const typed: Array<[string, string]> = [
    ["nickname", merchant["Account nickname"]],
    ["email", merchant["Email address"]],
    ["name", merchant["Full name"]],
    ["company_name", merchant["Business name (optional)"]],
    ["phone", merchant["Phone number"]],
    ["address_line1", merchant["Address line 1"]],
    ["address_line2", merchant["Address line 2 (optional)"]],
    ["city_locality", merchant.City],
  ];
  for (const [id, value] of typed) {
    await tabTo(page, id);
    await page.keyboard.type(value);
  }
  await tabTo(page, "state_province");
  await page.keyboard.type("Texas");
  await tabTo(page, "postal_code");
  await page.keyboard.type(merchant["ZIP code"]);
  await tabTo(page, "country");
  await tabTo(page, "residential-yes");
  await page.keyboard.press("ArrowRight"); // moves to, and checks, "No"
  await expect(page.getByLabel("No, it is a business")).toBeChecked();
  for (const [id, value] of [
    ["card_name", merchant["Name on card"]],
    ["card_number", merchant["Card number"]],
    ["card_exp_month", merchant.Month],
    ["card_exp_year", merchant.Year],
  ]) {
    await tabTo(page, id);
    await page.keyboard.type(value);
  }
  await tabTo(page, "agree_to_carrier_terms");
  await page.keyboard.press("Space");
  await page.keyboard.press("Tab"); // the terms link
  await tabToButton(page, "Open my Stamps.com account");
  await page.keyboard.press("Enter");

  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your phone number");
  await expect(page.getByLabel("State")).toHaveCount(0);
  // Focus moves to the new step (with JavaScript) or starts at the top of the new page.
  await tabUntil(page, "phone");
  await expect(page.getByLabel("Mobile phone number")).toHaveValue(merchant["Phone number"]);
  await tabToButton(page, "Send code");
  await page.keyboard.press("Enter");

  await expect(page.getByText("We sent a code to")).toBeVisible();
  // With JavaScript focus goes to the code field; without, the new page starts at the top.
  if (usesJavaScript(testInfo)) {
    await expect(page.getByLabel("Code from the text message")).toBeFocused();
  } else {
    await tabUntil(page, "code");
  }
  await page.keyboard.type("123456");
  await page.keyboard.press("Enter"); // submits the code form
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your Stamps.com account is ready");
});
