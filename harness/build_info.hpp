// Facts fixed at build time: version, git sha, compiler, and the suite schema compiled in.
#pragma once

namespace gauntlet {

const char* gauntlet_version();
const char* gauntlet_git_sha();
/// Hash of every source file a result can depend on (cmake/source_hash.cmake), 16 hex digits.
/// Unlike the git sha it also sees uncommitted edits.
const char* gauntlet_source_hash();
const char* compiler_id();
/// Text of suites/schema/suite.schema.json as it was when the binary was built.
const char* suite_schema_text();
/// The built-in hold-out profiles (profiles/*.json) as one JSON array, as built.
const char* builtin_profiles_text();

}  // namespace gauntlet
