// The configurator page's live behaviour. The server renders the page for
// the starting selection; this script keeps the selection, asks the JSON
// API for the new state after every click and updates the level states,
// the reasons, price, specs, delivery estimate and picture in place.
"use strict";

(() => {
  const root = document.getElementById("configurator");
  if (!root) return;
  const cfg = JSON.parse(root.dataset.config);
  const modelID = cfg.model_id;
  const api = "/api/v1";
  const $ = (id) => document.getElementById(id);

  // Labels by name, from the report, for the sentences the page writes.
  const attrLabel = {}, levelLabel = {};
  for (const a of cfg.report.attributes) {
    attrLabel[a.name] = a.label;
    levelLabel[a.name] = {};
    for (const l of a.levels) levelLabel[a.name][l.name] = l.label.split(",")[0];
  }

  let selection = {};
  for (const c of cfg.report.selection) selection[c.attribute] = c.level;
  let design = cfg.design; // the user's own design this page edits, or null
  let report = cfg.report;
  let seq = 0; // answers to older requests are dropped

  // money writes minor units as the server does: "€1,249.00".
  function money(minor) {
    const d = cfg.money.decimals, neg = minor < 0;
    minor = Math.abs(minor);
    const scale = 10 ** d;
    const whole = Math.floor(minor / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    let s = (neg ? "-" : "") + cfg.money.symbol + whole;
    if (d > 0) s += "." + String(minor % scale).padStart(d, "0");
    return s;
  }

  function choice(c) { return attrLabel[c.attribute] + ": " + ((levelLabel[c.attribute] || {})[c.level] || c.level); }

  function rulesText(rules) {
    return (rules || []).map((r) => r.kind + " '" + (r.label || r.name) + "'").join(", ");
  }

  // reasonText says why a level is excluded, as the server does.
  function reasonText(x) {
    if (!report.consistent) return "Resolve the clash between your choices first.";
    if (!x) return "Not possible with your current choices.";
    let s = x.because.length ? "Not with " + x.because.map(choice).join(" and ") : "Not available in any phone of this model";
    const r = rulesText(x.rules);
    if (r) s += " — " + r;
    if (!x.repairable) s += ". No change to your other choices makes it possible.";
    return s;
  }

  function repairText(x) {
    if (!x || !x.repairable || !x.repair.length) return "";
    return "Change " + x.repair.map((c) => attrLabel[c.attribute] + " to " + ((levelLabel[c.attribute] || {})[c.to] || c.to)).join(" and ");
  }

  function levelState(attr, level) {
    const a = report.attributes.find((x) => x.name === attr);
    return a && a.levels.find((l) => l.name === level);
  }

  function query() {
    const p = new URLSearchParams();
    for (const k of Object.keys(selection).sort()) p.set(k, selection[k]);
    return p;
  }

  // ---- Reason popover -------------------------------------------------
  const reason = $("reason"), reasonTextEl = $("reason-text"), repair = $("repair");
  let reasonFor = null, pinned = false;

  function showReason(btn, pin) {
    const ls = levelState(btn.dataset.attr, btn.dataset.level);
    const x = ls && ls.explanation;
    reasonFor = btn;
    pinned = pin;
    reasonTextEl.textContent = reasonText(x);
    const fix = report.consistent ? repairText(x) : "";
    repair.hidden = !fix;
    repair.textContent = fix;
    reason.hidden = false;
    // Below the button, inside the page, on wide screens; a bottom sheet
    // on phones (by the stylesheet).
    const r = btn.getBoundingClientRect(), box = root.getBoundingClientRect();
    reason.style.left = Math.max(0, Math.min(r.left - box.left, box.width - 420)) + "px";
    reason.style.top = (r.bottom - box.top + 6) + "px";
  }

  function hideReason() {
    reason.hidden = true;
    reasonFor = null;
    pinned = false;
  }

  repair.addEventListener("click", () => {
    if (!reasonFor) return;
    const ls = levelState(reasonFor.dataset.attr, reasonFor.dataset.level);
    const x = ls && ls.explanation;
    if (!x) return;
    for (const c of x.repair) selection[c.attribute] = c.to;
    selection[reasonFor.dataset.attr] = reasonFor.dataset.level;
    hideReason();
    update();
  });
  $("reason-close").addEventListener("click", hideReason);
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") hideReason(); });
  document.addEventListener("click", (ev) => {
    if (!reason.hidden && !reason.contains(ev.target) && !ev.target.closest(".level")) hideReason();
  });

  // ---- Options ----------------------------------------------------------
  const form = $("options");
  form.addEventListener("click", (ev) => {
    const clear = ev.target.closest("button[data-clear]");
    if (clear) {
      ev.preventDefault();
      delete selection[clear.dataset.clear];
      hideReason();
      update();
      return;
    }
    const btn = ev.target.closest("button.level");
    if (!btn) return;
    ev.preventDefault();
    if (btn.dataset.state === "excluded") {
      showReason(btn, true);
      return;
    }
    hideReason();
    selection[btn.dataset.attr] = btn.dataset.level;
    update();
  });
  form.addEventListener("mouseover", (ev) => {
    const btn = ev.target.closest("button.level");
    if (!btn || btn === reasonFor) return;
    if (btn.dataset.state === "excluded") showReason(btn, false);
    else if (!pinned) hideReason();
  });
  form.addEventListener("submit", (ev) => ev.preventDefault());

  // Groups start folded on a phone, except the first, so the page is short.
  if (window.matchMedia("(max-width: 900px)").matches) {
    document.querySelectorAll("details.group").forEach((d, i) => { if (i > 0) d.open = false; });
  }

  // ---- Applying a report --------------------------------------------------
  function applyReport(rep) {
    report = rep;
    selection = {};
    for (const c of rep.selection) selection[c.attribute] = c.level;
    for (const a of rep.attributes) {
      const fs = document.getElementById("attr-" + a.name);
      if (!fs) continue;
      fs.querySelector("[data-chosen]").textContent = a.selected ? levelLabel[a.name][a.selected] : "";
      fs.querySelector("[data-clear]").hidden = !a.selected;
      const hidden = fs.querySelector("input[type=hidden]");
      if (hidden) hidden.remove(); // the script owns the selection now
      for (const l of a.levels) {
        const btn = fs.querySelector('button.level[data-level="' + CSS.escape(l.name) + '"]');
        if (!btn) continue;
        btn.dataset.state = l.state;
        btn.setAttribute("aria-pressed", l.state === "selected" ? "true" : "false");
        if (l.state === "excluded") {
          const text = reasonText(l.explanation);
          btn.dataset.reason = text;
          btn.title = text;
          const fix = rep.consistent ? repairText(l.explanation) : "";
          if (fix) btn.dataset.repair = fix; else delete btn.dataset.repair;
        } else {
          delete btn.dataset.reason;
          delete btn.dataset.repair;
          btn.removeAttribute("title");
        }
      }
    }
    const conflict = $("conflict");
    if (rep.conflict) {
      conflict.textContent = "These choices cannot go together: " + rep.conflict.choices.map(choice).join(", ") +
        (rep.conflict.rules.length ? " — " + rulesText(rep.conflict.rules) : "") + ". Change one of them.";
      conflict.hidden = false;
    } else {
      conflict.hidden = true;
    }
    $("count").textContent = rep.count + " possible phones match your choices";
  }

  function applyPrice(p) {
    const complete = p.complete;
    $("price").textContent = p.price == null ? "—" : money(p.price);
    $("price-prefix").hidden = complete;
    const totals = p.totals || report.rollup.totals;
    if (cfg.lead_time && totals.lead_time != null) {
      $("delivery").textContent = "Delivery estimate: from " + totals.lead_time + " days, confirmed when pre-sale opens";
    }
    for (const s of cfg.specs || []) {
      const dd = document.querySelector('#specs [data-spec="' + CSS.escape(s.property || s.attribute) + '"] dd');
      if (!dd) continue;
      if (s.property) {
        const v = totals[s.property];
        if (v != null) dd.textContent = (Math.round(v * 100) / 100) + (s.unit ? " " + s.unit : "");
      } else if (selection[s.attribute]) {
        dd.textContent = levelLabel[s.attribute][selection[s.attribute]];
      } else if (complete === false) {
        dd.textContent = "not chosen";
      }
    }
    $("specs-note").hidden = complete;
  }

  function updatePicture() {
    const pic = $("picture");
    const q = query().toString();
    const src = cfg.picture + (q ? "?" + q : "");
    if (pic.getAttribute("src") === src) return;
    pic.classList.add("loading");
    const img = new Image();
    img.onload = img.onerror = () => { pic.src = src; pic.classList.remove("loading"); };
    img.src = src;
  }

  function remember() {
    const p = query();
    p.delete("model");
    const head = new URLSearchParams({ model: modelID });
    if (design) head.set("design", design.id);
    const q = head.toString() + (p.toString() ? "&" + p.toString() : "");
    history.replaceState(null, "", "/configure?" + q);
  }

  async function post(path, body) {
    const res = await fetch(api + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.detail || data.title || "The server answered " + res.status + ".");
    return data;
  }

  async function update() {
    const mine = ++seq;
    const sel = { ...selection };
    root.setAttribute("aria-busy", "true");
    updatePicture();
    remember();
    try {
      const [rep, price] = await Promise.all([
        post("/models/" + encodeURIComponent(modelID) + "/configure", { selection: sel, explain: true }),
        post("/models/" + encodeURIComponent(modelID) + "/price", { selection: sel }).catch(() => null),
      ]);
      if (mine !== seq) return;
      applyReport(rep);
      if (price) applyPrice(price);
      else applyPrice({ price: null, complete: false, totals: rep.rollup.totals });
      status("", "");
    } catch (err) {
      if (mine === seq) status(err.message, "error");
    } finally {
      if (mine === seq) root.removeAttribute("aria-busy");
    }
  }

  // ---- Saving -------------------------------------------------------------
  const saveName = $("save-name"), saveVis = $("save-visibility"), saveButton = $("save-button");
  const pendingKey = "tailor.pending-design";

  function status(text, kind) {
    const el = $("save-status");
    el.textContent = text;
    el.className = "small " + (kind || "");
  }

  function showShare(url) {
    const share = $("share"), link = $("share-link");
    if (!url) { share.hidden = true; return; }
    const abs = new URL(url, location.origin).href;
    link.href = abs;
    link.textContent = abs;
    share.hidden = false;
  }

  saveButton.addEventListener("click", async () => {
    const body = { model_id: modelID, name: saveName.value.trim(), selection: { ...selection }, visibility: saveVis.value };
    if (!body.name) {
      status("Give your design a name.", "error");
      saveName.focus();
      return;
    }
    if (!cfg.signed_in) {
      // Keep the design across signing in, so nothing is lost.
      sessionStorage.setItem(pendingKey, JSON.stringify(body));
      location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      return;
    }
    saveButton.disabled = true;
    status("Saving…", "");
    try {
      const res = await fetch(api + "/designs" + (design ? "/" + encodeURIComponent(design.id) : ""), {
        method: design ? "PUT" : "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      const data = await res.json().catch(() => ({}));
      if (res.status === 401) {
        sessionStorage.setItem(pendingKey, JSON.stringify(body));
        location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
        return;
      }
      if (!res.ok) throw new Error(data.detail || data.title || "The design could not be saved.");
      design = { id: data.id, name: data.name, visibility: data.visibility, share_url: data.share_url };
      saveButton.textContent = "Save changes";
      remember();
      showShare(body.visibility !== "private" ? data.share_url : "");
      status("Saved.", "ok");
    } catch (err) {
      status(err.message, "error");
    } finally {
      saveButton.disabled = false;
    }
  });
  if (design && design.share_url) showShare(design.share_url);

  // A design kept before signing in comes back once signed in.
  const pending = sessionStorage.getItem(pendingKey);
  if (pending) {
    try {
      const p = JSON.parse(pending);
      if (p.model_id === modelID && !design) {
        sessionStorage.removeItem(pendingKey);
        saveName.value = p.name || "";
        saveVis.value = p.visibility || "private";
        const same = JSON.stringify(Object.entries(p.selection).sort()) === JSON.stringify(Object.entries(selection).sort());
        if (!same) { selection = p.selection; update(); }
        if (cfg.signed_in) status("Welcome back: your design is here. Press Save to keep it.", "ok");
      }
    } catch (_) {
      sessionStorage.removeItem(pendingKey);
    }
  }

  // The server rendered the starting state; the script's texts take over.
  applyReport(report);
})();
