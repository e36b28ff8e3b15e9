// Drives the card viewer in headless Chromium (playwright-core, Debian's chromium) through one session
// and prints what it saw as JSON; tests/viewer/test_browser.py starts the service and checks the result.
//
// node drive_viewer.cjs '{"base": "http://127.0.0.1:PORT", "sample": "...", "accept": "rule id",
//                         "override": "rule id", "bundle": {...}, "screenshot": "path or null"}'

const { chromium } = require("playwright-core");

const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run",
];

async function cardsShown(page) {
  return page.$$eval("#card-list .card", (cards) => cards.map((card) => ({
    rule: card.dataset.rule,
    indicator: card.querySelector(".indicator").textContent,
    summary: card.querySelector("h3").textContent,
    ruleShown: card.querySelector(".meta .rule-id")?.textContent ?? null,
    grade: card.querySelector(".meta .grade")?.textContent ?? null,
    detailHtml: card.querySelector(".detail").innerHTML,
    suggestions: [...card.querySelectorAll(".suggestion")].map((button) => button.textContent),
  })));
}

async function evaluations(page) {
  return Number(await page.getAttribute("body", "data-evaluations") ?? 0);
}

async function afterEvaluation(page, action) {
  // The page counts finished evaluations in body[data-evaluations].
  const before = await evaluations(page);
  await action();
  await page.waitForFunction((count) => Number(document.body.dataset.evaluations ?? 0) > count, before);
}

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: FLAGS,
  });
  const seen = { consoleErrors: [] };
  let page = null;
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    page.on("console", (message) => { if (message.type() === "error") seen.consoleErrors.push(message.text()); });
    page.on("pageerror", (error) => seen.consoleErrors.push(String(error)));

    await page.goto(`${spec.base}/viewer/`);
    await page.waitForSelector("body[data-ready=true]");
    seen.samples = await page.$$eval("#sample option", (options) => options.map((o) => o.value).filter(Boolean));
    seen.lang = await page.getAttribute("html", "lang");

    // 1. pick a sample: its cards, in Danish, with the expectation line
    await afterEvaluation(page, () => page.selectOption("#sample", spec.sample));
    seen.status = await page.textContent("#status");
    seen.expected = await page.textContent("#expected");
    seen.cards = await cardsShown(page);

    // 2. accept the first suggestion of one card: the order JSON appears, feedback is posted
    const accepted = page.locator(`.card[data-rule="${spec.accept}"]`);
    await accepted.locator(".suggestion").first().click();
    await page.waitForSelector("#order:not([hidden])");
    await accepted.locator(".outcome").filter({ hasText: /\S/ }).waitFor();
    seen.order = JSON.parse(await page.textContent("#order-json"));
    seen.acceptedOutcome = await accepted.locator(".outcome").textContent();
    seen.acceptedButtonsDisabled = await accepted.locator(".suggestion").evaluateAll(
      (buttons) => buttons.every((button) => button.disabled));
    seen.feedbackStatus = await page.textContent("#status");

    // 3. override another card with its second reason and a comment, using the keyboard
    const overridden = page.locator(`.card[data-rule="${spec.override}"]`);
    const reasonSelect = overridden.locator(".override select");
    seen.overrideReasons = await reasonSelect.locator("option").allTextContents();
    await reasonSelect.selectOption({ index: 2 });
    await overridden.locator(".override input").fill("Discussed at the conference");
    await overridden.locator(".override input").press("Enter");
    await overridden.locator(".outcome").filter({ hasText: /\S/ }).waitFor();
    seen.overriddenOutcome = await overridden.locator(".outcome").textContent();
    if (spec.screenshot) await page.screenshot({ path: spec.screenshot, fullPage: true });

    // 4. switch to English: the page and the cards change language
    await afterEvaluation(page, () => page.click("button[data-lang=en]"));
    seen.langAfterSwitch = await page.getAttribute("html", "lang");
    seen.showLabel = await page.textContent("#record-form button[type=submit]");
    seen.cardsEnglish = await cardsShown(page);

    // 5. paste a plain Bundle and evaluate it on the chosen hook
    await page.fill("#document", JSON.stringify(spec.bundle));
    await page.selectOption("#hook", spec.bundleHook);
    await afterEvaluation(page, () => page.click("#record-form button[type=submit]"));
    seen.pastedStatus = await page.textContent("#status");
    seen.pastedCards = await cardsShown(page);
    seen.expectedHiddenAfterPaste = await page.isHidden("#expected");

    // 6. a document that is not FHIR: the viewer says what is wrong
    await page.fill("#document", '{"foo": 1}');
    await page.selectOption("#hook", "");
    await afterEvaluation(page, () => page.click("#record-form button[type=submit]"));
    seen.errorText = await page.textContent("#errors");
  } catch (error) {
    // What the page showed when a step failed, for the test's message.
    if (page) {
      const text = (selector) => page.textContent(selector).catch(() => null);
      seen.failedAt = { status: await text("#status"), errors: await text("#errors") };
    }
    process.stderr.write(`${JSON.stringify(seen)}\n`);
    throw error;
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(seen));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
