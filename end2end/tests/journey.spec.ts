import { test, expect } from "@playwright/test";
import { hydrated, outboxCount, outboxExactly, outboxLink, PASSWORD, PNG, snap, unique } from "./support";

test("the whole journey: sign up, verify, log in, profile, passwords, log out, reset", async ({ page }) => {
  const username = unique("ada");
  const email = `${username}@example.com`;
  const newPassword = "N3w-Latch-pass!";
  const resetPassword = "Reset-Latch-77";

  // sign up
  await page.goto("/signup");
  await hydrated(page);
  await snap(page, "signup");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/verify-email\?notice=verification_sent/);
  await expect(page.getByTestId("notice")).toContainText("We sent you an email");
  await snap(page, "check-email");

  // logging in before verifying is refused, in the API's words
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("form-errors")).toHaveText("E-mail is not verified.");

  // the email link verifies
  const verify = await outboxLink(email, "verify_email");
  await page.goto(verify);
  await hydrated(page);
  // opening the link changes nothing (mail scanners open links too): the button confirms
  await page.getByTestId("confirm").click();
  await page.waitForURL(/\/login\?notice=verified/);
  await expect(page.getByTestId("notice")).toContainText("Your email address is verified");
  await snap(page, "verified");

  // a page that needs a login sends us to log in and back
  await page.goto("/profile");
  await page.waitForURL(/\/login\?next=/);
  await hydrated(page);
  await snap(page, "login");
  await page.getByLabel("Username or email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile$/);
  await expect(page.getByTestId("nav-user")).toHaveText(username);
  await expect(page.getByTestId("profile-email")).toContainText("verified");

  // edit the profile
  await hydrated(page);
  await page.getByLabel("First name").fill("Ada");
  await page.getByLabel("Last name").fill("Lovelace");
  await page.getByLabel("Company").fill("Analytical Engines");
  await page.getByLabel("Phone number").fill("+44 20 7946 0958");
  await page.getByLabel("About you").fill("First programmer.");
  await page.getByTestId("profile-form").getByTestId("submit").click();
  await page.waitForURL(/notice=profile_saved/);
  await expect(page.getByLabel("Company")).toHaveValue("Analytical Engines");
  await expect(page.getByLabel("About you")).toHaveValue("First programmer.");

  // a phone number over 20 characters is refused beside its field
  await hydrated(page);
  await page.getByLabel("Phone number").fill("+44 20 7946 0958 ext. 12345");
  await page.getByTestId("profile-form").getByTestId("submit").click();
  await expect(page.getByTestId("error-phone_number")).toHaveText("Ensure this field has no more than 20 characters.");

  // upload an avatar; a non-image is refused
  await page.goto("/profile");
  await page.getByTestId("input-avatar").setInputFiles({ name: "evil.png", mimeType: "image/png", buffer: Buffer.from("<?php echo 1; ?>") });
  await page.getByTestId("avatar-submit").click();
  await expect(page.getByTestId("error-avatar")).toContainText("Upload a valid image");
  await page.getByTestId("input-avatar").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: PNG });
  await page.getByTestId("avatar-submit").click();
  await page.waitForURL(/notice=avatar_saved/);
  const img = page.getByTestId("avatar-img");
  await expect(img).toBeVisible();
  const src = await img.getAttribute("src");
  const served = await page.request.get(src!);
  expect(served.status()).toBe(200);
  expect((await served.body()).equals(PNG)).toBe(true);
  await snap(page, "profile");

  // change the password
  await page.getByTestId("link-password-change").click();
  await page.waitForURL(/\/password-change$/);
  await hydrated(page);
  await snap(page, "password-change");
  await page.getByLabel("Current password").fill("wrong-password-1");
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("New password again").fill(newPassword);
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("error-old_password")).toHaveText("Your old password was entered incorrectly. Please enter it again.");
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("New password again").fill(newPassword);
  await page.getByTestId("submit").click();
  await page.waitForURL(/notice=password_changed/);

  // sessions page lists this browser
  await page.goto("/sessions");
  await expect(page.getByTestId("session")).toHaveCount(1);
  await expect(page.getByTestId("session-list")).toContainText("this browser");
  await snap(page, "sessions");

  // log out
  await hydrated(page);
  await page.getByTestId("nav-logout").click();
  await expect(page.getByTestId("nav-login")).toBeVisible();
  await page.goto("/profile");
  await page.waitForURL(/\/login/);

  // forgot the password: the reset link sets a new one
  await page.goto("/password-reset");
  await hydrated(page);
  await snap(page, "forgot-password");
  const before = outboxCount(email, "password_reset");
  await page.getByLabel("Email").fill(email);
  await page.getByTestId("submit").click();
  await page.waitForURL(/notice=reset_sent/);
  const reset = await outboxLink(email, "password_reset", before);
  await page.goto(reset);
  await hydrated(page);
  await snap(page, "reset-password");
  await page.getByLabel("New password", { exact: true }).fill(resetPassword);
  await page.getByLabel("New password again").fill(resetPassword);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/login\?notice=password_reset/);
  // the link is single use
  await page.goto(reset);
  await expect(page.getByTestId("reset-invalid")).toBeVisible();

  // log in with the new password
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(resetPassword);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile$/);
  await expect(page.getByTestId("profile-username")).toHaveText(username);
});

test("change email: the new address confirms before it replaces the old one", async ({ page }) => {
  const username = unique("bob");
  const email = `${username}@example.com`;
  const next = `${username}.new@example.com`;
  await page.request.post("/api/auth/registration/", {
    data: { username, email, password1: PASSWORD, password2: PASSWORD },
  });
  await page.goto(await outboxLink(email, "verify_email"));
  await page.getByTestId("confirm").click();
  await page.waitForURL(/notice=verified/);
  await page.goto("/login?next=/email-change");
  await hydrated(page);
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/email-change$/);
  await hydrated(page);
  await snap(page, "email-change");
  await page.getByLabel("New email").fill(email.toUpperCase());
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("error-new_email")).toHaveText("This is already your e-mail address.");
  await page.getByLabel("New email").fill(next);
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await page.waitForURL(/notice=email_change_sent/);
  await expect(page.getByTestId("profile-email")).toContainText(email);
  await page.goto(await outboxLink(next, "change_email"));
  await expect(page.getByTestId("email-change-result")).toContainText("Confirm your new email address");
  await page.goto("/profile");
  await expect(page.getByTestId("profile-email")).toContainText(email); // the GET alone changed nothing
  await page.goto(await outboxLink(next, "change_email"));
  await page.getByTestId("confirm").click();
  await page.waitForURL(/notice=email_changed/);
  await expect(page.getByTestId("notice")).toContainText("Your email address was changed.");
  await page.goto("/profile");
  await expect(page.getByTestId("profile-email")).toContainText(next);
  // the old address is told, once
  await outboxExactly(email, "email_changed", 1);
});
