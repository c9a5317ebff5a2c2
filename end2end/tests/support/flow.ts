import { expect, type Page, type TestInfo } from "@playwright/test";
import { SIMULATOR_URL } from "./env";

export type Registration = Record<string, string>;

// Every text field of the form, as a merchant would type it.
export const merchant: Registration = {
  "Account nickname": "Main store",
  "Email address": "john.doe@example.com",
  "Full name": "John Doe",
  "Business name (optional)": "Example Corp.",
  "Phone number": "(512) 111-2222",
  "Address line 1": "4009 Marathon Blvd",
  // As USPS writes it ("Suite" would be "STE"): the address check finds it the same.
  "Address line 2 (optional)": "Ste 300",
  City: "Austin",
  "ZIP code": "78756",
  "Name on card": "John Doe",
  "Card number": "4111 1111 1111 1111",
  Month: "07",
  Year: "2031",
};

export function usesJavaScript(testInfo: TestInfo): boolean {
  return testInfo.project.use.javaScriptEnabled !== false;
}

/** Opens the page, waiting for hydration when JavaScript runs. */
export async function open(page: Page, testInfo: TestInfo, url = "/") {
  await page.goto(url);
  if (usesJavaScript(testInfo)) {
    await expect(page.locator("html[data-hydrated]")).toBeAttached();
  }
}

export async function fillRegistration(page: Page, values: Registration = merchant) {
  for (const [label, value] of Object.entries(values)) {
    await page.getByLabel(label, { exact: true }).fill(value);
  }
  await page.getByLabel("State").selectOption("TX");
  await page.getByLabel("No, it is a business").check();
  await page.getByLabel("I agree to the").check();
}

export async function expectRegistrationKept(page: Page, values: Registration, except: string[] = []) {
  for (const [label, value] of Object.entries(values)) {
    if (except.includes(label)) continue;
    await expect(page.getByLabel(label, { exact: true })).toHaveValue(value);
  }
  await expect(page.getByLabel("State")).toHaveValue("TX");
  await expect(page.getByLabel("No, it is a business")).toBeChecked();
  await expect(page.getByLabel("I agree to the")).toBeChecked();
}

/** The simulator's record of what it received. */
export async function upstreamRequests(): Promise<Array<{ method: string; path: string; body: any; api_key: string | null }>> {
  const response = await fetch(`${SIMULATOR_URL}/__simulator/requests`);
  return response.json();
}

export async function resetSimulator() {
  await fetch(`${SIMULATOR_URL}/__simulator/faults`, { method: "DELETE" });
  await fetch(`${SIMULATOR_URL}/__simulator/requests`, { method: "DELETE" });
}

export async function injectFault(endpoint: "register" | "send_code" | "verify_code", fault: object, times = 1) {
  const response = await fetch(`${SIMULATOR_URL}/__simulator/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ endpoint, fault, times }),
  });
  expect(response.ok).toBeTruthy();
}
