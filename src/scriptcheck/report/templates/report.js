// scriptcheck report page: filters, paging, transcript view, reviewers' verdicts.
// Plain DOM, no library, no network: everything it needs is in #report-data.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var T = D.transcripts, RULES = D.rules, INFO = D.rule_info, STEPS = D.steps, AGENTS = D.agents;
  var PAGE = 50;
  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) { if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, attrs[k]); }
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  };
  var ruleIndex = {}; RULES.forEach(function (r, i) { ruleIndex[r] = i; });

  // -- verdicts (localStorage; keyed by the report's inputs so two reports do not mix) --------
  var STORE = "scriptcheck:verdicts:" + (D.sources || []).join("|");
  var verdicts = {};
  try { verdicts = JSON.parse(localStorage.getItem(STORE) || "{}") || {}; } catch (e) { verdicts = {}; }
  function saveVerdicts() {
    try { localStorage.setItem(STORE, JSON.stringify(verdicts)); } catch (e) { /* private mode: keep in memory */ }
    var n = Object.keys(verdicts).length;
    $("verdict-count").textContent = n + " 条审核 verdicts";
  }
  var reviewer = $("reviewer");
  try { reviewer.value = localStorage.getItem("scriptcheck:reviewer") || ""; } catch (e) {}
  reviewer.addEventListener("change", function () {
    try { localStorage.setItem("scriptcheck:reviewer", reviewer.value); } catch (e) {}
  });
  function vkey(id, f) { return [id, f[1], RULES[f[0]], f[2], f[3]].join("\u0001"); }
  $("export").addEventListener("click", function () {
    var lines = Object.keys(verdicts).sort().map(function (k) { return JSON.stringify(verdicts[k]); });
    var blob = new Blob([lines.join("\n") + (lines.length ? "\n" : "")], { type: "application/x-ndjson" });
    var a = el("a", { href: URL.createObjectURL(blob), download: "verdicts.jsonl" });
    document.body.appendChild(a); a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  });
  saveVerdicts();

  // -- filters ---------------------------------------------------------------------------
  var fRule = $("f-rule"), fAgent = $("f-agent"), fStatus = $("f-status"), fMin = $("f-min"), fMax = $("f-max"),
      fSearch = $("f-search");
  RULES.forEach(function (r, i) {
    var info = INFO[r] || {};
    fRule.appendChild(el("option", { value: String(i) }, r + (info.message ? " " + info.message : "")));
  });
  if (fAgent) AGENTS.forEach(function (a, i) { fAgent.appendChild(el("option", { value: String(i) }, a)); });
  var shown = [], page = 0;
  function apply() {
    var r = fRule.value === "" ? -1 : +fRule.value, ag = fAgent && fAgent.value !== "" ? +fAgent.value : -2;
    var lo = fMin.value === "" ? -Infinity : +fMin.value, hi = fMax.value === "" ? Infinity : +fMax.value;
    var st = fStatus.value, q = fSearch.value.trim().toLowerCase();
    shown = [];
    for (var i = 0; i < T.length; i++) {
      var t = T[i];
      if (t[1] < lo || t[1] > hi) continue;
      if (st === "passed" && !t[2]) continue;
      if (st === "failed" && t[2]) continue;
      if (st === "vetoed" && !t[3]) continue;
      if (ag !== -2 && t[4] !== ag) continue;
      if (q && t[0].toLowerCase().indexOf(q) < 0) continue;
      if (r >= 0) { var hit = false; for (var j = 0; j < t[6].length; j++) { if (t[6][j][0] === r) { hit = true; break; } } if (!hit) continue; }
      shown.push(i);
    }
    page = 0;
    document.querySelectorAll("#rules-table tbody tr").forEach(function (tr) {
      tr.classList.toggle("selected", r >= 0 && tr.getAttribute("data-rule") === RULES[r]);
    });
    drawList();
  }
  [fRule, fAgent, fStatus].forEach(function (s) { if (s) s.addEventListener("change", apply); });
  [fMin, fMax, fSearch].forEach(function (s) { s.addEventListener("input", apply); });
  $("f-reset").addEventListener("click", function () {
    fRule.value = ""; if (fAgent) fAgent.value = ""; fStatus.value = ""; fMin.value = ""; fMax.value = ""; fSearch.value = "";
    apply();
  });
  function filterRule(code) {
    fRule.value = String(ruleIndex[code]); apply();
    $("transcripts").scrollIntoView(); fRule.focus();
  }
  document.querySelectorAll(".rule-filter").forEach(function (b) {
    b.addEventListener("click", function () { filterRule(b.getAttribute("data-rule")); });
  });
  document.querySelectorAll(".agent-filter").forEach(function (b) {
    b.addEventListener("click", function () {
      if (!fAgent) return;
      fAgent.value = String(AGENTS.indexOf(b.getAttribute("data-agent"))); apply();
      $("transcripts").scrollIntoView(); fAgent.focus();
    });
  });
  document.querySelectorAll(".hist .bin").forEach(function (g) {
    g.setAttribute("tabindex", "0"); g.setAttribute("role", "button");
    g.setAttribute("aria-label", "分数 score " + g.getAttribute("data-lo") + "–" + g.getAttribute("data-hi"));
    function pick() {
      var lo = +g.getAttribute("data-lo"), hi = +g.getAttribute("data-hi");
      fMin.value = lo; fMax.value = hi === 100 ? 100 : hi - 0.01; apply(); $("transcripts").scrollIntoView();
    }
    g.addEventListener("click", pick);
    g.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(); } });
  });

  // -- the paged list ----------------------------------------------------------------------
  function drawList() {
    var body = document.querySelector("#list tbody"), frag = document.createDocumentFragment();
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    if (page >= pages) page = pages - 1;
    shown.slice(page * PAGE, page * PAGE + PAGE).forEach(function (i) {
      var t = T[i], tr = el("tr", { "data-index": String(i) });
      var td = el("td"), b = el("button", { type: "button", "class": "open", "aria-label": "打开会话 open " + t[0] }, t[0]);
      b.addEventListener("click", function () { openDetail(i, b); });
      td.appendChild(b); tr.appendChild(td);
      tr.appendChild(el("td", { "class": "num" }, String(t[1])));
      tr.appendChild(el("td", { "class": t[2] ? "pass" : "fail" }, t[3] ? "否决 vetoed" : (t[2] ? "通过 passed" : "未通过 failed")));
      if (fAgent) tr.appendChild(el("td", null, t[4] >= 0 ? AGENTS[t[4]] : ""));
      var codes = {}; t[6].forEach(function (f) { codes[RULES[f[0]]] = (codes[RULES[f[0]]] || 0) + 1; });
      tr.appendChild(el("td", null, Object.keys(codes).map(function (c) { return codes[c] > 1 ? c + "×" + codes[c] : c; }).join(", ")));
      frag.appendChild(tr);
    });
    body.replaceChildren(frag);
    $("match-count").textContent = "显示 " + shown.length + " / " + T.length + " 个会话 transcripts match";
    $("page-info").textContent = "第 " + (page + 1) + " / " + pages + " 页 page";
    $("prev").disabled = page === 0; $("next").disabled = page >= pages - 1;
  }
  $("prev").addEventListener("click", function () { if (page > 0) { page--; drawList(); } });
  $("next").addEventListener("click", function () { page++; drawList(); });

  // -- the transcript view -----------------------------------------------------------------
  var opener = null;
  function highlighted(text, spans) {
    // spans: [start, end, kind, label, findingNo]; overlapping spans split at every boundary.
    var cuts = [0, text.length];
    spans.forEach(function (s) { cuts.push(Math.max(0, Math.min(text.length, s[0])), Math.max(0, Math.min(text.length, s[1]))); });
    cuts = cuts.filter(function (v, k, a) { return a.indexOf(v) === k; }).sort(function (a, b) { return a - b; });
    var frag = document.createDocumentFragment();
    for (var k = 0; k + 1 < cuts.length; k++) {
      var a = cuts[k], b = cuts[k + 1], piece = text.slice(a, b);
      var over = spans.filter(function (s) { return s[0] <= a && s[1] >= b; });
      var f = over.filter(function (s) { return s[2] === "f"; });
      if (f.length) {
        var m = el("mark", { "class": "f", title: f.map(function (s) { return s[3]; }).join("; "),
                             "data-finding": f.map(function (s) { return s[4]; }).join(" ") }, piece);
        // The highlight leads to its finding (and the review buttons) below.
        m.addEventListener("click", function (e) {
          var card = $("finding-" + e.currentTarget.getAttribute("data-finding").split(" ")[0]);
          if (card) { card.scrollIntoView({ block: "center" }); card.querySelector("button").focus(); }
        });
        frag.appendChild(m);
      } else if (over.length) frag.appendChild(el("mark", { "class": "s", title: over[0][3] }, piece));
      else frag.appendChild(document.createTextNode(piece));
    }
    return frag;
  }
  function openDetail(i, from) {
    opener = from || null;
    var t = T[i], body = $("detail-body"), frag = document.createDocumentFragment();
    $("h-detail").textContent = "会话 Transcript " + t[0];
    var meta = el("p");
    meta.appendChild(el("strong", { "class": t[2] ? "pass" : "fail" }, (t[2] ? "通过 passed" : "未通过 failed") + (t[3] ? " · 一票否决 vetoed" : "")));
    meta.appendChild(document.createTextNode(" 分数 score " + t[1] + (t[4] >= 0 ? " · 坐席 agent " + AGENTS[t[4]] : "") +
      " · " + D.dims.map(function (d, k) { return d + " " + (t[5][k] === null ? "–" : t[5][k]); }).join(" · ")));
    frag.appendChild(meta);
    // steps
    if (t[7].length) {
      frag.appendChild(el("h3", null, "流程步骤 Steps"));
      var ul = el("ul", { "class": "steps-list" });
      t[7].forEach(function (s) {
        ul.appendChild(el("li", { "class": s[1] ? "ok" : "miss" },
          (s[1] ? "✓ " : "✗ ") + STEPS[s[0]] + (s[1] && s[2] !== null ? " (第 " + (s[2] + 1) + " 轮 turn)" : " 缺失 missing")));
      });
      frag.appendChild(ul);
    }
    // conversation
    if (t[9]) {
      frag.appendChild(el("h3", null, "对话 Conversation"));
      var ol = el("ol", { "class": "convo" });
      t[9].forEach(function (turn, n) {
        var spans = [];
        t[6].forEach(function (f, k) {
          if (f[1] === n && f[2] !== null) spans.push([f[2], f[3], "f", RULES[f[0]] + " " + ((f[5] !== undefined ? f[5] : (INFO[RULES[f[0]]] || {}).message) || ""), k]);
        });
        t[7].forEach(function (s) { if (s[1] && s[2] === n && s[3] !== null) spans.push([s[3], s[4], "s", "✓ " + STEPS[s[0]]]); });
        var li = el("li", { "class": "turn " + (turn[0] === 0 ? "agent" : "customer") });
        li.appendChild(el("span", { "class": "who" }, (n + 1) + " · " + (turn[0] === 0 ? "客服 agent" : "客户 customer")));
        li.appendChild(highlighted(turn[1], spans));
        ol.appendChild(li);
      });
      frag.appendChild(ol);
    } else {
      frag.appendChild(el("p", { "class": "hint" }, "报告未附对话；用 --transcripts 显示全文 (no transcripts given: run report with --transcripts to show the conversation)"));
    }
    // findings with review controls
    frag.appendChild(el("h3", null, "发现 Findings (" + t[6].length + ")"));
    var fl = el("ol", { "class": "findings" });
    t[6].forEach(function (f, k) { fl.appendChild(findingItem(t, f, k)); });
    frag.appendChild(fl);
    // deductions
    if (t[8].length) {
      frag.appendChild(el("h3", null, "扣分 Deductions"));
      var dt = el("table"), hb = el("tbody");
      var hr = el("tr"); ["规则 Rule", "维度 Dimension", "扣分 Points", "次数 Count"].forEach(function (h) { hr.appendChild(el("th", { scope: "col" }, h)); });
      var th = el("thead"); th.appendChild(hr); dt.appendChild(th);
      t[8].forEach(function (d) {
        var tr = el("tr");
        [RULES[d[0]], D.dims[d[1]], d[2], d[3]].forEach(function (v) { tr.appendChild(el("td", null, String(v))); });
        hb.appendChild(tr);
      });
      dt.appendChild(hb); frag.appendChild(dt);
    }
    body.replaceChildren(frag);
    var sec = $("detail"); sec.hidden = false; sec.scrollIntoView(); sec.focus();
  }
  function findingItem(t, f, k) {
    var code = RULES[f[0]], info = INFO[code] || {}, key = vkey(t[0], f);
    var message = f[5] !== undefined ? f[5] : info.message, suggestion = f[6] !== undefined ? f[6] : info.suggestion;
    var li = el("li", { "class": "finding", id: "finding-" + k, "data-rule": code });
    var head = el("div");
    head.appendChild(el("strong", null, code + " "));
    head.appendChild(el("span", { "class": "sev sev-" + info.severity }, info.severity || ""));
    head.appendChild(document.createTextNode(" " + (info.category || "") + (f[1] !== null ? " · 第 " + (f[1] + 1) + " 轮 turn" : "") + " "));
    if (f[4]) head.appendChild(el("q", null, f[4]));
    li.appendChild(head);
    li.appendChild(el("div", null, message || ""));
    if (suggestion) li.appendChild(el("div", { "class": "hint" }, "建议 Suggestion: " + suggestion));
    var box = el("div", { "class": "verdict", role: "group", "aria-label": "审核 review " + code });
    var ok = el("button", { type: "button", "class": "confirm", "aria-pressed": "false" }, "确认 Correct");
    var bad = el("button", { type: "button", "class": "false-alarm", "aria-pressed": "false" }, "误报 False alarm");
    var noteId = "note-" + k;
    var label = el("label", { "for": noteId, "class": "hint" }, "备注 Note");
    var note = el("input", { type: "text", id: noteId, autocomplete: "off" });
    function show() {
      var v = verdicts[key];
      ok.setAttribute("aria-pressed", String(!!v && v.verdict === "confirmed"));
      bad.setAttribute("aria-pressed", String(!!v && v.verdict === "false_alarm"));
      li.className = "finding" + (v ? " v-" + v.verdict : "");
      note.value = v ? v.note : note.value;
    }
    function mark(verdict) {
      var cur = verdicts[key];
      if (cur && cur.verdict === verdict) { delete verdicts[key]; }  // pressing again takes it back
      else {
        var turnText = t[9] && f[1] !== null && t[9][f[1]] ? t[9][f[1]][1] : null;
        verdicts[key] = { id: t[0], turn: f[1], rule: code, start: f[2], end: f[3], text: f[4], verdict: verdict,
                          note: note.value, reviewer: reviewer.value, context: turnText };
      }
      saveVerdicts(); show();
    }
    ok.addEventListener("click", function () { mark("confirmed"); });
    bad.addEventListener("click", function () { mark("false_alarm"); });
    note.addEventListener("change", function () { if (verdicts[key]) { verdicts[key].note = note.value; saveVerdicts(); } });
    box.appendChild(ok); box.appendChild(bad); box.appendChild(label); box.appendChild(note);
    li.appendChild(box);
    show();
    return li;
  }
  function closeDetail() { $("detail").hidden = true; if (opener && document.contains(opener)) opener.focus(); }
  $("close-detail").addEventListener("click", closeDetail);
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && !$("detail").hidden) closeDetail(); });

  // -- sortable tables ---------------------------------------------------------------------
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th button[data-sort]").forEach(function (b) {
      b.addEventListener("click", function () {
        var th = b.parentNode, col = Array.prototype.indexOf.call(th.parentNode.children, th);
        var num = b.getAttribute("data-sort") === "num";
        var dir = th.getAttribute("aria-sort") === "descending" ? 1 : -1;  // numbers: largest first
        if (!num && !th.getAttribute("aria-sort")) dir = 1;
        table.querySelectorAll("th").forEach(function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var tbody = table.tBodies[0], rows = Array.prototype.slice.call(tbody.rows);
        rows.sort(function (x, y) {
          var a = x.cells[col].getAttribute("data-v"), c = y.cells[col].getAttribute("data-v");
          if (num) return dir * ((+a) - (+c));
          return dir * String(a).localeCompare(String(c));
        });
        rows.forEach(function (r) { tbody.appendChild(r); });
      });
    });
  });

  apply();
})();
