#include <pybind11/stl.h>

#include <atomic>
#include <csignal>
#include <memory>

#include "bindings.hpp"
#include "session.hpp"
#include "utf8.hpp"

namespace py = pybind11;

namespace genex_llm::python {
namespace {

const char* finish_reason_name(FinishReason reason) {
    switch (reason) {
        case FinishReason::Stop: return "stop";
        case FinishReason::Length: return "length";
        case FinishReason::Cancelled: return "cancelled";
        case FinishReason::Error: return "error";
    }
    return "error";
}

py::str utf8_str(const std::string& text) {
    // The core emits only well-formed UTF-8, so strict decoding cannot fail.
    return py::str(text.data(), text.size());
}

py::dict to_python(const Completion& completion) {
    py::list tokens(completion.tokens.size());
    for (std::size_t i = 0; i < completion.tokens.size(); ++i) {
        tokens[i] = utf8_str(completion.tokens[i]);
    }
    py::dict result;
    result["text"] = utf8_str(completion.text);
    result["tokens"] = std::move(tokens);
    result["finish_reason"] = finish_reason_name(completion.finish_reason);
    result["latency_ms"] = completion.latency_ms;
    result["prompt_tokens"] = completion.prompt_tokens;
    result["reused_tokens"] = completion.reused_tokens;
    result["completion_tokens"] = completion.tokens.size();
    result["prompt_ms"] = completion.prompt_ms;
    result["generation_ms"] = completion.generation_ms;
    result["decode_ms"] = completion.decode_ms;
    return result;
}

// Lets Ctrl-C stop an infer() running on the main thread (the only thread
// Python delivers signals to) within one llama.cpp graph node, without
// taking the GIL in the token loop: while it lives, a C-level SIGINT handler
// chained in front of Python's cancels the session (an atomic store, safe in
// a signal handler) and then lets Python's handler record the signal as usual.
class InterruptOnSigint {
public:
    explicit InterruptOnSigint(Session& session) {
        if (PyThread_get_thread_ident() != main_thread_ident()) {
            return;
        }
        PyOS_sighandler_t current = PyOS_getsig(SIGINT);
        if (current == SIG_IGN || current == SIG_DFL || current == SIG_ERR || current == &on_sigint) {
            return;
        }
        g_python_handler = current;
        g_target.store(&session, std::memory_order_release);
        PyOS_setsig(SIGINT, &on_sigint);
        installed_ = true;
    }

    // Runs with the GIL held again.
    ~InterruptOnSigint() {
        if (installed_) {
            PyOS_setsig(SIGINT, g_python_handler);
            g_target.store(nullptr, std::memory_order_release);
        }
    }

    InterruptOnSigint(const InterruptOnSigint&) = delete;
    InterruptOnSigint& operator=(const InterruptOnSigint&) = delete;

private:
    static void on_sigint(int signal_number) {
        if (Session* session = g_target.load(std::memory_order_acquire)) {
            session->cancel();
        }
        g_python_handler(signal_number);
    }

    static unsigned long main_thread_ident() {
        static const unsigned long ident =
            py::module_::import("threading").attr("main_thread")().attr("ident").cast<unsigned long>();
        return ident;
    }

    static inline std::atomic<Session*> g_target{nullptr};
    static inline PyOS_sighandler_t g_python_handler = nullptr;
    bool installed_ = false;
};

}  // namespace

void register_session(py::module_& module) {
    module.attr("MAX_MICRO_BATCH") = kMaxMicroBatch;
    py::class_<CancelToken, std::shared_ptr<CancelToken>>(
        module, "CancelToken", "Cancels the one infer() call it is given to, even before that call starts.")
        .def(py::init<>())
        .def("cancel", &CancelToken::cancel)
        .def_property_readonly("cancelled", &CancelToken::cancelled);

    py::class_<Session>(module, "Session", "A llama.cpp context over a Model. Made by Model.new_session.")
        .def(py::init([](Model& model, std::int32_t context, std::int32_t batch, std::int32_t threads) {
                 SessionParams params{context, batch, threads};
                 // Creating the context touches only native state.
                 py::gil_scoped_release release;
                 return std::make_unique<Session>(model, params);
             }),
             // The session keeps its model object alive, as its native state does.
             py::keep_alive<1, 2>(), py::arg("model"), py::kw_only(), py::arg("context"), py::arg("batch"),
             py::arg("threads"))
        .def(
            "infer",
            [](Session& session, const std::string& prompt, std::int32_t max_tokens, float temperature, float top_p,
               std::int32_t top_k, std::uint32_t seed, std::shared_ptr<CancelToken> cancel_token) {
                const SamplingParams sampling{max_tokens, temperature, top_p, top_k, seed};
                Completion completion;
                {
                    InterruptOnSigint interrupt(session);
                    // A Ctrl-C that came before the handler above was chained
                    // would otherwise only surface after the whole inference.
                    if (PyErr_CheckSignals() != 0) {
                        throw py::error_already_set();
                    }
                    // The whole token loop is native; the prompt was copied.
                    py::gil_scoped_release release;
                    completion = session.infer(prompt, sampling, std::move(cancel_token));
                }
                // A Ctrl-C during the call surfaces now, as KeyboardInterrupt.
                if (PyErr_CheckSignals() != 0) {
                    throw py::error_already_set();
                }
                return to_python(completion);
            },
            py::arg("prompt"), py::kw_only(), py::arg("max_tokens"), py::arg("temperature"), py::arg("top_p"),
            py::arg("top_k"), py::arg("seed"), py::arg("cancel_token") = nullptr)
        .def("cancel", &Session::cancel, "Stop a running infer() soon; callable from any thread.")
        .def(
            "reset",
            [](Session& session) {
                // Waits for a running infer() on another thread.
                py::gil_scoped_release release;
                session.reset();
            },
            "Forget the cached prompt tokens.")
        .def(
            "close",
            [](Session& session) {
                // Waits for a running infer() on another thread, which needs no GIL to finish.
                py::gil_scoped_release release;
                session.close();
            },
            "Cancel a running infer(), wait for it, and free the context.")
        .def_property_readonly("closed", &Session::closed)
        .def_property_readonly("context", [](const Session& session) { return session.params().context; })
        .def_property_readonly("batch", [](const Session& session) { return session.params().batch; })
        .def_property_readonly("threads", [](const Session& session) { return session.params().threads; });

    // The UTF-8 hold-back as the token loop applies it, exposed so tests can
    // drive it with arbitrary byte pieces no model would reliably produce.
    module.def(
        "_assemble_utf8",
        [](const std::vector<py::bytes>& pieces) {
            Utf8Assembler utf8;
            std::vector<std::string> out;
            out.reserve(pieces.size());
            for (const auto& piece : pieces) {
                out.push_back(utf8.push(std::string(piece)));
            }
            if (!out.empty()) {
                out.back() += utf8.finish();
            }
            py::list result;
            for (const auto& text : out) {
                result.append(utf8_str(text));
            }
            return result;
        },
        py::arg("pieces"));
}

}  // namespace genex_llm::python
