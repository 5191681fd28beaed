#include "rpc_methods.h"

namespace gotrace::headless {

const MethodTable& rpc_methods() {
  static const MethodTable table = [] {
    MethodTable t;
    add_session_methods(t);
    add_location_methods(t);
    add_breakpoint_methods(t);
    add_execution_methods(t);
    return t;
  }();
  return table;
}

}  // namespace gotrace::headless
