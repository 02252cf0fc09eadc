"""The most asked questions, near-duplicates counted together ("2023年中国汽车出口多少辆？" and
"中国2023年出口了多少辆汽车？" are one question asked twice).

Similarity is the cosine of the packaged embedder's query vectors. multilingual-e5-small puts
every pair of short Chinese questions above ~0.8 and two different questions on one topic
("图书馆周一开放吗？" / "图书馆周末开放到几点？") near 0.96, while rewordings of one question sit at
0.97–1.0: so the bar is high, and a group is a rewording, not a topic. Vectors are cached by text,
so refreshing the tab embeds only new questions.

Usage: `groups = QuestionGrouper(embedder).top(texts_with_counts, n=20)`.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict

import numpy as np

SIMILAR = 0.965
MAX_DISTINCT = 400  # distinct questions grouped per call (the most frequent); bounds the work
CACHE = 5000


class QuestionGrouper:
    def __init__(self, embedder, threshold: float = SIMILAR):
        self.embedder = embedder
        self.threshold = threshold
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def top(self, questions: list[str], n: int = 20) -> list[dict]:
        """Groups of near-duplicate questions, most asked first:
        [{"question": the most asked wording, "count": total, "variants": [other wordings]}]."""
        counts = Counter(q.strip() for q in questions if q and q.strip())
        distinct = [q for q, _ in counts.most_common(MAX_DISTINCT)]
        if not distinct:
            return []
        vectors = np.stack([self._vector(q) for q in distinct])
        groups: list[dict] = []
        heads: list[np.ndarray] = []
        for text, vector in zip(distinct, vectors):  # most frequent first: it names its group
            if heads:
                sims = np.stack(heads) @ vector
                best = int(np.argmax(sims))
                if sims[best] >= self.threshold:
                    groups[best]["count"] += counts[text]
                    groups[best]["variants"].append(text)
                    continue
            heads.append(vector)
            groups.append({"question": text, "count": counts[text], "variants": []})
        groups.sort(key=lambda g: -g["count"])
        return groups[:n]

    def _vector(self, text: str) -> np.ndarray:
        with self._lock:
            if text in self._cache:
                self._cache.move_to_end(text)
                return self._cache[text]
        vector = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
        with self._lock:
            self._cache[text] = vector
            while len(self._cache) > CACHE:
                self._cache.popitem(last=False)
        return vector
