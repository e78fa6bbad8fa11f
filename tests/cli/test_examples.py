"""`cortico examples --if-missing` leaves a complete set alone (what `cortico serve` runs at each start)."""

import json

from click.testing import CliRunner

from cortico.cli import main


def test_if_missing_keeps_a_complete_set(tmp_path):
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "examples.json").write_text(json.dumps([{"file": "a.png", "caption": "c"}]))
    result = CliRunner().invoke(main, ["examples", "--if-missing", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "are there already" in result.output
    assert (tmp_path / "a.png").read_bytes() == b"\x89PNG\r\n\x1a\n"
