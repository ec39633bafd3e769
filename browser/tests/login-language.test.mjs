// Signing in (a wrong password refused, the right one let in) and switching the language of the
// pages from Chinese (the default) to English and back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, login, screenshot, DESKTOP, DEMO_PASSWORD } from './helpers.mjs';

const env = serverAndBrowser();

test('a wrong password is refused, the right one signs in, and the language switches both ways', async () => {
  const page = await newPage(env.browser, env.server, DESKTOP);

  // The login page, in Chinese by default.
  await page.goto('/login');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.equal((await page.textContent('h1')).trim(), '登录');

  // A wrong password: refused with an error, still on the login page, the username kept.
  await page.fill('#username', 'staff');
  await page.fill('#password', 'not-the-password');
  await page.click('form[action="/login"] button[type=submit]');
  const alert = page.locator('.alert[role=alert]');
  await alert.waitFor();
  assert.match(await alert.textContent(), /用户名或密码错误/);
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(await page.inputValue('#username'), 'staff');
  assert.equal(await page.locator('[data-testid=lang-switch]').count(), 1);

  // The right password: signed in, away from /login, the header names the account.
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.click('form[action="/login"] button[type=submit]'),
  ]);
  const landed = new URL(page.url()).pathname;
  assert.ok(landed === '/' || landed.startsWith('/communities/'), `landed on ${landed}`);
  // The header shows the account (display name · role) and the way out.
  assert.match(await page.textContent('header.top'), /社区工作人员/);
  assert.equal(await page.locator('form[action="/logout"]').count(), 1);
  assert.match(await page.textContent('header.top nav'), /居民/);
  await screenshot(page, 'login-zh');

  // Switch to English: the same page, now in English.
  const switchButton = page.locator('[data-testid=lang-switch]');
  assert.equal((await switchButton.textContent()).trim(), 'English');
  await Promise.all([page.waitForURL((u) => u.pathname === landed), switchButton.click()]);
  await page.waitForSelector('html[lang=en]');
  assert.equal(new URL(page.url()).pathname, landed, 'the switch returns to the same page');
  const nav = await page.textContent('header.top nav');
  assert.match(nav, /Residents/);
  assert.match(nav, /Import/);
  assert.match(await page.textContent('header.top'), /Sign out/);
  assert.equal((await switchButton.textContent()).trim(), '中文');
  await screenshot(page, 'login-en');

  // English sticks across pages.
  await page.goto('/residents');
  assert.equal((await page.textContent('main h1')).trim(), 'Residents');

  // And back to Chinese.
  await Promise.all([page.waitForURL(/\/residents/), switchButton.click()]);
  await page.waitForSelector('html[lang=zh-CN]');
  assert.equal((await page.textContent('main h1')).trim(), '居民');
  assert.equal((await switchButton.textContent()).trim(), 'English');
  assert.match(await page.textContent('header.top'), /退出/);

  // Signing out leads to the login page, still in Chinese.
  await Promise.all([
    page.waitForURL(/\/login/),
    page.click('form[action="/logout"] button[type=submit]'),
  ]);
  assert.equal((await page.textContent('h1')).trim(), '登录');

  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an English choice made before signing in shows the login page in English', async () => {
  const page = await newPage(env.browser, env.server, DESKTOP);
  await page.goto('/login');
  await Promise.all([
    page.waitForURL(/\/login/),
    page.click('[data-testid=lang-switch]'),
  ]);
  await page.waitForSelector('html[lang=en]');
  assert.equal((await page.textContent('h1')).trim(), 'Sign in');
  assert.equal((await page.textContent('label[for=username]')).trim(), 'Username');
  await page.fill('#username', 'official');
  await page.fill('#password', 'wrong');
  await page.click('form[action="/login"] button[type=submit]');
  await page.locator('.alert[role=alert]').waitFor();
  assert.match(await page.textContent('.alert[role=alert]'), /Wrong username or password/);
  await login(page, 'official');
  assert.ok(!new URL(page.url()).pathname.startsWith('/login'));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
