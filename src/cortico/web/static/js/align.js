// Cortical alignment pages: job progress polling and the NiiVue viewer.
(function () {
  "use strict";

  const box = document.getElementById("progress-box");
  if (box) {
    const bar = document.getElementById("bar");
    const text = document.getElementById("progress-text");
    const poll = async function () {
      try {
        const response = await fetch(box.dataset.statusUrl, {headers: {Accept: "application/json"}});
        if (response.ok) {
          const status = await response.json();
          bar.style.width = (100 * status.progress).toFixed(1) + "%";
          box.querySelector("[role=progressbar]").setAttribute("aria-valuenow", Math.round(100 * status.progress));
          text.textContent = status.state === "queued" ? "Waiting for a free worker…" : status.message;
          if (status.finished) {
            window.location.reload();
            return;
          }
        }
      } catch (error) {
        text.textContent = "Cannot reach the server; retrying…";
      }
      window.setTimeout(poll, 1000);
    };
    window.setTimeout(poll, 1000);
  }

  const layersData = document.getElementById("niivue-layers");
  if (layersData && window.niivue) {
    const layers = JSON.parse(layersData.textContent);
    const viewer = new window.niivue.Niivue({backColor: [1, 1, 1, 1], show3Dcrosshair: true, isColorbar: false});
    const types = {
      multiplanar: viewer.sliceTypeMultiplanar, axial: viewer.sliceTypeAxial, coronal: viewer.sliceTypeCoronal,
      sagittal: viewer.sliceTypeSagittal, render: viewer.sliceTypeRender,
    };
    viewer.attachToCanvas(document.getElementById("niivue")).then(function () {
      return viewer.loadVolumes(layers.map(function (layer) {
        return {url: layer.url, name: layer.name, colormap: layer.colormap, opacity: layer.opacity};
      }));
    }).then(function () {
      viewer.setSliceType(viewer.sliceTypeMultiplanar);
      document.getElementById("niivue").dataset.loaded = String(viewer.volumes.length);
    }).catch(function (error) {
      document.getElementById("niivue").dataset.error = String(error);
    });
    document.querySelectorAll("input.opacity").forEach(function (slider) {
      slider.addEventListener("input", function () {
        viewer.setOpacity(Number(slider.dataset.layer), Number(slider.value) / 100);
      });
    });
    document.getElementById("slice-type").addEventListener("change", function (event) {
      viewer.setSliceType(types[event.target.value]);
    });
  }
})();
