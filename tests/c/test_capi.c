/*
 * Exercises the C ABI of genex_llm.h against a real model, the way a Gene VM
 * written in another language would. tests/test_c_api.py builds and runs it.
 *
 *   test_capi MODEL_PATH MAX_TOKENS THREADS
 *
 * Prints "PASS name" or "FAIL name: why" for each check, in a fixed order;
 * exits 0 only when every check passed. Writes nothing to stderr itself, so
 * anything there came from the library.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "genex_llm.h"

#define ERR_SIZE 512

typedef struct check {
    const char* name;
    char why[1024];
} check;

static int g_failures = 0;

static void begin(check* c, const char* name) {
    c->name = name;
    c->why[0] = '\0';
}

static void finish(const check* c) {
    if (c->why[0] == '\0') {
        printf("PASS %s\n", c->name);
    } else {
        printf("FAIL %s: %s\n", c->name, c->why);
        ++g_failures;
    }
    fflush(stdout);
}

/* Keeps the first failure of a check: later ones usually follow from it. */
static void expect(check* c, int ok, const char* condition, int line, const char* err) {
    if (!ok && c->why[0] == '\0') {
        snprintf(c->why, sizeof c->why, "line %d: %s (err: \"%s\")", line, condition, err != NULL ? err : "");
    }
}

#define EXPECT(c, condition) expect((c), (condition), #condition, __LINE__, NULL)
#define EXPECT_STATUS(c, status, wanted, err)                                                               \
    do {                                                                                                   \
        genex_llm_status got_ = (status);                                                                  \
        char what_[128];                                                                                   \
        snprintf(what_, sizeof what_, "status %s, wanted %s", genex_llm_status_name(got_),                 \
                 genex_llm_status_name(wanted));                                                           \
        expect((c), got_ == (wanted), what_, __LINE__, (err));                                             \
    } while (0)

static const char* PROMPT = "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n";
static const char* MISSING_PATH = "/nonexistent/genex-llm-test/missing-model.gguf";

/* ---- logging ---- */

static int g_log_lines = 0;

static void count_log_line(genex_llm_log_level level, const char* line, void* user_data) {
    (void)level;
    if (line != NULL && user_data == &g_log_lines) {
        ++g_log_lines;
    }
}

/* ---- helpers ---- */

static genex_llm_session* open_greedy_session(genex_llm_model* model, int max_tokens, char* err) {
    genex_llm_session_options options;
    genex_llm_session* session = NULL;
    if (genex_llm_session_options_default(model, &options, err, ERR_SIZE) != GENEX_LLM_OK) {
        return NULL;
    }
    options.context = 512;
    options.temperature = 0.0;
    options.max_tokens = max_tokens;
    genex_llm_session_new(model, &options, &session, err, ERR_SIZE);
    return session;
}

static char* copy_text(const genex_llm_completion* completion) {
    size_t length = 0;
    const char* text = genex_llm_completion_text(completion, &length);
    char* copy = malloc(length + 1);
    if (copy != NULL) {
        memcpy(copy, text, length + 1);
    }
    return copy;
}

/* ---- checks ---- */

static void check_load_defaults(void) {
    check c;
    begin(&c, "load_defaults");
    genex_llm_load_options options = genex_llm_load_options_default();
    EXPECT(&c, options.struct_size == sizeof options);
    EXPECT(&c, options.context == 2048);
    EXPECT(&c, options.threads >= 1 && options.threads <= 512);
    EXPECT(&c, options.gpu_layers == 0);
    EXPECT(&c, options.disable_mmap == 0);
    EXPECT(&c, options.mlock == 0);
    finish(&c);
}

static genex_llm_model* check_load(const char* path, int threads) {
    check c;
    char err[ERR_SIZE] = "unset";
    genex_llm_model* model = NULL;
    begin(&c, "load_with_log_callback");
    genex_llm_load_options options = genex_llm_load_options_default();
    options.threads = threads;
    genex_llm_set_log_callback(count_log_line, &g_log_lines);
    EXPECT_STATUS(&c, genex_llm_model_load(path, &options, &model, err, sizeof err), GENEX_LLM_OK, err);
    genex_llm_set_log_callback(NULL, NULL);
    EXPECT(&c, model != NULL);
    EXPECT(&c, strcmp(err, "") == 0);
    EXPECT(&c, g_log_lines > 0);
    finish(&c);
    return model;
}

static void check_log_callback_removed(genex_llm_model* model) {
    check c;
    char err[ERR_SIZE];
    begin(&c, "log_callback_removed");
    const int before = g_log_lines;
    genex_llm_session* session = open_greedy_session(model, 1, err);
    EXPECT(&c, session != NULL);
    EXPECT(&c, g_log_lines == before);
    genex_llm_session_free(session);
    finish(&c);
}

static void check_session_defaults(genex_llm_model* model, int threads) {
    check c;
    char err[ERR_SIZE];
    genex_llm_session_options options;
    genex_llm_load_options applied;
    begin(&c, "session_defaults");
    EXPECT_STATUS(&c, genex_llm_session_options_default(model, &options, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT(&c, options.struct_size == sizeof options);
    EXPECT(&c, options.context == 2048);
    EXPECT(&c, options.batch == 512);
    EXPECT(&c, options.threads == threads);
    EXPECT(&c, options.max_tokens == 256);
    EXPECT(&c, options.temperature == 0.7);
    EXPECT(&c, options.top_p == 0.9);
    EXPECT(&c, options.top_k == 40);
    EXPECT(&c, options.seed == 42);
    EXPECT_STATUS(&c, genex_llm_model_get_options(model, &applied, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT(&c, applied.context == 2048 && applied.threads == threads);
    finish(&c);
}

static void check_infer(genex_llm_session* session, int max_tokens) {
    check c;
    char err[ERR_SIZE] = "unset";
    genex_llm_completion* completion = NULL;
    begin(&c, "infer");
    EXPECT_STATUS(&c, genex_llm_session_infer(session, PROMPT, NULL, &completion, err, sizeof err), GENEX_LLM_OK,
                  err);
    EXPECT(&c, completion != NULL);
    EXPECT(&c, strcmp(err, "") == 0);
    size_t length = 0;
    const char* text = genex_llm_completion_text(completion, &length);
    EXPECT(&c, text != NULL && length > 0 && strlen(text) == length);
    const genex_llm_finish_reason reason = genex_llm_completion_finish_reason(completion);
    EXPECT(&c, reason == GENEX_LLM_FINISH_STOP || reason == GENEX_LLM_FINISH_LENGTH);
    const size_t count = genex_llm_completion_token_count(completion);
    EXPECT(&c, count >= 1 && count <= (size_t)max_tokens);
    EXPECT(&c, reason != GENEX_LLM_FINISH_LENGTH || count == (size_t)max_tokens);
    EXPECT(&c, genex_llm_completion_prompt_tokens(completion) > 0);
    EXPECT(&c, genex_llm_completion_latency_ms(completion) >= 0);

    /* The pieces, joined, are exactly the text. */
    char* joined = calloc(length + 1, 1);
    size_t offset = 0;
    int pieces_fit = joined != NULL;
    for (size_t i = 0; pieces_fit && i < count; ++i) {
        size_t piece_length = 0;
        const char* piece = genex_llm_completion_token(completion, i, &piece_length);
        pieces_fit = piece != NULL && strlen(piece) == piece_length && offset + piece_length <= length;
        if (pieces_fit) {
            memcpy(joined + offset, piece, piece_length);
            offset += piece_length;
        }
    }
    EXPECT(&c, pieces_fit && offset == length && memcmp(joined, text, length) == 0);
    size_t past_end_length = 99;
    EXPECT(&c, genex_llm_completion_token(completion, count, &past_end_length) == NULL && past_end_length == 0);
    free(joined);
    genex_llm_completion_free(completion);
    finish(&c);
}

static void check_greedy_determinism(genex_llm_session* session) {
    check c;
    char err[ERR_SIZE];
    genex_llm_completion* first = NULL;
    genex_llm_completion* second = NULL;
    begin(&c, "greedy_deterministic");
    EXPECT_STATUS(&c, genex_llm_session_infer(session, PROMPT, NULL, &first, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT_STATUS(&c, genex_llm_session_infer(session, PROMPT, NULL, &second, err, sizeof err), GENEX_LLM_OK, err);
    char* first_text = copy_text(first);
    char* second_text = copy_text(second);
    EXPECT(&c, first_text != NULL && second_text != NULL && strcmp(first_text, second_text) == 0);
    EXPECT(&c, genex_llm_completion_token_count(first) == genex_llm_completion_token_count(second));
    free(first_text);
    free(second_text);
    genex_llm_completion_free(first);
    genex_llm_completion_free(second);
    finish(&c);
}

/* A repeated prompt reuses the cached prefix and completes the same; reset forgets it. */
static void check_prefix_reuse_and_reset(genex_llm_session* session) {
    check c;
    char err[ERR_SIZE];
    genex_llm_completion* cold = NULL;
    genex_llm_completion* warm = NULL;
    genex_llm_completion* after_reset = NULL;
    begin(&c, "prefix_reuse_and_reset");
    EXPECT_STATUS(&c, genex_llm_session_reset(session, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT_STATUS(&c, genex_llm_session_infer(session, PROMPT, NULL, &cold, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT_STATUS(&c, genex_llm_session_infer(session, PROMPT, NULL, &warm, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT_STATUS(&c, genex_llm_session_reset(session, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT_STATUS(&c, genex_llm_session_infer(session, PROMPT, NULL, &after_reset, err, sizeof err), GENEX_LLM_OK,
                  err);
    const int32_t prompt_tokens = genex_llm_completion_prompt_tokens(cold);
    EXPECT(&c, genex_llm_completion_reused_tokens(cold) == 0);
    /* Everything but the last prompt token, whose logits start the sampling. */
    EXPECT(&c, genex_llm_completion_reused_tokens(warm) == prompt_tokens - 1);
    EXPECT(&c, genex_llm_completion_reused_tokens(after_reset) == 0);
    char* cold_text = copy_text(cold);
    char* warm_text = copy_text(warm);
    EXPECT(&c, cold_text != NULL && warm_text != NULL && strcmp(cold_text, warm_text) == 0);
    EXPECT(&c, genex_llm_completion_prompt_ms(cold) > 0.0 && genex_llm_completion_generation_ms(cold) >= 0.0);
    free(cold_text);
    free(warm_text);
    genex_llm_completion_free(cold);
    genex_llm_completion_free(warm);
    genex_llm_completion_free(after_reset);
    finish(&c);
}

static void check_infer_options(genex_llm_session* session, int max_tokens) {
    check c;
    char err[ERR_SIZE];
    genex_llm_infer_options options;
    genex_llm_completion* completion = NULL;
    begin(&c, "infer_options");
    EXPECT_STATUS(&c, genex_llm_infer_options_default(session, &options, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT(&c, options.struct_size == sizeof options);
    EXPECT(&c, options.max_tokens == max_tokens && options.temperature == 0.0);
    EXPECT(&c, options.top_p == 0.9 && options.top_k == 40 && options.seed == 42);
    options.max_tokens = 1;
    EXPECT_STATUS(&c, genex_llm_session_infer(session, PROMPT, &options, &completion, err, sizeof err), GENEX_LLM_OK,
                  err);
    EXPECT(&c, genex_llm_completion_token_count(completion) == 1);
    EXPECT(&c, genex_llm_completion_finish_reason(completion) == GENEX_LLM_FINISH_LENGTH);
    genex_llm_completion_free(completion);
    finish(&c);
}

static void check_clamps(genex_llm_model* model) {
    check c;
    char err[ERR_SIZE];
    genex_llm_session_options options;
    genex_llm_session_options applied;
    genex_llm_session* session = NULL;
    begin(&c, "clamps");
    genex_llm_session_options_default(model, &options, err, sizeof err);
    options.context = 100;
    options.batch = 100000;
    options.threads = 0;
    options.max_tokens = 0;
    options.temperature = 1000.0;
    options.top_k = -5;
    EXPECT_STATUS(&c, genex_llm_session_new(model, &options, &session, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT_STATUS(&c, genex_llm_session_get_options(session, &applied, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT(&c, applied.context == 256 && applied.batch == 256 && applied.threads == 1);
    EXPECT(&c, applied.max_tokens == 1 && applied.temperature == 100.0 && applied.top_k == 0);
    genex_llm_session_free(session);
    finish(&c);
}

static void check_invalid_options(genex_llm_model* model, genex_llm_session* session) {
    check c;
    char err[ERR_SIZE];
    genex_llm_infer_options infer;
    genex_llm_session_options session_options;
    genex_llm_load_options load = genex_llm_load_options_default();
    genex_llm_completion* completion = NULL;
    genex_llm_session* other = NULL;
    genex_llm_model* loaded = NULL;
    begin(&c, "invalid_options");
    genex_llm_infer_options_default(session, &infer, err, sizeof err);

    infer.temperature = NAN;
    EXPECT_STATUS(&c, genex_llm_session_infer(session, PROMPT, &infer, &completion, err, sizeof err),
                  GENEX_LLM_ERR_OPTION, err);
    EXPECT(&c, completion == NULL);
    expect(&c, strstr(err, "'temperature'") != NULL && strstr(err, "nan") != NULL, "message names temperature, nan",
           __LINE__, err);

    infer.temperature = 0.0;
    infer.top_p = 0.0;
    EXPECT_STATUS(&c, genex_llm_session_infer(session, PROMPT, &infer, &completion, err, sizeof err),
                  GENEX_LLM_ERR_OPTION, err);
    expect(&c, strcmp(err, "option 'top_p' must be in (0, 1], got 0") == 0, "top_p message", __LINE__, err);

    genex_llm_session_options_default(model, &session_options, err, sizeof err);
    session_options.top_p = 1.5;
    EXPECT_STATUS(&c, genex_llm_session_new(model, &session_options, &other, err, sizeof err), GENEX_LLM_ERR_OPTION,
                  err);
    EXPECT(&c, other == NULL && strstr(err, "got 1.5") != NULL);

    session_options.top_p = 0.9;
    session_options.context = 1 << 20;
    EXPECT_STATUS(&c, genex_llm_session_new(model, &session_options, &other, err, sizeof err),
                  GENEX_LLM_ERR_CONTEXT_LIMIT, err);
    EXPECT(&c, other == NULL && strstr(err, "1048576") != NULL);

    load.disable_mmap = 2;
    EXPECT_STATUS(&c, genex_llm_model_load(MISSING_PATH, &load, &loaded, err, sizeof err), GENEX_LLM_ERR_OPTION, err);
    expect(&c, strcmp(err, "option 'disable_mmap' must be 0 or 1, got 2") == 0, "disable_mmap message", __LINE__, err);

    infer.top_p = 0.9;
    infer.struct_size = 0;
    EXPECT_STATUS(&c, genex_llm_session_infer(session, PROMPT, &infer, &completion, err, sizeof err),
                  GENEX_LLM_ERR_INVALID_ARGUMENT, err);
    EXPECT(&c, strstr(err, "struct_size") != NULL);

    EXPECT_STATUS(&c, genex_llm_session_infer(session, "caf\xC3", NULL, &completion, err, sizeof err),
                  GENEX_LLM_ERR_OPTION, err);
    EXPECT(&c, strstr(err, "UTF-8") != NULL && strstr(err, "offset 3") != NULL);
    EXPECT_STATUS(&c, genex_llm_session_infer(session, "\xED\xA0\x80", NULL, &completion, err, sizeof err),
                  GENEX_LLM_ERR_OPTION, err);
    EXPECT(&c, completion == NULL);
    finish(&c);
}

static void check_missing_file(void) {
    check c;
    char err[ERR_SIZE];
    genex_llm_model* model = (genex_llm_model*)&c; /* any non-NULL value: it must be reset */
    begin(&c, "missing_file");
    EXPECT_STATUS(&c, genex_llm_model_load(MISSING_PATH, NULL, &model, err, sizeof err), GENEX_LLM_ERR_MODEL_LOAD, err);
    EXPECT(&c, model == NULL);
    EXPECT(&c, strstr(err, MISSING_PATH) != NULL);
    EXPECT(&c, strstr(err, "not found") != NULL);
    finish(&c);
}

static void check_error_buffer(void) {
    check c;
    char small[8];
    char untouched[4] = "abc";
    genex_llm_model* model = NULL;
    begin(&c, "error_buffer");
    memset(small, 'x', sizeof small);
    EXPECT_STATUS(&c, genex_llm_model_load(MISSING_PATH, NULL, &model, small, sizeof small), GENEX_LLM_ERR_MODEL_LOAD,
                  NULL);
    EXPECT(&c, small[sizeof small - 1] == '\0' && strcmp(small, "cannot ") == 0);
    EXPECT_STATUS(&c, genex_llm_model_load(MISSING_PATH, NULL, &model, untouched, 0), GENEX_LLM_ERR_MODEL_LOAD, NULL);
    EXPECT(&c, strcmp(untouched, "abc") == 0);
    EXPECT_STATUS(&c, genex_llm_model_load(MISSING_PATH, NULL, &model, NULL, 64), GENEX_LLM_ERR_MODEL_LOAD, NULL);
    /* "cannot load model '" is 19 bytes and "é" 2 more: 20 bytes of room would split it. */
    char cut[21];
    EXPECT_STATUS(&c, genex_llm_model_load("\xC3\xA9", NULL, &model, cut, sizeof cut), GENEX_LLM_ERR_MODEL_LOAD, cut);
    expect(&c, strcmp(cut, "cannot load model '") == 0, "cut at a character boundary", __LINE__, cut);
    finish(&c);
}

typedef struct cancel_job {
    genex_llm_session* session;
    genex_llm_status status;
    genex_llm_finish_reason reason;
    atomic_int done;
} cancel_job;

static void* infer_until_cancelled(void* argument) {
    cancel_job* job = argument;
    genex_llm_infer_options options;
    genex_llm_completion* completion = NULL;
    genex_llm_infer_options_default(job->session, &options, NULL, 0);
    options.max_tokens = 100000;
    job->status = genex_llm_session_infer(job->session, "1, 2, 3, 4, 5, 6, 7, 8,", &options, &completion, NULL, 0);
    job->reason = genex_llm_completion_finish_reason(completion);
    genex_llm_completion_free(completion);
    atomic_store(&job->done, 1);
    return NULL;
}

static void check_cancel(genex_llm_model* model) {
    check c;
    char err[ERR_SIZE];
    pthread_t thread;
    cancel_job job = {NULL, GENEX_LLM_ERR_INTERNAL, GENEX_LLM_FINISH_ERROR, 0};
    const struct timespec pause = {0, 1000000};
    begin(&c, "cancel_from_another_thread");
    job.session = open_greedy_session(model, 1, err);
    EXPECT(&c, job.session != NULL);
    if (job.session != NULL && pthread_create(&thread, NULL, infer_until_cancelled, &job) == 0) {
        /* The infer call clears earlier cancellations when it starts, so keep asking until it ends. */
        while (!atomic_load(&job.done)) {
            genex_llm_session_cancel(job.session);
            nanosleep(&pause, NULL);
        }
        pthread_join(thread, NULL);
        EXPECT_STATUS(&c, job.status, GENEX_LLM_OK, NULL);
        EXPECT(&c, job.reason == GENEX_LLM_FINISH_CANCELLED);
    }
    genex_llm_session_free(job.session);
    finish(&c);
}

static void check_model_busy(genex_llm_model* model) {
    check c;
    char err[ERR_SIZE];
    begin(&c, "model_busy");
    EXPECT_STATUS(&c, genex_llm_model_close(model, err, sizeof err), GENEX_LLM_ERR_MODEL_BUSY, err);
    EXPECT(&c, strstr(err, "1 session is still open") != NULL);
    finish(&c);
}

static void check_session_closed(genex_llm_session* session, int max_tokens) {
    check c;
    char err[ERR_SIZE];
    genex_llm_completion* completion = (genex_llm_completion*)&c;
    genex_llm_infer_options options;
    begin(&c, "session_closed");
    EXPECT_STATUS(&c, genex_llm_session_close(session, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT_STATUS(&c, genex_llm_session_infer(session, PROMPT, NULL, &completion, err, sizeof err),
                  GENEX_LLM_ERR_SESSION_CLOSED, err);
    EXPECT(&c, completion == NULL);
    EXPECT(&c, strcmp(err, "LLM session has been closed") == 0);
    EXPECT_STATUS(&c, genex_llm_session_reset(session, err, sizeof err), GENEX_LLM_ERR_SESSION_CLOSED, err);
    EXPECT_STATUS(&c, genex_llm_session_close(session, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT_STATUS(&c, genex_llm_infer_options_default(session, &options, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT(&c, options.max_tokens == max_tokens);
    genex_llm_session_cancel(session);
    finish(&c);
}

static void check_model_closed(genex_llm_model* model) {
    check c;
    char err[ERR_SIZE];
    genex_llm_session* session = (genex_llm_session*)&c;
    genex_llm_load_options applied;
    begin(&c, "model_closed");
    EXPECT_STATUS(&c, genex_llm_model_close(model, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT_STATUS(&c, genex_llm_session_new(model, NULL, &session, err, sizeof err), GENEX_LLM_ERR_MODEL_CLOSED, err);
    EXPECT(&c, session == NULL);
    EXPECT(&c, strcmp(err, "model has been closed") == 0);
    EXPECT_STATUS(&c, genex_llm_model_close(model, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT_STATUS(&c, genex_llm_model_get_options(model, &applied, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT(&c, applied.context == 2048);
    finish(&c);
}

static void check_model_free_keeps_sessions(const char* path, int threads) {
    check c;
    char err[ERR_SIZE];
    genex_llm_model* model = NULL;
    genex_llm_completion* completion = NULL;
    genex_llm_load_options options = genex_llm_load_options_default();
    begin(&c, "model_free_keeps_sessions");
    options.threads = threads;
    EXPECT_STATUS(&c, genex_llm_model_load(path, &options, &model, err, sizeof err), GENEX_LLM_OK, err);
    genex_llm_session* session = model != NULL ? open_greedy_session(model, 1, err) : NULL;
    EXPECT(&c, session != NULL);
    genex_llm_model_free(model);
    EXPECT_STATUS(&c, genex_llm_session_infer(session, PROMPT, NULL, &completion, err, sizeof err), GENEX_LLM_OK, err);
    EXPECT(&c, genex_llm_completion_token_count(completion) == 1);
    genex_llm_completion_free(completion);
    /* Freed without closing: the free closes it and releases the weights. */
    genex_llm_session_free(session);
    finish(&c);
}

static void check_null_arguments(void) {
    check c;
    char err[ERR_SIZE];
    genex_llm_load_options load = genex_llm_load_options_default();
    genex_llm_session_options session_options;
    genex_llm_infer_options infer;
    genex_llm_model* model = NULL;
    genex_llm_session* session = NULL;
    genex_llm_completion* completion = NULL;
    size_t length = 99;
    begin(&c, "null_arguments");
    EXPECT_STATUS(&c, genex_llm_model_load(NULL, &load, &model, err, sizeof err), GENEX_LLM_ERR_INVALID_ARGUMENT, err);
    EXPECT(&c, strcmp(err, "path is NULL") == 0);
    EXPECT_STATUS(&c, genex_llm_model_load(MISSING_PATH, &load, NULL, err, sizeof err), GENEX_LLM_ERR_INVALID_ARGUMENT,
                  err);
    EXPECT_STATUS(&c, genex_llm_model_get_options(NULL, &load, err, sizeof err), GENEX_LLM_ERR_INVALID_ARGUMENT, err);
    EXPECT_STATUS(&c, genex_llm_model_close(NULL, err, sizeof err), GENEX_LLM_ERR_INVALID_ARGUMENT, err);
    EXPECT(&c, strcmp(err, "model is NULL") == 0);
    EXPECT_STATUS(&c, genex_llm_session_options_default(NULL, &session_options, err, sizeof err),
                  GENEX_LLM_ERR_INVALID_ARGUMENT, err);
    EXPECT_STATUS(&c, genex_llm_session_new(NULL, NULL, &session, err, sizeof err), GENEX_LLM_ERR_INVALID_ARGUMENT,
                  err);
    EXPECT_STATUS(&c, genex_llm_session_get_options(NULL, &session_options, err, sizeof err),
                  GENEX_LLM_ERR_INVALID_ARGUMENT, err);
    EXPECT_STATUS(&c, genex_llm_infer_options_default(NULL, &infer, err, sizeof err), GENEX_LLM_ERR_INVALID_ARGUMENT,
                  err);
    EXPECT_STATUS(&c, genex_llm_session_infer(NULL, PROMPT, NULL, &completion, err, sizeof err),
                  GENEX_LLM_ERR_INVALID_ARGUMENT, err);
    EXPECT(&c, strcmp(err, "session is NULL") == 0);
    EXPECT_STATUS(&c, genex_llm_session_close(NULL, err, sizeof err), GENEX_LLM_ERR_INVALID_ARGUMENT, err);
    EXPECT_STATUS(&c, genex_llm_session_reset(NULL, err, sizeof err), GENEX_LLM_ERR_INVALID_ARGUMENT, err);
    genex_llm_session_cancel(NULL);
    EXPECT(&c, genex_llm_completion_text(NULL, &length) == NULL && length == 0);
    EXPECT(&c, genex_llm_completion_token_count(NULL) == 0);
    EXPECT(&c, genex_llm_completion_token(NULL, 0, NULL) == NULL);
    EXPECT(&c, genex_llm_completion_finish_reason(NULL) == GENEX_LLM_FINISH_ERROR);
    EXPECT(&c, genex_llm_completion_latency_ms(NULL) == 0);
    EXPECT(&c, genex_llm_completion_prompt_tokens(NULL) == 0);
    EXPECT(&c, genex_llm_completion_reused_tokens(NULL) == 0);
    EXPECT(&c, genex_llm_completion_prompt_ms(NULL) == 0.0 && genex_llm_completion_generation_ms(NULL) == 0.0);
    EXPECT(&c, strcmp(genex_llm_status_name((genex_llm_status)999), "UNKNOWN") == 0);
    EXPECT(&c, strcmp(genex_llm_finish_reason_name(GENEX_LLM_FINISH_CANCELLED), "cancelled") == 0);
    genex_llm_completion_free(NULL);
    genex_llm_session_free(NULL);
    genex_llm_model_free(NULL);
    finish(&c);
}

static void check_null_outputs(genex_llm_model* model, genex_llm_session* session) {
    check c;
    char err[ERR_SIZE];
    begin(&c, "null_outputs");
    EXPECT_STATUS(&c, genex_llm_session_options_default(model, NULL, err, sizeof err), GENEX_LLM_ERR_INVALID_ARGUMENT,
                  err);
    EXPECT(&c, strcmp(err, "out is NULL") == 0);
    EXPECT_STATUS(&c, genex_llm_session_new(model, NULL, NULL, err, sizeof err), GENEX_LLM_ERR_INVALID_ARGUMENT, err);
    EXPECT_STATUS(&c, genex_llm_session_infer(session, PROMPT, NULL, NULL, err, sizeof err),
                  GENEX_LLM_ERR_INVALID_ARGUMENT, err);
    genex_llm_completion* completion = NULL;
    EXPECT_STATUS(&c, genex_llm_session_infer(session, NULL, NULL, &completion, err, sizeof err),
                  GENEX_LLM_ERR_INVALID_ARGUMENT, err);
    EXPECT(&c, strcmp(err, "prompt is NULL") == 0);
    finish(&c);
}

int main(int argc, char** argv) {
    if (argc != 4) {
        printf("usage: %s MODEL_PATH MAX_TOKENS THREADS\n", argv[0]);
        return 2;
    }
    const char* path = argv[1];
    const int max_tokens = atoi(argv[2]);
    const int threads = atoi(argv[3]);
    char err[ERR_SIZE];

    check_load_defaults();
    check_missing_file();
    check_error_buffer();
    check_null_arguments();

    genex_llm_model* model = check_load(path, threads);
    if (model == NULL) {
        return 1;
    }
    check_log_callback_removed(model);
    check_session_defaults(model, threads);
    genex_llm_session* session = open_greedy_session(model, max_tokens, err);
    if (session == NULL) {
        printf("FAIL open_session: %s\n", err);
        return 1;
    }
    check_infer(session, max_tokens);
    check_greedy_determinism(session);
    check_prefix_reuse_and_reset(session);
    check_infer_options(session, max_tokens);
    check_clamps(model);
    check_invalid_options(model, session);
    check_null_outputs(model, session);
    check_cancel(model);
    check_model_busy(model);
    check_session_closed(session, max_tokens);
    genex_llm_session_free(session);
    check_model_closed(model);
    genex_llm_model_free(model);
    check_model_free_keeps_sessions(path, threads);
    return g_failures == 0 ? 0 : 1;
}
