#pragma once

#include <stdexcept>
#include <string>

namespace genex_llm {

// Every failure the core reports carries one of these kinds; each face (the
// Python module, the C ABI) maps a kind to its own error type, never by
// parsing the message.
enum class ErrorKind {
    ModelLoad,
    Option,
    ContextLimit,
    ModelClosed,
    SessionClosed,
    ModelBusy,
    Inference,
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const noexcept { return kind_; }

private:
    ErrorKind kind_;
};

}  // namespace genex_llm
