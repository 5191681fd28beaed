// gotrace funcs BINARY [REGEXP]: the traceable functions, sorted, one per line.
#include "args.h"
#include "backend_flag.h"
#include "commands.h"
#include "gotrace/tracer/engine.h"

#include <cstdio>

namespace gotrace::cli {

int run_funcs(const std::vector<std::string>& all_args) {
  // --backend is accepted like on every command (listing needs none).
  auto parsed = parse_args(all_args, {{"backend", 0}});
  if (!parsed) {
    std::fprintf(stderr, "Error: %s\n", parsed.error().message.c_str());
    return 1;
  }
  if (auto b = backend_flag(*parsed); !b) {
    std::fprintf(stderr, "Error: %s\n", b.error().message.c_str());
    return 1;
  }
  const std::vector<std::string>& args = parsed->positional;
  if (args.empty() || args.size() > 2) {
    std::fputs("Usage: gotrace funcs BINARY [REGEXP]\n", stderr);
    return 1;
  }
  auto engine = tracer::Engine::open(args[0]);
  if (!engine) {
    std::fprintf(stderr, "Error: %s\n", engine.error().message.c_str());
    return 1;
  }
  auto fns = (*engine)->match(args.size() == 2 ? args[1] : "");
  if (!fns) {
    std::fprintf(stderr, "Error: %s\n", fns.error().message.c_str());
    return 1;
  }
  std::string out;
  for (const symbols::Function* f : *fns) {
    out += f->name;
    out += '\n';
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace gotrace::cli
