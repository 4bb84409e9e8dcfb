// Signs a development person in to the console in headless Chromium, through the identity project's page,
// reads its pages as the person does, and signs out; axe-core and the keyboard check each page.
//   usage: node console-in-browser.mjs <console-url> "<person's display name>"
// Prints one JSON line: each page's address, first heading, serious or critical axe violations and controls
// Tab never reaches, where signing out leads, the hosts requested, the page errors. Exits 1 when a page logs
// an error, has such a violation or such a control.
import { axeViolations, launch, unreachable, watch } from "./console-checks.mjs";

const [base, person] = process.argv.slice(2);
const browser = await launch();
const errors = [];
const hosts = new Set();
const pages = [];

async function check(page) {
  pages.push({
    url: page.url(),
    heading: (await page.locator("h1").first().textContent())?.trim(),
    violations: await axeViolations(page),
    unreachable: await unreachable(page),
  });
}

try {
  const page = await browser.newPage();
  page.on("request", (request) => hosts.add(new URL(request.url()).host));
  watch(page, errors);

  await page.goto(`${base}/`, { timeout: 30_000 });
  const choice = page.getByRole("button", { name: person });
  await choice.waitFor({ timeout: 30_000 });
  await check(page);
  await choice.click();
  await page.getByRole("heading", { level: 1, name: `Bonjour, ${person}` }).waitFor({ timeout: 30_000 });
  await check(page);
  await page.getByRole("link", { name: "Mes messages" }).first().click();
  await page.getByRole("heading", { level: 1, name: "Mes messages" }).waitFor({ timeout: 30_000 });
  await check(page);
  const titles = await page.locator("tbody tr td:first-child").allTextContents();
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await page.getByRole("heading", { level: 1, name: "Se connecter" }).waitFor({ timeout: 30_000 });
  const signedOut = new URL(page.url()).pathname;

  console.log(JSON.stringify({ pages, titles, signedOut, hosts: [...hosts], errors }));
  process.exitCode = errors.length === 0 && pages.every((p) => p.violations.length === 0 && p.unreachable.length === 0) ? 0 : 1;
} catch (error) {
  console.log(JSON.stringify({ pages, hosts: [...hosts], errors: [...errors, String(error)] }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
