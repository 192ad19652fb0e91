"""Device selection: ``auto`` picks CUDA when present; everything also runs on CPU."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

import torch

# glibc mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 32 * 2**20  # glibc's largest allowed value on 64-bit
TRIM_THRESHOLD = 256 * 2**20


def cuda_available() -> bool:
    """Whether a CUDA device can be used."""
    return torch.cuda.is_available()


def resolve_device(name: str) -> torch.device:
    """``auto|cpu|cuda`` -> ``torch.device``; ``ValueError`` if CUDA is asked for but absent."""
    if name == "auto":
        return torch.device("cuda" if cuda_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda":
        if not cuda_available():
            raise ValueError("RunConfig.device = 'cuda': no CUDA device here (allowed: auto, cpu)")
        return torch.device("cuda")
    raise ValueError(f"RunConfig.device = {name!r}: not a device (allowed: auto, cpu, cuda)")


def set_matmul_precision(level: str) -> None:
    """``torch.set_float32_matmul_precision`` for this process (every run sets its own).

    ``medium`` lets float32 matrix products run in bfloat16 on CPUs with AMX (measured
    here: a [2, 2560, 256] x [2, 256, 256] batched product 5.6 -> 1.5 ms; a CQL gradient
    step 12 -> 20 steps/s) and in TF32 on NVIDIA GPUs; ``highest`` is exact float32.
    """
    torch.set_float32_matmul_precision(level)


def set_threads(n: int) -> None:
    """Set torch's intra-op CPU threads (0 keeps torch's default: all cores).

    Also flushes denormal floats to zero: Adam's second-moment estimates of tiny gradients
    become denormals, and CPU arithmetic on them is 5-10x slower (measured: fused Adam
    step 490 us -> 82 us on a 256x256 MLP).
    """
    torch.set_flush_denormal(True)
    if n > 0 and torch.get_num_threads() != n:
        torch.set_num_threads(n)


@functools.cache
def tune_cpu_allocator() -> bool:
    """Keep large freed CPU tensors in the heap instead of handing them back to the OS.

    glibc serves blocks above ``M_MMAP_THRESHOLD`` with a fresh ``mmap`` and trims the
    heap top above ``M_TRIM_THRESHOLD``, so a CQL step, which allocates and frees
    activations of [2, 7,936, 256] floats (16 MB) dozens of times, pays a page fault per
    4 KB page each time it touches new memory. Raising both thresholds makes those
    blocks come back from the heap, already mapped (measured, one thread: CQL 12.9 ->
    15-16 gradient steps/s; IQL's 256-row tensors are below the thresholds, unchanged).
    A process keeps up to ``TRIM_THRESHOLD`` of freed heap. Process-wide and idempotent;
    a no-op (``False``) off glibc.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others: no mallopt
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    ok = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    return mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1 and ok
