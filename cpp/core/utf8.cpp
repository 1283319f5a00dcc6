#include "utf8.hpp"

namespace genex_llm {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Length of the character a lead byte starts, 0 for a byte that cannot lead.
std::size_t sequence_length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return 2;
    if (lead >= 0xE0 && lead <= 0xEF) return 3;
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    return 0;
}

// Whether `byte` may stand at `index` (1-based) of a sequence led by `lead`:
// Unicode's table of well-formed sequences, which rules out overlong forms,
// surrogates and code points past U+10FFFF.
bool continues(unsigned char lead, std::size_t index, unsigned char byte) {
    if (index == 1) {
        switch (lead) {
            case 0xE0: return byte >= 0xA0 && byte <= 0xBF;
            case 0xED: return byte >= 0x80 && byte <= 0x9F;
            case 0xF0: return byte >= 0x90 && byte <= 0xBF;
            case 0xF4: return byte >= 0x80 && byte <= 0x8F;
            default: break;
        }
    }
    return byte >= 0x80 && byte <= 0xBF;
}

}  // namespace

std::string Utf8Assembler::push(std::string_view bytes) {
    pending_.append(bytes);
    std::string out;
    std::size_t i = 0;
    const std::size_t size = pending_.size();
    while (i < size) {
        const auto lead = static_cast<unsigned char>(pending_[i]);
        const std::size_t length = sequence_length(lead);
        if (length == 0) {
            out += kReplacement;
            ++i;
            continue;
        }
        std::size_t valid = 1;
        while (valid < length && i + valid < size &&
               continues(lead, valid, static_cast<unsigned char>(pending_[i + valid]))) {
            ++valid;
        }
        if (valid == length) {
            out.append(pending_, i, length);
            i += length;
        } else if (i + valid == size) {
            break;  // a valid start cut short by the piece's end: wait for more
        } else {
            out += kReplacement;  // broken sequence: replace it, resume after it
            i += valid;
        }
    }
    pending_.erase(0, i);
    return out;
}

std::string Utf8Assembler::finish() {
    std::string out = pending_.empty() ? std::string() : std::string(kReplacement);
    pending_.clear();
    return out;
}

}  // namespace genex_llm
