// Small behaviours shared by every page: confirmations before deleting,
// copy buttons, and votes in the gallery. Pages work without it.
"use strict";

document.addEventListener("submit", (ev) => {
  const form = ev.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) ev.preventDefault();
});

document.addEventListener("click", async (ev) => {
  const copy = ev.target.closest("[data-copy]");
  if (copy) {
    const el = document.querySelector(copy.dataset.copy);
    if (el && navigator.clipboard) {
      await navigator.clipboard.writeText(el.textContent.trim());
      copy.textContent = "Copied";
    }
    return;
  }
  const vote = ev.target.closest("button[data-vote]");
  if (!vote) return;
  ev.preventDefault();
  const up = vote.getAttribute("aria-pressed") !== "true";
  vote.disabled = true;
  try {
    const res = await fetch("/api/v1/designs/" + encodeURIComponent(vote.dataset.vote) + "/vote", {
      method: up ? "PUT" : "DELETE",
      headers: { Accept: "application/json" },
    });
    if (res.status === 401) {
      location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      return;
    }
    if (!res.ok) throw new Error("vote failed: " + res.status);
    const body = await res.json();
    vote.setAttribute("aria-pressed", body.voted ? "true" : "false");
    vote.querySelector(".votes").textContent = body.votes;
  } catch (err) {
    vote.title = "Your vote could not be counted; try again.";
  } finally {
    vote.disabled = false;
  }
});
