#include "sampler.hpp"

#include "llama.h"

namespace genex_llm {

void SamplerDeleter::operator()(llama_sampler* sampler) const noexcept { llama_sampler_free(sampler); }

SamplerPtr make_sampler(const SamplingParams& params) {
    llama_sampler_chain_params chain_params = llama_sampler_chain_default_params();
    chain_params.no_perf = true;
    SamplerPtr chain(llama_sampler_chain_init(chain_params));
    if (params.temperature <= 0.0f) {
        llama_sampler_chain_add(chain.get(), llama_sampler_init_greedy());
        return chain;
    }
    if (params.top_k > 0) {
        llama_sampler_chain_add(chain.get(), llama_sampler_init_top_k(params.top_k));
    }
    if (params.top_p < 1.0f) {
        llama_sampler_chain_add(chain.get(), llama_sampler_init_top_p(params.top_p, 1));
    }
    llama_sampler_chain_add(chain.get(), llama_sampler_init_temp(params.temperature));
    llama_sampler_chain_add(chain.get(), llama_sampler_init_dist(params.seed));
    return chain;
}

}  // namespace genex_llm
