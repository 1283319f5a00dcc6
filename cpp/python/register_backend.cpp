#include "backend.hpp"
#include "bindings.hpp"

namespace py = pybind11;

namespace genex_llm::python {
namespace {

// The `genex_llm` logger, kept for the life of the process: llama.cpp may log
// from any thread at any time.
PyObject* g_logger = nullptr;

int python_level(LogLevel level) {
    switch (level) {
        case LogLevel::Debug: return 10;
        case LogLevel::Info: return 20;
        case LogLevel::Warn: return 30;
        case LogLevel::Error: return 40;
    }
    return 20;
}

bool interpreter_alive() {
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsInitialized() && !Py_IsFinalizing();
#else
    return Py_IsInitialized() && !_Py_IsFinalizing();
#endif
}

// Runs on whichever thread llama.cpp logs from, with or without the GIL.
void forward_to_logging(LogLevel level, const std::string& line) {
    if (!interpreter_alive()) {
        return;
    }
    PyGILState_STATE gil = PyGILState_Ensure();
    // The thread may be in the middle of raising; logging must not disturb it.
    PyObject *type = nullptr, *value = nullptr, *traceback = nullptr;
    PyErr_Fetch(&type, &value, &traceback);
    const int py_level = python_level(level);
    PyObject* enabled = PyObject_CallMethod(g_logger, "isEnabledFor", "i", py_level);
    if (enabled != nullptr && PyObject_IsTrue(enabled) == 1) {
        PyObject* text = PyUnicode_DecodeUTF8(line.data(), static_cast<Py_ssize_t>(line.size()), "replace");
        if (text != nullptr) {
            Py_XDECREF(PyObject_CallMethod(g_logger, "log", "isO", py_level, "%s", text));
            Py_DECREF(text);
        }
    }
    Py_XDECREF(enabled);
    // Running Python code here lets the interpreter run a pending Ctrl-C
    // handler; its KeyboardInterrupt belongs to the interrupted call, not to
    // logging, so it is armed again for that call to raise.
    if (PyErr_Occurred() != nullptr && PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
        PyErr_Clear();
        PyErr_SetInterrupt();
    }
    PyErr_Clear();
    PyErr_Restore(type, value, traceback);
    PyGILState_Release(gil);
}

}  // namespace

void register_backend(py::module_& module) {
    g_logger = py::module_::import("logging").attr("getLogger")("genex_llm").release().ptr();
    set_log_sink(forward_to_logging);
    // After exit starts, Python objects must not be touched from llama.cpp's
    // own teardown; drop the sink first.
    py::module_::import("atexit").attr("register")(py::cpp_function([] { set_log_sink(nullptr); }));
    ensure_backend();

    module.def(
        "system_info", [] { return genex_llm::system_info(); },
        "llama.cpp's report of the back-ends and CPU features in use.");
}

}  // namespace genex_llm::python
