import { test, expect } from "@playwright/test";
import { hydrated, PASSWORD, snap, verifiedAccount } from "./support";

// The "Security activity" page: a person sees their own sign-ins, a failed
// attempt and changes, with the browser read plainly, with and without wasm.
test("security activity lists sign-ins and a failed attempt", async ({ page }) => {
  const user = await verifiedAccount(page, "act");
  const wrong = await page.request.post("/api/auth/login/", { data: { username: user, password: "Not-the-1-pass" } });
  expect(wrong.status()).toBe(400);

  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Username or email").fill(user);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile$/);
  await page.getByTestId("link-activity").click();
  await page.waitForURL(/\/security-activity$/);
  const items = page.getByTestId("activity");
  await expect(items.first()).toHaveAttribute("data-kind", "sign_in.succeeded");
  await expect(items.first()).toContainText("Signed in");
  await expect(items.first()).toContainText("Linux");
  await expect(page.locator('[data-kind="sign_in.failed"]')).toContainText("Failed sign-in attempt");
  await expect(page.locator('[data-kind="user.created"]')).toHaveCount(1);
  await snap(page, "security-activity");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });
  test("the activity page renders on the server", async ({ page }) => {
    const user = await verifiedAccount(page, "actnojs");
    const r = await page.request.post("/api/auth/login/", { data: { username: user, password: PASSWORD } });
    expect(r.status()).toBe(200);
    await page.goto("/security-activity");
    await expect(page.getByTestId("activity").first()).toHaveAttribute("data-kind", "sign_in.succeeded");
  });
});
