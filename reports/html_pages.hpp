// The HTML pages of a report: index.html and one page per cell. Self-contained and offline: inline
// CSS, a small inline script that sorts the leaderboard, figures as relative links to the images
// beside the page, no external fetch. Every string from the results is escaped (html_escape); file
// links are paths the report itself made (safe characters only).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "reports/report_data.hpp"
#include "reports/report_figures.hpp"

namespace gauntlet {

/// A table as shown on a page: its HTML fragment and the files it was written to.
struct TableBlock {
  std::string title;  ///< plain text heading
  std::string html;   ///< from the html format (already escaped)
  std::vector<std::pair<std::string, std::string>> files;  ///< (format name, path relative to the page)
  bool open = true;   ///< shown, or folded in a <details>
  bool sortable = false;
};

struct PageFigures {
  std::string folder;                ///< relative to the page, with a trailing '/'
  std::vector<FigureRef> figures;
  std::vector<std::string> formats;  ///< image formats drawn (png, svg, pdf)
  std::string note;                  ///< why figures are missing, shown instead of them
};

struct CellPage {
  const ReportCell* cell = nullptr;
  std::vector<TableBlock> tables;
  PageFigures figures;
  std::vector<std::string> explain;  ///< image paths relative to the page
};

std::string index_page(const ReportData& d, const std::vector<TableBlock>& tables, const PageFigures& figures,
                       const std::vector<CellPage>& cells);

std::string cell_page(const ReportData& d, const CellPage& page);

}  // namespace gauntlet
