#pragma once
// Flowing blocks of a letter down its pages. Internal to letters/ (it pulls in cairo).
#include <cairo.h>

#include <cstddef>
#include <functional>
#include <vector>

namespace onshi::letters {

// A piece of a page that is never split: a paragraph, a table row, a certificate box.
struct Block {
  double height = 0;
  double space_before = 0;      // dropped when the block opens a page
  bool keep_with_next = false;  // a heading: moves to the next page with what follows it
  int repeat_header = -1;       // a block drawn again above this one when this one opens a page
  std::move_only_function<void(cairo_t*, double top) const> draw;
};

struct PlacedBlock {
  std::size_t index = 0;
  double top = 0;
};
using PageBlocks = std::vector<PlacedBlock>;

// Places the blocks, in order, from `first_top` on the first page and from `next_top` on the
// others, none reaching below `bottom`, except a block too tall for an empty page: that one
// is placed at the top and cut off by the caller's clip. Always at least one page.
std::vector<PageBlocks> paginate(const std::vector<Block>& blocks, double first_top,
                                 double next_top, double bottom);

}  // namespace onshi::letters
