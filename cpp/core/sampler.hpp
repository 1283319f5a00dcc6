#pragma once

#include <cstdint>
#include <memory>

struct llama_sampler;

namespace genex_llm {

struct SamplingParams {
    std::int32_t max_tokens = 256;
    float temperature = 0.7f;  // 0 selects greedy decoding
    float top_p = 0.9f;        // 1 disables nucleus filtering
    std::int32_t top_k = 40;   // 0 disables top-k filtering
    std::uint32_t seed = 42;
};

struct SamplerDeleter {
    void operator()(llama_sampler* sampler) const noexcept;
};
using SamplerPtr = std::unique_ptr<llama_sampler, SamplerDeleter>;

// A fresh chain per completion, so the seed alone decides the random stream.
SamplerPtr make_sampler(const SamplingParams& params);

}  // namespace genex_llm
