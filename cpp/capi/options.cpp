#include "options.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "error.hpp"
#include "guard.hpp"

namespace genex_llm::capi {
namespace {

// The constants of _options.py.
constexpr std::int32_t kMinContext = 256;
constexpr std::int32_t kMaxThreads = 512;  // llama.cpp's thread pool refuses more
constexpr std::int32_t kDefaultContext = 2048;
constexpr std::int32_t kDefaultBatch = 512;
constexpr double kMaxTemperature = 100.0;
constexpr std::int32_t kDefaultMaxTokens = 256;
constexpr double kDefaultTemperature = 0.7;
constexpr double kDefaultTopP = 0.9;
constexpr std::int32_t kDefaultTopK = 40;
constexpr std::uint32_t kDefaultSeed = 42;

std::int32_t clamp_threads(long threads) noexcept {
    return static_cast<std::int32_t>(std::clamp<long>(threads, 1, kMaxThreads));
}

// What os.cpu_count() reports on POSIX, so both faces pick the same default.
long online_cpus() noexcept { return ::sysconf(_SC_NPROCESSORS_ONLN); }

std::string show(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

template <typename Options>
void check_struct_size(const Options& given, const char* type, const char* default_function) {
    if (given.struct_size != sizeof(Options)) {
        throw ArgumentError(std::string(type) + ".struct_size is " + std::to_string(given.struct_size) +
                            ", expected " + std::to_string(sizeof(Options)) + ": start from " + default_function +
                            "()");
    }
}

std::int32_t check_flag(const char* key, std::int32_t value) {
    if (value != 0 && value != 1) {
        throw Error(ErrorKind::Option,
                    std::string("option '") + key + "' must be 0 or 1, got " + std::to_string(value));
    }
    return value;
}

double check_finite(const char* key, double value) {
    if (!std::isfinite(value)) {
        throw Error(ErrorKind::Option,
                    std::string("option '") + key + "' must be a finite number, got " + show(value));
    }
    return value;
}

// The sampling fields are the same in session and infer options.
template <typename Options>
void resolve_sampling(Options& options) {
    options.max_tokens = std::max<std::int32_t>(1, options.max_tokens);
    options.temperature = std::clamp(check_finite("temperature", options.temperature), 0.0, kMaxTemperature);
    const double top_p = check_finite("top_p", options.top_p);
    if (!(top_p > 0.0 && top_p <= 1.0)) {
        throw Error(ErrorKind::Option, "option 'top_p' must be in (0, 1], got " + show(top_p));
    }
    options.top_k = std::max<std::int32_t>(0, options.top_k);
}

}  // namespace

genex_llm_load_options default_load_options() noexcept {
    genex_llm_load_options options{};
    options.struct_size = sizeof options;
    options.context = kDefaultContext;
    options.threads = clamp_threads(online_cpus());
    options.gpu_layers = 0;
    options.disable_mmap = 0;
    options.mlock = 0;
    return options;
}

genex_llm_session_options default_session_options(const genex_llm_load_options& model) noexcept {
    genex_llm_session_options options{};
    options.struct_size = sizeof options;
    options.context = model.context;
    options.batch = std::min(kDefaultBatch, model.context);
    options.threads = model.threads;
    options.max_tokens = kDefaultMaxTokens;
    options.temperature = kDefaultTemperature;
    options.top_p = kDefaultTopP;
    options.top_k = kDefaultTopK;
    options.seed = kDefaultSeed;
    return options;
}

genex_llm_infer_options sampling_of(const genex_llm_session_options& session) noexcept {
    genex_llm_infer_options options{};
    options.struct_size = sizeof options;
    options.max_tokens = session.max_tokens;
    options.temperature = session.temperature;
    options.top_p = session.top_p;
    options.top_k = session.top_k;
    options.seed = session.seed;
    return options;
}

genex_llm_load_options resolve(const genex_llm_load_options& given) {
    check_struct_size(given, "genex_llm_load_options", "genex_llm_load_options_default");
    genex_llm_load_options options = given;
    options.context = std::max(kMinContext, given.context);
    options.threads = clamp_threads(given.threads);
    options.gpu_layers = std::max<std::int32_t>(0, given.gpu_layers);
    options.disable_mmap = check_flag("disable_mmap", given.disable_mmap);
    options.mlock = check_flag("mlock", given.mlock);
    return options;
}

genex_llm_session_options resolve(const genex_llm_session_options& given) {
    check_struct_size(given, "genex_llm_session_options", "genex_llm_session_options_default");
    genex_llm_session_options options = given;
    options.context = std::max(kMinContext, given.context);
    options.batch = std::clamp<std::int32_t>(given.batch, 1, options.context);
    options.threads = clamp_threads(given.threads);
    resolve_sampling(options);
    return options;
}

genex_llm_infer_options resolve(const genex_llm_infer_options& given) {
    check_struct_size(given, "genex_llm_infer_options", "genex_llm_infer_options_default");
    genex_llm_infer_options options = given;
    resolve_sampling(options);
    return options;
}

void check_utf8(const std::string& text) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t size = text.size();
    std::size_t i = 0;
    while (i < size) {
        const unsigned char lead = bytes[i];
        std::size_t length = 1;
        // The range of the second byte excludes overlong forms, surrogates
        // and code points above U+10FFFF (RFC 3629, section 4).
        unsigned char low = 0x80, high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            low = lead == 0xE0 ? 0xA0 : 0x80;
            high = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            low = lead == 0xF0 ? 0x90 : 0x80;
            high = lead == 0xF4 ? 0x8F : 0xBF;
        } else if (lead >= 0x80) {
            length = 0;
        }
        bool valid = length > 0 && i + length <= size;
        for (std::size_t k = 1; valid && k < length; ++k) {
            const unsigned char byte = bytes[i + k];
            valid = k == 1 ? (byte >= low && byte <= high) : (byte >= 0x80 && byte <= 0xBF);
        }
        if (!valid) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", lead);
            throw Error(ErrorKind::Option, "prompt is not valid UTF-8: the character starting with byte " +
                                               std::string(hex) + " at offset " + std::to_string(i) +
                                               " is malformed");
        }
        i += length;
    }
}

}  // namespace genex_llm::capi
