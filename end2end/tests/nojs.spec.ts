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

  const link = await outboxLink(email, "verify_email");
  // a bad key comes back inline
  await page.goto(link.replace(/[^/]+$/, "not-a-real-key"));
  await page.getByTestId("confirm").click();
  await expect(page.getByTestId("form-errors")).toContainText("This link is invalid or has expired.");
  await page.goto(link);
  await page.getByTestId("confirm").click();
  await page.waitForURL(/\/login\?notice=verified/);
  await expect(page.getByTestId("notice")).toContainText("Your email address is verified");

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
  // signed in, the log-in page sends you to your profile
  await page.goto("/login");
  await page.waitForURL(/\/profile$/);
  await page.getByTestId("nav-logout").click();
  await expect(page.getByTestId("nav-login")).toBeVisible();

  // form state in the URL is shown only when we sealed it: a forgery that
  // would put words on the page (fresh timestamp, wrong signature) is ignored
  const forged = (sig: string) => {
    const state = { errors: { non_field_errors: ["FORGED: call +1 555 0100"] }, values: {} };
    const payload = Buffer.from(JSON.stringify(state)).toString("base64url");
    return `${Math.floor(Date.now() / 1000)}.${payload}.${sig}`;
  };
  await page.goto(`/login?form=${forged("A".repeat(43))}`);
  await expect(page.getByTestId("login-form")).toBeVisible();
  await expect(page.getByText("FORGED")).toHaveCount(0);
  await page.goto(`/login?form=${forged("")}`);
  await expect(page.getByText("FORGED")).toHaveCount(0);
  // while a genuine one from a failed post does show (the check above can fail)
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill("Wrong-Pass-99");
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("form-errors")).toHaveText("Unable to log in with provided credentials.");
});
