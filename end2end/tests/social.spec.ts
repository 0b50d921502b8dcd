import { test, expect } from "@playwright/test";
import { hydrated, snap } from "./support";

test("continue with an OpenID Connect provider, then see the connected account", async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByTestId("social-buttons")).toBeVisible();
  await page.getByTestId("social-oidc").click();
  await page.waitForURL(/\/profile$/);
  await expect(page.getByTestId("nav-user")).toHaveText("johndoe");
  await expect(page.getByTestId("profile-email")).toContainText("johndoe@example.com");
  await expect(page.getByTestId("connected-account")).toHaveCount(1);
  await expect(page.getByTestId("connected-account")).toContainText("Test OIDC");
  await snap(page, "profile-social");
  // the only way into a password-less account cannot be removed
  await hydrated(page);
  await page.getByTestId("connected-account").getByRole("button", { name: "Disconnect" }).click();
  await expect(page.getByTestId("form-errors")).toContainText("Your account has no password set up.");
  await expect(page.getByTestId("connected-account")).toHaveCount(1);
});
