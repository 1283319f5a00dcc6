/*
 * genex_llm.h: the C ABI of genex_llm, for Gene VMs written in languages
 * other than Python (Nim, C, anything with a C FFI).
 *
 * The same core as the Python module, behind opaque handles: no C++ type
 * crosses this header. docs/c-api.md documents the error model, the option
 * rules, ownership and threading, with a complete example.
 *
 * Error model: every function that can fail returns a genex_llm_status and
 * writes a message into the caller's buffer `err` of `err_size` bytes
 * (truncated at a character boundary and always NUL-terminated; "" on
 * success; nothing is written when `err` is NULL or `err_size` is 0). On
 * failure, a handle output parameter is set to NULL.
 */
#ifndef GENEX_LLM_H
#define GENEX_LLM_H

#include <stddef.h>
#include <stdint.h>

/* The library is built with hidden visibility; only these names are exported. */
#define GENEX_LLM_API __attribute__((visibility("default")))

/* No function lets an exception escape; C++ callers may rely on that. */
#ifdef __cplusplus
#  define GENEX_LLM_NOEXCEPT noexcept
#else
#  define GENEX_LLM_NOEXCEPT
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct genex_llm_model genex_llm_model;
typedef struct genex_llm_session genex_llm_session;
typedef struct genex_llm_completion genex_llm_completion;

/* Values 1 to 7 mirror the Python exceptions ModelLoadError ... InferenceError. */
typedef enum genex_llm_status {
    GENEX_LLM_OK = 0,
    GENEX_LLM_ERR_MODEL_LOAD = 1,       /* file missing, unreadable or not a loadable GGUF model */
    GENEX_LLM_ERR_OPTION = 2,           /* an option or the prompt is refused */
    GENEX_LLM_ERR_CONTEXT_LIMIT = 3,    /* context beyond the model's, or a prompt beyond the session's */
    GENEX_LLM_ERR_MODEL_CLOSED = 4,     /* "model has been closed" */
    GENEX_LLM_ERR_SESSION_CLOSED = 5,   /* "LLM session has been closed" */
    GENEX_LLM_ERR_MODEL_BUSY = 6,       /* model close refused while sessions are open */
    GENEX_LLM_ERR_INFERENCE = 7,        /* llama.cpp failed */
    GENEX_LLM_ERR_INVALID_ARGUMENT = 8, /* NULL handle or pointer, bad struct_size */
    GENEX_LLM_ERR_OUT_OF_MEMORY = 9,
    GENEX_LLM_ERR_INTERNAL = 10         /* an unexpected failure; the message says what */
} genex_llm_status;

typedef enum genex_llm_finish_reason {
    GENEX_LLM_FINISH_STOP = 0,      /* the model emitted an end-of-generation token */
    GENEX_LLM_FINISH_LENGTH = 1,    /* max_tokens reached or the context filled up */
    GENEX_LLM_FINISH_CANCELLED = 2, /* genex_llm_session_cancel or close stopped it */
    GENEX_LLM_FINISH_ERROR = 3      /* llama.cpp failed part-way; the text so far is kept */
} genex_llm_finish_reason;

typedef enum genex_llm_log_level {
    GENEX_LLM_LOG_DEBUG = 0,
    GENEX_LLM_LOG_INFO = 1,
    GENEX_LLM_LOG_WARN = 2,
    GENEX_LLM_LOG_ERROR = 3
} genex_llm_log_level;

/*
 * Option structs. Always start from the matching *_default function and
 * change fields: it sets struct_size, which lets later versions of the
 * library add fields without breaking callers compiled against this header.
 * A struct whose struct_size differs from sizeof is refused with
 * GENEX_LLM_ERR_INVALID_ARGUMENT. Out-of-range values are clamped or refused
 * exactly as the Python facade does (docs/c-api.md lists each rule).
 */
typedef struct genex_llm_load_options {
    uint32_t struct_size;
    int32_t context;      /* default context of the model's sessions; 2048, clamped to >= 256 */
    int32_t threads;      /* default threads of the model's sessions; the online CPUs, clamped to [1, 512] */
    int32_t gpu_layers;   /* layers offloaded to a GPU back-end when one is built in; 0, clamped to >= 0 */
    int32_t disable_mmap; /* 0 or 1 (other values refused): read the file instead of mapping it; 0 */
    int32_t mlock;        /* 0 or 1 (other values refused): lock the weights in RAM; 0 */
} genex_llm_load_options;

typedef struct genex_llm_session_options {
    uint32_t struct_size;
    int32_t context;    /* the model's context; clamped to >= 256; beyond the trained context: CONTEXT_LIMIT */
    int32_t batch;      /* min(512, context); clamped to [1, context] */
    int32_t threads;    /* the model's threads; clamped to [1, 512] */
    /* The session's sampling defaults, used by infer calls given no options. */
    int32_t max_tokens; /* 256; clamped to >= 1 */
    double temperature; /* 0.7; 0 is greedy; NaN and infinities refused, otherwise clamped to [0, 100] */
    double top_p;       /* 0.9; must be in (0, 1], otherwise refused; 1 disables nucleus filtering */
    int32_t top_k;      /* 40; clamped to >= 0; 0 disables top-k filtering */
    uint32_t seed;      /* 42 */
} genex_llm_session_options;

typedef struct genex_llm_infer_options {
    uint32_t struct_size;
    int32_t max_tokens; /* the rules of the session options' fields of the same names */
    double temperature;
    double top_p;
    int32_t top_k;
    uint32_t seed;
} genex_llm_infer_options;

/* ---- names ---- */

/* "OK", "MODEL_LOAD", ... "INTERNAL"; "UNKNOWN" for other values. Static strings. */
GENEX_LLM_API const char* genex_llm_status_name(genex_llm_status status) GENEX_LLM_NOEXCEPT;
/* "stop", "length", "cancelled", "error" (the Python facade's names); "unknown" otherwise. */
GENEX_LLM_API const char* genex_llm_finish_reason_name(genex_llm_finish_reason reason) GENEX_LLM_NOEXCEPT;

/* ---- logging ---- */

/*
 * Receives llama.cpp's log, one line (without newline) per call, from any
 * thread. It must not call any genex_llm function. By default the log is
 * dropped: the library never writes to stderr. Pass NULL to drop it again;
 * once this returns, the previous callback is not called any more.
 */
typedef void (*genex_llm_log_callback)(genex_llm_log_level level, const char* line, void* user_data);
GENEX_LLM_API void genex_llm_set_log_callback(genex_llm_log_callback callback, void* user_data) GENEX_LLM_NOEXCEPT;

/* ---- defaults ---- */

/* The Python facade's load defaults: context 2048, threads = online CPUs (in [1, 512]), the rest 0. */
GENEX_LLM_API genex_llm_load_options genex_llm_load_options_default(void) GENEX_LLM_NOEXCEPT;

/* The defaults of a session of `model` (also after the model is closed). */
GENEX_LLM_API genex_llm_status genex_llm_session_options_default(const genex_llm_model* model,
                                                                 genex_llm_session_options* out, char* err,
                                                                 size_t err_size) GENEX_LLM_NOEXCEPT;

/* The session's sampling defaults, as infer options (also after the session is closed). */
GENEX_LLM_API genex_llm_status genex_llm_infer_options_default(const genex_llm_session* session,
                                                               genex_llm_infer_options* out, char* err,
                                                               size_t err_size) GENEX_LLM_NOEXCEPT;

/* ---- models ---- */

/*
 * Loads the GGUF file at `path` (a NUL-terminated file-system path). `options`
 * may be NULL for the defaults. On success *out_model is a new handle the
 * caller frees with genex_llm_model_free; GENEX_LLM_ERR_MODEL_LOAD names the
 * path and the reason.
 */
GENEX_LLM_API genex_llm_status genex_llm_model_load(const char* path, const genex_llm_load_options* options,
                                                    genex_llm_model** out_model, char* err,
                                                    size_t err_size) GENEX_LLM_NOEXCEPT;

/* The options in effect, after clamping (also after close). */
GENEX_LLM_API genex_llm_status genex_llm_model_get_options(const genex_llm_model* model, genex_llm_load_options* out,
                                                           char* err, size_t err_size) GENEX_LLM_NOEXCEPT;

/*
 * Releases the weights. GENEX_LLM_ERR_MODEL_BUSY while sessions made from the
 * model are open (neither closed nor freed). Idempotent.
 */
GENEX_LLM_API genex_llm_status genex_llm_model_close(genex_llm_model* model, char* err,
                                                     size_t err_size) GENEX_LLM_NOEXCEPT;

/*
 * Frees the handle; NULL is ignored. Never fails: sessions still open keep
 * the weights alive and keep working until they are freed too.
 */
GENEX_LLM_API void genex_llm_model_free(genex_llm_model* model) GENEX_LLM_NOEXCEPT;

/* ---- sessions ---- */

/*
 * A llama.cpp context over `model`; `options` may be NULL for the model's
 * session defaults. GENEX_LLM_ERR_MODEL_CLOSED after genex_llm_model_close.
 * The caller frees *out_session with genex_llm_session_free.
 */
GENEX_LLM_API genex_llm_status genex_llm_session_new(genex_llm_model* model, const genex_llm_session_options* options,
                                                     genex_llm_session** out_session, char* err,
                                                     size_t err_size) GENEX_LLM_NOEXCEPT;

/* The options in effect, after clamping (also after close). */
GENEX_LLM_API genex_llm_status genex_llm_session_get_options(const genex_llm_session* session,
                                                             genex_llm_session_options* out, char* err,
                                                             size_t err_size) GENEX_LLM_NOEXCEPT;

/*
 * Completes `prompt` (NUL-terminated UTF-8; invalid UTF-8 is refused with
 * GENEX_LLM_ERR_OPTION). `options` may be NULL for the session's sampling
 * defaults. Each call is independent of earlier ones. Blocks until done.
 * GENEX_LLM_ERR_SESSION_CLOSED after genex_llm_session_close. The caller
 * frees *out_completion with genex_llm_completion_free.
 */
GENEX_LLM_API genex_llm_status genex_llm_session_infer(genex_llm_session* session, const char* prompt,
                                                       const genex_llm_infer_options* options,
                                                       genex_llm_completion** out_completion, char* err,
                                                       size_t err_size) GENEX_LLM_NOEXCEPT;

/* Makes a running infer on another thread finish soon as CANCELLED. NULL is ignored. */
GENEX_LLM_API void genex_llm_session_cancel(genex_llm_session* session) GENEX_LLM_NOEXCEPT;

/*
 * Forgets the tokens the session keeps from earlier calls, so the next infer
 * evaluates its whole prompt. Waits for a running infer on another thread.
 * GENEX_LLM_ERR_SESSION_CLOSED after genex_llm_session_close.
 */
GENEX_LLM_API genex_llm_status genex_llm_session_reset(genex_llm_session* session, char* err,
                                                       size_t err_size) GENEX_LLM_NOEXCEPT;

/* Cancels a running infer, waits for it, frees the context. Idempotent. */
GENEX_LLM_API genex_llm_status genex_llm_session_close(genex_llm_session* session, char* err,
                                                       size_t err_size) GENEX_LLM_NOEXCEPT;

/* Closes the session if needed and frees the handle; NULL is ignored. */
GENEX_LLM_API void genex_llm_session_free(genex_llm_session* session) GENEX_LLM_NOEXCEPT;

/* ---- completions ---- */

/*
 * The generated text, NUL-terminated well-formed UTF-8, owned by the
 * completion. *length (when `length` is not NULL) receives its byte count.
 * NULL (and length 0) for a NULL completion.
 */
GENEX_LLM_API const char* genex_llm_completion_text(const genex_llm_completion* completion,
                                                    size_t* length) GENEX_LLM_NOEXCEPT;

/* How many tokens were generated; 0 for a NULL completion. */
GENEX_LLM_API size_t genex_llm_completion_token_count(const genex_llm_completion* completion) GENEX_LLM_NOEXCEPT;

/*
 * The text of generated token `index`, like genex_llm_completion_text. The
 * pieces concatenate to the text; a token whose bytes end inside a character
 * is "" and its bytes join the next piece. NULL when `index` is out of range.
 */
GENEX_LLM_API const char* genex_llm_completion_token(const genex_llm_completion* completion, size_t index,
                                                     size_t* length) GENEX_LLM_NOEXCEPT;

/* GENEX_LLM_FINISH_ERROR for a NULL completion. */
GENEX_LLM_API genex_llm_finish_reason genex_llm_completion_finish_reason(
    const genex_llm_completion* completion) GENEX_LLM_NOEXCEPT;

/* Wall time of the whole call in milliseconds; 0 for a NULL completion. */
GENEX_LLM_API int64_t genex_llm_completion_latency_ms(const genex_llm_completion* completion) GENEX_LLM_NOEXCEPT;

/* Tokens the prompt was tokenized into; 0 for a NULL completion. */
GENEX_LLM_API int32_t genex_llm_completion_prompt_tokens(const genex_llm_completion* completion) GENEX_LLM_NOEXCEPT;

/*
 * Prompt tokens found in the session's cache from the previous call and not
 * evaluated again (a shared prefix); 0 for a NULL completion.
 */
GENEX_LLM_API int32_t genex_llm_completion_reused_tokens(const genex_llm_completion* completion) GENEX_LLM_NOEXCEPT;

/* Milliseconds spent evaluating the prompt; 0 for a NULL completion. */
GENEX_LLM_API double genex_llm_completion_prompt_ms(const genex_llm_completion* completion) GENEX_LLM_NOEXCEPT;

/* Milliseconds spent in the token loop after the prompt; 0 for a NULL completion. */
GENEX_LLM_API double genex_llm_completion_generation_ms(const genex_llm_completion* completion) GENEX_LLM_NOEXCEPT;

/* Frees the completion and the strings read from it; NULL is ignored. */
GENEX_LLM_API void genex_llm_completion_free(genex_llm_completion* completion) GENEX_LLM_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* GENEX_LLM_H */
