#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

struct llama_model;
struct llama_vocab;

namespace genex_llm {

struct ModelParams {
    std::string path;
    std::int32_t context = 2048;  // the default context of sessions made from the model
    std::int32_t threads = 1;
    std::int32_t gpu_layers = 0;
    bool use_mmap = true;
    bool use_mlock = false;
};

// The loaded weights. A Model and each of its Sessions share ownership, so
// the weights are freed only after the last of them lets go, in any order.
class LoadedModel {
public:
    explicit LoadedModel(const ModelParams& params);

    llama_model* get() const noexcept { return model_.get(); }
    const llama_vocab* vocab() const noexcept { return vocab_; }
    // The most bytes of text any one token stands for, special tokens included.
    std::size_t longest_token_bytes() const noexcept { return longest_token_bytes_; }

    void session_opened() noexcept { open_sessions_.fetch_add(1, std::memory_order_acq_rel); }
    void session_closed() noexcept { open_sessions_.fetch_sub(1, std::memory_order_acq_rel); }
    int open_sessions() const noexcept { return open_sessions_.load(std::memory_order_acquire); }

private:
    struct Deleter {
        void operator()(llama_model* model) const noexcept;
    };
    std::unique_ptr<llama_model, Deleter> model_;
    const llama_vocab* vocab_ = nullptr;
    std::size_t longest_token_bytes_ = 1;
    std::atomic<int> open_sessions_{0};
};

// Facts read once at load, so they stay readable after close().
struct ModelInfo {
    std::int32_t n_ctx_train = 0;
    std::int32_t n_vocab = 0;
    std::string description;
    std::uint64_t size_bytes = 0;
    std::uint64_t n_params = 0;
    std::vector<std::pair<std::string, std::string>> metadata;
};

class Model {
public:
    // Loads the GGUF file; throws Error(ModelLoad) naming the path and why.
    explicit Model(ModelParams params);

    // Releases this handle's share of the weights. Throws Error(ModelBusy)
    // while sessions made from it are open. Idempotent.
    void close();
    bool closed() const;
    int open_sessions() const;

    const ModelParams& params() const noexcept { return params_; }
    const ModelInfo& info() const noexcept { return info_; }

    // The weights, with one more session counted open; throws
    // Error(ModelClosed) after close(). The caller must report the session's
    // end through LoadedModel::session_closed().
    std::shared_ptr<LoadedModel> open_session();

private:
    ModelParams params_;
    std::shared_ptr<LoadedModel> loaded_;
    ModelInfo info_;
    // Makes close() and open_session() atomic with respect to each other.
    mutable std::mutex mutex_;
};

}  // namespace genex_llm
