#include "gotrace/support/result.h"

#include <stdexcept>

namespace gotrace {

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw std::runtime_error(e.message);
}

}  // namespace gotrace
