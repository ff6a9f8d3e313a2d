// Fail points: named places where a test can make the process die on the
// spot, as a crash or a power cut would, to prove that what is on disk is
// always recoverable (docs/reliability.md, docs/decisions/0007-failpoints.md).
//
// Always compiled, armed only by the environment: ASKIO_FAILPOINT=NAME kills
// the process (_exit(77), no destructors, no flushing) the first time NAME is
// reached; NAME@N on its Nth arrival. Unarmed, a fail point costs one load
// and compare of a pointer cached at the first call.
//
// Names in use (grep FAILPOINT(" for the places):
//   catalog.after_commit        a batch is committed to SQLite, the lexical
//                               index has not seen it
//   lexical.after_shard_commit  shard 0 of the lexical index committed, the
//                               others may not have
//   lexical.before_truncate     the lexical index committed, the outbox is
//                               not truncated yet
//   vectors.before_save         the catalogue holds new vectors/chunks, the
//                               FAISS file is the old one
//   vectors.after_save          the FAISS file is new, the catalogue's
//                               vector_model meta not yet rewritten
#pragma once

namespace askio::failpoint {

// The exit status of a process killed by a fail point.
inline constexpr int kExitCode = 77;

// Dies here if ASKIO_FAILPOINT names `name` (and its count is reached).
void Hit(const char* name);

}  // namespace askio::failpoint

#define ASKIO_FAILPOINT(name) ::askio::failpoint::Hit(name)
