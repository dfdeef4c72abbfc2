// SPDX-License-Identifier: Apache-2.0
// bpflab: plain-text tables with aligned columns.
#include "reports/table.hpp"

#include <algorithm>
#include <utility>

namespace bpflab::reports {

Table::Table(std::vector<std::string> headers, std::vector<bool> right)
    : headers_(std::move(headers)), right_(std::move(right)) {
    right_.resize(headers_.size(), false);
}

void Table::add(std::vector<std::string> row) {
    row.resize(headers_.size());
    rows_.push_back(std::move(row));
}

void Table::rule() {
    rows_.emplace_back();
}

void Table::print(std::ostream& out, int indent) const {
    std::vector<std::size_t> width(headers_.size());
    for (std::size_t c = 0; c < headers_.size(); ++c) width[c] = headers_[c].size();
    for (const auto& row : rows_)
        for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    std::size_t total = 0;
    for (std::size_t w : width) total += w + 2;
    total = total >= 2 ? total - 2 : 0;
    const std::string pad(static_cast<std::size_t>(std::max(indent, 0)), ' ');
    auto line = [&](const std::vector<std::string>& row) {
        std::string s = pad;
        for (std::size_t c = 0; c < row.size(); ++c) {
            const std::string fill(width[c] - row[c].size(), ' ');
            s += right_[c] ? fill + row[c] : row[c] + (c + 1 < row.size() ? fill : "");
            if (c + 1 < row.size()) s += "  ";
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        out << s << "\n";
    };
    line(headers_);
    out << pad << std::string(total, '-') << "\n";
    for (const auto& row : rows_) {
        if (row.empty())
            out << pad << std::string(total, '-') << "\n";
        else
            line(row);
    }
}

}  // namespace bpflab::reports
