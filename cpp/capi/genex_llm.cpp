// The C ABI: thin wrappers that turn handles into core objects and every
// outcome into a status. No exception leaves this file (see guarded()).

#include "genex_llm.h"

#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "backend.hpp"
#include "guard.hpp"
#include "model.hpp"
#include "options.hpp"
#include "session.hpp"

using genex_llm::capi::guarded;
using genex_llm::capi::require;
using genex_llm::capi::require_text;

struct genex_llm_model {
    genex_llm_model(genex_llm::ModelParams params, const genex_llm_load_options& resolved)
        : core(std::move(params)), options(resolved) {}
    genex_llm::Model core;
    genex_llm_load_options options;
};

struct genex_llm_session {
    genex_llm_session(genex_llm::Model& model, const genex_llm_session_options& resolved)
        : core(model, genex_llm::SessionParams{resolved.context, resolved.batch, resolved.threads}),
          options(resolved) {}
    genex_llm::Session core;
    genex_llm_session_options options;
};

struct genex_llm_completion {
    genex_llm::Completion core;
};

namespace {

// Held while the callback runs, so that once genex_llm_set_log_callback
// returns, no thread is still inside the callback it replaced.
std::mutex g_log_mutex;
genex_llm_log_callback g_log_callback = nullptr;
void* g_log_user_data = nullptr;

genex_llm_log_level to_c(genex_llm::LogLevel level) noexcept {
    switch (level) {
        case genex_llm::LogLevel::Debug: return GENEX_LLM_LOG_DEBUG;
        case genex_llm::LogLevel::Info: return GENEX_LLM_LOG_INFO;
        case genex_llm::LogLevel::Warn: return GENEX_LLM_LOG_WARN;
        case genex_llm::LogLevel::Error: return GENEX_LLM_LOG_ERROR;
    }
    return GENEX_LLM_LOG_INFO;
}

void forward_log(genex_llm::LogLevel level, const std::string& line) noexcept {
    std::lock_guard<std::mutex> lock(g_log_mutex);
    if (g_log_callback != nullptr) {
        g_log_callback(to_c(level), line.c_str(), g_log_user_data);
    }
}

// Output handles read NULL after any failure, whichever check fails first.
template <typename Handle>
Handle** clear_output(Handle** out) noexcept {
    if (out != nullptr) {
        *out = nullptr;
    }
    return out;
}

}  // namespace

extern "C" {

const char* genex_llm_status_name(genex_llm_status status) noexcept {
    switch (status) {
        case GENEX_LLM_OK: return "OK";
        case GENEX_LLM_ERR_MODEL_LOAD: return "MODEL_LOAD";
        case GENEX_LLM_ERR_OPTION: return "OPTION";
        case GENEX_LLM_ERR_CONTEXT_LIMIT: return "CONTEXT_LIMIT";
        case GENEX_LLM_ERR_MODEL_CLOSED: return "MODEL_CLOSED";
        case GENEX_LLM_ERR_SESSION_CLOSED: return "SESSION_CLOSED";
        case GENEX_LLM_ERR_MODEL_BUSY: return "MODEL_BUSY";
        case GENEX_LLM_ERR_INFERENCE: return "INFERENCE";
        case GENEX_LLM_ERR_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
        case GENEX_LLM_ERR_OUT_OF_MEMORY: return "OUT_OF_MEMORY";
        case GENEX_LLM_ERR_INTERNAL: return "INTERNAL";
    }
    return "UNKNOWN";
}

const char* genex_llm_finish_reason_name(genex_llm_finish_reason reason) noexcept {
    switch (reason) {
        case GENEX_LLM_FINISH_STOP: return "stop";
        case GENEX_LLM_FINISH_LENGTH: return "length";
        case GENEX_LLM_FINISH_CANCELLED: return "cancelled";
        case GENEX_LLM_FINISH_ERROR: return "error";
    }
    return "unknown";
}

void genex_llm_set_log_callback(genex_llm_log_callback callback, void* user_data) noexcept {
    std::lock_guard<std::mutex> lock(g_log_mutex);
    g_log_callback = callback;
    g_log_user_data = user_data;
    genex_llm::set_log_sink(callback != nullptr ? forward_log : nullptr);
}

genex_llm_load_options genex_llm_load_options_default(void) noexcept { return genex_llm::capi::default_load_options(); }

genex_llm_status genex_llm_session_options_default(const genex_llm_model* model, genex_llm_session_options* out,
                                                   char* err, size_t err_size) noexcept {
    return guarded(err, err_size, [&] {
        const genex_llm_model& source = require(model, "model");
        require(out, "out") = genex_llm::capi::default_session_options(source.options);
    });
}

genex_llm_status genex_llm_infer_options_default(const genex_llm_session* session, genex_llm_infer_options* out,
                                                 char* err, size_t err_size) noexcept {
    return guarded(err, err_size, [&] {
        const genex_llm_session& source = require(session, "session");
        require(out, "out") = genex_llm::capi::sampling_of(source.options);
    });
}

genex_llm_status genex_llm_model_load(const char* path, const genex_llm_load_options* options,
                                      genex_llm_model** out_model, char* err, size_t err_size) noexcept {
    clear_output(out_model);
    return guarded(err, err_size, [&] {
        genex_llm_model*& out = require(out_model, "out_model");
        const genex_llm_load_options resolved =
            genex_llm::capi::resolve(options != nullptr ? *options : genex_llm::capi::default_load_options());
        genex_llm::ModelParams params;
        params.path = require_text(path, "path");
        params.context = resolved.context;
        params.threads = resolved.threads;
        params.gpu_layers = resolved.gpu_layers;
        params.use_mmap = resolved.disable_mmap == 0;
        params.use_mlock = resolved.mlock != 0;
        out = new genex_llm_model(std::move(params), resolved);
    });
}

genex_llm_status genex_llm_model_get_options(const genex_llm_model* model, genex_llm_load_options* out, char* err,
                                             size_t err_size) noexcept {
    return guarded(err, err_size, [&] { require(out, "out") = require(model, "model").options; });
}

genex_llm_status genex_llm_model_close(genex_llm_model* model, char* err, size_t err_size) noexcept {
    return guarded(err, err_size, [&] { require(model, "model").core.close(); });
}

void genex_llm_model_free(genex_llm_model* model) noexcept { delete model; }

genex_llm_status genex_llm_session_new(genex_llm_model* model, const genex_llm_session_options* options,
                                       genex_llm_session** out_session, char* err, size_t err_size) noexcept {
    clear_output(out_session);
    return guarded(err, err_size, [&] {
        genex_llm_session*& out = require(out_session, "out_session");
        genex_llm_model& source = require(model, "model");
        const genex_llm_session_options resolved = genex_llm::capi::resolve(
            options != nullptr ? *options : genex_llm::capi::default_session_options(source.options));
        out = new genex_llm_session(source.core, resolved);
    });
}

genex_llm_status genex_llm_session_get_options(const genex_llm_session* session, genex_llm_session_options* out,
                                               char* err, size_t err_size) noexcept {
    return guarded(err, err_size, [&] { require(out, "out") = require(session, "session").options; });
}

genex_llm_status genex_llm_session_infer(genex_llm_session* session, const char* prompt,
                                         const genex_llm_infer_options* options,
                                         genex_llm_completion** out_completion, char* err, size_t err_size) noexcept {
    clear_output(out_completion);
    return guarded(err, err_size, [&] {
        genex_llm_completion*& out = require(out_completion, "out_completion");
        genex_llm_session& target = require(session, "session");
        const std::string text = require_text(prompt, "prompt");
        genex_llm::capi::check_utf8(text);
        const genex_llm_infer_options resolved =
            options != nullptr ? genex_llm::capi::resolve(*options) : genex_llm::capi::sampling_of(target.options);
        const genex_llm::SamplingParams sampling{resolved.max_tokens, static_cast<float>(resolved.temperature),
                                                 static_cast<float>(resolved.top_p), resolved.top_k, resolved.seed};
        auto completion = std::make_unique<genex_llm_completion>();
        completion->core = target.core.infer(text, sampling);
        out = completion.release();
    });
}

void genex_llm_session_cancel(genex_llm_session* session) noexcept {
    if (session != nullptr) {
        session->core.cancel();
    }
}

genex_llm_status genex_llm_session_reset(genex_llm_session* session, char* err, size_t err_size) noexcept {
    return guarded(err, err_size, [&] { require(session, "session").core.reset(); });
}

genex_llm_status genex_llm_session_close(genex_llm_session* session, char* err, size_t err_size) noexcept {
    return guarded(err, err_size, [&] { require(session, "session").core.close(); });
}

void genex_llm_session_free(genex_llm_session* session) noexcept { delete session; }

const char* genex_llm_completion_text(const genex_llm_completion* completion, size_t* length) noexcept {
    if (length != nullptr) {
        *length = completion != nullptr ? completion->core.text.size() : 0;
    }
    return completion != nullptr ? completion->core.text.c_str() : nullptr;
}

size_t genex_llm_completion_token_count(const genex_llm_completion* completion) noexcept {
    return completion != nullptr ? completion->core.tokens.size() : 0;
}

const char* genex_llm_completion_token(const genex_llm_completion* completion, size_t index, size_t* length) noexcept {
    const bool present = completion != nullptr && index < completion->core.tokens.size();
    if (length != nullptr) {
        *length = present ? completion->core.tokens[index].size() : 0;
    }
    return present ? completion->core.tokens[index].c_str() : nullptr;
}

genex_llm_finish_reason genex_llm_completion_finish_reason(const genex_llm_completion* completion) noexcept {
    if (completion == nullptr) {
        return GENEX_LLM_FINISH_ERROR;
    }
    switch (completion->core.finish_reason) {
        case genex_llm::FinishReason::Stop: return GENEX_LLM_FINISH_STOP;
        case genex_llm::FinishReason::Length: return GENEX_LLM_FINISH_LENGTH;
        case genex_llm::FinishReason::Cancelled: return GENEX_LLM_FINISH_CANCELLED;
        case genex_llm::FinishReason::Error: return GENEX_LLM_FINISH_ERROR;
    }
    return GENEX_LLM_FINISH_ERROR;
}

int64_t genex_llm_completion_latency_ms(const genex_llm_completion* completion) noexcept {
    return completion != nullptr ? completion->core.latency_ms : 0;
}

int32_t genex_llm_completion_prompt_tokens(const genex_llm_completion* completion) noexcept {
    return completion != nullptr ? completion->core.prompt_tokens : 0;
}

int32_t genex_llm_completion_reused_tokens(const genex_llm_completion* completion) noexcept {
    return completion != nullptr ? completion->core.reused_tokens : 0;
}

double genex_llm_completion_prompt_ms(const genex_llm_completion* completion) noexcept {
    return completion != nullptr ? completion->core.prompt_ms : 0.0;
}

double genex_llm_completion_generation_ms(const genex_llm_completion* completion) noexcept {
    return completion != nullptr ? completion->core.generation_ms : 0.0;
}

void genex_llm_completion_free(genex_llm_completion* completion) noexcept { delete completion; }

}  // extern "C"
