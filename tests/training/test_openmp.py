"""How OpenMP's threads are told to wait (training/openmp.py): the user's setting wins, a busy
machine gets passive waiting, a free one a short spin; and the choice reaches the real process."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from lrnn.training import openmp

LINUX = sys.platform.startswith("linux")


@pytest.mark.parametrize("given", [{"OMP_WAIT_POLICY": "ACTIVE"}, {"GOMP_SPINCOUNT": "7"}])
def test_a_users_own_setting_is_kept(given):
    environ = dict(given)
    assert openmp.choose_wait_policy(environ, busy=False) == "yours"
    assert openmp.choose_wait_policy(environ, busy=True) == "yours"
    assert environ == given


def test_a_busy_machine_gets_passive_waiting():
    environ: dict[str, str] = {}
    assert openmp.choose_wait_policy(environ, busy=True) == "passive"
    assert environ == {"OMP_WAIT_POLICY": "PASSIVE", openmp.CHOSEN: "passive"}


@pytest.mark.skipif(not LINUX, reason="the short spin is chosen on Linux only")
def test_a_free_machine_gets_a_short_spin():
    environ: dict[str, str] = {}
    assert openmp.choose_wait_policy(environ, busy=False) == "spin"
    assert environ == {"GOMP_SPINCOUNT": openmp.SPIN_COUNT, openmp.CHOSEN: "spin"}


@pytest.mark.parametrize("parent_busy", [False, True])
def test_a_child_process_looks_again_rather_than_inherit_the_choice(parent_busy):
    """torchrun's processes and tuning workers inherit lrnn's setting; each looks at the
    machine itself (a spin chosen on a free machine must not spread to a busy one)."""
    environ: dict[str, str] = {"PATH": "/bin"}
    openmp.choose_wait_policy(environ, busy=parent_busy)
    child = dict(environ)
    assert openmp.choose_wait_policy(child, busy=not parent_busy) == \
        ("spin" if parent_busy else "passive")
    assert ("OMP_WAIT_POLICY" in child) is (not parent_busy)
    assert ("GOMP_SPINCOUNT" in child) is parent_busy


def test_a_users_setting_beside_the_mark_is_still_the_users():
    environ = {"OMP_WAIT_POLICY": "ACTIVE", openmp.CHOSEN: "passive"}
    assert openmp.choose_wait_policy(environ, busy=True) == "yours"
    assert environ == {"OMP_WAIT_POLICY": "ACTIVE"}


def _stat(tmp_path, text: str):
    path = tmp_path / "stat"
    path.write_text(text)
    return str(path)


def test_the_runnable_count_is_read_from_proc_stat_lines(tmp_path):
    text = "cpu  1 2 3 4\nctxt 99\nprocs_running 3\nprocs_blocked 0\n"
    assert openmp.runnable_threads(_stat(tmp_path, text)) == 3
    assert openmp.others_running(_stat(tmp_path, text))
    assert not openmp.others_running(_stat(tmp_path, "procs_running 1\n"))


@pytest.mark.parametrize("text", ["cpu 1 2\n", "procs_running many\n", "procs_running\n"])
def test_an_unreadable_count_counts_as_busy(tmp_path, text):
    assert openmp.runnable_threads(_stat(tmp_path, text)) is None
    assert openmp.others_running(_stat(tmp_path, text))
    assert openmp.others_running(str(tmp_path / "missing"))


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="needs /proc/stat")
def test_next_to_a_busy_process_lrnn_waits_passively():
    """A real process spinning on a core: `import lrnn` in another one sees it and chooses
    passive waiting (with a short spin, its threads would hold the busy process's core)."""
    burn = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)  # it is running
        env = {k: v for k, v in os.environ.items()
               if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", openmp.CHOSEN)}
        seen = subprocess.run(
            [sys.executable, "-c", "import os, lrnn; "
             "print(lrnn.OPENMP_WAIT, os.environ.get('OMP_WAIT_POLICY'))"],
            env=env, capture_output=True, text=True, timeout=60, check=True).stdout.split()
    finally:
        burn.kill()
        burn.wait()
    assert seen == ["passive", "PASSIVE"]


def test_metrics_json_says_how_the_threads_waited(monkeypatch):
    from lrnn.artifacts.summary import environment

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.setenv("GOMP_SPINCOUNT", "5000")
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.setenv("OPENBLAS_THREAD_TIMEOUT", "16")
    assert environment("cpu")["openmp"] == {"GOMP_SPINCOUNT": "5000", "OMP_NUM_THREADS": "2",
                                            "OPENBLAS_THREAD_TIMEOUT": "16"}


def test_openblas_spins_briefly_unless_the_user_said_otherwise():
    environ = {}
    openmp.shorten_blas_spin(environ)
    assert environ == {"OPENBLAS_THREAD_TIMEOUT": "16"}
    environ = {"OPENBLAS_THREAD_TIMEOUT": "28"}
    openmp.shorten_blas_spin(environ)
    assert environ == {"OPENBLAS_THREAD_TIMEOUT": "28"}


def test_importing_lrnn_sets_the_spin_before_numpy_loads():
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    out = subprocess.run([sys.executable, "-c", "import sys, os, lrnn; print('numpy' in "
                          "sys.modules, os.environ['OPENBLAS_THREAD_TIMEOUT'])"],
                         env=env, capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["False", "16"]


def test_usable_cores_are_this_process_share(monkeypatch):
    monkeypatch.setattr(openmp.os, "sched_getaffinity", lambda pid: {0, 3, 5}, raising=False)
    assert openmp.usable_cores() == 3  # a container's or taskset's cores, not the machine's
    monkeypatch.delattr(openmp.os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(openmp.os, "cpu_count", lambda: 6)
    assert openmp.usable_cores() == 6
