// "Use an example table": loads the demonstration table into the form's file input (also for /paint/#example).
(function () {
  "use strict";
  const button = document.getElementById("use-example");
  const input = document.getElementById("table");
  if (!button || !input) return;

  async function useExample() {
    button.disabled = true;
    try {
      const response = await fetch(button.dataset.url, { credentials: "same-origin" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const file = new File([await response.blob()], "cortico-example-dk-v2.csv", { type: "text/csv" });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      input.files = transfer.files;
      input.dispatchEvent(new Event("change"));
      const atlas = document.getElementById("atlas");
      if (atlas) atlas.value = button.dataset.atlas;
    } catch (error) {
      document.getElementById("drop-file").textContent = "The example table could not be loaded (" + error.message + ").";
    } finally {
      button.disabled = false;
    }
  }
  button.addEventListener("click", useExample);
  if (window.location.hash === "#example") useExample();
})();
