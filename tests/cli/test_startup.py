"""cli/startup.py's cycle collector: off while a command imports, back as the caller had it,
and the import's objects frozen only in lrnn's own process (cli.run_program), never in a
caller's, where a frozen object would never be freed."""

from __future__ import annotations

import gc
import subprocess
import sys

from lrnn.cli import main, startup


def test_main_in_a_callers_process_freezes_nothing_and_restores_the_collector(capsys):
    before = gc.get_freeze_count()
    assert main(["datasets"]) == 0
    assert gc.get_freeze_count() == before and gc.isenabled()
    gc.disable()
    try:
        assert main(["datasets"]) == 0
        assert not gc.isenabled()  # the caller's choice stays
    finally:
        gc.enable()
    assert "mnist" in capsys.readouterr().out


def test_collector_is_off_inside_and_the_import_frozen_in_lrnns_own_process():
    code = ("import gc\nfrom lrnn.cli import startup\nstartup.own_process()\n"
            "with startup.no_cycle_collection():\n"
            "    inside = gc.isenabled()\n"
            "    made = [[] for _ in range(5000)]\n"
            "print(inside, gc.isenabled(), gc.get_freeze_count() >= 5000)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.split() == ["False", "True", "True"], result.stderr


def test_collector_is_off_inside_without_freezing_in_a_callers_process():
    before = gc.get_freeze_count()
    assert not startup._freeze_imports
    with startup.no_cycle_collection():
        assert not gc.isenabled()
        made = [[] for _ in range(1000)]
    assert gc.isenabled() and gc.get_freeze_count() == before and len(made) == 1000
