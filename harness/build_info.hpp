// Facts fixed at build time: version, git sha, compiler, and the suite schema compiled in.
#pragma once

namespace gauntlet {

const char* gauntlet_version();
const char* gauntlet_git_sha();
const char* compiler_id();
/// Text of suites/schema/suite.schema.json as it was when the binary was built.
const char* suite_schema_text();

}  // namespace gauntlet
