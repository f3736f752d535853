"""One-line description of the machine a result was measured on, read from the machine itself."""

from __future__ import annotations

import os
import platform

VECTOR_EXTENSIONS = ("avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")


def describe_machine(cpuinfo: str = "/proc/cpuinfo", meminfo: str = "/proc/meminfo") -> str:
    """CPU model, vector extensions present, logical CPUs, RAM and Python version, as measured now
    (never a hard-coded string: results record where they were actually obtained)."""
    model, flags = "?", set()
    try:
        with open(cpuinfo) as fh:
            for line in fh:
                if line.startswith("model name") and model == "?":
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    ext = [f for f in VECTOR_EXTENSIONS if f in flags]
    mem = "?"
    try:
        with open(meminfo) as fh:
            kb = int(fh.readline().split()[1])
            mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{model}, {os.cpu_count()} logical CPUs, {'/'.join(ext) or 'no AVX2'}, {mem} RAM, {platform.python_version()}"
