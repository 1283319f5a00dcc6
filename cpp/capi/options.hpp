#pragma once

#include <string>

#include "genex_llm.h"

namespace genex_llm::capi {

// The defaults and the clamp/refuse rules of python/genex_llm/_options.py,
// restated for the C structs; tests/test_c_api.py holds the two to each other.

genex_llm_load_options default_load_options() noexcept;
genex_llm_session_options default_session_options(const genex_llm_load_options& model) noexcept;
genex_llm_infer_options sampling_of(const genex_llm_session_options& session) noexcept;

// The options with every value clamped into range. Throws ArgumentError for
// a wrong struct_size, Error(Option) naming the field and value it refuses.
genex_llm_load_options resolve(const genex_llm_load_options& given);
genex_llm_session_options resolve(const genex_llm_session_options& given);
genex_llm_infer_options resolve(const genex_llm_infer_options& given);

// Throws Error(Option) naming the offset of the first byte of `text` that is
// not part of well-formed UTF-8; the Python facade takes only text, too.
void check_utf8(const std::string& text);

}  // namespace genex_llm::capi
