"""How the `lrnn` process ends (cli.exit_now): as sys.exit would, without the teardown."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from lrnn.errors import EXIT_ARTIFACT


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=60)


def test_exit_code_handlers_and_buffered_output():
    done = _run("""
        import atexit, sys
        from lrnn.cli import exit_now
        atexit.register(lambda: print("handler ran"))
        print("buffered", end=" ")
        sys.stderr.write("warning kept")
        exit_now(3)
        print("never")
    """)
    assert done.returncode == 3
    assert done.stdout == "buffered handler ran\n"
    assert done.stderr == "warning kept"


def test_a_running_thread_is_waited_for(tmp_path):
    """A non-daemon thread (a caller's) still running gets the normal exit, which waits."""
    mark = tmp_path / "written"
    done = _run(f"""
        import threading, time
        from lrnn.cli import exit_now
        def late():
            time.sleep(0.3)
            open({str(mark)!r}, "w").write("done")
        threading.Thread(target=late).start()
        exit_now(0)
    """)
    assert done.returncode == 0, done.stderr
    assert mark.read_text() == "done"


def test_the_command_exits_with_its_code(tmp_path):
    done = subprocess.run([sys.executable, "-m", "lrnn", "predict", str(tmp_path / "nothing"),
                           str(tmp_path / "x.npy"), "-o", str(tmp_path / "out.csv")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == EXIT_ARTIFACT  # no run there
    assert done.stderr.startswith("lrnn predict: error:") and done.stderr.count("\n") == 1
