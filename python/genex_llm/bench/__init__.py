"""The benchmark of genex_llm against llama.cpp's llama-bench and llama-cpp-python.

``genex-llm bench`` or ``python -m genex_llm.bench``; see docs/performance.md
for what each figure means and the latest results.
"""
