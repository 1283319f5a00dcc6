#include <array>
#include <exception>
#include <string>

#include "bindings.hpp"
#include "error.hpp"

namespace py = pybind11;

namespace genex_llm::python {
namespace {

// Indexed by ErrorKind. The classes live in genex_llm.exceptions (pure
// Python, shared with the mock backend); they are looked up once here and
// kept for the life of the process, since the translator may run until exit.
constexpr std::array<const char*, 7> kClassNames = {
    "ModelLoadError",   "OptionError",    "ContextLimitError", "ModelClosedError",
    "SessionClosedError", "ModelBusyError", "InferenceError",
};
std::array<PyObject*, kClassNames.size()> g_classes{};

}  // namespace

void register_errors(py::module_& module) {
    py::module_ exceptions = py::module_::import("genex_llm.exceptions");
    for (std::size_t i = 0; i < kClassNames.size(); ++i) {
        g_classes[i] = py::object(exceptions.attr(kClassNames[i])).release().ptr();
    }
    py::register_exception_translator([](std::exception_ptr error) {
        try {
            if (error) {
                std::rethrow_exception(error);
            }
        } catch (const Error& native) {
            // Messages quote paths, which need not be UTF-8; decode them as
            // Python decodes file names, so the path reads as the caller gave it.
            const std::string message = native.what();
            py::object text = py::reinterpret_steal<py::object>(
                PyUnicode_DecodeUTF8(message.data(), static_cast<Py_ssize_t>(message.size()), "surrogateescape"));
            PyErr_SetObject(g_classes[static_cast<std::size_t>(native.kind())], text.ptr());
        }
    });
}

}  // namespace genex_llm::python
