/* disclosure-check audit dashboard. Renders the embedded JSON (id="dc-data"); every text node is
   set with textContent, so report text can never become markup. All UI strings come from D.t. */
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("dc-data").textContent);
  const T = D.t;
  const ENTRIES = D.entries;
  const RULES = new Map(D.rules.map((r) => [r.id, r]));
  const SEV = ["error", "warning", "info"];
  const VERDICT_RANK = { failed: 0, error: 1, warning: 2, review: 3, info: 4, clean: 5 };
  const collator = new Intl.Collator(D.lang === "zh_CN" ? "zh-Hans-CN-u-co-pinyin" : "en", { numeric: true });

  function t(key, vars) {
    let s = key in T ? T[key] : key;
    for (const k in vars || {}) s = s.split("{" + k + "}").join(String(vars[k]));
    return s;
  }

  /* el("td", {className: "num"}, "3", childNode…): attributes are properties or data-*. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("data-") || k.startsWith("aria-") || k === "role") node.setAttribute(k, v);
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node[k] = v;
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  const pct = (x) => (x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%");
  const num = (x) => (x === null || x === undefined ? "—" : String(x));
  const kindText = (k) => (k ? t("kind." + k) : "");
  const ruleLabel = (id) => {
    const r = RULES.get(id);
    return r && r.title ? r.title : r ? r.name : "";
  };
  const verdictBadge = (v) => el("span", { className: "badge v-" + v }, t("verdict_" + v));
  const sevBadge = (s) => el("span", { className: "badge s-" + s }, t("sev." + s));

  /* ---------------- header ---------------- */
  function renderHeader() {
    const when = D.current && D.current.started ? localTime(D.current.started) : null;
    const manifestName = D.manifest.split(/[\\/]/).pop();
    document.getElementById("top").append(
      el("h1", null, t("title")),
      el(
        "div",
        { className: "meta" },
        el("span", null, t("manifest") + "：", el("b", { title: D.manifest }, manifestName)),
        D.runId !== null ? el("span", null, t("run") + " #", el("b", null, D.runId)) : null,
        when ? el("span", null, t("recorded") + "：", el("b", null, when)) : null,
        el("span", null, t("generated_by", { tool: D.tool, version: D.version }))
      )
    );
  }

  function localTime(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return iso;
    const p = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  }

  /* ---------------- overview ---------------- */
  function card(label, value, sub, cls) {
    return el("div", { className: "card " + (cls || "") }, el("div", { className: "label" }, label),
      el("div", { className: "value" }, value), sub ? el("div", { className: "sub" }, sub) : null);
  }

  function renderOverview() {
    const tot = D.totals;
    const sevLine = SEV.map((s) => t("sev." + s) + " " + tot.bySeverity[s]).join(" · ");
    const cards = el(
      "div",
      { className: "cards" },
      card(t("units_total"), num(tot.units), D.problems.length ? t("problems") + " " + D.problems.length : null),
      card(t("unit_pass_rate"), pct(tot.passRate), t("units_passed") + " " + (tot.units - tot.withErrors), "good"),
      card(t("units_with_errors"), num(tot.withErrors), null, tot.withErrors ? "bad" : "good"),
      card(t("units_review"), num(tot.review), null, "warn"),
      card(t("findings_per_unit"), num(tot.findingsPerUnit), t("findings_total") + " " + tot.findings),
      card(t("findings_total"), num(tot.findings), sevLine)
    );
    return el("section", { className: "panel", id: "overview" }, el("h2", null, t("overview")), cards,
      el("div", { className: "overview-grid" }, renderChart(), renderCompare()));
  }

  function renderChart() {
    const failing = D.rules.filter((r) => r.failedUnits.length > 0)
      .sort((a, b) => b.failedUnits.length - a.failedUnits.length || (a.id < b.id ? -1 : 1));
    const box = el("div", { id: "chart-box" }, el("h3", null, t("chart_title")));
    if (!failing.length) return box.appendChild(el("p", { className: "muted" }, t("chart_empty"))), box;
    const prev = D.previous ? D.previous.failedByRule : null;
    const max = Math.max(...failing.map((r) => Math.max(r.failedUnits.length, prev ? prev[r.id] || 0 : 0)));
    const chart = el("div", { className: "chart", id: "chart", role: "list" });
    for (const r of failing) {
      const worst = SEV.find((s) => r.findings[s] > 0) || "info";
      const n = r.failedUnits.length;
      const findings = SEV.reduce((a, s) => a + r.findings[s], 0);
      const pick = () => setRuleFilter(r.id);
      const track = el("div", { className: "bar-track" },
        el("div", { className: "bar-fill " + worst, style: `width:${(100 * n) / max}%` }));
      if (prev && prev[r.id] !== undefined) {
        track.append(el("div", { className: "bar-prev", title: t("previous_short") + " " + prev[r.id], style: `left:${(100 * prev[r.id]) / max}%` }));
      }
      let value = `${n} ${t("chart_units")} · ${findings} ${t("chart_findings")}`;
      if (prev) value += ` （${t("previous_short")} ${prev[r.id] || 0}）`;
      chart.append(
        el("div", { className: "bar-label", title: r.id + " " + ruleLabel(r.id), onclick: pick, role: "listitem", "data-rule": r.id },
          el("b", null, r.id), ruleLabel(r.id)),
        el("div", { className: "bar-row", onclick: pick, "data-rule": r.id }, track, el("span", { className: "bar-value" }, value))
      );
    }
    const legend = el("p", { className: "hint legend" }, SEV.map((s) => [el("span", { className: "swatch " + s }), t("sev." + s) + "  "]),
      prev ? [el("span", { className: "swatch prev" }), t("previous_short") + "  "] : null, " · ", t("chart_hint"));
    box.append(chart, legend);
    return box;
  }

  function renderCompare() {
    const box = el("div", { id: "compare" }, el("h3", null, t("compare_title")));
    const prev = D.previous && D.previous.totals;
    if (!prev) return box.appendChild(el("p", { className: "muted" }, t("compare_none"))), box;
    const now = D.totals;
    /* better: +1 when a rise is good, -1 when a fall is good, 0 neutral */
    const rows = [
      ["units_total", "units", num, 0],
      ["unit_pass_rate", "passRate", pct, 1],
      ["units_with_errors", "withErrors", num, -1],
      ["findings_per_unit", "findingsPerUnit", num, -1],
      ["findings_total", "findings", num, -1],
    ];
    const body = rows.map(([label, key, fmt, better]) => {
      const a = prev[key], b = now[key];
      let change = "—", cls = "same";
      if (a !== null && b !== null && a !== undefined) {
        const d = b - a;
        const shown = key === "passRate" ? (d * 100).toFixed(1) + " pt" : (Math.round(d * 100) / 100).toString();
        change = d === 0 ? "＝" : (d > 0 ? "▲ +" : "▼ ") + shown;
        cls = d === 0 || better === 0 ? "same" : (d > 0) === (better > 0) ? "up" : "down";
      }
      return el("tr", null, el("td", null, t(label)), el("td", { className: "num" }, fmt(a)),
        el("td", { className: "num" }, fmt(b)), el("td", { className: "num " + cls }, change));
    });
    const when = D.previous.started ? localTime(D.previous.started) : "";
    box.append(
      el("table", { className: "compare", id: "compare-table" },
        el("thead", null, el("tr", null, el("th", null, ""), el("th", { className: "num" }, t("compare_then")),
          el("th", { className: "num" }, t("compare_now")), el("th", { className: "num" }, t("compare_change")))),
        el("tbody", null, body)),
      el("p", { className: "hint" }, `${t("compare_run")}：#${D.previous.id} ${when} · ${D.previous.manifest.split(/[\\/]/).pop()}`)
    );
    return box;
  }

  /* ---------------- units table ---------------- */
  const COLUMNS = [
    { key: "unit", get: (e) => e.unit, cls: "unit-name" },
    { key: "parent", get: (e) => e.parent || "" },
    { key: "kind", get: (e) => kindText(e.kind) },
    { key: "year", get: (e) => e.year, numeric: true },
    { key: "profile", get: (e) => e.profile || "" },
    { key: "error", get: (e) => e.counts.error, numeric: true, sev: "error" },
    { key: "warning", get: (e) => e.counts.warning, numeric: true, sev: "warning" },
    { key: "info", get: (e) => e.counts.info, numeric: true, sev: "info" },
    { key: "needs_review", get: (e) => e.review.length, numeric: true },
    { key: "verdict", get: (e) => VERDICT_RANK[e.verdict], render: (e) => verdictBadge(e.verdict) },
  ];
  const state = { sort: null, dir: 1, sev: "", rule: "", parent: "", kind: "", text: "" };

  function matches(e) {
    if (state.sev) {
      const ok = {
        error: e.counts.error > 0, warning: e.counts.warning > 0, info: e.counts.info > 0,
        review: e.review.length > 0, failed: e.verdict === "failed",
        clean: e.verdict !== "failed" && e.findings.length === 0,
      }[state.sev];
      if (!ok) return false;
    }
    if (state.rule && !e.failed.includes(state.rule)) return false;
    if (state.parent && e.parent !== state.parent) return false;
    if (state.kind && e.kind !== state.kind) return false;
    if (state.text) {
      const q = state.text.toLowerCase();
      const hay = [e.unit, e.parent, e.code, e.profile, e.path, ...e.findings.map((f) => f.msg)];
      if (!hay.some((s) => s && s.toLowerCase().includes(q))) return false;
    }
    return true;
  }

  function sortedRows() {
    const idx = ENTRIES.map((_, i) => i).filter((i) => matches(ENTRIES[i]));
    if (state.sort === null) return idx;
    const col = COLUMNS.find((c) => c.key === state.sort);
    return idx.sort((a, b) => {
      const x = col.get(ENTRIES[a]), y = col.get(ENTRIES[b]);
      const empty = (v) => v === null || v === undefined || v === "";
      let c;
      if (empty(x) || empty(y)) c = empty(x) - empty(y); /* blanks last in both directions */
      else c = state.dir * (col.numeric || typeof x === "number" ? x - y : collator.compare(x, y));
      return c || a - b;
    });
  }

  function option(value, label, count) {
    return el("option", { value }, count === undefined ? label : `${label} (${count})`);
  }
  function distinct(get) {
    const seen = new Map();
    for (const e of ENTRIES) { const v = get(e); if (v) seen.set(v, (seen.get(v) || 0) + 1); }
    return [...seen.entries()].sort((a, b) => collator.compare(a[0], b[0]));
  }
  function select(id, label, key, options) {
    const s = el("select", { id, onchange: (ev) => { state[key] = ev.target.value; refresh(); } },
      option("", t("filter_all")), options);
    return el("label", null, label, s);
  }

  function renderUnits() {
    const sevCount = (k) => ENTRIES.filter((e) => { const o = state.sev; state.sev = k; const m = matches(e); state.sev = o; return m; }).length;
    const sevOpts = [["error", "sev_has_error"], ["warning", "sev_has_warning"], ["info", "sev_has_info"],
      ["review", "sev_review"], ["clean", "sev_clean"], ["failed", "sev_failed"]]
      .map(([k, label]) => option(k, t(label), sevCount(k)));
    const ruleOpts = D.rules.filter((r) => r.failedUnits.length)
      .map((r) => option(r.id, `${r.id} ${ruleLabel(r.id)}`, r.failedUnits.length));
    const parentOpts = distinct((e) => e.parent).map(([v, n]) => option(v, v, n));
    const kindOpts = distinct((e) => e.kind).map(([v, n]) => option(v, kindText(v), n));
    const text = el("input", { id: "f-text", type: "search", placeholder: t("filter_text"),
      oninput: (ev) => { state.text = ev.target.value.trim(); refresh(); } });
    const reset = el("button", { className: "btn", id: "f-reset", type: "button", onclick: resetFilters }, t("filter_reset"));
    const filters = el("div", { className: "filters" },
      select("f-sev", t("filter_severity"), "sev", sevOpts), select("f-rule", t("filter_rule"), "rule", ruleOpts),
      select("f-parent", t("filter_parent"), "parent", parentOpts), select("f-kind", t("filter_kind"), "kind", kindOpts),
      el("label", null, "\u00a0", text), el("label", null, "\u00a0", reset));
    const head = el("tr", null, COLUMNS.map((c) => el("th", {
      className: "sortable" + (c.numeric ? " num" : ""), "data-key": c.key, "aria-sort": "none", tabIndex: 0,
      onclick: () => sortBy(c.key), onkeydown: (ev) => { if (ev.key === "Enter") sortBy(c.key); },
    }, t(c.key), el("span", { className: "arrow" }, ""))));
    return el("section", { className: "panel", id: "units" }, el("h2", null, t("units")), filters,
      el("p", { className: "count-line", id: "units-count" }),
      el("div", { className: "table-wrap" }, el("table", { id: "units-table" }, el("thead", null, head), el("tbody"))));
  }

  function sortBy(key) {
    state.dir = state.sort === key ? -state.dir : 1;
    state.sort = key;
    refresh();
  }

  function resetFilters() {
    Object.assign(state, { sev: "", rule: "", parent: "", kind: "", text: "" });
    for (const id of ["f-sev", "f-rule", "f-parent", "f-kind", "f-text"]) document.getElementById(id).value = "";
    refresh();
  }

  function setRuleFilter(id) {
    state.rule = id;
    document.getElementById("f-rule").value = id;
    refresh();
    document.getElementById("units").scrollIntoView({ behavior: "instant", block: "start" });
  }

  function refresh() {
    const rows = sortedRows();
    const tbody = document.querySelector("#units-table tbody");
    tbody.replaceChildren(...rows.map((i) => {
      const e = ENTRIES[i];
      return el("tr", { className: "v-" + e.verdict, "data-index": i, onclick: () => openDetail(i), title: t("verdict_" + e.verdict) },
        COLUMNS.map((c) => {
          const v = c.get(e);
          const cls = [c.numeric ? "num" : "", c.cls || "", c.sev ? "sev-" + c.sev : "", c.numeric && v === 0 ? "zero" : ""].join(" ").trim();
          return el("td", { className: cls, "data-key": c.key }, c.render ? c.render(e) : c.key === "kind" || c.key === "year" ? num(v || null) : v);
        }));
    }));
    if (!rows.length) tbody.append(el("tr", null, el("td", { colSpan: COLUMNS.length, className: "muted" }, t("no_rows"))));
    document.getElementById("units-count").textContent = t("shown", { n: rows.length, total: ENTRIES.length });
    for (const th of document.querySelectorAll("#units-table th")) {
      const on = th.dataset.key === state.sort;
      th.setAttribute("aria-sort", on ? (state.dir > 0 ? "ascending" : "descending") : "none");
      th.querySelector(".arrow").textContent = on ? (state.dir > 0 ? "▲" : "▼") : "";
    }
  }

  /* ---------------- per rule ---------------- */
  function unitChip(i) {
    const e = ENTRIES[i];
    return el("button", { className: "chip", type: "button", onclick: () => openDetail(i), "data-index": i }, `${e.unit} ${e.year || ""}`.trim());
  }

  function renderRules() {
    const rows = D.rules.filter((r) => r.failedUnits.length || r.reviewUnits.length).map((r) =>
      el("tr", { "data-rule": r.id },
        el("td", null, el("b", null, r.id)),
        el("td", null, ruleLabel(r.id), el("div", { className: "muted" }, r.name)),
        el("td", { className: "num" }, r.failedUnits.length),
        el("td", { className: "num" }, r.reviewUnits.length),
        SEV.map((s) => el("td", { className: "num" + (r.findings[s] ? "" : " zero") }, r.findings[s])),
        el("td", null, r.failedUnits.length
          ? el("details", null, el("summary", null, `${r.failedUnits.length} ${t("chart_units")}`), el("div", { className: "chips" }, r.failedUnits.map(unitChip)))
          : el("span", { className: "muted" }, t("rule_none_failed")))));
    const head = el("tr", null, el("th", null, t("rule")), el("th", null, t("rule_name")),
      el("th", { className: "num" }, t("outcome.failed")), el("th", { className: "num" }, t("rule_review_units")),
      SEV.map((s) => el("th", { className: "num" }, t("sev." + s))), el("th", null, t("rule_failed_units")));
    return el("section", { className: "panel", id: "rules" }, el("h2", null, t("rules")),
      el("div", { className: "table-wrap" }, el("table", { className: "rules-table", id: "rules-table" }, el("thead", null, head), el("tbody", null, rows))));
  }

  function renderProblems() {
    const box = el("section", { className: "panel", id: "problems" }, el("h2", null, t("problems")));
    if (!D.problems.length) return box.appendChild(el("p", { className: "muted" }, t("problems_none"))), box;
    box.append(el("table", null,
      el("thead", null, el("tr", null, ["row", "unit", "year", "problem"].map((k) => el("th", null, t(k))))),
      el("tbody", null, D.problems.map((p) => el("tr", null, el("td", { className: "num" }, num(p.row)),
        el("td", null, p.unit || ""), el("td", null, num(p.year)), el("td", null, p.message))))));
    return box;
  }

  /* ---------------- unit detail ---------------- */
  function openDetail(i) {
    const e = ENTRIES[i];
    const aside = document.getElementById("detail");
    const dl = el("dl", null);
    const item = (k, v) => { if (v !== null && v !== undefined && v !== "") dl.append(el("dt", null, k), el("dd", null, v)); };
    item(t("parent"), e.parent);
    item(t("code"), e.code);
    item(t("kind"), kindText(e.kind));
    item(t("year"), e.year);
    item(t("profile"), e.profile ? `${e.profile}${e.profileReason ? "（" + e.profileReason + "）" : ""}` : null);
    item(t("detail_processing"), t("status." + e.status));
    item(t("detail_rule_pass_rate"), e.rate === null ? null : pct(e.rate));
    item(t("detail_file"), e.href ? el("a", { href: e.href }, e.path) : e.path);
    if (e.fetch) {
      item(t("fetch_status"), [e.fetch.status, e.fetch.error].filter((x) => x !== null && x !== undefined).join(" "));
      if (e.fetch.finalUrl && e.fetch.finalUrl !== e.path) item(t("fetch_final"), e.fetch.finalUrl);
      item(t("fetch_modified"), e.fetch.lastModified);
    }
    item(t("row"), e.row);
    item(t("detail_error"), e.error);
    item(t("findings"), el("span", null, SEV.map((s) => [sevBadge(s), ` ${e.counts[s]}  `])));

    const groups = new Map();
    for (const f of e.findings) { if (!groups.has(f.rule)) groups.set(f.rule, []); groups.get(f.rule).push(f); }
    /* worst severity first, then rule id: errors are what the officer must act on */
    const rank = (fs) => Math.min(...fs.map((f) => SEV.indexOf(f.sev)));
    const ordered = [...groups].sort((a, b) => rank(a[1]) - rank(b[1]) || (a[0] < b[0] ? -1 : 1));
    const findingsBox = el("div", { id: "detail-findings" }, el("h3", null, t("detail_findings")));
    if (!groups.size) findingsBox.append(el("p", { className: "muted" }, t("detail_none")));
    for (const [rule, fs] of ordered) {
      const worst = SEV.find((s) => fs.some((f) => f.sev === s));
      findingsBox.append(el("details", { className: "rule-group", open: fs.length <= 5, "data-rule": rule },
        el("summary", null, sevBadge(worst), el("b", null, rule), el("span", { className: "title" }, ruleLabel(rule)),
          el("span", { className: "muted" }, t("detail_count", { n: fs.length }))),
        fs.map(renderFinding)));
    }
    const reasonList = (title, ids) => ids.length ? el("div", null, el("h3", null, title),
      el("ul", { className: "reason-list" }, ids.map((id) => el("li", null, el("b", null, id), " ", ruleLabel(id),
        e.reasons[id] ? el("div", { className: "muted" }, e.reasons[id]) : null)))) : null;

    aside.replaceChildren(
      el("div", { className: "detail-head" }, el("h2", { id: "detail-title" }, `${e.unit}${e.year ? " · " + e.year : ""}`),
        verdictBadge(e.verdict), el("button", { className: "btn", id: "detail-close", type: "button", onclick: closeDetail }, t("detail_close") + " ✕")),
      dl, findingsBox, reasonList(t("detail_review"), e.review), reasonList(t("detail_rule_error"), e.crashed));
    aside.dataset.index = i;
    aside.hidden = false;
    document.getElementById("backdrop").hidden = false;
    aside.scrollTop = 0;
  }

  function renderFinding(f) {
    const line = (k, v) => (v ? el("div", { className: "row" }, el("span", { className: "k" }, k), el("span", null, v)) : null);
    const where = [f.section, f.line ? t("line_col", { line: f.line }) : null].filter(Boolean).join(" · ");
    return el("div", { className: "finding s-" + f.sev },
      el("div", { className: "msg" }, sevBadge(f.sev), " ", f.msg),
      line(t("basis"), f.basis), line(t("suggestion"), f.sugg), line(t("location"), where),
      f.snippet ? el("blockquote", { className: "snippet", title: t("snippet") }, f.snippet) : null);
  }

  function closeDetail() {
    document.getElementById("detail").hidden = true;
    document.getElementById("backdrop").hidden = true;
  }

  /* ---------------- boot ---------------- */
  renderHeader();
  document.getElementById("app").append(renderOverview(), renderUnits(), renderRules(), renderProblems());
  document.getElementById("backdrop").addEventListener("click", closeDetail);
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") closeDetail(); });
  refresh();
  document.documentElement.dataset.ready = "1";
})();
