"""Progress bars appear on a terminal and never in pipes or logs, and on a terminal they never
garble the lines printed while they are drawn: the run's output is played into a terminal
emulator (pyte) of the size the process was told, and the screen is read back."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios

import pyte

COLUMNS, ROWS = 120, 30
EPOCH_LINE = re.compile(r"epoch +\d+ +step +\d+ +train loss \d+\.\d{4} +acc \d+\.\d\d% +val loss "
                        r"\d+\.\d{4} +acc \d+\.\d\d% +\d+\.\ds")
# digits, 41 batches an epoch: the bar is redrawn between every two epoch lines
ON_A_TERMINAL = ("train", "--dataset", "digits", "--model", "mlp", "--hidden-layer-sizes", "32",
                 "--epochs", "20", "--batch-size", "32", "--no-plots", "--out")


def run_on_terminal(args: list[str]) -> bytes:
    """Everything `python ARGS` wrote to a pseudo-terminal of COLUMNS x ROWS (stdout and
    stderr both, as a person sees them)."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    proc = subprocess.Popen([sys.executable, *args], stdin=child, stdout=child, stderr=child,
                            env=dict(os.environ, TERM="xterm"))
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(main)
    assert proc.wait() == 0, output.decode(errors="replace")[-2000:]
    return output


def screen_lines(output: bytes) -> list[str]:
    """The lines a person would find on the terminal afterwards: the scrollback, then the
    screen."""
    screen = pyte.HistoryScreen(COLUMNS, ROWS, history=10_000, ratio=0.5)
    pyte.ByteStream(screen).feed(output)
    scrolled = ["".join(line[x].data for x in range(COLUMNS)).rstrip()
                for line in screen.history.top]
    return [line for line in scrolled + [row.rstrip() for row in screen.display] if line]


def test_no_bar_in_pipes(tmp_path):
    args = [sys.executable, "-m", "lrnn", "train", "--dataset", "iris", "--model", "mlp",
            "--epochs", "30", "--no-plots", "--out", str(tmp_path / "a")]
    piped = subprocess.run(args, capture_output=True, text=True)
    assert piped.returncode == 0 and piped.stderr == ""
    assert "step/s" not in piped.stdout and "\r" not in piped.stdout


def test_lines_and_bar_never_interleave_on_a_terminal(tmp_path):
    output = run_on_terminal(["-m", "lrnn", *ON_A_TERMINAL, str(tmp_path / "run")])
    assert output.count(b"training:") > 20  # the bar was drawn, and redrawn, on the terminal
    lines = screen_lines(output)
    epochs = [line for line in lines if "train loss" in line]
    # every epoch line whole, from its first column, once: no bar fragment before it or in it
    assert len(epochs) == 20 and all(EPOCH_LINE.fullmatch(line) for line in epochs), epochs
    assert [int(line.split()[1]) for line in epochs] == list(range(1, 21))
    # no frozen bar left anywhere, and the closing lines as they are in a log
    assert not [line for line in lines if "training" in line or "step/s" in line], lines
    assert re.fullmatch(r"test accuracy \d+\.\d\d%  loss \d\.\d{4}", lines[lines.index(
        epochs[-1]) + 1]), lines
    assert f"saved {tmp_path / 'run'}" in lines


def test_python_warnings_go_above_the_bar_too(tmp_path):
    """A warning raised while the bar is drawn (torch and numpy raise them) is written as a
    line of its own; the bar is drawn again below it, and the warnings are as before after."""
    code = ("import time, warnings\nfrom lrnn.console import Console\n"
            "console = Console()\n"
            "with console.progress(20, 'training', unit='step') as bar:\n"
            "    for step in range(20):\n"
            "        bar.update(1)\n"
            "        time.sleep(0.02)\n"
            "        if step == 10:\n"
            "            warnings.warn('a warning from inside', UserWarning)\n"
            "warnings.warn('after the bar', UserWarning)\n")
    script = tmp_path / "warn.py"
    script.write_text(code)
    output = run_on_terminal([str(script)])
    lines = screen_lines(output)
    inside = [line for line in lines if "UserWarning: a warning from inside" in line]
    assert inside == [f"{script}:9: UserWarning: a warning from inside"], lines
    assert not [line for line in lines if "training" in line], lines  # no frozen bar
    assert any("after the bar" in line for line in lines)
