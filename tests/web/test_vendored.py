"""Vendored browser libraries are byte for byte their published npm releases (MANIFEST.json)."""

import hashlib
import json
from pathlib import Path

import cortico.web

VENDOR = Path(cortico.web.__file__).parent / "static" / "vendor"


def test_every_vendored_script_matches_its_published_release():
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text())["files"]
    shipped = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*") if p.suffix in {".js", ".css", ".png"}}
    assert shipped <= set(manifest), f"not in MANIFEST.json: {sorted(shipped - set(manifest))}"
    for name, entry in manifest.items():
        data = (VENDOR / name).read_bytes()
        assert len(data) == entry["bytes"], f"{name}: {len(data)} bytes, release has {entry['bytes']}"
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
