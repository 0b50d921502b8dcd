import { test, expect } from "@playwright/test";
import { hydrated, PASSWORD, snap, unique } from "./support";

const custom = process.env.LATCHKEY_E2E_CUSTOM_URL!;
const emailOnly = process.env.LATCHKEY_E2E_EMAIL_ONLY_URL!;

test("a school's own fields: sign up, errors inline, edit, read-only, directory, its name and colour", async ({ page }) => {
  const username = unique("teach");
  await page.goto(`${custom}/signup`);
  await hydrated(page);
  await expect(page).toHaveTitle("Sign up · Hilltop School");
  await expect(page.getByRole("link", { name: "Hilltop School" })).toBeVisible();
  await expect(page.locator("img.brand-logo")).toHaveAttribute("src", /\/branding\/logo\?v=/);
  // the primary colour comes from the branding stylesheet
  const submitColour = await page.getByTestId("submit").evaluate((b) => getComputedStyle(b).backgroundColor);
  expect(submitColour).toBe("rgb(10, 125, 59)");
  // the schema's sign-up fields, each with its own control
  await expect(page.getByTestId("input-role")).toHaveJSProperty("tagName", "SELECT");
  await expect(page.getByTestId("input-birthday")).toHaveAttribute("type", "date");
  await expect(page.getByTestId("input-newsletter")).toHaveAttribute("type", "checkbox");
  await expect(page.getByText("We send a card.")).toBeVisible();
  await expect(page.getByTestId("input-age")).toHaveCount(0);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(`${username}@example.com`);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByTestId("input-role").selectOption("teacher");
  await page.getByTestId("input-newsletter").check();
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("error-school")).toHaveText("This field may not be blank.");
  // what was typed stays
  await expect(page.getByTestId("input-role")).toHaveValue("teacher");
  await expect(page.getByTestId("input-newsletter")).toBeChecked();
  await page.getByTestId("input-school").fill("Hilltop");
  await page.getByTestId("input-birthday").fill("1990-12-10");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile$/);
  await hydrated(page);
  await expect(page.getByTestId("input-role")).toHaveValue("teacher");
  await expect(page.getByTestId("input-birthday")).toHaveValue("1990-12-10");
  await expect(page.getByTestId("input-newsletter")).toBeChecked();
  await expect(page.getByTestId("value-is_creator")).toContainText("No");
  await page.getByTestId("input-age").fill("200");
  await page.getByTestId("profile-form").getByTestId("submit").click();
  await expect(page.getByTestId("error-age")).toHaveText("Ensure this value is less than or equal to 150.");
  await page.getByTestId("input-age").fill("42");
  await page.getByTestId("input-newsletter").uncheck();
  await page.getByTestId("profile-form").getByTestId("submit").click();
  await page.waitForURL(/notice=profile_saved/);
  await expect(page.getByTestId("input-age")).toHaveValue("42");
  await expect(page.getByTestId("input-newsletter")).not.toBeChecked();
  await snap(page, "custom-profile");
  // the directory shows the public fields only
  await page.goto(`${custom}/people`);
  const me = page.getByTestId("person").filter({ hasText: username });
  await expect(me).toContainText("Hilltop");
  await expect(me).toContainText("teacher");
  await expect(me).not.toContainText("1990-12-10");
  await expect(me).not.toContainText("42");
});

test("the profile form works without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const username = unique("nojs");
  await page.goto(`${custom}/signup`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(`${username}@example.com`);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByTestId("input-role").selectOption("student");
  await page.getByTestId("input-school").fill("Dale");
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile$/);
  await page.getByTestId("input-age").fill("-5");
  await page.getByTestId("profile-form").getByTestId("submit").click();
  await expect(page.getByTestId("error-age")).toHaveText("Ensure this value is greater than or equal to 0.");
  await page.getByTestId("input-age").fill("12");
  await page.getByTestId("profile-form").getByTestId("submit").click();
  await page.waitForURL(/notice=profile_saved/);
  await expect(page.getByTestId("input-age")).toHaveValue("12");
  await context.close();
});

test("email-only accounts: no username asked or shown", async ({ page }) => {
  const email = `${unique("only")}@example.com`;
  await page.goto(`${emailOnly}/signup`);
  await hydrated(page);
  await expect(page.getByLabel("Username")).toHaveCount(0);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile$/);
  await expect(page.getByTestId("nav-user")).toHaveText(email);
  await expect(page.getByTestId("profile-username")).toHaveCount(0);
  await page.getByTestId("nav-logout").click();
  await expect(page.getByTestId("nav-login")).toBeVisible();
  await page.goto(`${emailOnly}/login`);
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile$/);
});
