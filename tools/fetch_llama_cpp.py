#!/usr/bin/env python3
"""Fill the ``tools/llama_cpp`` submodule without reaching GitHub.

The submodule is pinned to one llama.cpp commit.  Where GitHub is reachable,
``git submodule update --init`` fills it; where only the package index is,
this script takes the same commit from the llama-cpp-python sdist, which
vendors llama.cpp and records the vendored commit in its bundled git metadata.
A mismatch is refused: building against other sources than the pinned ones
would make every measurement and test meaningless.

Idempotent: when the tree is already there at the pinned commit it returns at
once.  Standard library only, so it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PINNED_COMMIT = "0c1e57098bba43ac29e6e3b677cdceebdd22334f"
SDIST_REQUIREMENT = "llama-cpp-python==0.3.36"
SDIST_ROOT = "llama_cpp_python-0.3.36"
VENDOR_PREFIX = f"{SDIST_ROOT}/vendor/llama.cpp/"
HEAD_MEMBER = f"{SDIST_ROOT}/.git/modules/vendor/llama.cpp/HEAD"
STAMP_NAME = ".genex-llama-cpp-commit"
# Large folders the build never reads (test vocabularies, docs, media), and
# the sdist's own submodule pointer, which names a git folder we do not copy.
SKIPPED = ("models/", "docs/", "media/", "benches/", ".git")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TARGET = REPO_ROOT / "tools" / "llama_cpp"


class FetchError(RuntimeError):
    pass


def present_commit(target: Path) -> str | None:
    """The commit the tree at ``target`` holds, or None when it is empty."""
    if not (target / "CMakeLists.txt").is_file():
        return None
    stamp = target / STAMP_NAME
    if stamp.is_file():
        return stamp.read_text().strip()
    if (target / ".git").exists():  # a real submodule checkout
        result = subprocess.run(
            ["git", "-C", str(target), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=False,
        )
        if result.returncode == 0:
            return result.stdout.strip()
    return "unknown"


def download_sdist(into: Path) -> Path:
    # Only llama-cpp-python itself must come as source; letting pip build its
    # build dependencies from source too (--no-binary :all:) would compile
    # cmake for many minutes.  No build isolation: reading the sdist's
    # metadata needs only scikit-build-core, which set-up installs first.
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
        "--no-binary", "llama-cpp-python", "--no-build-isolation",
        SDIST_REQUIREMENT, "-d", str(into),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise FetchError(
            f"could not download {SDIST_REQUIREMENT} from the package index:\n"
            + result.stderr.strip()
        )
    archives = sorted(into.glob("llama_cpp_python-*.tar.gz"))
    if not archives:
        raise FetchError(f"pip reported success but left no sdist in {into}")
    return archives[0]


def vendored_commit(archive: tarfile.TarFile) -> str:
    try:
        member = archive.extractfile(HEAD_MEMBER)
    except KeyError:
        member = None
    if member is None:
        raise FetchError(f"the sdist has no {HEAD_MEMBER}: cannot tell which llama.cpp it vendors")
    return member.read().decode().strip()


def wanted(member: tarfile.TarInfo) -> bool:
    if not member.name.startswith(VENDOR_PREFIX):
        return False
    relative = member.name[len(VENDOR_PREFIX):]
    return bool(relative) and not relative.startswith(SKIPPED)


def extract_vendor_tree(sdist: Path, destination: Path) -> None:
    with tarfile.open(sdist) as archive:
        found = vendored_commit(archive)
        if found != PINNED_COMMIT:
            raise FetchError(
                f"{sdist.name} vendors llama.cpp {found}, but tools/llama_cpp is pinned to "
                f"{PINNED_COMMIT}; refusing to build against different sources"
            )
        members = []
        for member in archive.getmembers():
            if wanted(member):
                member.name = member.name[len(VENDOR_PREFIX):]
                members.append(member)
        if hasattr(tarfile, "data_filter"):  # refuses links and paths out of the tree
            archive.extractall(destination, members=members, filter="data")
        else:
            archive.extractall(destination, members=members)
    (destination / STAMP_NAME).write_text(PINNED_COMMIT + "\n")


def fetch(target: Path) -> str:
    commit = present_commit(target)
    if commit == PINNED_COMMIT:
        return f"llama.cpp {PINNED_COMMIT[:12]} already in {target}"
    if commit is not None:
        raise FetchError(
            f"{target} holds llama.cpp {commit}, not the pinned {PINNED_COMMIT}; "
            "empty that folder and run this again"
        )
    with tempfile.TemporaryDirectory(prefix="genex-llama-cpp-") as scratch:
        scratch_path = Path(scratch)
        sdist = download_sdist(scratch_path / "sdist")
        staged = scratch_path / "llama_cpp"
        extract_vendor_tree(sdist, staged)
        # The gitlink leaves an empty folder; replace it whole so a failed
        # extraction never leaves a half-filled tree behind.
        if target.exists():
            target.rmdir()
        shutil.move(str(staged), str(target))
    return f"llama.cpp {PINNED_COMMIT[:12]} extracted into {target}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=Path, default=DEFAULT_TARGET,
                        help="where to put the sources (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        print(fetch(args.target.resolve()))
    except (FetchError, OSError) as error:
        print(f"fetch_llama_cpp: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
