// SPDX-License-Identifier: Apache-2.0
// bpflab: plain-text tables with aligned columns for the verify reports.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace bpflab::reports {

/// A table of text cells; columns are as wide as their widest cell.
class Table {
  public:
    /// A table whose columns have these headers; `right[i]` right-aligns column i (numbers).
    explicit Table(std::vector<std::string> headers, std::vector<bool> right = {});
    /// Appends a row (missing cells are empty, extra cells are dropped).
    void add(std::vector<std::string> row);
    /// Appends a horizontal rule (a separator before totals).
    void rule();
    [[nodiscard]] std::size_t rows() const { return rows_.size(); }
    /// Writes the headers, a rule, and every row; `indent` spaces before each line.
    void print(std::ostream& out, int indent = 0) const;

  private:
    std::vector<std::string> headers_;
    std::vector<bool> right_;
    std::vector<std::vector<std::string>> rows_;  ///< an empty row is a rule
};

}  // namespace bpflab::reports
