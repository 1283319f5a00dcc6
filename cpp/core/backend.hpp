#pragma once

#include <string>
#include <vector>

namespace genex_llm {

enum class LogLevel { Debug, Info, Warn, Error };

// Receives llama.cpp's messages one whole line at a time, from any thread,
// possibly while the caller holds locks: it must not call back into the core.
using LogSink = void (*)(LogLevel level, const std::string& line);

// Initialises llama.cpp's back-ends once per process and routes its log
// output to the sink (or drops it when none is set): never to stderr.
void ensure_backend();
void set_log_sink(LogSink sink) noexcept;

// Collects the error lines llama.cpp logs on this thread while it lives, so
// a failed call can say why it failed.
class ErrorLineCapture {
public:
    ErrorLineCapture();
    ~ErrorLineCapture();
    ErrorLineCapture(const ErrorLineCapture&) = delete;
    ErrorLineCapture& operator=(const ErrorLineCapture&) = delete;

    // The captured lines joined with "; ", or `fallback` when there were none.
    std::string reason(const std::string& fallback) const;

private:
    std::vector<std::string> lines_;
    ErrorLineCapture* previous_;
    friend void record_error_line(const std::string& line);
};

// The back-ends and CPU features llama.cpp was built with and detected.
std::string system_info();

}  // namespace genex_llm
