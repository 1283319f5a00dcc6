#include "model.hpp"

#include <algorithm>
#include <vector>

#include "backend.hpp"
#include "error.hpp"
#include "gguf_header.hpp"
#include "huge_pages.hpp"
#include "llama.h"

namespace genex_llm {
namespace {

// llama.cpp's string getters follow snprintf: they return the full length,
// so a second call with a buffer of that size reads any value whole.
template <typename Getter>
std::string read_string(Getter getter) {
    std::vector<char> buffer(256);
    int32_t length = getter(buffer.data(), buffer.size());
    if (length < 0) {
        return {};
    }
    if (static_cast<std::size_t>(length) >= buffer.size()) {
        buffer.resize(static_cast<std::size_t>(length) + 1);
        length = getter(buffer.data(), buffer.size());
    }
    return std::string(buffer.data(), static_cast<std::size_t>(length));
}

llama_load_mode load_mode(bool use_mmap, bool use_mlock) {
    if (use_mmap) {
        // Plain mmap is llama.cpp's own choice where the platform has it.
        return use_mlock ? LLAMA_LOAD_MODE_MMAP_MLOCK : LLAMA_LOAD_MODE_AUTO;
    }
    return use_mlock ? LLAMA_LOAD_MODE_MLOCK : LLAMA_LOAD_MODE_NONE;
}

ModelInfo read_info(const llama_model* model, const llama_vocab* vocab) {
    ModelInfo info;
    info.n_ctx_train = llama_model_n_ctx_train(model);
    info.n_vocab = llama_vocab_n_tokens(vocab);
    info.description = read_string([&](char* buf, size_t size) { return llama_model_desc(model, buf, size); });
    info.size_bytes = llama_model_size(model);
    info.n_params = llama_model_n_params(model);
    const int32_t count = llama_model_meta_count(model);
    for (int32_t i = 0; i < count; ++i) {
        auto key = [&](char* buf, size_t size) { return llama_model_meta_key_by_index(model, i, buf, size); };
        auto value = [&](char* buf, size_t size) { return llama_model_meta_val_str_by_index(model, i, buf, size); };
        info.metadata.emplace_back(read_string(key), read_string(value));
    }
    return info;
}

}  // namespace

void LoadedModel::Deleter::operator()(llama_model* model) const noexcept { llama_model_free(model); }

LoadedModel::LoadedModel(const ModelParams& params) {
    ensure_backend();
    check_gguf_file(params.path);

    llama_model_params model_params = llama_model_default_params();
    model_params.n_gpu_layers = params.gpu_layers;
    model_params.load_mode = load_mode(params.use_mmap, params.use_mlock);

    ErrorLineCapture errors;
    {
        WeightsOnHugePages weights_on_huge_pages;
        model_.reset(llama_model_load_from_file(params.path.c_str(), model_params));
    }
    if (!model_) {
        throw Error(ErrorKind::ModelLoad, "cannot load model '" + params.path +
                                              "': " + errors.reason("llama.cpp could not read it"));
    }
    vocab_ = llama_model_get_vocab(model_.get());
    char piece[256];
    for (llama_token token = 0; token < llama_vocab_n_tokens(vocab_); ++token) {
        const int32_t length = llama_token_to_piece(vocab_, token, piece, sizeof piece, 0, true);
        const std::size_t bytes = length < 0 ? static_cast<std::size_t>(-length) : static_cast<std::size_t>(length);
        longest_token_bytes_ = std::max(longest_token_bytes_, bytes);
    }
}

Model::Model(ModelParams params)
    : params_(std::move(params)), loaded_(std::make_shared<LoadedModel>(params_)),
      info_(read_info(loaded_->get(), loaded_->vocab())) {}

void Model::close() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!loaded_) {
        return;
    }
    const int open = loaded_->open_sessions();
    if (open > 0) {
        throw Error(ErrorKind::ModelBusy,
                    "cannot close the model: " + std::to_string(open) + " session" + (open == 1 ? " is" : "s are") +
                        " still open; all sessions must be closed before the model can be released");
    }
    loaded_.reset();
}

bool Model::closed() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return !loaded_;
}

int Model::open_sessions() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return loaded_ ? loaded_->open_sessions() : 0;
}

std::shared_ptr<LoadedModel> Model::open_session() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!loaded_) {
        throw Error(ErrorKind::ModelClosed, "model has been closed");
    }
    loaded_->session_opened();
    return loaded_;
}

}  // namespace genex_llm
