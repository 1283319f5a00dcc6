#include "bindings.hpp"

PYBIND11_MODULE(_native, module) {
    module.doc() = "genex_llm's native core: llama.cpp models and sessions. Use the genex_llm package instead.";
    genex_llm::python::register_errors(module);
    genex_llm::python::register_backend(module);
    genex_llm::python::register_model(module);
    genex_llm::python::register_session(module);
}
