"""The example clients against a running server, and the CLI commands through CliRunner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from oschelpers import Running

from oscserver.cli import main
from oscserver.server.protocol import render_markdown

ROOT = Path(__file__).resolve().parents[2]


def run_example(name: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_client_example_prints_the_done_reply(fake_server: Running) -> None:
    out = run_example("client.py", "--port", str(fake_server.port), "--seed", "7", "--cls", "hat")
    words = out.split()
    assert words[:3] == ["/drum/done", "/drum/seed", "1"]
    assert Path(words[3]).is_file()


def test_sensor_example_is_coalesced(fake_server: Running) -> None:
    out = run_example("sensor.py", "--port", str(fake_server.port), "--seconds", "1")
    assert "/drum/status" in out
    sent, rendered = (int(x.strip(",")) for x in out.split("sent ")[-1].split()[0::2][:2])
    assert sent >= 100 and 1 <= rendered <= sent


def test_protocol_command_prints_the_page() -> None:
    result = CliRunner().invoke(main, ["protocol"])
    assert result.exit_code == 0
    assert result.output == render_markdown()


def test_serve_help_names_every_option_and_its_variable() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--model", "--out", "--format", "--sr", "--queue"):
        assert option in result.output


def test_serve_with_a_missing_model_says_so_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["serve", "--model", str(tmp_path / "nope"), "--port", "0", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: no model at")
