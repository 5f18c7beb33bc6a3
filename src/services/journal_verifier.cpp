#include "services/journal_verifier.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "services/journal_format.hpp"

namespace onshi::services {

namespace fs = std::filesystem;
namespace jf = journal_format;

namespace {
constexpr std::int64_t kProgressEvery = 65536;
}

JournalVerifyReport verify_store_journal(store::Store& store, const VerifyProgress& progress) {
  JournalVerifyReport report;
  for (const std::string& node : store.journal_nodes()) {
    ++report.nodes;
    std::map<std::int64_t, std::string> anchors;
    for (const auto& a : store.journal_anchors(node)) anchors[a.seq] = a.hash;
    report.anchors += static_cast<std::int64_t>(anchors.size());
    jf::ChainCheck chain(node);
    std::optional<JournalBreak> broken;
    store.for_each_journal_record(node, [&](const core::JournalRecord& r) {
      if (broken) return;  // the scan cannot stop early on every backend; the rest is skipped
      if (std::string p = chain.add(r); !p.empty()) {
        broken = JournalBreak{"store", node, r.seq, std::move(p)};
        return;
      }
      if (const auto a = anchors.find(r.seq); a != anchors.end() && a->second != r.hash) {
        broken = JournalBreak{"store", node, r.seq,
                              "its hash differs from the anchor kept for it (the chain was "
                              "rewritten up to here)"};
        return;
      }
      if (++report.records % kProgressEvery == 0 && progress) progress(report.records);
    });
    if (!broken && !anchors.empty() && anchors.rbegin()->first > chain.head_seq())
      broken = JournalBreak{"store", node, chain.head_seq() + 1,
                            "missing: an anchor names record " +
                                std::to_string(anchors.rbegin()->first) +
                                ", but the chain ends before it (records were removed from its "
                                "end)"};
    if (broken) {
      report.broken = std::move(broken);
      break;
    }
  }
  if (progress) progress(report.records);
  return report;
}

JournalVerifyReport verify_journal_files(const std::string& journal_dir,
                                         const VerifyProgress& progress) {
  JournalVerifyReport report;
  std::error_code ec;
  if (!fs::is_directory(journal_dir, ec)) return report;
  std::vector<fs::path> nodes;
  for (const auto& e : fs::directory_iterator(journal_dir))
    if (e.is_directory()) nodes.push_back(e.path());
  std::sort(nodes.begin(), nodes.end());
  for (const auto& dir : nodes) {
    const std::string node = dir.filename().string();
    std::vector<fs::path> segments;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".jnl") segments.push_back(e.path());
    std::sort(segments.begin(), segments.end());
    if (segments.empty()) continue;
    ++report.nodes;
    std::optional<jf::ChainCheck> chain;
    for (std::size_t s = 0; s < segments.size() && !report.broken; ++s) {
      const std::string path = segments[s].string();
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) throw std::runtime_error("audit verify: cannot open " + path);
      struct stat st {};
      ::fstat(fd, &st);
      const auto size = static_cast<std::size_t>(st.st_size);
      void* map = size ? ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0) : nullptr;
      ::close(fd);
      if (map == MAP_FAILED) throw std::runtime_error("audit verify: cannot map " + path);
      ::madvise(map, size, MADV_SEQUENTIAL);
      const std::string_view data(static_cast<const char*>(map), size);
      std::size_t pos = 0;
      while (pos < data.size()) {
        const auto nl = data.find('\n', pos);
        const bool last_line = nl == std::string_view::npos;
        if (last_line && s + 1 == segments.size()) break;  // being written, or torn
        const auto r = jf::parse_line(data.substr(pos, last_line ? data.npos : nl - pos));
        if (!r) {
          report.broken =
              JournalBreak{path, node, chain ? chain->head_seq() + 1 : 0,
                           "not a record at byte " + std::to_string(pos) + " (malformed)"};
          break;
        }
        // The first file's first record may start after 1: older segments can be archived.
        if (!chain)
          chain.emplace(node, r->seq - 1,
                        r->seq == 1 ? std::string(core::kJournalGenesis) : r->prev_hash);
        if (std::string p = chain->add(*r); !p.empty()) {
          report.broken = JournalBreak{path, node, r->seq, std::move(p)};
          break;
        }
        if (++report.records % kProgressEvery == 0 && progress) progress(report.records);
        if (last_line) break;
        pos = nl + 1;
      }
      if (map) ::munmap(map, size);
    }
    if (report.broken) break;
  }
  if (progress) progress(report.records);
  return report;
}

}  // namespace onshi::services
