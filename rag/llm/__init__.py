"""The LLM runtime: one OpenAI-compatible chat client for every model (`client`), the embedded
llama.cpp server it starts when no endpoint is configured (`server`, running `llm_worker` in a
child process), the packaged GGUF weights it serves (`weights`), and its health (`status`).

Nothing here is imported by the package itself: `client` pulls in langchain_openai, and callers
that only report the status should not pay for that.
"""
