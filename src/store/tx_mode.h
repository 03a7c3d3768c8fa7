#pragma once

namespace orgd::store {

// How a transaction locks. kWrite takes the write lock up front (SQLite BEGIN IMMEDIATE;
// PostgreSQL row locks taken by the SQL itself), so check-then-write rules inside it are safe;
// kRead is a consistent snapshot for multi-statement reads.
enum class TxMode { kRead, kWrite };

}  // namespace orgd::store
