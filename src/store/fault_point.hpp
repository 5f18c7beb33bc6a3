#pragma once
// TEST-ONLY FAULT INJECTION. Not a feature, not configuration: nothing in production sets it.
//
// `ONSHI_FAULT_POINT=<name>` in the environment makes the process kill itself with SIGKILL
// (no cleanup, no destructors, no rollback: as if `kill -9` or the OOM killer struck; what the
// process had written stays with the OS) when it reaches the fault point called <name>. Tests use
// it to crash a command at an exact point and then assert what the store holds afterwards. Fault
// points:
//
//   commit_load.before_commit  SqliteStore::commit_load, every row of the load written inside
//                              the transaction, COMMIT not yet issued
//   commit_load.after_commit   SqliteStore::commit_load, right after COMMIT returned
//
// The variable is read once per process; when it is unset a fault point costs one load of a
// static and a compare.
#include <string_view>

namespace onshi::store::test_only {

// Raises SIGKILL if ONSHI_FAULT_POINT names `point`; otherwise does nothing.
void fault_point(std::string_view point);

}  // namespace onshi::store::test_only
