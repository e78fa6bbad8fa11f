// The painting form: drag & drop, colour stops, mode switches, colour preview strip.
(function () {
  "use strict";
  const form = document.getElementById("paint-form");
  if (!form) return;

  // Drag & drop onto the drop zone fills the file input.
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("table");
  const label = document.getElementById("drop-file");
  function showFile() {
    if (input.files.length) {
      const file = input.files[0];
      label.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " kB)";
      zone.classList.add("has-file");
    }
  }
  input.addEventListener("change", showFile);
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (event) => {
    event.preventDefault();
    zone.classList.add("over");
  }));
  ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, () => zone.classList.remove("over")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      showFile();
    }
  });

  // Colour stops: add and remove.
  const stops = document.getElementById("stops");
  const add = document.getElementById("add-stop");
  function stopInputs() { return Array.from(stops.querySelectorAll("input[type=color]")); }
  function bindRemove(button) {
    button.addEventListener("click", () => {
      if (stopInputs().length > 2) { button.parentElement.remove(); update(); }
    });
  }
  stops.querySelectorAll(".remove").forEach(bindRemove);
  add.addEventListener("click", () => {
    const inputs = stopInputs();
    const span = document.createElement("span");
    span.className = "stop";
    span.innerHTML = '<input type="color" name="colors"><button type="button" class="remove" title="Remove this colour">×</button>';
    span.querySelector("input").value = inputs.length ? inputs[inputs.length - 1].value : "#ff0000";
    stops.insertBefore(span, add);
    bindRemove(span.querySelector(".remove"));
    span.querySelector("input").addEventListener("input", update);
    update();
  });

  // Colour mode switches which controls show; the strip previews the colours.
  const strip = document.getElementById("strip");
  const cmap = document.getElementById("cmap");
  function mode() { return form.querySelector("input[name=color_mode]:checked").value; }
  function update() {
    const current = mode();
    form.querySelectorAll("[data-modes]").forEach((element) => {
      element.hidden = !element.dataset.modes.split(" ").includes(current);
    });
    if (current === "cmap") {
      const option = cmap.options[cmap.selectedIndex];
      strip.style.background = (option && option.dataset.gradient) || "#ddd";
    } else {
      // Both stop modes blend linearly between consecutive colours.
      const colors = stopInputs().map((element) => element.value);
      strip.style.background = "linear-gradient(to right, " + colors.join(", ") + ")";
    }
  }
  form.querySelectorAll("input[name=color_mode]").forEach((element) => element.addEventListener("change", update));
  stopInputs().forEach((element) => element.addEventListener("input", update));
  cmap.addEventListener("change", update);

  // Panel and movie options only when those are ticked.
  function toggles() {
    form.querySelectorAll("[data-needs]").forEach((element) => {
      element.hidden = !document.getElementById(element.dataset.needs).checked;
    });
  }
  ["panel", "movie"].forEach((id) => document.getElementById(id).addEventListener("change", toggles));

  // View cards highlight when ticked.
  form.querySelectorAll(".view input").forEach((box) => box.addEventListener("change", () => {
    box.parentElement.classList.toggle("checked", box.checked);
  }));

  form.addEventListener("submit", () => {
    const button = document.getElementById("paint-button");
    button.disabled = true;
    button.textContent = "Checking…";
  });
  window.addEventListener("pageshow", () => {
    const button = document.getElementById("paint-button");
    button.disabled = false;
    button.textContent = "Paint";
  });
  update();
  toggles();
})();
