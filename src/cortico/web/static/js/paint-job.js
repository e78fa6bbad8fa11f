// The job page: live progress while the job runs, a lightbox for the gallery.
(function () {
  "use strict";
  // the job record's numeric progress: `done` of `total` units of `step`
  const STEP_LABELS = { image: "Image", movie: "Movie frame", panel: "Panel" };
  const box = document.getElementById("progress-box");
  if (box) {
    const bar = document.getElementById("bar");
    const text = document.getElementById("progress-text");
    const detail = document.getElementById("progress-detail");
    const meter = box.querySelector("[role=progressbar]");
    let failures = 0;
    async function poll() {
      try {
        const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
        if (!response.ok) throw new Error("HTTP " + response.status);
        const status = await response.json();
        failures = 0;
        const percent = Math.round(status.progress * 1000) / 10;
        bar.style.width = percent + "%";
        meter.setAttribute("aria-valuenow", String(Math.round(percent)));
        const label = STEP_LABELS[status.step];
        if (status.state === "running" && status.step === "zip") {
          text.textContent = "Packing the zip file…";
        } else if (status.state === "running" && label && status.total) {
          text.textContent = label + " " + status.done + " of " + status.total;
        } else if (status.state === "queued") {
          text.textContent = "Waiting for a free worker…";
        } else {
          text.textContent = status.message;
        }
        detail.textContent = status.message;
        if (status.finished) { window.location.reload(); return; }
      } catch (error) {
        failures += 1;
        detail.textContent = "Cannot reach the server (" + error.message + "); retrying…";
      }
      setTimeout(poll, failures ? Math.min(10000, 1000 * failures) : 700);
    }
    setTimeout(poll, 400);
  }

  const lightbox = document.getElementById("lightbox");
  if (lightbox) {
    const image = document.getElementById("lightbox-img");
    const caption = document.getElementById("lightbox-caption");
    const download = document.getElementById("lightbox-download");
    const counter = document.getElementById("lightbox-counter");
    const links = Array.from(document.querySelectorAll("a.zoom"));
    let current = -1;
    function show(index) {
      current = (index + links.length) % links.length;
      const link = links[current];
      image.src = link.href;
      image.alt = link.dataset.caption;
      caption.textContent = link.dataset.caption;
      download.href = link.dataset.download;
      counter.textContent = (current + 1) + " / " + links.length;
      lightbox.hidden = false;
    }
    function close() { lightbox.hidden = true; image.removeAttribute("src"); current = -1; }
    links.forEach((link, index) => link.addEventListener("click", (event) => {
      event.preventDefault();
      show(index);
    }));
    document.getElementById("lightbox-close").addEventListener("click", close);
    document.getElementById("lightbox-prev").addEventListener("click", () => show(current - 1));
    document.getElementById("lightbox-next").addEventListener("click", () => show(current + 1));
    lightbox.addEventListener("click", (event) => { if (event.target === lightbox) close(); });
    document.addEventListener("keydown", (event) => {
      if (lightbox.hidden) return;
      if (event.key === "Escape") close();
      else if (event.key === "ArrowLeft") show(current - 1);
      else if (event.key === "ArrowRight") show(current + 1);
    });
  }
})();
