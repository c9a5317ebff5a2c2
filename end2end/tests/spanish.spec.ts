import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { open, resetSimulator, usesJavaScript } from "./support/flow";

// A browser that asks for US Spanish (its Accept-Language).
test.use({ locale: "es-US" });

test.beforeEach(async () => {
  await resetSimulator();
});

/** English sentences of the pages (src/i18n/en.rs) that a Spanish page must not show. */
const ENGLISH = [
  "Open your free Stamps.com account",
  "Your details",
  "Confirm your phone",
  "Account nickname",
  "Email address",
  "Full name",
  "Phone number",
  "Address line",
  "ZIP code",
  "Is this a home address",
  "Name on card",
  "Card number",
  "Expiry date",
  "I agree to the",
  "Open my Stamps.com account",
  "There is a problem",
  "Enter a ZIP code",
  "Confirm your phone number",
  "Send code",
  "We sent a code to",
  "Code from the text message",
  "Verify",
  "That code is not right",
  "Send a new code",
  "Use a different",
  "Your Stamps.com account is ready",
  "Carrier ID",
  "Skip to main content",
  "(optional)",
  "Reference for support",
];

/** The Spanish page shows none of the English catalog's sentences, and passes axe. */
async function expectAllSpanish(page: Page, testInfo: TestInfo, screen: string) {
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  const text = await page.locator("body").innerText();
  const left = ENGLISH.filter((english) => text.includes(english));
  expect(left, `English left on ${screen}`).toEqual([]);
  if (usesJavaScript(testInfo)) {
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help}`), `axe on ${screen}`).toEqual([]);
  }
}

async function fillInSpanish(page: Page, zip = "78756") {
  const typed: Record<string, string> = {
    nickname: "Tienda principal",
    email: "ana.lopez@example.com",
    name: "Ana López",
    phone: "(512) 111-2222",
    address_line1: "4009 Marathon Blvd",
    city_locality: "Austin",
    postal_code: zip,
    card_name: "Ana López",
    card_number: "4111 1111 1111 1111",
    card_exp_month: "07",
    card_exp_year: "2031",
  };
  for (const [name, value] of Object.entries(typed)) {
    await page.locator(`[name="${name}"]`).fill(value);
  }
  await page.getByLabel("Estado", { exact: true }).selectOption("TX");
  await page.getByLabel("No, es un negocio").check();
  await page.getByLabel("Acepto los").check();
}

test("the whole flow in Spanish, with an error and a wrong code, shows no English", async ({ page }, testInfo) => {
  await open(page, testInfo);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Abra su cuenta gratuita de Stamps.com");
  await expectAllSpanish(page, testInfo, "the form");

  await fillInSpanish(page, "7875");
  await page.getByRole("button", { name: "Abrir mi cuenta de Stamps.com" }).click();
  await expect(page.getByRole("alert")).toContainText("Hay un problema");
  await expectAllSpanish(page, testInfo, "the form with an error");

  await page.locator('[name="postal_code"]').fill("78756");
  if (!usesJavaScript(testInfo)) {
    // A server round trip asks for the card number again.
    await page.locator('[name="card_number"]').fill("4111 1111 1111 1111");
  }
  // Enter in a field sends the form, not the language switch that also belongs to it.
  await page.locator('[name="postal_code"]').press("Enter");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirme su número de teléfono");
  await expectAllSpanish(page, testInfo, "the code step");

  await page.getByRole("button", { name: "Enviar el código", exact: true }).click();
  await expect(page.getByText("Le enviamos un código al")).toBeVisible();
  await page.getByLabel("Código de verificación del mensaje de texto").fill("000000");
  await page.getByRole("button", { name: "Verificar" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expectAllSpanish(page, testInfo, "a wrong code");

  await page.getByLabel("Código de verificación del mensaje de texto").fill("123456");
  await page.getByRole("button", { name: "Verificar" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Su cuenta de Stamps.com está lista");
  await expectAllSpanish(page, testInfo, "the done screen");
});

test("the switch, mid-form, keeps what was typed and changes html lang; the choice beats Accept-Language", async ({ page }, testInfo) => {
  await open(page, testInfo);
  await fillInSpanish(page);
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  if (usesJavaScript(testInfo)) {
    await expect(page.locator("html[data-hydrated]")).toBeAttached();
  }
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Open your free Stamps.com account");
  await expect(page.getByLabel("Account nickname")).toHaveValue("Tienda principal");
  await expect(page.getByLabel("ZIP code")).toHaveValue("78756");
  await expect(page.getByLabel("Card number")).toHaveValue("");

  // The browser still asks for Spanish: the choice wins, on a reload too.
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.getByRole("button", { name: "Español" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  await expect(page.getByLabel("Apodo de la cuenta")).toHaveValue("Tienda principal");
});

test("the switch works in a browser whose submit events do not name their button", async ({ page }, testInfo) => {
  test.skip(!usesJavaScript(testInfo), "the island's own check");
  // As Safari before 15.4: SubmitEvent has no submitter.
  await page.addInitScript(() => {
    Object.defineProperty(SubmitEvent.prototype, "submitter", { get: () => null });
  });
  await open(page, testInfo);
  await fillInSpanish(page);
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByLabel("Account nickname")).toHaveValue("Tienda principal");
  // And the form itself is still sent by its own button.
  await page.getByLabel("Card number").fill("4111 1111 1111 1111");
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your phone number");
});
