import { test, expect, type Page } from "@playwright/test";
import { execFileSync } from "child_process";
import * as path from "path";
import { hydrated, PASSWORD, snap, unique, verifiedAccount } from "./support";

const STAFF_PASSWORD = "Staff-e2e-Pass-77!";

/** A staff account made as an operator would: `latchkey create-admin --no-input`. */
function createAdmin(prefix: string): string {
  const username = unique(prefix);
  execFileSync(path.join(__dirname, "..", "..", "target", "debug", "latchkey"), [
    "create-admin", "--username", username, "--email", `${username}@example.com`, "--no-input",
  ], {
    env: {
      ...process.env,
      LATCHKEY_DATA_DIR: process.env.LATCHKEY_E2E_DATA ?? "",
      LATCHKEY_SECRET_KEY: "end2end-secret-key-0123456789-abcdefghijklmnop",
      LATCHKEY_ADMIN_PASSWORD: STAFF_PASSWORD,
      RUST_LOG: "warn",
    },
  });
  return username;
}

async function logIn(page: Page, user: string, password: string) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Username or email").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile$/);
}

test("staff find an account, confirm it is them, deactivate and reactivate it, and see the trail", async ({ page }) => {
  const staff = createAdmin("boss");
  const target = await verifiedAccount(page, "tgt");
  await logIn(page, staff, STAFF_PASSWORD);
  await page.getByTestId("nav-admin").click();
  await page.waitForURL(/\/admin$/);
  await page.getByTestId("input-search").fill(target);
  await page.getByTestId("search-submit").click();
  await expect(page.getByTestId("user-row")).toHaveCount(1);
  await snap(page, "admin-users");
  await page.getByTestId("user-link").click();
  await page.waitForURL(/\/admin\/users\/\d+$/);
  await hydrated(page);
  await expect(page.getByTestId("admin-username")).toHaveText(target);

  // a change before confirming the password is refused, inline
  await page.getByTestId("confirm-deactivate").check();
  await page.getByTestId("do-deactivate").click();
  await expect(page.getByTestId("action-deactivate").getByTestId("form-errors")).toContainText("Confirm it is you");

  await page.getByTestId("reauth").locator("summary").click();
  await page.getByTestId("reauth-form").getByLabel("Your password").fill(STAFF_PASSWORD);
  await page.getByTestId("reauth-submit").click();
  await expect(page.getByTestId("notice")).toContainText("Admin changes are allowed");

  await page.getByTestId("confirm-deactivate").check();
  await page.getByTestId("do-deactivate").click();
  await expect(page.getByTestId("notice")).toContainText("Done");
  await expect(page.getByTestId("admin-active")).toHaveText("no");
  const login = await page.request.post("/api/auth/login/", { data: { username: target, password: PASSWORD } });
  expect(login.status()).toBe(400);
  await snap(page, "admin-user");

  await page.getByTestId("confirm-reactivate").check();
  await page.getByTestId("do-reactivate").click();
  await expect(page.getByTestId("admin-active")).toHaveText("yes");

  await page.goto("/admin/audit?kind=admin.user_deactivated");
  await expect(page.locator('[data-kind="admin.user_deactivated"]').first()).toBeVisible();
  await snap(page, "admin-audit");
});

test("a person who is not staff is told so", async ({ page }) => {
  const user = await verifiedAccount(page, "plain");
  await logIn(page, user, PASSWORD);
  await expect(page.getByTestId("nav-admin")).toHaveCount(0);
  await page.goto("/admin");
  await expect(page.getByTestId("admin-denied")).toContainText("You do not have permission");
  await expect(page.getByTestId("user-table")).toHaveCount(0);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });
  test("the admin pages list, confirm and act with plain forms", async ({ page }) => {
    const staff = createAdmin("nojsboss");
    const target = await verifiedAccount(page, "nojstgt");
    await page.goto("/login");
    await page.getByLabel("Username or email").fill(staff);
    await page.getByLabel("Password").fill(STAFF_PASSWORD);
    await page.getByTestId("submit").click();
    await page.waitForURL(/\/profile$/);
    await page.goto(`/admin?search=${target}`);
    await page.getByTestId("user-link").click();
    await page.waitForURL(/\/admin\/users\/\d+$/);
    await page.getByTestId("reauth").locator("summary").click();
    await page.getByTestId("reauth-form").getByLabel("Your password").fill(STAFF_PASSWORD);
    await page.getByTestId("reauth-submit").click();
    await expect(page.getByTestId("notice")).toContainText("Admin changes are allowed");
    await page.getByTestId("confirm-revoke-sessions").check();
    await page.getByTestId("do-revoke-sessions").click();
    await expect(page.getByTestId("notice")).toContainText("Done");
  });
});
