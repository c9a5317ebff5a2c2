import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

/** The app's own JS and WebAssembly the page asks for while it loads and settles. */
async function appCodeRequested(page: Page, path: string): Promise<string[]> {
  const requested: string[] = [];
  page.on("request", (request) => {
    if (/\/pkg\/.*\.(js|wasm)$/.test(new URL(request.url()).pathname)) requested.push(request.url());
  });
  const response = await page.goto(path);
  await page.waitForLoadState("networkidle");
  expect(response, path).not.toBeNull();
  return requested;
}

test("the merchant flow is an island: its page loads the WebAssembly and comes alive", async ({ page }) => {
  const requested = await appCodeRequested(page, "/");
  expect(requested.some((url) => url.endsWith(".wasm"))).toBe(true);
  await expect(page.locator("html[data-hydrated]")).toBeAttached();
});

test("a page no route matches says so with a 404, and downloads no WebAssembly", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  const requested = await appCodeRequested(page, "/no-such-page");
  expect(requested).toEqual([]);
  await expect(page).toHaveTitle("Page not found");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);

  await page.getByRole("link", { name: "Go to the start page" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Open your free Stamps.com account");
});
