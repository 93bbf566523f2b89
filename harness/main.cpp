#include "harness/cli.hpp"

int main(int argc, char** argv) { return gauntlet::run_cli(argc, argv); }
