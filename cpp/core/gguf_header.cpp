#include "gguf_header.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>

#include "error.hpp"

namespace genex_llm {
namespace {

constexpr char kMagic[4] = {'G', 'G', 'U', 'F'};
constexpr std::uint32_t kOldestVersion = 2;
constexpr std::uint32_t kNewestVersion = 3;
// magic, version, tensor count, key/value count
constexpr std::uint64_t kHeaderSize = 4 + 4 + 8 + 8;

[[noreturn]] void refuse(const std::string& path, const std::string& problem) {
    throw Error(ErrorKind::ModelLoad, "cannot load model '" + path + "': " + problem);
}

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
    if (info.st_size == 0) {
        refuse(path, "the file is empty");
    }
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        refuse(path, "the file cannot be opened for reading");
    }
    char header[kHeaderSize] = {};
    file.read(header, sizeof header);
    const auto got = static_cast<std::uint64_t>(file.gcount());
    if (got < sizeof kMagic || std::memcmp(header, kMagic, sizeof kMagic) != 0) {
        refuse(path, "not a GGUF file (it does not start with the GGUF magic)");
    }
    if (got < kHeaderSize) {
        refuse(path, "truncated GGUF header (" + std::to_string(got) + " of " +
                         std::to_string(kHeaderSize) + " bytes)");
    }
    std::uint32_t version = 0;
    std::memcpy(&version, header + 4, sizeof version);
    if (version < kOldestVersion || version > kNewestVersion) {
        refuse(path, "unsupported GGUF version " + std::to_string(version));
    }
}

}  // namespace genex_llm
