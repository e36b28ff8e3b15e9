// The card viewer: loads a sample or a pasted/uploaded document, calls the service's CDS Hooks API as an
// EHR would, renders the cards, and posts feedback (accepted suggestion, or override with a reason).

const UI = {
  da: {
    "page-title": "palliative-rt-cds · Kortviser",
    title: "Kortviser",
    skip: "Spring til kortene",
    record: "Patientjournal",
    sample: "Eksempel fra fhir_samples/",
    "choose-sample": "Vælg et eksempel",
    document: "CDS Hooks-kald eller FHIR Bundle (JSON)",
    "document-help": "Indsæt eller upload et kald eller en patients journal som Bundle; kladder til " +
      "ServiceRequest bliver til draftOrders.",
    upload: "Upload en fil",
    hook: "Hook",
    "hook-auto": "Som angivet (Bundle: order-select med kladder, ellers patient-view)",
    show: "Vis kort",
    cards: "Kort",
    order: "Ordination fra det accepterede forslag",
    critical: "Kritisk",
    warning: "Advarsel",
    info: "Info",
    suggestions: "Forslag",
    recommended: "anbefalet",
    reason: "Begrundelse for at tilsidesætte",
    "no-reason": "Ingen begrundelse valgt",
    comment: "Kommentar",
    override: "Tilsidesæt kortet",
    accepted: "Accepteret: {label}",
    overridden: "Tilsidesat",
    "feedback-sent": "Tilbagemelding sendt: {outcome}",
    "outcome-accepted": "accepteret",
    "outcome-overridden": "tilsidesat",
    rule: "Regel",
    recommendation: "Anbefaling",
    grade: "Evidensstyrke",
    source: "Kilde",
    evaluating: "Beregner kort …",
    "card-count": "{count} kort på {hook}",
    "card-count-one": "1 kort på {hook}",
    "no-cards": "Ingen kort.",
    expected: "Forventet ifølge eksemplet: {must}; må ikke vises: {mustNot}.",
    "as-expected": "Som forventet.",
    missing: "Mangler: {rules}.",
    unexpected: "Burde ikke vises: {rules}.",
    none: "ingen",
    date: "Evalueringsdato {date}",
    "date-note": "(eksemplerne er skrevet til {date}; start tjenesten med PRT_CDS_FIXED_TODAY={date})",
    "empty-document": "Vælg, indsæt eller upload først et kald eller en Bundle.",
    "invalid-json": "Ikke gyldig JSON: {message}",
    unauthorized: "Tjenesten kræver godkendelse af EHR'et (PRT_CDS_AUTH_MODE=jwt); kortviseren virker " +
      "med PRT_CDS_AUTH_MODE=off.",
    failed: "Tjenesten svarede {status}:",
    "smart-link": "(SMART-app: åbnes fra EHR'et)",
  },
  en: {
    "page-title": "palliative-rt-cds · Card viewer",
    title: "Card viewer",
    skip: "Skip to the cards",
    record: "Patient record",
    sample: "Sample from fhir_samples/",
    "choose-sample": "Choose a sample",
    document: "CDS Hooks request or FHIR Bundle (JSON)",
    "document-help": "Paste or upload a request, or a patient's record as a Bundle; draft " +
      "ServiceRequests become draftOrders.",
    upload: "Upload a file",
    hook: "Hook",
    "hook-auto": "As given (a Bundle: order-select with draft orders, else patient-view)",
    show: "Show cards",
    cards: "Cards",
    order: "Order from the accepted suggestion",
    critical: "Critical",
    warning: "Warning",
    info: "Info",
    suggestions: "Suggestions",
    recommended: "recommended",
    reason: "Override reason",
    "no-reason": "No reason chosen",
    comment: "Comment",
    override: "Override card",
    accepted: "Accepted: {label}",
    overridden: "Overridden",
    "feedback-sent": "Feedback sent: {outcome}",
    "outcome-accepted": "accepted",
    "outcome-overridden": "overridden",
    rule: "Rule",
    recommendation: "Recommendation",
    grade: "Evidence grade",
    source: "Source",
    evaluating: "Evaluating …",
    "card-count": "{count} cards on {hook}",
    "card-count-one": "1 card on {hook}",
    "no-cards": "No cards.",
    expected: "Expected by the sample: {must}; must not show: {mustNot}.",
    "as-expected": "As expected.",
    missing: "Missing: {rules}.",
    unexpected: "Should not show: {rules}.",
    none: "none",
    date: "Evaluation date {date}",
    "date-note": "(the samples are written for {date}; start the service with PRT_CDS_FIXED_TODAY={date})",
    "empty-document": "Pick, paste or upload a request or a Bundle first.",
    "invalid-json": "Not valid JSON: {message}",
    unauthorized: "The service requires EHR authentication (PRT_CDS_AUTH_MODE=jwt); the viewer works " +
      "with PRT_CDS_AUTH_MODE=off.",
    failed: "The service answered {status}:",
    "smart-link": "(SMART app: launched from the EHR)",
  },
};

const RULE_SYSTEM = "urn:palliative-rt-cds:rule";
const EXTENSION_KEY = "palliative-rt-cds";

const state = {
  lang: new URLSearchParams(location.search).get("lang") === "en" ? "en" : "da",
  services: {},       // hook -> service id, from discovery
  discovery: null,    // the discovery answer when it failed (e.g. 401: the service wants a JWT)
  samples: new Map(), // name -> {hook, must, mustNot}
  dates: null,        // {evaluationDate, samplesDate}
  sample: null,       // the sample whose request is in the text area, unchanged
  evaluations: 0,     // finished evaluations, shown as body[data-evaluations] for automated tests
};

const $ = (selector) => document.querySelector(selector);

function t(key, values = {}) {
  const text = UI[state.lang][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

// --- markdown: the subset card details use (paragraphs, lists, headings, bold, italics, code, links);
// everything is escaped first, so card text can never inject markup.

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function inline(text) {
  const codes = [];
  let html = escapeHtml(text).replace(/`([^`]+)`/g, (_, code) => {
    codes.push(code);
    return `\u0000${codes.length - 1}\u0000`;
  });
  html = html
    .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\s][^*]*?)\*(?!\*)/g, "$1<em>$2</em>")
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>');
  return html.replace(/\u0000(\d+)\u0000/g, (_, index) => `<code>${codes[Number(index)]}</code>`);
}

function markdown(text) {
  const html = [];
  let paragraph = [];
  let items = null;
  const endParagraph = () => {
    if (paragraph.length) html.push(`<p>${inline(paragraph.join(" "))}</p>`);
    paragraph = [];
  };
  const endList = () => {
    if (items) html.push(`<ul>${items.map((item) => `<li>${inline(item)}</li>`).join("")}</ul>`);
    items = null;
  };
  for (const line of text.split("\n")) {
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!line.trim()) {
      endParagraph();
      endList();
    } else if (item) {
      endParagraph();
      (items ??= []).push(item[1]);
    } else if (heading) {
      endParagraph();
      endList();
      html.push(`<h4>${inline(heading[1])}</h4>`);
    } else {
      endList();
      paragraph.push(line.trim());
    }
  }
  endParagraph();
  endList();
  return html.join("");
}

// --- talking to the service

async function call(path, options = {}) {
  const response = await fetch(path, options);
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { ok: response.ok, status: response.status, body };
}

function showProblem(result) {
  const box = $("#errors");
  box.replaceChildren();
  if (result.status === 401) {
    box.append(element("p", { text: t("unauthorized") }));
    return;
  }
  const issues = result.body?.issue?.map((issue) => issue.diagnostics) ?? [];
  box.append(element("p", { text: t("failed", { status: result.status }) }),
    element("ul", {}, ...issues.map((issue) => element("li", { text: issue }))));
}

function showError(message) {
  $("#errors").replaceChildren(element("p", { text: message }));
}

async function sendFeedback(serviceId, item) {
  const result = await call(`../cds-services/${encodeURIComponent(serviceId)}/feedback`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ feedback: [{ ...item, outcomeTimestamp: new Date().toISOString() }] }),
  });
  if (!result.ok) {
    showProblem(result);
    return false;
  }
  $("#status").textContent = t("feedback-sent", { outcome: t(`outcome-${item.outcome}`) });
  return true;
}

// --- cards

function showOrder(suggestion) {
  const resources = (suggestion.actions ?? []).map((action) => action.resource ?? { resourceId: action.resourceId });
  $("#order-json").textContent = JSON.stringify(resources.length === 1 ? resources[0] : resources, null, 2);
  $("#order").hidden = false;
  $("#order").scrollIntoView({ block: "nearest" });
}

function settle(article, text) {
  for (const control of article.querySelectorAll("button, select, input")) control.disabled = true;
  article.classList.add("settled");
  article.querySelector(".outcome").textContent = text;
}

function suggestionButtons(card, serviceId, article) {
  if (!card.suggestions?.length) return null;
  const buttons = card.suggestions.map((suggestion) => {
    const button = element("button", { type: "button", class: suggestion.isRecommended ? "suggestion recommended" : "suggestion" },
      suggestion.label,
      suggestion.isRecommended ? element("span", { class: "badge", text: t("recommended") }) : null);
    button.addEventListener("click", async () => {
      const sent = await sendFeedback(serviceId, {
        card: card.uuid, outcome: "accepted", acceptedSuggestions: [{ id: suggestion.uuid }],
      });
      if (sent) {
        settle(article, t("accepted", { label: suggestion.label }));
        showOrder(suggestion);
      }
    });
    return button;
  });
  return element("div", { class: "suggestions", role: "group", "aria-label": t("suggestions") }, ...buttons);
}

function overrideForm(card, serviceId, article) {
  const id = `override-${card.uuid}`;
  const reasons = element("select", { id: `${id}-reason` },
    element("option", { value: "", text: t("no-reason") }),
    ...(card.overrideReasons ?? []).map((reason, index) => element("option", { value: String(index), text: reason.display })));
  const comment = element("input", { id: `${id}-comment`, type: "text", autocomplete: "off" });
  const form = element("form", { class: "override" },
    element("label", { for: reasons.id, text: t("reason") }), reasons,
    element("label", { for: comment.id, text: t("comment") }), comment,
    element("button", { type: "submit", text: t("override") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const item = { card: card.uuid, outcome: "overridden" };
    const reason = reasons.value === "" ? null : card.overrideReasons[Number(reasons.value)];
    const overrideReason = {};
    if (reason) overrideReason.reason = { system: reason.system, code: reason.code };
    if (comment.value.trim()) overrideReason.userComment = comment.value.trim();
    if (Object.keys(overrideReason).length) item.overrideReason = overrideReason;
    if (await sendFeedback(serviceId, item)) settle(article, `${t("overridden")}${reason ? `: ${reason.display}` : ""}`);
  });
  return form;
}

function links(card) {
  if (!card.links?.length) return null;
  return element("ul", { class: "links" }, ...card.links.map((link) => {
    const absolute = link.type === "absolute" && /^https?:\/\//.test(link.url);
    return element("li", {}, absolute
      ? element("a", { href: link.url, target: "_blank", rel: "noopener noreferrer", text: link.label })
      : element("span", { text: `${link.label} ${t("smart-link")}` }));
  }));
}

function meta(card) {
  const extension = card.extension?.[EXTENSION_KEY] ?? {};
  const parts = [element("span", {}, `${t("rule")} `, element("code", { class: "rule-id", text: extension.ruleId ?? card.source.topic?.code ?? "" }))];
  if (extension.recommendation) parts.push(element("span", { text: `${t("recommendation")} ${extension.recommendation}` }));
  if (extension.evidenceGrade) parts.push(element("span", { class: "grade", text: `${t("grade")} ${extension.evidenceGrade}` }));
  const source = card.source.url
    ? element("a", { href: card.source.url, target: "_blank", rel: "noopener noreferrer", text: card.source.label })
    : element("span", { text: card.source.label });
  parts.push(element("span", {}, `${t("source")}: `, source));
  return element("footer", { class: "meta" }, ...parts);
}

function renderCard(card, serviceId) {
  const summaryId = `summary-${card.uuid}`;
  const article = element("article", {
    class: `card ${card.indicator}`, "aria-labelledby": summaryId, "data-rule": card.source.topic?.code ?? "",
  });
  const detail = element("div", { class: "detail" });
  detail.innerHTML = markdown(card.detail ?? "");
  const parts = [
    element("header", {},
      element("span", { class: "indicator", text: t(card.indicator) }),
      element("h3", { id: summaryId, text: card.summary })),
    detail,
    links(card),
    suggestionButtons(card, serviceId, article),
    overrideForm(card, serviceId, article),
    element("p", { class: "outcome", role: "status" }),
    meta(card),
  ];
  article.append(...parts.filter((part) => part !== null));
  return article;
}

function checkExpectation(rules) {
  const line = $("#expected");
  const sample = state.sample && state.samples.get(state.sample);
  if (!sample || $("#hook").value) {
    line.hidden = true;
    return;
  }
  const fired = new Set(rules);
  const missing = sample.must.filter((rule) => !fired.has(rule));
  const unexpected = sample.mustNot.filter((rule) => fired.has(rule));
  const verdict = [];
  if (missing.length) verdict.push(t("missing", { rules: missing.join(", ") }));
  if (unexpected.length) verdict.push(t("unexpected", { rules: unexpected.join(", ") }));
  line.textContent = `${t("expected", {
    must: sample.must.join(", ") || t("none"), mustNot: sample.mustNot.join(", ") || t("none"),
  })} ${verdict.length ? verdict.join(" ") : t("as-expected")}`;
  line.classList.toggle("unmet", verdict.length > 0);
  line.hidden = false;
}

// --- evaluating a document

async function evaluate() {
  try {
    await showCards();
  } finally {
    state.evaluations += 1;
    document.body.dataset.evaluations = String(state.evaluations);
  }
}

async function showCards() {
  $("#errors").replaceChildren();
  $("#card-list").replaceChildren();
  $("#order").hidden = true;
  const text = $("#document").value.trim();
  if (!text) {
    showError(t("empty-document"));
    return;
  }
  let document_;
  try {
    document_ = JSON.parse(text);
  } catch (error) {
    showError(t("invalid-json", { message: error.message }));
    return;
  }
  $("#status").textContent = t("evaluating");
  const made = await call("api/hook-request", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ document: document_, hook: $("#hook").value || null }),
  });
  if (!made.ok) {
    $("#status").textContent = "";
    showProblem(made);
    return;
  }
  const request = made.body;
  const serviceId = state.services[request.hook];
  if (!serviceId) {
    $("#status").textContent = "";
    showProblem(state.discovery);
    return;
  }
  const answer = await call(`../cds-services/${encodeURIComponent(serviceId)}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept-Language": state.lang },
    body: JSON.stringify(request),
  });
  if (!answer.ok) {
    $("#status").textContent = "";
    showProblem(answer);
    return;
  }
  const cards = answer.body.cards;
  $("#card-list").replaceChildren(...(cards.length
    ? cards.map((card) => renderCard(card, serviceId))
    : [element("p", { class: "empty", text: t("no-cards") })]));
  $("#status").textContent = t(cards.length === 1 ? "card-count-one" : "card-count",
    { count: cards.length, hook: request.hook });
  checkExpectation(cards.filter((card) => card.source.topic?.system === RULE_SYSTEM).map((card) => card.source.topic.code));
}

async function pickSample(name) {
  if (!name) return;
  const result = await call(`api/samples/${encodeURIComponent(name)}`);
  if (!result.ok) {
    showProblem(result);
    return;
  }
  $("#document").value = JSON.stringify(result.body, null, 2);
  $("#hook").value = "";
  state.sample = name;
  await evaluate();
}

// --- page set-up

function showDate() {
  if (!state.dates) return;
  const { evaluationDate, samplesDate } = state.dates;
  $("#evaluation-date").textContent = t("date", { date: evaluationDate }) +
    (evaluationDate === samplesDate ? "" : ` ${t("date-note", { date: samplesDate })}`);
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = t("page-title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
  }
  showDate();
}

async function start() {
  applyLanguage();
  const [discovery, samples] = await Promise.all([call("../cds-services"), call("api/samples")]);
  if (!discovery.ok) {
    state.discovery = discovery;
    showProblem(discovery);
  } else {
    for (const service of discovery.body.services) state.services[service.hook] = service.id;
  }
  if (samples.ok) {
    state.dates = { evaluationDate: samples.body.evaluationDate, samplesDate: samples.body.samplesDate };
    const byHook = new Map();
    for (const sample of samples.body.samples) {
      state.samples.set(sample.name, sample);
      if (!byHook.has(sample.hook)) byHook.set(sample.hook, element("optgroup", { label: sample.hook }));
      byHook.get(sample.hook).append(element("option", { value: sample.name, text: sample.name }));
    }
    $("#sample").append(...byHook.values());
    showDate();
  }

  $("#sample").addEventListener("change", (event) => pickSample(event.target.value));
  $("#record-form").addEventListener("submit", (event) => {
    event.preventDefault();
    evaluate();
  });
  $("#document").addEventListener("input", () => {
    state.sample = null;
    $("#sample").value = "";
    $("#expected").hidden = true;
  });
  $("#upload").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    $("#document").value = await file.text();
    state.sample = null;
    $("#sample").value = "";
    await evaluate();
  });
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", async () => {
      state.lang = button.dataset.lang;
      applyLanguage();
      if ($("#document").value.trim()) await evaluate();
    });
  }
  document.body.dataset.ready = "true";
}

start();
