"""The README's examples: extracted by section, and run as written (tests/test_readme.py checks
them; the MNIST runs they make are the ones tests/cli/test_cli.py checks in detail)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
# Sections whose examples are not run, and why; every other section's are.
NOT_RUN = {
    "Set-up on a fresh machine": "it installs lrnn and runs this suite",
    "Scaling out: data-parallel training under torchrun": "4 processes, or two machines; "
    "tests/training/test_distributed.py runs the same command with 2",
    "Benchmark": "minutes of MNIST against the peers (the bench extra)",
    "Serve over HTTP": "a server runs until it is stopped; tests/serve start the same command "
    "on a free port and send these requests",
    "Hyperparameter search": "minutes of search (--timeout 600); tests/tune run the same "
    "commands with a few trials",
    "Development": "the suite itself",
}


# Commands not run wherever they are, and why.
NOT_RUN_COMMANDS = {"pip install": "the suite's environment has every extra installed"}


@dataclass(frozen=True)
class Example:
    section: str
    language: str  # bash or python
    code: str  # one shell command (continuation lines joined), or a whole Python block

    @property
    def command(self) -> str:
        """A shell command without its trailing comment, its spaces single."""
        return " ".join(self.code.split(" #")[0].split())


def readme_examples(text: str) -> list[Example]:
    """The bash commands and Python blocks of the README, with their section."""
    examples, section = [], ""
    for match in re.finditer(r"^## (.+?)$|^```(\w*)\n(.*?)^```$", text, re.M | re.S):
        if match.group(1):
            section = match.group(1).strip()
        elif match.group(2) == "python":
            examples.append(Example(section, "python", match.group(3)))
        elif match.group(2) == "bash":
            joined = match.group(3).replace("\\\n", " ")
            examples += [Example(section, "bash", line.strip()) for line in joined.splitlines()
                         if line.strip() and not line.lstrip().startswith("#")]
    return examples


@dataclass(frozen=True)
class Ran:
    example: Example
    result: subprocess.CompletedProcess


def run_examples(folder: Path) -> list[Ran]:
    """Every example outside NOT_RUN, in order, in `folder` laid out as the repository root
    (its tests/fixtures), with this environment's `lrnn` command first on the PATH."""
    (folder / "tests").mkdir()
    (folder / "tests" / "fixtures").symlink_to(ROOT / "tests" / "fixtures")
    bin_dir = str(Path(sys.executable).parent)
    assert shutil.which("lrnn", path=bin_dir), f"no lrnn command in {bin_dir}"
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    ran = []
    for example in readme_examples(README.read_text()):
        if example.section in NOT_RUN or any(example.command.startswith(start)
                                             for start in NOT_RUN_COMMANDS):
            continue
        command = ["bash", "-c", f"set -euo pipefail\n{example.code}"] if \
            example.language == "bash" else [sys.executable, "-c", example.code]
        ran.append(Ran(example, subprocess.run(command, cwd=folder, env=env,
                                               capture_output=True, text=True, timeout=600)))
    return ran


def output_of(ran: list[Ran], command: str) -> str:
    """The stdout of the one shell example that is `command` (its comment aside)."""
    (found,) = [r.result.stdout for r in ran if r.example.command == command]
    return found


def run_folder(folder: Path, pattern: str, **settings) -> Path:
    """The one run under folder/runs matching `pattern` whose config.toml has `settings`."""
    import tomllib

    found = [run for run in sorted((folder / "runs").glob(pattern))
             if all(tomllib.loads((run / "config.toml").read_text()).get(k) == v
                    for k, v in settings.items())]
    assert len(found) == 1, (pattern, settings, found)
    return found[0]
