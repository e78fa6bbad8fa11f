// Interactive 3D view of one painted row (three.js, vendored). Mesh format: cortico.paint.preview_mesh (cortico/paint/_mesh.py).
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";

const container = document.getElementById("viewer");
const status = document.getElementById("viewer-status");

function decode(buffer) {
  const headerLength = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headerLength)));
  let offset = 4 + headerLength;
  const positions = new Float32Array(buffer, offset, header.vertex_count * 3);
  offset += positions.byteLength;
  const indices = new Uint32Array(buffer, offset, header.index_count);
  offset += indices.byteLength;
  const colors = new Uint8Array(buffer, offset, header.vertex_count * 3);
  return { header, positions, indices, colors };
}

function partMesh(data, part, material) {
  const start = part.vertex_offset * 3;
  const end = start + part.vertex_count * 3;
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute("position", new THREE.BufferAttribute(data.positions.slice(start, end), 3));
  // Colours arrive as sRGB bytes; three.js shades in linear light.
  const srgb = data.colors.subarray(start, end);
  const linear = new Float32Array(srgb.length);
  for (let i = 0; i < srgb.length; i += 1) {
    const c = srgb[i] / 255;
    linear[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }
  geometry.setAttribute("color", new THREE.BufferAttribute(linear, 3));
  const local = data.indices.slice(part.index_offset, part.index_offset + part.index_count);
  for (let i = 0; i < local.length; i += 1) local[i] -= part.vertex_offset;
  geometry.setIndex(new THREE.BufferAttribute(local, 1));
  geometry.computeVertexNormals();
  const mesh = new THREE.Mesh(geometry, material);
  mesh.name = part.name;
  return mesh;
}

async function main() {
  let renderer;
  try {
    renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  } catch (error) {
    status.textContent = "This browser cannot show 3D graphics (WebGL is off or unavailable). The images are on the previous page.";
    return;
  }
  const response = await fetch(container.dataset.meshUrl);
  if (!response.ok) {
    status.textContent = "The painted brain could not be loaded (HTTP " + response.status + ").";
    return;
  }
  const data = decode(await response.arrayBuffer());
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0xffffff);
  // Brain coordinates are RAS millimetres: z is up.
  const low = new THREE.Vector3(...data.header.bounds[0]);
  const high = new THREE.Vector3(...data.header.bounds[1]);
  const center = low.clone().add(high).multiplyScalar(0.5);
  const radius = high.clone().sub(low).length() / 2;
  const camera = new THREE.PerspectiveCamera(30, 1, radius / 50, radius * 20);
  camera.up.set(0, 0, 1);
  const home = () => {
    camera.position.set(center.x - radius * 2.9, center.y, center.z + radius * 0.35);
    controls.target.copy(center);
    controls.update();
  };
  scene.add(new THREE.HemisphereLight(0xffffff, 0x404048, 1.6));
  const key = new THREE.DirectionalLight(0xffffff, 1.6);
  camera.add(key);
  key.position.set(-1, 1.5, 2);
  scene.add(camera);

  const cortexMaterial = new THREE.MeshStandardMaterial({ vertexColors: true, roughness: 0.75, metalness: 0,
    side: THREE.DoubleSide, transparent: true, opacity: 1, depthWrite: true });
  const deepMaterial = new THREE.MeshStandardMaterial({ vertexColors: true, roughness: 0.6, metalness: 0 });
  const subcortical = new THREE.Group();
  for (const part of data.header.parts) {
    if (part.kind === "cortex") scene.add(partMesh(data, part, cortexMaterial));
    else subcortical.add(partMesh(data, part, deepMaterial));
  }
  const hasCortex = data.header.parts.some((part) => part.kind === "cortex");
  subcortical.visible = !hasCortex;  // an atlas of structures only shows them at once
  document.getElementById("show-subcortical").checked = !hasCortex;
  scene.add(subcortical);

  container.appendChild(renderer.domElement);
  renderer.setPixelRatio(window.devicePixelRatio || 1);
  const controls = new OrbitControls(camera, renderer.domElement);
  controls.enableDamping = true;
  home();

  function resize() {
    const width = container.clientWidth;
    const height = container.clientHeight;
    renderer.setSize(width, height, false);
    camera.aspect = width / height;
    camera.updateProjectionMatrix();
  }
  window.addEventListener("resize", resize);
  resize();

  const opacity = document.getElementById("opacity");
  opacity.addEventListener("input", () => {
    cortexMaterial.opacity = Number(opacity.value) / 100;
    cortexMaterial.depthWrite = cortexMaterial.opacity > 0.99;
  });
  const showDeep = document.getElementById("show-subcortical");
  showDeep.addEventListener("change", () => {
    subcortical.visible = showDeep.checked;
    if (showDeep.checked && Number(opacity.value) > 40) {
      opacity.value = "25";
      opacity.dispatchEvent(new Event("input"));
    }
  });
  document.getElementById("reset-view").addEventListener("click", home);
  document.getElementById("row-select").addEventListener("change", (event) => { window.location = event.target.value; });

  status.remove();
  container.dataset.ready = "true";
  renderer.setAnimationLoop(() => {
    controls.update();
    renderer.render(scene, camera);
  });
}

main().catch((error) => { status.textContent = "3D view failed: " + error.message; });
