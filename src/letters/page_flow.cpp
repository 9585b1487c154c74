#include "letters/page_flow.hpp"

namespace onshi::letters {
namespace {

// The height block i needs at the foot of a page: itself, and the chain of blocks it is kept
// with, so that a heading is never the last thing on a page.
double needed_height(const std::vector<Block>& blocks, std::size_t i) {
  double need = blocks[i].height;
  for (std::size_t j = i + 1; j < blocks.size() && blocks[j - 1].keep_with_next; ++j) {
    need += blocks[j].space_before + blocks[j].height;
  }
  return need;
}

}  // namespace

std::vector<PageBlocks> paginate(const std::vector<Block>& blocks, double first_top,
                                 double next_top, double bottom) {
  std::vector<PageBlocks> pages(1);
  double y = first_top;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const Block& block = blocks[i];
    const bool page_empty = pages.back().empty();
    double before = page_empty ? 0 : block.space_before;
    if (!page_empty && y + before + needed_height(blocks, i) > bottom) {
      pages.emplace_back();
      y = next_top;
      before = 0;
      if (block.repeat_header >= 0) {
        const auto header = static_cast<std::size_t>(block.repeat_header);
        pages.back().push_back({header, y});
        y += blocks[header].height;
        before = block.space_before;
      }
    }
    pages.back().push_back({i, y + before});
    y += before + block.height;
  }
  return pages;
}

}  // namespace onshi::letters
