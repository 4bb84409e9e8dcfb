// A message's way through the console in headless Chromium, as three persons live it, each signed in through
// the identity project's page in a browser context of their own:
//   1. the officer types a message; the charter's finding shows on the words; she fixes them, acknowledges the
//      warning that is left, sends the message to review and keeps its page open;
//   2. a person of another party opens that page's address and is told the message does not exist;
//   3. the reviewer finds it in the queue; is told a comment is needed to ask for changes, and that approval
//      needs the warning acknowledged; acknowledges it and approves;
//   4. the officer's open page shows the deliveries reach the school, without being reloaded.
// Every page is checked with axe-core and by keyboard (each control reached with Tab).
//   usage: node console-review.mjs <console-url> "<officer>" "<other party's person>" "<reviewer>" <UAI> "<title>"
// Prints one JSON line of what each person saw, axe's serious or critical violations, the controls Tab never
// reached and the page errors. Exits 1 on any of those. With SCREENSHOTS set to a folder, saves the sign-in
// page, the editor showing the finding, the review queue and the delivered message there (docs/screenshots).
import { axeViolations, launch, unreachable as unreached, watch } from "./console-checks.mjs";

const [base, officer, outsider, reviewer, uai, title] = process.argv.slice(2);
const shots = process.env.SCREENSHOTS;
const timeout = 30_000;
const browser = await launch();
const errors = [];
const violations = [];
const unreachable = [];
const checked = [];

async function check(page) {
  violations.push(...(await axeViolations(page)).map((violation) => `${page.url()} ${violation}`));
  unreachable.push(...(await unreached(page)).map((control) => `${page.url()} ${control}`));
  checked.push(new URL(page.url()).pathname);
}

/** A page of a new browser context, signed in as the person, on the console's path. */
async function signIn(path, person, screenshot) {
  const context = await browser.newContext({ locale: "fr-FR" });
  const page = await context.newPage();
  watch(page, errors);
  await page.goto(`${base}${path}`, { timeout });
  const choice = page.getByRole("button", { name: person });
  await choice.waitFor({ timeout });
  if (screenshot) {
    await check(page);
    if (shots) await page.screenshot({ path: `${shots}/connexion.png`, fullPage: true });
  }
  await choice.click();
  return page;
}

try {
  // 1. The officer writes.
  const writing = await signIn("/messages/nouveau", officer, true);
  await writing.locator("form.editeur[data-interactive=oui]").waitFor({ timeout });
  await writing.getByLabel("Titre").fill(title);
  await writing.getByLabel("Établissements (UAI, séparés par des virgules)").fill(uai);
  const body = writing.getByLabel("Texte");
  await body.pressSequentially("Les horaires des cars changent le 3 novembre. Profitez de notre offre spéciale !", { delay: 15 });
  const finding = writing.locator(".constats li", { hasText: "offre spéciale" });
  await finding.first().waitFor({ timeout });
  const shown = (await finding.first().innerText()).replace(/\s+/g, " ");
  if (shots) await writing.screenshot({ path: `${shots}/editeur-constat.png`, fullPage: true });
  await check(writing);

  await body.fill("Les horaires des cars changent le 3 novembre. Détails sur le site de la collectivité.");
  await finding.first().waitFor({ state: "detached", timeout });
  const warning = writing.locator(".constats li.warn").first();
  await warning.waitFor({ timeout });
  const warned = (await warning.locator("strong").innerText()).trim();
  const send = writing.getByRole("button", { name: "Envoyer en relecture" });
  const sendableBeforeAcknowledging = await send.isEnabled();
  await writing.getByLabel(/Je prends acte de l'avertissement/).check();
  await send.click();
  await writing.getByRole("status").getByRole("link", { name: title }).click();
  await writing.locator("dd[data-state=PENDING_VALIDATION]").waitFor({ timeout });
  await writing.locator("[data-interactive=oui]").waitFor({ timeout });
  const address = new URL(writing.url()).pathname;
  await check(writing);

  // 2. Another party's person opens the draft's address.
  const outside = await signIn(address, outsider, false);
  const refusal = outside.getByRole("alert");
  await outside.locator("[data-interactive=oui]").waitFor({ timeout });
  const told = (await refusal.innerText()).trim();
  await check(outside);

  // 3. The reviewer decides.
  const reviewing = await signIn("/", reviewer, false);
  await reviewing.getByRole("link", { name: "À relire" }).click();
  await reviewing.getByRole("heading", { level: 1, name: "Messages à relire" }).waitFor({ timeout });
  const queued = reviewing.getByRole("link", { name: title });
  await queued.waitFor({ timeout });
  const queuedFrom = (await reviewing.locator("tr", { has: queued }).locator("td").nth(1).innerText()).trim();
  if (shots) await reviewing.screenshot({ path: `${shots}/relecture.png`, fullPage: true });
  await check(reviewing);
  await queued.click();
  await reviewing.locator("form.editeur[data-interactive=oui]").waitFor({ timeout });
  await check(reviewing);
  await reviewing.getByRole("button", { name: "Demander des modifications" }).click();
  const refused = reviewing.getByRole("alert");
  await refused.waitFor({ timeout });
  const noComment = (await refused.innerText()).trim();
  const approve = reviewing.getByRole("button", { name: "Approuver" });
  await approve.click();
  await refused.filter({ hasText: "CH-ELECTORAL-RESERVE" }).waitFor({ timeout });
  const refusedBecause = (await refused.innerText()).trim();
  await reviewing.getByLabel("Je prends acte de l'avertissement CH-ELECTORAL-RESERVE").check();
  await approve.click();
  const approved = reviewing.getByRole("status");
  await approved.waitFor({ timeout });
  const approval = (await approved.innerText()).trim();

  // 4. The officer's page, left open, follows the deliveries.
  const delivered = writing.locator(".livraisons [data-state=DELIVERED]");
  await delivered.first().waitFor({ timeout: 90_000 });
  const progress = (await writing.locator("p[aria-live]").innerText()).trim();
  const history = await writing.locator("table.historique tbody tr td:nth-child(2)").allInnerTexts();
  if (shots) await writing.screenshot({ path: `${shots}/message-diffusion.png`, fullPage: true });
  await check(writing);

  console.log(JSON.stringify({
    finding: shown, warned, sendableBeforeAcknowledging, address, told, queuedFrom, noComment, refusedBecause, approval, progress, history,
    checked, violations, unreachable, errors,
  }));
  process.exitCode = errors.length === 0 && violations.length === 0 && unreachable.length === 0 ? 0 : 1;
} catch (error) {
  console.log(JSON.stringify({ checked, violations, unreachable, errors: [...errors, String(error)] }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
