#pragma once

#include <cstddef>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>

#include "error.hpp"
#include "genex_llm.h"

namespace genex_llm::capi {

// A caller's mistake the core cannot see (NULL pointers, bad struct_size);
// becomes GENEX_LLM_ERR_INVALID_ARGUMENT.
class ArgumentError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Copies `message` into the caller's buffer, cut at a character boundary and
// NUL-terminated; a NULL buffer or a size of 0 receives nothing.
void write_message(char* err, std::size_t err_size, const char* message) noexcept;

genex_llm_status status_of(ErrorKind kind) noexcept;

// Runs `body` and reports its outcome as a status and a message, so that no
// exception ever crosses the C boundary.
template <typename Body>
genex_llm_status guarded(char* err, std::size_t err_size, Body&& body) noexcept {
    try {
        body();
        write_message(err, err_size, "");
        return GENEX_LLM_OK;
    } catch (const Error& error) {
        write_message(err, err_size, error.what());
        return status_of(error.kind());
    } catch (const ArgumentError& error) {
        write_message(err, err_size, error.what());
        return GENEX_LLM_ERR_INVALID_ARGUMENT;
    } catch (const std::bad_alloc&) {
        write_message(err, err_size, "out of memory");
        return GENEX_LLM_ERR_OUT_OF_MEMORY;
    } catch (const std::exception& error) {
        write_message(err, err_size, error.what());
        return GENEX_LLM_ERR_INTERNAL;
    } catch (...) {
        write_message(err, err_size, "unexpected failure of unknown type");
        return GENEX_LLM_ERR_INTERNAL;
    }
}

// Throws ArgumentError naming `what` when `pointer` is NULL.
template <typename T>
T& require(T* pointer, const char* what) {
    if (pointer == nullptr) {
        throw ArgumentError(std::string(what) + " is NULL");
    }
    return *pointer;
}

// The NUL-terminated string at `text`; throws ArgumentError naming `what` when it is NULL.
inline std::string require_text(const char* text, const char* what) { return std::string(&require(text, what)); }

}  // namespace genex_llm::capi
