// A person writes a message in the console's editor in headless Chromium: the charter's finding appears on
// the words as they type, goes once they are fixed, and the message goes to review.
//   usage: node console-editor.mjs <console-url> "<person's display name>" <UAI> "<title>"
// Prints one JSON line: the finding shown, whether it went, the confirmation, axe's serious or critical
// violations, the page errors. Exits 1 on a page error or such a violation. With SCREENSHOTS set to a
// folder, saves the sign-in page and the editor showing the finding there (docs/screenshots).
import { chromium } from "playwright-core";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const [base, person, uai, title] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const errors = [];
const violations = [];

async function check(page) {
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const results = await page.evaluate(async () => await globalThis.axe.run(document, { resultTypes: ["violations"] }));
  violations.push(...results.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${page.url()} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`));
}

try {
  const page = await browser.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
  page.on("response", (response) => { if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`); });

  const shots = process.env.SCREENSHOTS;
  await page.goto(`${base}/messages/nouveau`, { timeout: 30_000 });
  await page.getByRole("button", { name: person }).waitFor({ timeout: 30_000 });
  if (shots) await page.screenshot({ path: `${shots}/connexion.png`, fullPage: true });
  await page.getByRole("button", { name: person }).click();
  await page.locator("form.editeur[data-interactive=oui]").waitFor({ timeout: 30_000 });
  await page.getByLabel("Titre").fill(title);
  await page.getByLabel("Établissements (UAI, séparés par des virgules)").fill(uai);
  const body = page.getByLabel("Texte");
  await body.pressSequentially("Les horaires des cars changent le 3 novembre. Profitez de notre offre spéciale !", { delay: 15 });
  const finding = page.locator(".constats li", { hasText: "offre spéciale" });
  await finding.first().waitFor({ timeout: 30_000 });
  const shown = (await finding.first().innerText()).replace(/\s+/g, " ");
  if (shots) await page.screenshot({ path: `${shots}/editeur-constat.png`, fullPage: true });
  await check(page);

  await body.fill("Les horaires des cars changent le 3 novembre. Détails sur le site de la collectivité.");
  await page.getByText("Aucune remarque de la charte.").waitFor({ timeout: 30_000 });
  await page.getByRole("button", { name: "Envoyer en relecture" }).click();
  const confirmation = page.getByRole("status");
  await confirmation.waitFor({ timeout: 30_000 });

  console.log(JSON.stringify({ finding: shown, fixed: true, confirmation: await confirmation.innerText(), violations, errors }));
  process.exitCode = errors.length === 0 && violations.length === 0 ? 0 : 1;
} catch (error) {
  console.log(JSON.stringify({ violations, errors: [...errors, String(error)] }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
