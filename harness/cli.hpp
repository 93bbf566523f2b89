// The `gauntlet` command line (DESIGN.md, Commands). Library code throws; this is the one place
// that turns errors into a message and an exit code: 0 ok, 1 a failed cell, 2 bad input or usage.
#pragma once

namespace gauntlet {

int run_cli(int argc, char** argv);

}  // namespace gauntlet
