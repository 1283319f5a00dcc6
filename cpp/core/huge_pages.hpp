#pragma once

namespace genex_llm {

// While one lives, the ggml buffers of 2 MiB or more that this thread
// allocates (the weights of a model being loaded) go on transparent huge
// pages: see huge_pages.cpp. Elsewhere than Linux nothing reads it.
class WeightsOnHugePages {
public:
    WeightsOnHugePages() noexcept;
    ~WeightsOnHugePages();
    WeightsOnHugePages(const WeightsOnHugePages&) = delete;
    WeightsOnHugePages& operator=(const WeightsOnHugePages&) = delete;

private:
    bool previous_;
};

}  // namespace genex_llm
