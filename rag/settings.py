"""The one settings object. Only this module reads the environment (prefix `ZHIKU_`).

Each entry point builds `Settings()` once and passes it (or plain values from it) down.
Usage: `ZHIKU_CHUNK_SIZE=300 zhiku index build`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.embedding import PACKAGED_E5



def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "zhiku"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZHIKU_", extra="ignore")

    # where things live
    data_dir: Path = Path("data")
    corpus_dir: Path = Path("data/articles")
    index_dir: Path = Path("data/index")
    cache_dir: Path = Field(default_factory=_default_cache_dir)

    # chunking
    chunk_size: int = Field(350, ge=50, le=2000, description="target chunk length in characters")
    chunk_overlap: int = Field(1, ge=0, le=5, description="sentences repeated between neighbouring chunks")

    # indexing: larger files are skipped with a reason (20 MB of text takes ~15 min to embed on 2 cores)
    max_file_mb: int = Field(20, ge=1, description="files larger than this are not indexed")
    ocr_file_budget_s: float = Field(1200, gt=0, description="OCR seconds one file may take in one build; the rest of its pages are read by the next build")

    # embedding: PACKAGED_E5, or a local sentence-transformers folder / a name in the local HF cache
    embedding_model: str = PACKAGED_E5
    embedding_batch_size: int = Field(16, ge=1)
    embed_title: bool = True  # prepend the article title to the embedded text
    # bfloat16 runs the encoder 2.9x faster on CPUs with AMX (cosine to float32 >= 0.998, dev hit@5
    # unchanged) but no faster with AVX-512-BF16 alone (docs/BENCHMARKS.md): auto = bfloat16 where the
    # CPU has AMX, else float32. Recorded in the index manifest: switching rebuilds the index.
    embedding_dtype: Literal["auto", "float32", "bfloat16"] = "auto"

    # dense index: flat is exact; hnsw for large corpora; auto switches past ann_threshold chunks.
    # 50k: flat hybrid search is ~47 ms p95 at 100k chunks and grows linearly, HNSW ~5 ms at any
    # size (docs/BENCHMARKS.md, retrieval_scale); past 50k an HNSW build per version is worth it
    index_type: Literal["auto", "flat", "hnsw"] = "auto"
    ann_threshold: int = Field(50_000, ge=1)

    # where chunks are stored: zhiku's own folders (index_dir), or Milvus (README "Scaling out")
    store: Literal["embedded", "milvus"] = "embedded"
    # a local path (e.g. data/milvus.db) = embedded Milvus Lite; http://host:19530 = a server or cluster
    milvus_uri: str = "data/milvus.db"
    milvus_token: str = ""  # "user:password" or an API key; or the two settings below
    milvus_user: str = ""
    milvus_password: str = ""
    milvus_db: str = ""  # the server's database; empty = its default
    milvus_collection: str = "zhiku_chunks"

    # retrieval
    top_k: int = Field(5, ge=1, le=100)
    retrieval_mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    rrf_k: int = 60
    candidates: int = Field(30, ge=1, description="hits taken from each retriever before fusion")

    # answering
    answerer: Literal["llm", "extractive"] = "llm"
    # 900: as accurate as 1200 on dev + sample (33 of 36 both; 600: 25) with the first token 0.70x as
    # late (docs/BENCHMARKS.md, context_budget): the fastest budget within one question of the best
    context_chars: int = Field(900, ge=200, description="character budget of passages sent to the LLM")
    # an article's points spread over its chunks: at 900 the model sees its first two, often the
    # introduction, and lists what they say (docs/BENCHMARKS.md, summary_context)
    summary_context_chars: int = Field(1800, ge=200, description="character budget for questions asking an "
                                       "article's points (提了哪些建议, 主要包括哪些措施)")
    history_turns: int = Field(4, ge=0, description="past turns sent to the model")

    # LLM: an OpenAI-compatible endpoint; empty base URL = start the embedded local llama.cpp server
    llm_base_url: str = ""
    llm_model: str = "local"
    llm_api_key: str = "not-needed"
    llm_timeout_s: float = Field(120.0, gt=0, description="per LLM request: connect, each read, each write")
    # the longest correct answer measured was 57 tokens (context_budget); 128 leaves twice that and
    # halves what a model that runs on costs before it is cut off
    llm_max_tokens: int = Field(128, ge=1, le=8192, description="the longest answer the LLM may write")
    # greedy: the same question over the same articles gets the same answer, so a user asking
    # again, or an evaluator rerunning a test set, sees what was seen before
    llm_temperature: float = Field(0.0, ge=0, le=2)
    # the verification pass (rag/verification.py): the model asked yes/no on the answer's cited
    # sentence; an answer under the threshold says what the articles give instead. On replays of
    # RGB at the default context it declines 30 more of 214 noise-1.0 answers at 0.7 and loses one
    # right noise-0.8 answer and two dev ones (0.75: 49 more, four RGB 0.8); it costs 0.9 s p50 an
    # answer at load ~1.3, 0.10x the whole answer (README "How zhiku decides what it can answer")
    verify: bool = True
    verify_threshold: float = Field(0.7, ge=0, le=1, description="P(是) under which the cited sentence is not taken as the answer")
    llm_gguf_path: str = ""  # a GGUF file to serve locally instead of the packaged one
    llm_ctx: int = Field(4096, ge=256, description="the local model's context in tokens (bounds its KV cache)")
    llm_cache_mib: int = Field(256, ge=0, description="the local server's cache of old prompts, in MiB")
    llm_threads: int = 2
    # parallel slots of the local llama.cpp server: answers decoded together in one batch (decoding
    # is memory-bound on a CPU, so a batch of answers costs little more than one); each slot has its
    # own llm_ctx tokens of context
    # 2: the most answers per minute at 4 and 8 simultaneous users on 2 cores (1.13x / 1.21x one
    # slot); 4 slots gained nothing (docs/BENCHMARKS.md, concurrent_users)
    llm_slots: int = Field(2, ge=1, le=16, description="answers the local LLM server decodes together")
    # unset = llm_slots; with ZHIKU_LLM_BASE_URL, set it to what that endpoint serves at once
    llm_concurrency: int = Field(1, ge=1, description="LLM answers generated at once; more wait in line")
    llm_queue_wait_s: float = Field(60.0, ge=0, description="how long a question waits for the LLM before 'busy'")

    # server
    host: str = "127.0.0.1"
    port: int = 7860
    token: str = ""  # when set, the API, widget and chat require it
    allowed_origins: list[str] = Field(default_factory=list)
    trusted_user_header: str = ""  # e.g. X-Forwarded-User from an intranet reverse proxy
    trusted_groups_header: str = ""  # e.g. X-Forwarded-Groups: "hr,managers" from the same proxy
    # the proxy's own addresses (or networks): sign-in headers from anyone else are ignored
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    audit_log: Path | None = None  # one line per question; default <data_dir>/audit.log
    language: Literal["zh", "en"] = "zh"
    upload_max_mb: int = 20
    # named admins (the trusted header's user names); empty: whoever presents the token, or the
    # local user of a server without one (ui/admin.py)
    admin_users: list[str] = Field(default_factory=list)

    # the question log (README "Seeing what staff ask"); ZHIKU_QUESTION_LOG=off turns it off
    question_log: bool = True
    question_log_days: int = Field(90, ge=1, le=3650, description="logged questions older than this are deleted")
    question_log_max_rows: int = Field(100_000, ge=100, description="the oldest rows go past this many")

    @model_validator(mode="after")
    def _concurrency_follows_slots(self) -> Settings:
        if "llm_concurrency" not in self.model_fields_set:
            self.llm_concurrency = self.llm_slots
        return self

    @property
    def embedder_cache_dir(self) -> Path:
        return self.cache_dir / "models"
