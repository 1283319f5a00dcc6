#include "guard.hpp"

#include <cstring>

namespace genex_llm::capi {

void write_message(char* err, std::size_t err_size, const char* message) noexcept {
    if (err == nullptr || err_size == 0) {
        return;
    }
    std::size_t length = std::strlen(message);
    if (length >= err_size) {
        length = err_size - 1;
        // A cut inside a multi-byte character would hand the caller invalid
        // UTF-8; drop the whole character instead.
        while (length > 0 && (static_cast<unsigned char>(message[length]) & 0xC0U) == 0x80U) {
            --length;
        }
    }
    std::memcpy(err, message, length);
    err[length] = '\0';
}

genex_llm_status status_of(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::ModelLoad: return GENEX_LLM_ERR_MODEL_LOAD;
        case ErrorKind::Option: return GENEX_LLM_ERR_OPTION;
        case ErrorKind::ContextLimit: return GENEX_LLM_ERR_CONTEXT_LIMIT;
        case ErrorKind::ModelClosed: return GENEX_LLM_ERR_MODEL_CLOSED;
        case ErrorKind::SessionClosed: return GENEX_LLM_ERR_SESSION_CLOSED;
        case ErrorKind::ModelBusy: return GENEX_LLM_ERR_MODEL_BUSY;
        case ErrorKind::Inference: return GENEX_LLM_ERR_INFERENCE;
    }
    return GENEX_LLM_ERR_INTERNAL;
}

}  // namespace genex_llm::capi
