"""Progress bars appear on a terminal and never in pipes or logs."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios


def test_bar_on_a_terminal_only(tmp_path):
    args = [sys.executable, "-m", "lrnn", "train", "--dataset", "iris", "--model", "mlp",
            "--epochs", "300", "--out"]
    piped = subprocess.run(args + [str(tmp_path / "a")], capture_output=True, text=True)
    assert piped.returncode == 0 and "step/s" not in piped.stderr + piped.stdout
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    proc = subprocess.Popen(args + [str(tmp_path / "b")], stdin=child, stdout=child, stderr=child)
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    assert proc.wait() == 0
    assert b"training:" in output and b"step" in output  # tqdm's bar, drawn on the terminal
