import { test, expect } from "@playwright/test";
import { hydrated, PASSWORD, verifiedAccount } from "./support";

// A page on another site (fulfilled by Playwright under a host of its own,
// so the browser treats it as a real second origin) auto-submits a form to
// Latchkey with the attacker's credentials. The victim's browser must not
// end up signed in to the attacker's account (login CSRF).
const EVIL = "http://evil.test";

async function servePage(page: import("@playwright/test").Page, html: string) {
  await page.route(`${EVIL}/**`, (route) => route.fulfill({ status: 200, contentType: "text/html", body: html }));
}

for (const [name, path, userField] of [
  ["page login", "/fn/login", "login"],
  ["API login", "/api/auth/login/", "username"],
] as const) {
  test(`a cross-site form cannot sign the browser in (${name})`, async ({ page, baseURL }) => {
    const attacker = await verifiedAccount(page, "mallory");
    await page.context().clearCookies();
    await servePage(
      page,
      `<!DOCTYPE html><form id="f" method="post" action="${baseURL}${path}">
         <input name="${userField}" value="${attacker}"><input name="password" value="${PASSWORD}">
         <input name="next" value="/profile"></form><script>document.getElementById("f").submit()</script>`,
    );
    const posted = page.waitForResponse((r) => r.url().startsWith(`${baseURL}${path}`));
    await page.goto(`${EVIL}/`);
    expect((await posted).status()).toBe(403);
    // the victim's browser is not signed in to anything
    await page.goto("/profile");
    await page.waitForURL(/\/login\?next=/);
    const me = await page.request.get("/api/auth/user/");
    expect(me.status()).toBe(401);
  });
}

test("a cross-site form cannot act for a signed-in user either", async ({ page, baseURL }) => {
  const victim = await verifiedAccount(page, "vic");
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Username or email").fill(victim);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile$/);
  await servePage(
    page,
    `<!DOCTYPE html><form id="f" method="post" action="${baseURL}/fn/logout"></form>
     <script>document.getElementById("f").submit()</script>`,
  );
  const posted = page.waitForResponse((r) => r.url().startsWith(`${baseURL}/fn/logout`));
  await page.goto(`${EVIL}/`);
  expect((await posted).status()).toBe(403);
  await page.goto("/profile");
  await expect(page.getByTestId("nav-user")).toHaveText(victim);
});

test("next= never takes the hydrated login to another site", async ({ page, baseURL }) => {
  const user = await verifiedAccount(page, "nxt");
  let leftTheSite = false;
  await page.route("http://evil.example/**", (route) => {
    leftTheSite = true;
    return route.fulfill({ status: 200, contentType: "text/html", body: "evil" });
  });
  for (const next of ["/\t/evil.example/", "/\\evil.example/", "//evil.example/", "/%09/evil.example/", "/.//evil.example/"]) {
    await page.context().clearCookies();
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await hydrated(page);
    await page.getByLabel("Username or email").fill(user);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByTestId("submit").click();
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    await page.waitForLoadState("load");
    expect(new URL(page.url()).origin, next).toBe(new URL(baseURL!).origin);
    expect(leftTheSite, next).toBe(false);
  }
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("next= never takes a plain form post to another site", async ({ page, baseURL }) => {
    const user = await verifiedAccount(page, "nxj");
    let leftTheSite = false;
    await page.route("http://evil.example/**", (route) => {
      leftTheSite = true;
      return route.fulfill({ status: 200, contentType: "text/html", body: "evil" });
    });
    for (const next of ["/\t/evil.example/", "/\\evil.example/", "//evil.example/", "/\r\n/evil.example/", "/.//evil.example/"]) {
      await page.context().clearCookies();
      await page.goto(`/login?next=${encodeURIComponent(next)}`);
      await page.getByLabel("Username or email").fill(user);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByTestId("submit").click();
      await page.waitForURL((u) => !u.pathname.startsWith("/login"));
      expect(new URL(page.url()).origin, JSON.stringify(next)).toBe(new URL(baseURL!).origin);
      expect(leftTheSite, JSON.stringify(next)).toBe(false);
    }
  });
});
