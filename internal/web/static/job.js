// A background job's page: asks the JSON API for the job every second
// until it ends, and updates the status, progress bar, note, error and
// result in place. The page shows the job as served without it.
"use strict";

(() => {
  const root = document.getElementById("job");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const url = "/api/v1/jobs/" + encodeURIComponent(root.dataset.job);
  const final = ["done", "failed", "cancelled"];

  // statusLabel says what the server's page says (web/jobs.go).
  function statusLabel(j) {
    if (j.status === "running" && j.cancel_requested) return "Cancelling…";
    return { queued: "Waiting to start", running: "Running", done: "Done", failed: "Failed", cancelled: "Cancelled" }[j.status] || j.status;
  }

  // when writes a time as the server's page does: "2 Jan 2006 15:04 UTC".
  function when(s) {
    if (!s) return "not yet";
    const d = new Date(s);
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const p = (n) => String(n).padStart(2, "0");
    return d.getUTCDate() + " " + months[d.getUTCMonth()] + " " + d.getUTCFullYear() + " " + p(d.getUTCHours()) + ":" + p(d.getUTCMinutes()) + " UTC";
  }

  function show(j) {
    root.dataset.status = j.status;
    $("job-status").textContent = statusLabel(j);
    $("job-started").textContent = when(j.started_at);
    $("job-finished").textContent = when(j.finished_at);
    const pct = Math.round(100 * j.progress) + "%";
    $("job-progress").value = j.progress;
    $("job-progress").textContent = pct;
    $("job-percent").textContent = pct;
    $("job-message").textContent = j.message || "";
    $("job-error").textContent = j.error || "";
    $("job-error").hidden = !j.error;
    if (j.output !== undefined) {
      $("job-output").textContent = JSON.stringify(j.output, null, 2);
      $("job-result").hidden = false;
    }
    $("job-cancel").hidden = final.includes(j.status);
    // A fit's results page, once it is done.
    if ($("job-results")) $("job-results").hidden = j.status !== "done";
  }

  async function poll() {
    try {
      const res = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (res.status === 401) {
        location.href = "/login?next=" + encodeURIComponent(location.pathname);
        return;
      }
      if (res.ok) {
        const j = await res.json();
        show(j);
        if (final.includes(j.status)) return;
      }
    } catch (err) {
      // A network hiccup: try again at the next tick.
    }
    setTimeout(poll, 1000);
  }

  if (!final.includes(root.dataset.status)) setTimeout(poll, 1000);
})();
