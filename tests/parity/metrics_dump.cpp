// metrics_dump PREDICTIONS.csv: prints to_json(compute_metrics(...)) of a predictions file
// (header `index,label,pred,p0,...,pK-1`; K is the number of p columns) on one line of stdout.
// It is the C++ side of tests/parity/metrics_parity.py, which compares its output with sklearn,
// on random files and on the predictions of end-to-end runs.
// The file is read by the same reader `gauntlet compare` uses. Exit codes: 0 ok, 2 bad input.
#include <iostream>
#include <stdexcept>

#include "harness/compare.hpp"
#include "harness/metrics.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: metrics_dump PREDICTIONS.csv\n";
    return 2;
  }
  try {
    const gauntlet::Predictions p = gauntlet::read_predictions_csv(argv[1]);
    std::cout
        << gauntlet::to_json(gauntlet::compute_metrics(p.labels, p.preds, p.num_classes)).dump()
        << '\n';
  } catch (const std::exception& e) {
    // Both InputError (the file) and invalid_argument (a label out of range) are bad input.
    std::cerr << "metrics_dump: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
