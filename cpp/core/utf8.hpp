#pragma once

#include <string>
#include <string_view>

namespace genex_llm {

// Turns the byte pieces of generated tokens into well-formed UTF-8.
// A piece that ends inside a multi-byte character is held back and emitted
// with the piece that completes it; bytes that can never form a character
// become U+FFFD. So each emitted piece is valid UTF-8 on its own and the
// pieces concatenate to the completion's text.
class Utf8Assembler {
public:
    std::string push(std::string_view bytes);
    // Flushes an incomplete trailing sequence as U+FFFD.
    std::string finish();

private:
    std::string pending_;
};

}  // namespace genex_llm
