// Status and Result<T>: errors returned as values, each carrying a message a user can act on
// (which file, which tape, what to do next). Modelled on leveldb::Status.
#ifndef SSM_REPLAY_STORE_STATUS_H_
#define SSM_REPLAY_STORE_STATUS_H_

#include <optional>
#include <string>
#include <utility>

namespace ssm {

class Status {
 public:
  enum class Code { kOk, kNotFound, kCorruption, kInvalidArgument, kIOError, kNotSupported, kMapFull };

  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  // A store (or record) written by a newer, unknown format version.
  static Status NotSupported(std::string msg) { return Status(Code::kNotSupported, std::move(msg)); }
  // The store's LMDB map has no room left for a write (MDB_MAP_FULL). LmdbEnv::Write grows the map and
  // runs the transaction again, so users never see it; an IO error for anything that does.
  static Status MapFull(std::string msg) { return Status(Code::kMapFull, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsNotSupported() const { return code_ == Code::kNotSupported; }
  bool IsMapFull() const { return code_ == Code::kMapFull; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "Corruption: <message>", or "OK".
  std::string ToString() const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}                // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}        // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_STATUS_H_
