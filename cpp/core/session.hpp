#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model.hpp"
#include "sampler.hpp"

struct llama_context;

namespace genex_llm {

// Largest micro-batch (llama.cpp's n_ubatch) a session uses, whatever its batch.
constexpr std::int32_t kMaxMicroBatch = 512;

struct SessionParams {
    std::int32_t context = 2048;
    std::int32_t batch = 512;
    std::int32_t threads = 1;
};

enum class FinishReason { Stop, Length, Cancelled, Error };

struct Completion {
    std::string text;
    std::vector<std::string> tokens;  // one valid UTF-8 piece per generated token
    FinishReason finish_reason = FinishReason::Stop;
    std::int32_t prompt_tokens = 0;
    std::int32_t reused_tokens = 0;  // prompt tokens found in the cache, not evaluated again
    std::int64_t latency_ms = 0;
    // Where the time went, for benchmarks: prompt evaluation, the token loop,
    // and the part of the token loop spent inside llama_decode.
    double prompt_ms = 0.0;
    double generation_ms = 0.0;
    double decode_ms = 0.0;
};

// Cancels one particular infer() call, even one that has not started yet;
// unlike Session::cancel(), it can never reach a later call.
class CancelToken {
public:
    void cancel() noexcept { cancelled_.store(true, std::memory_order_relaxed); }
    bool cancelled() const noexcept { return cancelled_.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> cancelled_{false};
};

class Session {
public:
    // Throws Error(ContextLimit) when the context exceeds what the model was
    // trained for, Error(ModelClosed) when the model is closed.
    Session(Model& model, SessionParams params);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // One independent completion. Calls on one session are serialised.
    // The KV cache keeps the previous call's tokens, so a prompt sharing a
    // prefix with them evaluates only the rest; results are the same as a
    // cold session's.
    Completion infer(const std::string& prompt, const SamplingParams& sampling,
                     std::shared_ptr<const CancelToken> token = nullptr);

    // Stops a running infer() at llama.cpp's next graph node or the next
    // token. Lock-free and async-signal-safe, so a signal handler may call it.
    void cancel() noexcept;

    // Forgets the cached tokens, so the next infer() evaluates its whole prompt.
    void reset();

    // Cancels a running infer(), waits for it, frees the context. Idempotent.
    void close();
    bool closed() const noexcept { return closing_.load(std::memory_order_acquire); }

    const SessionParams& params() const noexcept { return params_; }

private:
    struct ContextDeleter {
        void operator()(llama_context* context) const noexcept;
    };
    static bool abort_requested(void* self) noexcept;
    bool stop_requested() const noexcept;
    std::vector<std::int32_t> tokenize(const std::string& prompt) const;
    // Drops the cached tokens from `keep` on; returns how many remain.
    std::size_t trim_cache(std::size_t keep);
    void clear_cache();
    // Decodes `count` tokens starting at `tokens`, recording them as cached.
    // Returns llama_decode's status (0 on success, 2 when aborted).
    std::int32_t decode(const std::int32_t* tokens, std::int32_t count);

    SessionParams params_;
    std::atomic<bool> cancel_{false};
    std::atomic<bool> closing_{false};
    // The running call's token, read by the abort callback on compute threads.
    std::atomic<const CancelToken*> token_{nullptr};
    std::mutex infer_mutex_;
    // Declared before the context so the context is freed first.
    std::shared_ptr<LoadedModel> model_;
    std::unique_ptr<llama_context, ContextDeleter> context_;
    // The tokens in the KV cache (sequence 0), in position order.
    std::vector<std::int32_t> cached_;
};

}  // namespace genex_llm
