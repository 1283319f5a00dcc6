#pragma once

#include <string>

namespace genex_llm {

// Checks, before llama.cpp opens it, that `path` names a readable regular
// GGUF file whose header, key/value table and tensor table are well formed
// and consistent with the file's real size: every length, count, type, shape
// and tensor data range. Reads only the tables (never the tensor data), with
// bounded reads. Throws Error(ModelLoad) "cannot load model '<path>': <problem>"
// naming the first problem found.
void check_gguf_file(const std::string& path);

}  // namespace genex_llm
