#pragma once

#include <string>

namespace genex_llm {

// Checks, before llama.cpp opens it, that `path` names a readable regular
// file that starts like a GGUF model. Throws Error(ModelLoad) naming the path
// and the first problem found.
void check_gguf_file(const std::string& path);

}  // namespace genex_llm
