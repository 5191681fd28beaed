#include "args.h"

#include <charconv>

namespace gotrace::cli {

Result<ParsedArgs> parse_args(const std::vector<std::string>& args,
                              const std::vector<FlagSpec>& flags) {
  ParsedArgs out;
  auto find_long = [&](const std::string& n) -> const FlagSpec* {
    for (const auto& f : flags)
      if (f.long_name == n) return &f;
    return nullptr;
  };
  auto find_short = [&](char c) -> const FlagSpec* {
    for (const auto& f : flags)
      if (f.short_name && f.short_name == c) return &f;
    return nullptr;
  };
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& a = args[i];
    if (a == "--") {
      out.passthrough.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (a.size() > 1 && a[0] == '-' && a != "-") {
      bool is_long = a.rfind("--", 0) == 0;
      std::string body = a.substr(is_long ? 2 : 1);
      std::optional<std::string> inline_value;
      if (auto eq = body.find('='); eq != std::string::npos) {
        inline_value = body.substr(eq + 1);
        body = body.substr(0, eq);
      }
      const FlagSpec* spec = nullptr;
      if (is_long)
        spec = find_long(body);
      else if (body.size() == 1)
        spec = find_short(body[0]);
      if (!spec) return make_error(Errc::invalid_argument, "unknown flag: " + a);
      if (!spec->takes_value) {
        if (inline_value && *inline_value != "true" && *inline_value != "false")
          return make_error(Errc::invalid_argument,
                            "flag --" + spec->long_name + " takes no value, got " + *inline_value);
        out.values[spec->long_name] = inline_value.value_or("true");
        continue;
      }
      if (inline_value) {
        out.values[spec->long_name] = *inline_value;
      } else {
        if (i + 1 >= args.size())
          return make_error(Errc::invalid_argument, "flag needs an argument: " + a);
        out.values[spec->long_name] = args[++i];
      }
      continue;
    }
    out.positional.push_back(a);
  }
  return out;
}

Result<long> parse_int_flag(const std::string& flag, const std::string& value, long min,
                            long max) {
  long v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || p != value.data() + value.size())
    return make_error(Errc::invalid_argument,
                      "invalid argument \"" + value + "\" for --" + flag + ": not an integer");
  if (v < min || v > max)
    return make_error(Errc::invalid_argument, "invalid argument \"" + value + "\" for --" +
                                                  flag + ": must be between " +
                                                  std::to_string(min) + " and " +
                                                  std::to_string(max));
  return v;
}


Result<std::optional<uint32_t>> ring_size_flag(const ParsedArgs& parsed) {
  auto v = parsed.get("ring-size");
  if (!v) return std::optional<uint32_t>{};
  auto n = parse_int_flag("ring-size", *v, 4096, 1l << 30);
  if (!n) return n.error();
  if ((*n & (*n - 1)) != 0)
    return make_error(Errc::invalid_argument, "invalid argument \"" + *v + "\" for --ring-size: not a power of two");
  return std::optional<uint32_t>(static_cast<uint32_t>(*n));
}

}  // namespace gotrace::cli
