#include "backend.hpp"

#include <atomic>
#include <mutex>

#include "llama.h"

namespace genex_llm {

void record_error_line(const std::string& line);

namespace {

std::atomic<LogSink> g_sink{nullptr};
thread_local ErrorLineCapture* t_capture = nullptr;
// llama.cpp writes a line in several calls (CONT continues the previous one),
// so each thread assembles its own partial line.
thread_local std::string t_partial;
thread_local ggml_log_level t_partial_level = GGML_LOG_LEVEL_INFO;

LogLevel to_log_level(ggml_log_level level) {
    switch (level) {
        case GGML_LOG_LEVEL_DEBUG: return LogLevel::Debug;
        case GGML_LOG_LEVEL_WARN: return LogLevel::Warn;
        case GGML_LOG_LEVEL_ERROR: return LogLevel::Error;
        default: return LogLevel::Info;
    }
}

void emit_line(ggml_log_level level, const std::string& line) {
    if (line.empty()) {
        return;
    }
    if (level == GGML_LOG_LEVEL_ERROR) {
        record_error_line(line);
    }
    if (LogSink sink = g_sink.load(std::memory_order_acquire)) {
        sink(to_log_level(level), line);
    }
}

void on_llama_log(ggml_log_level level, const char* text, void* /*user_data*/) {
    if (text == nullptr) {
        return;
    }
    if (level != GGML_LOG_LEVEL_CONT) {
        if (!t_partial.empty()) {
            emit_line(t_partial_level, t_partial);
            t_partial.clear();
        }
        t_partial_level = level;
    }
    for (const char* p = text; *p != '\0'; ++p) {
        if (*p == '\n') {
            emit_line(t_partial_level, t_partial);
            t_partial.clear();
        } else {
            t_partial.push_back(*p);
        }
    }
}

}  // namespace

void record_error_line(const std::string& line) {
    if (t_capture != nullptr) {
        t_capture->lines_.push_back(line);
    }
}

void ensure_backend() {
    static std::once_flag once;
    std::call_once(once, [] {
        llama_log_set(on_llama_log, nullptr);
        llama_backend_init();
    });
}

void set_log_sink(LogSink sink) noexcept { g_sink.store(sink, std::memory_order_release); }

ErrorLineCapture::ErrorLineCapture() : previous_(t_capture) { t_capture = this; }

ErrorLineCapture::~ErrorLineCapture() { t_capture = previous_; }

std::string ErrorLineCapture::reason(const std::string& fallback) const {
    if (lines_.empty()) {
        return fallback;
    }
    std::string joined;
    for (const auto& line : lines_) {
        if (!joined.empty()) {
            joined += "; ";
        }
        joined += line;
    }
    return joined;
}

std::string system_info() {
    ensure_backend();
    return llama_print_system_info();
}

}  // namespace genex_llm
