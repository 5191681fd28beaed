// Result<T>: the error-as-value type every gotrace library returns for
// recoverable failures. Kept behind one alias so a later move to
// std::expected touches this file only.
#pragma once

#include <boost/system/result.hpp>

#include <string>
#include <utility>

namespace gotrace {

enum class Errc {
  invalid_argument,  // the caller's input is wrong (bad regex, bad flag)
  not_found,         // a named thing does not exist (file, function, pid)
  unsupported,       // exists but we cannot handle it (not Go, old kernel)
  io,                // an OS call failed
  corrupt,           // input data is malformed (bad ELF/DWARF)
  permission,        // no BPF/ptrace permission
  internal,
};

struct Error {
  Errc code = Errc::internal;
  std::string message;
};

// boost::system::result needs to know how to throw an Error when value() is
// called on a failed result; we never rely on that path, but it must compile.
[[noreturn]] void throw_exception_from_error(const Error& e,
                                             const boost::source_location& loc);

template <class T = void>
using Result = boost::system::result<T, Error>;

inline Error make_error(Errc code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace gotrace
