// Puts the weights llama.cpp reads into memory on transparent huge pages.
//
// Generation streams every weight once per token. With 4 KiB pages that is a
// TLB miss and a page walk every 4 KiB; a 2 MiB page removes all but one in
// 512 of them, which on a small model is worth 15-20% of the token time
// (docs/performance.md). Linux only gives anonymous memory huge pages when it
// is asked to (transparent_hugepage=madvise, the common default), and ggml
// allocates with posix_memalign and never asks. The link wraps ggml's
// allocator (--wrap, cpp/CMakeLists.txt) with the two functions below. While
// a WeightsOnHugePages lives on the loading thread, buffers of a huge page or
// more are mapped on a huge-page boundary and advised. KV caches and compute
// buffers are left to ggml: they showed no gain, and on huge pages each would
// hold whole 2 MiB pages it only partly uses. Weights mapped from the file
// are page-cache pages and stay as they are; GENEX_LLM_HUGE_PAGES=0 leaves
// every buffer to ggml.

#include "huge_pages.hpp"

namespace {

// Read by the allocator wrapper below; set only by WeightsOnHugePages.
thread_local bool t_loading_weights = false;

}  // namespace

namespace genex_llm {

WeightsOnHugePages::WeightsOnHugePages() noexcept : previous_(t_loading_weights) { t_loading_weights = true; }

WeightsOnHugePages::~WeightsOnHugePages() { t_loading_weights = previous_; }

}  // namespace genex_llm

#ifdef __linux__

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>

extern "C" {
void* __real_ggml_aligned_malloc(size_t size);
void __real_ggml_aligned_free(void* ptr, size_t size);
void* __wrap_ggml_aligned_malloc(size_t size);
void __wrap_ggml_aligned_free(void* ptr, size_t size);
}

namespace {

constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;

std::uintptr_t round_up(std::uintptr_t value) {
    return (value + kHugePage - 1) & ~(kHugePage - 1);
}

bool huge_pages_enabled() {
    static const bool enabled = [] {
        const char* setting = std::getenv("GENEX_LLM_HUGE_PAGES");
        return setting == nullptr || std::strcmp(setting, "0") != 0;
    }();
    return enabled;
}

// Which pointers this file mapped, and how long each mapping is: ggml frees
// every buffer through ggml_aligned_free, whichever allocator made it.
class Mappings {
public:
    void add(void* start, size_t length) {
        std::lock_guard<std::mutex> lock(mutex_);
        lengths_.emplace(start, length);
    }

    // The length of the mapping at ptr, removed from the table; 0 if ptr is not one.
    size_t take(void* ptr) {
        std::lock_guard<std::mutex> lock(mutex_);
        auto found = lengths_.find(ptr);
        if (found == lengths_.end()) {
            return 0;
        }
        size_t length = found->second;
        lengths_.erase(found);
        return length;
    }

private:
    std::mutex mutex_;
    std::unordered_map<void*, size_t> lengths_;
};

Mappings& mappings() {
    // Never destroyed: a model freed by another static destructor at exit
    // still finds the table.
    static Mappings* table = new Mappings();
    return *table;
}

void* map_huge(size_t size) {
    const size_t length = round_up(size);
    // One extra huge page of address space lets the start be moved to a
    // huge-page boundary; the unused ends are returned at once.
    const size_t reserved = length + kHugePage;
    void* raw = mmap(nullptr, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
        return nullptr;
    }
    const std::uintptr_t base = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t start = round_up(base);
    if (start > base) {
        munmap(raw, start - base);
    }
    const std::uintptr_t end = start + length;
    if (base + reserved > end) {
        munmap(reinterpret_cast<void*>(end), base + reserved - end);
    }
    void* memory = reinterpret_cast<void*>(start);
    // Advice only: where huge pages are off or short, the mapping keeps 4 KiB pages.
    madvise(memory, length, MADV_HUGEPAGE);
    mappings().add(memory, length);
    return memory;
}

}  // namespace

void* __wrap_ggml_aligned_malloc(size_t size) {
    if (t_loading_weights && size >= kHugePage && huge_pages_enabled()) {
        if (void* memory = map_huge(size)) {
            return memory;
        }
    }
    return __real_ggml_aligned_malloc(size);
}

void __wrap_ggml_aligned_free(void* ptr, size_t size) {
    if (ptr != nullptr) {
        if (size_t length = mappings().take(ptr)) {
            munmap(ptr, length);
            return;
        }
    }
    __real_ggml_aligned_free(ptr, size);
}

#endif  // __linux__: elsewhere there are no transparent huge pages and nothing is wrapped
