#include "session.hpp"

#include <algorithm>
#include <chrono>
#include <climits>

#include "backend.hpp"
#include "error.hpp"
#include "llama.h"
#include "utf8.hpp"

namespace genex_llm {
namespace {

std::string token_piece(const llama_vocab* vocab, llama_token token) {
    char small[64];
    const int32_t length = llama_token_to_piece(vocab, token, small, sizeof small, 0, false);
    if (length >= 0) {
        return std::string(small, static_cast<std::size_t>(length));
    }
    std::string large(static_cast<std::size_t>(-length), '\0');
    const int32_t written = llama_token_to_piece(vocab, token, large.data(), -length, 0, false);
    large.resize(static_cast<std::size_t>(std::max(written, 0)));
    return large;
}

using Clock = std::chrono::steady_clock;

double elapsed_ms(Clock::time_point since) {
    return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

}  // namespace

void Session::ContextDeleter::operator()(llama_context* context) const noexcept { llama_free(context); }

Session::Session(Model& model, SessionParams params) : params_(params) {
    const std::int32_t trained = model.info().n_ctx_train;
    if (trained > 0 && params_.context > trained) {
        throw Error(ErrorKind::ContextLimit,
                    "requested context " + std::to_string(params_.context) +
                        " exceeds the loaded model's capability (" + std::to_string(trained) +
                        " tokens, the context it was trained with)");
    }
    model_ = model.open_session();

    llama_context_params context_params = llama_context_default_params();
    context_params.n_ctx = static_cast<uint32_t>(params_.context);
    context_params.n_batch = static_cast<uint32_t>(params_.batch);
    // The abort callback is polled between graph nodes, and a node's cost grows
    // with the micro-batch; llama.cpp's own default of 512 keeps a cancel during
    // a 2048-token batch to tens of milliseconds at no cost in throughput.
    context_params.n_ubatch = static_cast<uint32_t>(std::min(params_.batch, kMaxMicroBatch));
    context_params.n_threads = params_.threads;
    context_params.n_threads_batch = params_.threads;
    context_params.no_perf = true;
    context_params.abort_callback = &Session::abort_requested;
    context_params.abort_callback_data = this;

    ErrorLineCapture errors;
    context_.reset(llama_init_from_model(model_->get(), context_params));
    if (!context_) {
        model_->session_closed();
        throw Error(ErrorKind::Inference,
                    "cannot create a session with context " + std::to_string(params_.context) + " and batch " +
                        std::to_string(params_.batch) + ": " + errors.reason("llama.cpp refused the context"));
    }
}

Session::~Session() {
    // Destructors must not throw; close() throws only what its callees might
    // on allocation failure, and there is no one left to tell.
    try {
        close();
    } catch (...) {
    }
}

bool Session::abort_requested(void* self) noexcept {
    const auto* session = static_cast<const Session*>(self);
    const CancelToken* token = session->token_.load(std::memory_order_acquire);
    return session->cancel_.load(std::memory_order_relaxed) || session->closing_.load(std::memory_order_relaxed) ||
           (token != nullptr && token->cancelled());
}

bool Session::stop_requested() const noexcept { return abort_requested(const_cast<Session*>(this)); }

void Session::cancel() noexcept { cancel_.store(true, std::memory_order_relaxed); }

void Session::close() {
    if (closing_.exchange(true, std::memory_order_acq_rel)) {
        return;
    }
    // closing_ makes a running infer() stop at its next check; the lock waits for it.
    std::lock_guard<std::mutex> lock(infer_mutex_);
    context_.reset();
    cached_.clear();
    model_->session_closed();
    model_.reset();
}

void Session::reset() {
    std::lock_guard<std::mutex> lock(infer_mutex_);
    if (closing_.load(std::memory_order_acquire)) {
        throw Error(ErrorKind::SessionClosed, "LLM session has been closed");
    }
    clear_cache();
}

void Session::clear_cache() {
    llama_memory_clear(llama_get_memory(context_.get()), true);
    cached_.clear();
}

std::size_t Session::trim_cache(std::size_t keep) {
    if (keep >= cached_.size()) {
        return cached_.size();
    }
    if (!llama_memory_seq_rm(llama_get_memory(context_.get()), 0, static_cast<llama_pos>(keep), -1)) {
        // Some memories (recurrent ones) cannot drop a tail; start over.
        clear_cache();
        return 0;
    }
    cached_.resize(keep);
    return keep;
}

std::int32_t Session::decode(const std::int32_t* tokens, std::int32_t count) {
    // llama_batch_get_one wants a mutable pointer but does not write through it.
    const int32_t status = llama_decode(context_.get(), llama_batch_get_one(const_cast<llama_token*>(tokens), count));
    if (status == 0) {
        cached_.insert(cached_.end(), tokens, tokens + count);
        return status;
    }
    // An aborted or failed call keeps the micro-batches it finished, or none
    // (llama.h); the memory then holds positions [0, kept), and the mirror
    // follows it, so a cancelled prompt resumes where it stopped.
    const auto kept = static_cast<std::size_t>(llama_memory_seq_pos_max(llama_get_memory(context_.get()), 0) + 1);
    const std::size_t before = cached_.size();
    if (kept >= before && kept <= before + static_cast<std::size_t>(count)) {
        cached_.insert(cached_.end(), tokens, tokens + (kept - before));
    } else {
        clear_cache();  // a state the mirror cannot describe: start over
    }
    return status;
}

std::vector<std::int32_t> Session::tokenize(const std::string& prompt) const {
    if (prompt.size() > static_cast<std::size_t>(INT32_MAX)) {
        throw Error(ErrorKind::Option, "prompt is too long to tokenize (" + std::to_string(prompt.size()) + " bytes)");
    }
    const auto length = static_cast<int32_t>(prompt.size());
    std::vector<llama_token> tokens(prompt.size() + 2);
    int32_t count = llama_tokenize(model_->vocab(), prompt.data(), length, tokens.data(),
                                   static_cast<int32_t>(tokens.size()), true, true);
    if (count < 0 && count != INT32_MIN) {
        tokens.resize(static_cast<std::size_t>(-count));
        count = llama_tokenize(model_->vocab(), prompt.data(), length, tokens.data(), -count, true, true);
    }
    if (count < 0) {
        throw Error(ErrorKind::Option, "prompt could not be tokenized (" + std::to_string(prompt.size()) + " bytes)");
    }
    tokens.resize(static_cast<std::size_t>(count));
    return tokens;
}

Completion Session::infer(const std::string& prompt, const SamplingParams& sampling,
                          std::shared_ptr<const CancelToken> token) {
    std::lock_guard<std::mutex> lock(infer_mutex_);
    if (closing_.load(std::memory_order_acquire)) {
        throw Error(ErrorKind::SessionClosed, "LLM session has been closed");
    }
    cancel_.store(false, std::memory_order_relaxed);
    // `token` outlives the call, so the callback may read it until it is unset.
    token_.store(token.get(), std::memory_order_release);
    struct Unset {
        std::atomic<const CancelToken*>& slot;
        ~Unset() { slot.store(nullptr, std::memory_order_release); }
    } unset{token_};
    const auto started = Clock::now();

    // Every token stands for at most longest_token_bytes() bytes, so a prompt
    // this long cannot fit, and tokenizing megabytes to say so would be slow.
    // (Twice the bound leaves room for tokenizers that normalise text.)
    const std::size_t fits_at_most = 2 * static_cast<std::size_t>(params_.context) * model_->longest_token_bytes();
    if (prompt.size() > fits_at_most) {
        throw Error(ErrorKind::ContextLimit,
                    "prompt is at least " + std::to_string(prompt.size() / (2 * model_->longest_token_bytes())) +
                        " tokens, but the session's context holds only " + std::to_string(params_.context) +
                        " tokens");
    }
    std::vector<llama_token> prompt_tokens = tokenize(prompt);
    const auto n_prompt = static_cast<std::int32_t>(prompt_tokens.size());
    if (n_prompt == 0) {
        throw Error(ErrorKind::Option, "prompt is empty: it produced no tokens to start from");
    }
    if (n_prompt > params_.context) {
        throw Error(ErrorKind::ContextLimit, "prompt is " + std::to_string(n_prompt) +
                                                 " tokens, but the session's context holds only " +
                                                 std::to_string(params_.context) + " tokens");
    }

    Completion completion;
    completion.prompt_tokens = n_prompt;
    auto finish = [&](FinishReason reason) -> Completion {
        completion.finish_reason = reason;
        completion.latency_ms = static_cast<std::int64_t>(elapsed_ms(started));
        return std::move(completion);
    };

    // Reuse the cached tokens this prompt starts with; keys and values of a
    // prefix do not depend on what follows, so the completion is the same as
    // a cold one. The last prompt token is always evaluated: its logits are
    // where sampling starts.
    const auto shared = static_cast<std::size_t>(
        std::mismatch(prompt_tokens.begin(), prompt_tokens.end(), cached_.begin(), cached_.end()).first -
        prompt_tokens.begin());
    const auto reused = static_cast<std::int32_t>(trim_cache(std::min(shared, prompt_tokens.size() - 1)));
    completion.reused_tokens = reused;

    const auto prompt_started = Clock::now();
    for (std::int32_t offset = reused; offset < n_prompt; offset += params_.batch) {
        const std::int32_t chunk = std::min(params_.batch, n_prompt - offset);
        const int32_t status = decode(prompt_tokens.data() + offset, chunk);
        // decode() keeps the cache mirror exact whatever happened, so a
        // cancelled call leaves a reusable prefix, not a broken state.
        if (status == 2 || stop_requested()) {
            return finish(FinishReason::Cancelled);
        }
        if (status != 0) {
            throw Error(ErrorKind::Inference, "llama.cpp failed to evaluate the prompt (llama_decode returned " +
                                                  std::to_string(status) + ")");
        }
    }

    completion.prompt_ms = elapsed_ms(prompt_started);

    const auto generation_started = Clock::now();
    SamplerPtr sampler = make_sampler(sampling);
    Utf8Assembler utf8;
    std::int32_t n_past = n_prompt;
    FinishReason reason = FinishReason::Length;
    while (static_cast<std::int32_t>(completion.tokens.size()) < sampling.max_tokens) {
        llama_token token = llama_sampler_sample(sampler.get(), context_.get(), -1);
        if (llama_vocab_is_eog(model_->vocab(), token)) {
            reason = FinishReason::Stop;
            break;
        }
        completion.tokens.push_back(utf8.push(token_piece(model_->vocab(), token)));
        if (static_cast<std::int32_t>(completion.tokens.size()) >= sampling.max_tokens || n_past >= params_.context) {
            reason = FinishReason::Length;
            break;
        }
        const auto decode_started = Clock::now();
        const int32_t status = decode(&token, 1);
        completion.decode_ms += elapsed_ms(decode_started);
        ++n_past;
        if (status == 2 || stop_requested()) {
            reason = FinishReason::Cancelled;
            break;
        }
        if (status != 0) {
            reason = FinishReason::Error;
            break;
        }
    }
    if (!completion.tokens.empty()) {
        completion.tokens.back() += utf8.finish();
    }
    for (const auto& piece : completion.tokens) {
        completion.text += piece;
    }
    completion.generation_ms = elapsed_ms(generation_started);
    return finish(reason);
}

}  // namespace genex_llm
