#pragma once

#include <pybind11/pybind11.h>

namespace genex_llm::python {

void register_errors(pybind11::module_& module);
void register_backend(pybind11::module_& module);
void register_model(pybind11::module_& module);
void register_session(pybind11::module_& module);

}  // namespace genex_llm::python
