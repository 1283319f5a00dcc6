#include "gguf_header.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "error.hpp"
#include "ggml.h"
#include "gguf.h"

// The layout checked here is the one documented in ggml/include/gguf.h:
// header (magic, version, tensor count, key/value count), the key/value
// table, the tensor table, then the tensor data, which starts at the end of
// the tables rounded up to the alignment. Every number is little-endian.

namespace genex_llm {
namespace {

constexpr char kMagic[4] = {'G', 'G', 'U', 'F'};
constexpr std::uint32_t kOldestVersion = 2;
constexpr std::uint32_t kNewestVersion = 3;
// magic, version, tensor count, key/value count
constexpr std::uint64_t kHeaderSize = 4 + 4 + 8 + 8;
// The smallest possible entries (name length, a one-byte name, type, a
// one-byte value; name length, empty name, dimension count, type, offset):
// counts that could not fit in the file even at this size are refused
// before anything is read for them.
constexpr std::uint64_t kMinKeyValueSize = 8 + 1 + 4 + 1;
constexpr std::uint64_t kMinTensorInfoSize = 8 + 4 + 4 + 8;
// The GGUF specification's limit on key names, which must also be ASCII:
// Python sees the keys as str, and llama.cpp compares them as C strings.
constexpr std::uint64_t kKeyNameLimit = 65535;
// A string length field comes before the bytes of every string.
constexpr std::uint64_t kLengthFieldSize = 8;
// Beyond the format: llama.cpp aborts the whole process (GGML_ASSERT) when
// these hold bad values, so they are refused here first.
// LLAMA_MAX_LAYERS, in llama.cpp's src/llama-hparams.h.
constexpr std::int64_t kMaxLayers = 512;
constexpr char kArchitectureKey[] = "general.architecture";
constexpr char kBlockCountSuffix[] = ".block_count";
constexpr char kNextnLayersSuffix[] = ".nextn_predict_layers";
// Its strings must be distinct: llama.cpp asserts that no two tokens share a text.
constexpr char kTokensKey[] = "tokenizer.ggml.tokens";
// Longer values cannot name an architecture llama.cpp knows; they are skipped.
constexpr std::uint64_t kArchitectureKept = 256;
// Tokens are quoted in messages up to this many bytes.
constexpr std::size_t kTokenShown = 40;
// The table region is read through this window; a 98 MB model's tables
// (mostly the tokenizer vocabulary) take a few hundred reads.
constexpr std::size_t kReadWindow = 64 * 1024;

[[noreturn]] void refuse(const std::string& path, const std::string& problem) {
    throw Error(ErrorKind::ModelLoad, "cannot load model '" + path + "': " + problem);
}

std::string num(std::uint64_t value) { return std::to_string(value); }

// What is being read, for messages: a string, or a callable that builds one
// only on failure (the hot loop over vocabulary strings must not format a
// label per element).
std::string text_of(const char* what) { return what; }
template <typename Describe>
std::string text_of(const Describe& what) {
    return what();
}

// `label` followed by `suffix`, built only when asked for.
template <typename Label>
auto then(const Label& label, const char* suffix) {
    return [&label, suffix] { return text_of(label) + suffix; };
}

// Names come from the file; bytes that would garble a message are escaped.
std::string shown(const std::string& text) {
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : text) {
        if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
            out.push_back(static_cast<char>(c));
        } else {
            out += "\\x";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
        }
    }
    return out;
}

bool ends_with(const std::string& text, const char* suffix) {
    const std::size_t length = std::strlen(suffix);
    return text.size() >= length && text.compare(text.size() - length, length, suffix) == 0;
}

bool is_integer(std::uint32_t type) {
    switch (type) {
        case GGUF_TYPE_UINT8:
        case GGUF_TYPE_INT8:
        case GGUF_TYPE_UINT16:
        case GGUF_TYPE_INT16:
        case GGUF_TYPE_UINT32:
        case GGUF_TYPE_INT32:
        case GGUF_TYPE_UINT64:
        case GGUF_TYPE_INT64: return true;
        default: return false;
    }
}

// Size in bytes of one value of a fixed-size GGUF type; 0 for strings and arrays.
std::uint64_t value_size(std::uint32_t type) {
    switch (type) {
        case GGUF_TYPE_UINT8:
        case GGUF_TYPE_INT8:
        case GGUF_TYPE_BOOL: return 1;
        case GGUF_TYPE_UINT16:
        case GGUF_TYPE_INT16: return 2;
        case GGUF_TYPE_UINT32:
        case GGUF_TYPE_INT32:
        case GGUF_TYPE_FLOAT32: return 4;
        case GGUF_TYPE_UINT64:
        case GGUF_TYPE_INT64:
        case GGUF_TYPE_FLOAT64: return 8;
        default: return 0;
    }
}

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    int get() const { return fd_; }

private:
    int fd_;
};

// Sequential reads of the table region through a fixed window. Callers check
// lengths against remaining() first, so nothing is ever sized from the file.
class WindowReader {
public:
    WindowReader(int fd, std::uint64_t file_size) : fd_(fd), file_size_(file_size), window_(kReadWindow) {}

    std::uint64_t position() const { return position_; }
    std::uint64_t remaining() const { return file_size_ - position_; }

    // False when the file is shorter than fstat said (it changed meanwhile).
    bool read(void* out, std::size_t count) {
        auto* dest = static_cast<unsigned char*>(out);
        while (count > 0) {
            if (position_ < window_start_ || position_ >= window_start_ + window_length_) {
                if (!fill()) {
                    return false;
                }
            }
            const std::size_t offset = static_cast<std::size_t>(position_ - window_start_);
            const std::size_t take = std::min(count, window_length_ - offset);
            std::memcpy(dest, window_.data() + offset, take);
            dest += take;
            count -= take;
            position_ += take;
        }
        return true;
    }

    void skip(std::uint64_t count) { position_ += count; }
    void seek(std::uint64_t position) { position_ = position; }

private:
    bool fill() {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(window_.size(), remaining()));
        ssize_t got = 0;
        do {
            got = ::pread(fd_, window_.data(), want, static_cast<off_t>(position_));
        } while (got < 0 && errno == EINTR);
        if (got <= 0) {
            return false;
        }
        window_start_ = position_;
        window_length_ = static_cast<std::size_t>(got);
        return true;
    }

    int fd_;
    std::uint64_t file_size_;
    std::uint64_t position_ = 0;
    std::vector<unsigned char> window_;
    std::uint64_t window_start_ = 0;
    std::size_t window_length_ = 0;
};

// An integer metadata value that llama.cpp asserts on, with its key's label.
struct CountKey {
    std::string name;
    std::string label;
    std::int64_t value;
};

// The texts of a vocabulary, packed in one buffer, with an open-addressing
// index over them: a 50k-token vocabulary is checked for repeats in a few
// milliseconds, without one allocation per token. Memory grows with the
// tokens actually read, each of which took at least 8 bytes of the file.
class TokenSet {
public:
    static constexpr std::uint64_t kNew = std::numeric_limits<std::uint64_t>::max();

    // Room for the next token's bytes, to be filled by the caller.
    char* add(std::size_t length) {
        starts_.push_back(pool_.size());
        pool_.resize(pool_.size() + length);
        return pool_.data() + starts_.back();
    }
    void append(const std::string& text) { pool_ += text; }

    std::string_view text(std::uint64_t index) const {
        const std::uint64_t begin = starts_[index];
        const std::uint64_t end = index + 1 < starts_.size() ? starts_[index + 1] : pool_.size();
        return std::string_view(pool_).substr(begin, end - begin);
    }

    // Indexes the last token added; returns the earlier token with the same text, or kNew.
    std::uint64_t insert_last() {
        if (2 * starts_.size() > slots_.size()) {
            grow();
        }
        const std::uint64_t index = starts_.size() - 1;
        const std::uint64_t found = place(index);
        return found == index ? kNew : found;
    }

private:
    // The index now in the slot for `index`'s text: `index` itself when it was new.
    std::uint64_t place(std::uint64_t index) {
        const std::string_view wanted = text(index);
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t slot = std::hash<std::string_view>{}(wanted) & mask;; slot = (slot + 1) & mask) {
            if (slots_[slot] == kNew) {
                slots_[slot] = index;
                return index;
            }
            if (text(slots_[slot]) == wanted) {
                return slots_[slot];
            }
        }
    }

    // A power of two, for the mask, with the table at most half full.
    void grow() {
        std::size_t size = 1024;
        while (size < 4 * starts_.size()) {
            size *= 2;
        }
        slots_.assign(size, kNew);
        for (std::uint64_t i = 0; i + 1 < starts_.size(); ++i) {
            place(i);
        }
    }

    std::string pool_;
    std::vector<std::uint64_t> starts_;
    std::vector<std::uint64_t> slots_;
};

// What the data section check needs of a tensor; its name is read again
// from `info_at` only for a message, so a table of millions of tiny entries
// costs 24 bytes each here.
struct TensorExtent {
    std::uint64_t info_at;
    std::uint64_t offset;
    std::uint64_t bytes;
};

class Checker {
public:
    Checker(const std::string& path, int fd, std::uint64_t file_size)
        : path_(path), file_size_(file_size), reader_(fd, file_size) {}

    void run() {
        const auto [n_tensors, n_kv] = header();
        for (std::uint64_t i = 0; i < n_kv; ++i) {
            key_value(i);
        }
        layer_counts();
        std::vector<TensorExtent> tensors;
        for (std::uint64_t i = 0; i < n_tensors; ++i) {
            tensors.push_back(tensor_info(i));
        }
        data_section(tensors);
    }

private:
    [[noreturn]] void fail(const std::string& problem) const { refuse(path_, problem); }

    std::string past_end() const { return "past the end of the file (" + num(file_size_) + " bytes)"; }

    template <typename What>
    void get(void* out, std::size_t size, const What& what) {
        if (reader_.remaining() < size) {
            fail(text_of(what) + " at byte " + num(reader_.position()) + " is cut off by the end of the file (" +
                 num(file_size_) + " bytes)");
        }
        if (!reader_.read(out, size)) {
            fail("the file changed or could not be read while " + text_of(what) + " at byte " +
                 num(reader_.position()) + " was checked");
        }
    }

    template <typename T, typename What>
    T get(const What& what) {
        T value{};
        get(&value, sizeof value, what);
        return value;
    }

    // A length-prefixed string: its length, checked against the rest of the file.
    template <typename What>
    std::uint64_t string_length(const What& what) {
        const auto length = get<std::uint64_t>([&] { return text_of(what) + " length"; });
        if (length > reader_.remaining()) {
            fail(text_of(what) + " at byte " + num(reader_.position()) + " is " + num(length) + " bytes long, " +
                 past_end());
        }
        return length;
    }

    template <typename What>
    std::string read_text(std::uint64_t length, const What& what) {
        std::string text(static_cast<std::size_t>(length), '\0');
        get(text.data(), text.size(), what);
        return text;
    }

    std::pair<std::uint64_t, std::uint64_t> header() {
        char magic[sizeof kMagic] = {};
        if (file_size_ < sizeof magic || !reader_.read(magic, sizeof magic) ||
            std::memcmp(magic, kMagic, sizeof magic) != 0) {
            fail("not a GGUF file (it does not start with the GGUF magic)");
        }
        if (file_size_ < kHeaderSize) {
            fail("truncated GGUF header (" + num(file_size_) + " of " + num(kHeaderSize) + " bytes)");
        }
        const auto version = get<std::uint32_t>("the version");
        if (version != 0 && (version & 0xFFFFu) == 0) {
            fail("unsupported GGUF version " + num(version) + " (a big-endian file?)");
        }
        if (version < kOldestVersion || version > kNewestVersion) {
            fail("unsupported GGUF version " + num(version) + " (only versions " + num(kOldestVersion) + " and " +
                 num(kNewestVersion) + " can be read)");
        }
        const auto n_tensors = get<std::int64_t>("the tensor count");
        const auto n_kv = get<std::int64_t>("the key/value count");
        if (n_tensors < 0) {
            fail("the tensor count is negative (" + std::to_string(n_tensors) + ")");
        }
        if (n_kv < 0) {
            fail("the key/value count is negative (" + std::to_string(n_kv) + ")");
        }
        const std::uint64_t room = reader_.remaining();
        const auto tensors = static_cast<std::uint64_t>(n_tensors);
        const auto kvs = static_cast<std::uint64_t>(n_kv);
        if (tensors > room / kMinTensorInfoSize ||
            kvs > (room - tensors * kMinTensorInfoSize) / kMinKeyValueSize) {
            fail("the header announces " + num(tensors) + " tensors and " + num(kvs) +
                 " key/value pairs, more than the " + num(room) + " bytes after the header can hold");
        }
        return {tensors, kvs};
    }

    void key_value(std::uint64_t index) {
        const auto key = [index] { return "key " + num(index); };
        const std::uint64_t name_length = string_length(then(key, " name"));
        if (name_length == 0) {
            fail(key() + " has an empty name");
        }
        if (name_length > kKeyNameLimit) {
            fail(key() + " name is " + num(name_length) + " bytes long; the limit is " + num(kKeyNameLimit));
        }
        const std::string name = read_text(name_length, then(key, " name"));
        const auto label = [&] { return key() + " '" + shown(name) + "'"; };
        for (std::size_t i = 0; i < name.size(); ++i) {
            const auto byte = static_cast<unsigned char>(name[i]);
            if (byte < 0x20 || byte > 0x7e) {
                fail(label() + " name has byte " + num(byte) + " at position " + num(i) +
                     "; key names must be printable ASCII");
            }
        }
        const auto type = get<std::uint32_t>(then(label, " value type"));
        check_value_type(type, label);
        if (name == GGUF_KEY_GENERAL_ALIGNMENT) {
            if (type != GGUF_TYPE_UINT32) {
                fail(label() + " must be of type " + gguf_type_name(GGUF_TYPE_UINT32) + ", not " +
                     gguf_type_name(static_cast<gguf_type>(type)));
            }
            const auto alignment = get<std::uint32_t>(then(label, " value"));
            if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
                fail(label() + " is " + num(alignment) + ", which is not a power of two");
            }
            alignment_ = alignment;
            return;
        }
        if (type == GGUF_TYPE_ARRAY) {
            array(name, label);
        } else if (type == GGUF_TYPE_STRING && name == kArchitectureKey) {
            const std::uint64_t length = string_length(then(label, " value"));
            if (length <= kArchitectureKept) {
                architecture_ = read_text(length, then(label, " value"));
            } else {
                reader_.skip(length);
            }
        } else if (is_integer(type) && (ends_with(name, kBlockCountSuffix) || ends_with(name, kNextnLayersSuffix))) {
            counts_.push_back({name, label(), integer(type, then(label, " value"))});
        } else {
            value(type, then(label, " value"));
        }
    }

    // Saturates at INT64_MAX, which is out of every range checked.
    template <typename What>
    std::int64_t integer(std::uint32_t type, const What& what) {
        switch (type) {
            case GGUF_TYPE_UINT8: return get<std::uint8_t>(what);
            case GGUF_TYPE_INT8: return get<std::int8_t>(what);
            case GGUF_TYPE_UINT16: return get<std::uint16_t>(what);
            case GGUF_TYPE_INT16: return get<std::int16_t>(what);
            case GGUF_TYPE_UINT32: return get<std::uint32_t>(what);
            case GGUF_TYPE_INT32: return get<std::int32_t>(what);
            case GGUF_TYPE_INT64: return get<std::int64_t>(what);
            default: {
                const auto value = get<std::uint64_t>(what);
                const auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
                return static_cast<std::int64_t>(std::min(value, max));
            }
        }
    }

    const CountKey* count_key(const std::string& name) const {
        for (const CountKey& key : counts_) {
            if (key.name == name) {
                return &key;
            }
        }
        return nullptr;
    }

    void layer_counts() const {
        if (architecture_.empty()) {
            return;
        }
        const CountKey* blocks = count_key(architecture_ + kBlockCountSuffix);
        if (blocks == nullptr) {
            return;
        }
        if (blocks->value < 1 || blocks->value > kMaxLayers) {
            fail(blocks->label + " is " + std::to_string(blocks->value) + "; llama.cpp supports 1 to " +
                 std::to_string(kMaxLayers) + " layers");
        }
        const CountKey* nextn = count_key(architecture_ + kNextnLayersSuffix);
        if (nextn != nullptr && (nextn->value < 0 || nextn->value > blocks->value)) {
            fail(nextn->label + " is " + std::to_string(nextn->value) + "; it must be between 0 and the block count " +
                 std::to_string(blocks->value));
        }
    }

    template <typename Label>
    void check_value_type(std::uint32_t type, const Label& label) const {
        if (type >= GGUF_TYPE_COUNT) {
            fail(text_of(label) + " has invalid value type " + std::to_string(static_cast<std::int32_t>(type)));
        }
    }

    template <typename What>
    void value(std::uint32_t type, const What& what) {
        if (type == GGUF_TYPE_STRING) {
            reader_.skip(string_length(what));
            return;
        }
        const std::uint64_t size = value_size(type);
        if (size > reader_.remaining()) {
            fail(text_of(what) + " at byte " + num(reader_.position()) + " is cut off by the end of the file (" +
                 num(file_size_) + " bytes)");
        }
        reader_.skip(size);
    }

    template <typename Label>
    void array(const std::string& name, const Label& label) {
        const auto element_type = get<std::uint32_t>(then(label, " array element type"));
        check_value_type(element_type, then(label, " array"));
        if (element_type == GGUF_TYPE_ARRAY) {
            // The format allows it, but llama.cpp refuses nested arrays.
            fail(label() + " is an array of arrays, which llama.cpp cannot read");
        }
        const auto count = get<std::uint64_t>(then(label, " array length"));
        const std::uint64_t element_size =
            element_type == GGUF_TYPE_STRING ? kLengthFieldSize : value_size(element_type);
        if (count > reader_.remaining() / element_size) {
            fail(label() + " array of " + num(count) + " " + gguf_type_name(static_cast<gguf_type>(element_type)) +
                 " values at byte " + num(reader_.position()) + " runs " + past_end());
        }
        if (element_type != GGUF_TYPE_STRING) {
            reader_.skip(count * element_size);
            return;
        }
        if (name == kTokensKey) {
            distinct_tokens(label, count);
            return;
        }
        for (std::uint64_t i = 0; i < count; ++i) {
            reader_.skip(string_length([&] { return label() + " element " + num(i); }));
        }
    }

    template <typename Label>
    void distinct_tokens(const Label& label, std::uint64_t count) {
        TokenSet tokens;
        for (std::uint64_t i = 0; i < count; ++i) {
            auto element = [&] { return label() + " element " + num(i); };
            const std::uint64_t length = string_length(element);
            get(tokens.add(static_cast<std::size_t>(length)), static_cast<std::size_t>(length), element);
            if (length == 0) {
                // llama.cpp stands in this text for an empty token.
                tokens.append("[EMPTY_" + num(i) + "]");
            }
            const std::uint64_t previous = tokens.insert_last();
            if (previous != TokenSet::kNew) {
                fail(element() + " '" + shown(std::string(tokens.text(previous).substr(0, kTokenShown))) +
                     "' repeats element " + num(previous) + "; llama.cpp requires distinct tokens");
            }
        }
    }

    TensorExtent tensor_info(std::uint64_t index) {
        const std::uint64_t info_at = reader_.position();
        const auto tensor = [index] { return "tensor " + num(index); };
        const std::uint64_t name_length = string_length(then(tensor, " name"));
        if (name_length >= GGML_MAX_NAME) {
            fail(tensor() + " name is " + num(name_length) + " bytes long; the limit is " + num(GGML_MAX_NAME - 1));
        }
        const std::string name = read_text(name_length, then(tensor, " name"));
        const auto label = [&] { return tensor_label(index, name); };

        const auto n_dims = get<std::uint32_t>(then(label, " dimension count"));
        if (n_dims > GGML_MAX_DIMS) {
            fail(label() + " has " + num(n_dims) + " dimensions; the limit is " + num(GGML_MAX_DIMS));
        }
        std::int64_t first_dim = 1;
        std::int64_t elements = 1;
        for (std::uint32_t d = 0; d < n_dims; ++d) {
            const auto dim = get<std::int64_t>([&] { return label() + " dimension " + num(d); });
            if (dim <= 0) {
                fail(label() + " dimension " + num(d) + " is " + std::to_string(dim) + "; it must be positive");
            }
            if (elements > std::numeric_limits<std::int64_t>::max() / dim) {
                fail(label() + " has more elements than a 64-bit count holds (dimension " + num(d) + " is " +
                     std::to_string(dim) + ")");
            }
            elements *= dim;
            if (d == 0) {
                first_dim = dim;
            }
        }

        const auto raw_type = get<std::int32_t>(then(label, " type"));
        if (raw_type < 0 || raw_type >= GGML_TYPE_COUNT) {
            fail(label() + " has invalid ggml type " + std::to_string(raw_type));
        }
        const auto type = static_cast<ggml_type>(raw_type);
        const std::int64_t block = ggml_blck_size(type);
        const std::uint64_t block_bytes = ggml_type_size(type);
        if (block <= 0 || block_bytes == 0) {
            // Numbers left in the enum by removed types.
            fail(label() + " has ggml type " + std::to_string(raw_type) + ", which is no longer supported");
        }
        if (first_dim % block != 0) {
            fail(label() + " of type " + ggml_type_name(type) + " has " + std::to_string(first_dim) +
                 " elements per row, not a multiple of its block size " + std::to_string(block));
        }
        const auto blocks = static_cast<std::uint64_t>(elements / block);
        if (blocks > std::numeric_limits<std::uint64_t>::max() / block_bytes) {
            fail(label() + " is larger than a 64-bit byte count holds");
        }
        const std::uint64_t bytes = blocks * block_bytes;

        const auto offset = get<std::uint64_t>(then(label, " data offset"));
        if (offset % alignment_ != 0) {
            fail(label() + " data offset " + num(offset) + " is not a multiple of the alignment " + num(alignment_));
        }
        return {info_at, offset, bytes};
    }

    static std::string tensor_label(std::uint64_t index, const std::string& name) {
        return "tensor " + num(index) + " '" + shown(name) + "'";
    }

    void data_section(const std::vector<TensorExtent>& tensors) {
        std::uint64_t start = reader_.position();
        if (!tensors.empty()) {
            // Cannot overflow: start <= file size, far below 2^64 - alignment.
            start = (start + alignment_ - 1) / alignment_ * alignment_;
            if (start > file_size_) {
                fail("the tensor data would start at byte " + num(start) + " (the end of the tables rounded up to " +
                     num(alignment_) + "), " + past_end());
            }
        }
        const std::uint64_t data_room = file_size_ - start;
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const TensorExtent& tensor = tensors[i];
            if (tensor.offset > data_room || tensor.bytes > data_room - tensor.offset) {
                const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
                const bool representable = tensor.offset <= max - start && tensor.bytes <= max - start - tensor.offset;
                const std::string end = representable ? "at byte " + num(start + tensor.offset + tensor.bytes)
                                                      : "beyond byte " + num(max);
                fail(tensor_label(i, name_at(tensor.info_at)) + " data (" + num(tensor.bytes) +
                     " bytes at data offset " + num(tensor.offset) + ") ends " + end + ", " + past_end());
            }
        }
    }

    // A tensor name already checked by tensor_info, read again for a message.
    std::string name_at(std::uint64_t info_at) {
        reader_.seek(info_at);
        const auto length = get<std::uint64_t>("a tensor name length");
        return read_text(length, "a tensor name");
    }

    const std::string& path_;
    std::uint64_t file_size_;
    WindowReader reader_;
    std::uint64_t alignment_ = GGUF_DEFAULT_ALIGNMENT;
    std::string architecture_;
    std::vector<CountKey> counts_;
};

}  // namespace

void check_gguf_file(const std::string& path) {
    if (path.find('\0') != std::string::npos) {
        refuse(path, "the path contains a NUL character");
    }
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        refuse(path, errno == ENOENT ? "model file not found" : std::strerror(errno));
    }
    if (S_ISDIR(info.st_mode)) {
        refuse(path, "it is a directory, not a GGUF file");
    }
    if (!S_ISREG(info.st_mode)) {
        refuse(path, "it is not a regular file");
    }
    // O_NONBLOCK: should the path be swapped for a FIFO after the stat, the
    // open must not hang; fstat below then refuses it.
    const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (file.get() < 0) {
        refuse(path, std::string("the file cannot be opened for reading: ") + std::strerror(errno));
    }
    if (::fstat(file.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
        refuse(path, "it is not a regular file");
    }
    if (info.st_size == 0) {
        refuse(path, "the file is empty");
    }
    Checker(path, file.get(), static_cast<std::uint64_t>(info.st_size)).run();
}

}  // namespace genex_llm
