#include <pybind11/stl.h>

#include <memory>

#include "bindings.hpp"
#include "model.hpp"

namespace py = pybind11;

namespace genex_llm::python {

void register_model(py::module_& module) {
    py::class_<Model>(module, "Model", "A loaded GGUF model. Made by genex_llm.load_model.")
        .def(py::init([](std::string path, std::int32_t context, std::int32_t threads, std::int32_t gpu_layers,
                         bool use_mmap, bool use_mlock) {
                 ModelParams params{std::move(path), context, threads, gpu_layers, use_mmap, use_mlock};
                 // Loading reads only the file and the copied parameters.
                 py::gil_scoped_release release;
                 return std::make_unique<Model>(std::move(params));
             }),
             py::kw_only(), py::arg("path"), py::arg("context"), py::arg("threads"), py::arg("gpu_layers"),
             py::arg("use_mmap"), py::arg("use_mlock"))
        .def(
            "close",
            [](Model& model) {
                // May free the weights, which logs; touches no Python object.
                py::gil_scoped_release release;
                model.close();
            },
            "Release the weights; refused while sessions are open.")
        .def_property_readonly("closed", &Model::closed)
        .def_property_readonly("open_sessions", &Model::open_sessions)
        .def_property_readonly("path", [](const Model& model) { return model.params().path; })
        .def_property_readonly("context", [](const Model& model) { return model.params().context; })
        .def_property_readonly("threads", [](const Model& model) { return model.params().threads; })
        .def_property_readonly("gpu_layers", [](const Model& model) { return model.params().gpu_layers; })
        .def_property_readonly("use_mmap", [](const Model& model) { return model.params().use_mmap; })
        .def_property_readonly("use_mlock", [](const Model& model) { return model.params().use_mlock; })
        .def_property_readonly("n_ctx_train", [](const Model& model) { return model.info().n_ctx_train; })
        .def_property_readonly("n_vocab", [](const Model& model) { return model.info().n_vocab; })
        .def_property_readonly("description", [](const Model& model) { return model.info().description; })
        .def_property_readonly("size_bytes", [](const Model& model) { return model.info().size_bytes; })
        .def_property_readonly("n_params", [](const Model& model) { return model.info().n_params; })
        .def_property_readonly("metadata", [](const Model& model) {
            py::dict metadata;
            for (const auto& [key, value] : model.info().metadata) {
                metadata[py::str(key)] = py::reinterpret_steal<py::str>(
                    PyUnicode_DecodeUTF8(value.data(), static_cast<Py_ssize_t>(value.size()), "replace"));
            }
            return metadata;
        });
}

}  // namespace genex_llm::python
