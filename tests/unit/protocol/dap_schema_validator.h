// A small JSON Schema validator for tests: just enough of draft-04 to check
// messages against debugAdapterProtocol.json. Supports $ref into
// #/definitions, allOf, oneOf, type (a name or a list; "integer" means a JSON
// integer), properties, required, enum, items, additionalProperties (absent,
// true, false or a schema), minimum and maximum. Everything else
// (description, _enum, format...) is ignored.
#pragma once

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gotrace::protocol::dap::testing {

class SchemaValidator {
 public:
  explicit SchemaValidator(boost::json::value schema) : root_(std::move(schema)) {}

  // Loads the DAP schema: $GOTRACE_DAP_SCHEMA, then
  // <source>/tests/unit/protocol/testdata/debugAdapterProtocol.json, then
  // /work/shared/reference/dap/debugAdapterProtocol.json. nullopt if none
  // can be read and parsed.
  static std::optional<SchemaValidator> load_dap();

  // Errors for instance against #/definitions/<definition>, each
  // "<json path>: <what>" (e.g. "$.body.breakpoints[0]: missing required
  // property \"verified\""); empty when valid.
  std::vector<std::string> validate(const boost::json::value& instance, std::string_view definition) const;

 private:
  void check(const boost::json::value& inst, const boost::json::value& schema, const std::string& path,
             std::vector<std::string>& errors, int depth) const;
  const boost::json::value* resolve(std::string_view ref) const;

  boost::json::value root_;
};

// Every error found validating v against the DAP schema's
// #/definitions/<def>, one per line ("" when valid); names the missing
// schema file if it cannot be loaded. The schema is loaded once.
std::string dap_schema_errors(const boost::json::value& v, std::string_view def);

}  // namespace gotrace::protocol::dap::testing

// Expects `value` to be a valid DAP `def`, printing it when it is not.
#define EXPECT_VALID(value, def)                                                                  \
  EXPECT_EQ(::gotrace::protocol::dap::testing::dap_schema_errors((value), (def)), "")             \
      << boost::json::serialize(value)
