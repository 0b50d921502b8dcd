import { test, expect } from "@playwright/test";
import { outboxLink, PASSWORD, snap, unique } from "./support";

test.use({ javaScriptEnabled: false });

test("sign up and log in work without JavaScript, errors inline", async ({ page }) => {
  const username = unique("nojs");
  const email = `${username}@example.com`;

  await page.goto("/signup");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("12345678");
  await page.getByLabel("Password again").fill("12345678");
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/signup\?form=/);
  await expect(page.getByTestId("error-password1")).toContainText("This password is too common.");
  await expect(page.getByTestId("error-password1")).toContainText("This password is entirely numeric.");
  await expect(page.getByLabel("Username")).toHaveValue(username);
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  await snap(page, "nojs-signup-errors");

  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/verify-email\?notice=verification_sent/);

  await page.goto(await outboxLink(email, "verify_email"));
  await expect(page.getByTestId("verify-result")).toContainText("Email verified");

  await page.goto("/login");
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill("Wrong-Pass-99");
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("form-errors")).toHaveText("Unable to log in with provided credentials.");
  await expect(page.getByLabel("Username or email")).toHaveValue(username);

  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile$/);
  await expect(page.getByTestId("nav-user")).toHaveText(username);

  // forged form state in the URL is ignored
  await page.goto("/login?form=1.eyJlcnJvcnMiOnt9fQ.forged");
  await expect(page.getByTestId("form-errors")).toHaveCount(0);
});
